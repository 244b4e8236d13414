/* hc_render: the JSON of a help-center article as Zendesk's Help Center API v2 shapes it
 * (issue 7), shared by the content routes (http/hc_content.c) and search (http/hc_search.c), and
 * the pieces every help-center object has. The objects returned are new references; the
 * request gives the public URL the links start with. Functions belong to the request's thread.
 */
#ifndef FRONTDESK_HTTP_HC_RENDER_H
#define FRONTDESK_HTTP_HC_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/request.h"
#include "service/hc.h"

/* The absolute URL of fmt (one %lld, for id) as a JSON string. */
json_t *hc_render_link(struct http_req *req, const char *fmt, int64_t id);
/* "locale", "source_locale" (en-us) and "outdated" (false) into o. */
void hc_render_locale(json_t *o);
/* The stored label list "a,b" as a JSON array (NULL or "": []). */
json_t *hc_render_labels(const char *list);
/* The article; staff adds the Markdown source (body_markdown) and the revision. */
json_t *hc_render_article(struct http_req *req, const struct hc_article *a, bool staff);

#endif
