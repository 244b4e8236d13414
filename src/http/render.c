#include "http/render.h"

#include "base/buf.h"
#include "base/timefmt.h"

#include <stdio.h>

json_t *render_time(int64_t t, int zero_is_null)
{
    if (!t && zero_is_null)
        return json_null();
    char s[TIMEFMT_ISO_LEN + 1];
    timefmt_iso8601(t, s);
    return json_string(s);
}

void render_time_member(struct buf *b, const char *key, int64_t t, int zero_is_null)
{
    if (!t && zero_is_null) {
        buf_appendf(b, "\"%s\":null", key);
        return;
    }
    char s[TIMEFMT_ISO_LEN + 1];
    timefmt_iso8601(t, s);
    buf_appendf(b, "\"%s\":\"%s\"", key, s);
}

json_t *render_id(int64_t id)
{
    return id ? json_integer((json_int_t)id) : json_null();
}

json_t *render_user(const struct user *u)
{
    char url[64];
    snprintf(url, sizeof url, "/api/v2/users/%lld.json", (long long)u->id);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer((json_int_t)u->id));
    json_object_set_new(o, "url", json_string(url));
    json_object_set_new(o, "name", json_string(u->name));
    json_object_set_new(o, "email", json_string(u->email));
    json_object_set_new(o, "role", json_string(u->role));
    json_object_set_new(o, "phone", u->phone[0] ? json_string(u->phone) : json_null());
    json_object_set_new(o, "organization_id", render_id(u->organization_id));
    json_object_set_new(o, "active", json_boolean(u->active));
    json_object_set_new(o, "created_at", render_time(u->created_at, 0));
    json_object_set_new(o, "updated_at", render_time(u->updated_at, 0));
    /* frontdesk's own, beside Zendesk's */
    json_object_set_new(o, "account_role",
                        u->account_role[0] ? json_string(u->account_role) : json_null());
    return o;
}
