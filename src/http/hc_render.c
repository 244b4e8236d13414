/* hc_render: the rules are in the header; this file explains the why. */
#include "http/hc_render.h"

#include "http/render.h"
#include "http/server.h"

#include <stdio.h>
#include <string.h>

json_t *hc_render_link(struct http_req *req, const char *fmt, int64_t id)
{
    char path[128], url[1024];
    snprintf(path, sizeof path, fmt, (long long)id);
    snprintf(url, sizeof url, "%s%s", http_server_public_url(req->server), path);
    return json_string(url);
}

void hc_render_locale(json_t *o)
{
    json_object_set_new(o, "locale", json_string("en-us"));
    json_object_set_new(o, "source_locale", json_string("en-us"));
    json_object_set_new(o, "outdated", json_false());
}

json_t *hc_render_labels(const char *list)
{
    json_t *arr = json_array();
    const char *p = list ? list : "";
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len)
            json_array_append_new(arr, json_stringn(p, len));
        p += len + (comma ? 1 : 0);
    }
    return arr;
}

json_t *hc_render_article(struct http_req *req, const struct hc_article *a, bool staff)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "url", hc_render_link(req, "/api/v2/help_center/articles/%lld", a->id));
    json_object_set_new(o, "html_url", hc_render_link(req, "/hc/articles/%lld", a->id));
    json_object_set_new(o, "author_id", render_id(a->author_id));
    json_object_set_new(o, "comments_disabled", json_boolean(a->comments_disabled));
    json_object_set_new(o, "draft", json_boolean(a->draft));
    json_object_set_new(o, "promoted", json_false());
    json_object_set_new(o, "position", json_integer(a->position));
    json_object_set_new(o, "vote_sum", json_integer(a->vote_sum));
    json_object_set_new(o, "vote_count", json_integer(a->vote_count));
    json_object_set_new(o, "section_id", json_integer(a->section_id));
    json_object_set_new(o, "created_at", render_time(a->created_at, 0));
    json_object_set_new(o, "updated_at", render_time(a->updated_at, 0));
    json_object_set_new(o, "edited_at", render_time(a->edited_at, 0));
    json_object_set_new(o, "name", json_string(a->title));
    json_object_set_new(o, "title", json_string(a->title));
    hc_render_locale(o);
    json_object_set_new(o, "label_names", hc_render_labels(a->label_names));
    json_object_set_new(o, "body", json_string(a->html));
    if (staff) {
        json_object_set_new(o, "body_markdown", json_string(a->body));
        json_object_set_new(o, "revision", json_integer(a->revision));
    }
    return o;
}
