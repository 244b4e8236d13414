/* sniff: the content type of an upload, judged from its bytes alone.
 *
 * Attachments are served back to browsers, so what a client declares (a Content-Type header, a
 * file name ending in .html) is never trusted: the type comes from magic numbers at the start of
 * the bytes (WHATWG MIME Sniffing, section 6, "Matching an image/archive type pattern"), and the
 * answer is one of a fixed set of inert types. Invariant: sniff_content_type() never answers an
 * active type (text/html, image/svg+xml, application/xhtml+xml, script, ...); an HTML or SVG
 * file becomes text/plain (when it is clean UTF-8 text) or application/octet-stream.
 *
 * Pure and total: any bytes, any length (NULL with len 0 too). Thread-safe: no state.
 */
#ifndef FRONTDESK_CORE_SNIFF_H
#define FRONTDESK_CORE_SNIFF_H

#include <stddef.h>

#define SNIFF_TEXT_PLAIN "text/plain; charset=utf-8"
#define SNIFF_OCTET      "application/octet-stream"

/* How many leading bytes sniff_content_type() looks at for text (magic numbers need fewer). */
#define SNIFF_TEXT_WINDOW 4096

/* The content type of [data, data+len): image/png, image/jpeg, image/gif, image/webp,
 * application/pdf, application/zip (docx, xlsx, odt are zip files too), application/gzip,
 * SNIFF_TEXT_PLAIN (the first SNIFF_TEXT_WINDOW bytes are UTF-8, possibly cut mid-character at
 * the window's end, with no NUL and at most 1 in 32 control characters other than tab, LF, CR,
 * FF and ESC), else SNIFF_OCTET. Returns a static string. */
const char *sniff_content_type(const void *data, size_t len);

#endif
