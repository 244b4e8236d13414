/* markdown: Markdown (CommonMark) to HTML that is safe to put in a page as is (issue 7), for
 * help-center articles and comments.
 *
 * cmark renders with its safe mode: raw HTML (blocks and inline) becomes an HTML comment
 * ("<!-- raw HTML omitted -->"), and a link or image whose URL is javascript:, vbscript:, file:
 * or data: (other than data:image/png|gif|jpeg|webp) gets an empty href/src. Text is escaped by
 * cmark. Rendering is linear in the input in practice (cmark's guarantees; pathological nesting
 * and backtick runs are bounded there); the input is capped at MARKDOWN_INPUT_MAX bytes.
 * Footnote marks the seed policy uses ("¹", "²", "*", "**", "***") are text to CommonMark only
 * when not emphasis: callers escape a leading "*" run that must stay literal (markdown_escape).
 *
 * Pure: no I/O; cmark's types never cross this header. Thread-safe.
 */
#ifndef FRONTDESK_CORE_MARKDOWN_H
#define FRONTDESK_CORE_MARKDOWN_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

#define MARKDOWN_INPUT_MAX (2u << 20)

/* Append the HTML of md[0..len) to out. ERR_LIMIT past MARKDOWN_INPUT_MAX or out's limit
 * (out as it was then); ERR_INTERNAL if cmark fails to allocate. */
int markdown_to_html(const char *md, size_t len, struct buf *out, struct err *e);

/* Append the plain text of md[0..len) (what a reader sees, for search and snippets: no markup,
 * block elements separated by newlines) to out. */
int markdown_to_text(const char *md, size_t len, struct buf *out, struct err *e);

/* Append s[0..len) with every Markdown-special ASCII punctuation backslash-escaped, so it renders
 * as exactly that text (for seeding plain text as Markdown). */
int markdown_escape(const char *s, size_t len, struct buf *out);

#endif
