/* html: a tiny HTML builder that escapes by construction (issue 7: the public help-center pages,
 * the one place the server renders HTML).
 *
 * Three ways in, and only three:
 *  - html_lit(h, "<p class=\"x\">"): markup, which must be a STRING LITERAL (the macro pastes
 *    "" before it, so a variable does not compile): nothing a person typed can become markup;
 *  - html_text(), html_int(), html_attr*(): values, always escaped (& < > " ' become entities;
 *    bytes that are not valid UTF-8 become U+FFFD), attribute values always double-quoted;
 *  - html_trusted_markdown(): HTML that core/markdown.h rendered (cmark with unsafe HTML off:
 *    article bodies, comment bodies), appended as is. The name says where it may come from;
 *    nothing else may go through it.
 * Errors are sticky: the first failed append (ERR_LIMIT at the cap) is kept in h->rc, later
 * appends do nothing, and the caller checks once at the end, so page code reads straight.
 * Not thread-safe: one owner (a request).
 */
#ifndef FRONTDESK_HTTP_HTML_H
#define FRONTDESK_HTTP_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct html {
    struct buf out;
    int rc; /* 0, or the first append's error */
};

/* An empty page of at most limit bytes (0: no cap of our own). Release with html_release(). */
void html_init(struct html *h, size_t limit);
void html_release(struct html *h);

/* Markup from a string literal. */
#define html_lit(h, s) html__lit((h), "" s, sizeof("" s) - 1)
void html__lit(struct html *h, const char *s, size_t len);

/* Text content, escaped. NULL appends nothing. */
void html_text(struct html *h, const char *s);
void html_textn(struct html *h, const char *s, size_t len);
/* A decimal integer (needs no escaping). */
void html_int(struct html *h, int64_t v);

/* ` name="value"` inside a start tag: name a literal, value escaped. NULL value: nothing. */
#define html_attr(h, name, value) html__attr((h), "" name, (value))
void html__attr(struct html *h, const char *name, const char *value);
/* ` name="prefix<id>"`, e.g. html_attr_id(h, "href", "/hc/articles/", 7). */
#define html_attr_id(h, name, prefix, id) html__attr_id((h), "" name, "" prefix, (id))
void html__attr_id(struct html *h, const char *name, const char *prefix, int64_t id);

/* HTML that core/markdown.h rendered (safe by its contract), appended as is. */
void html_trusted_markdown(struct html *h, const char *rendered, size_t len);

/* Append s[0..len) escaped for text or an attribute value to b: 0 or ERR_LIMIT (b as it was
 * then). */
int html_escape(struct buf *b, const char *s, size_t len);

#endif
