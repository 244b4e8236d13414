/* download: answer 200 with stored file bytes as a download that no browser renders in our
 * origin, for every route that serves an uploaded file (ticket attachments, misuse evidence):
 * Content-Disposition: attachment with the file name encoded per RFC 6266 section 4.3 and
 * RFC 8187, a CSP sandbox, no caching by shared caches, and the type sniffed when the file was
 * uploaded (nosniff is added to every response by server.c). Thread-safe.
 */
#ifndef FRONTDESK_HTTP_DOWNLOAD_H
#define FRONTDESK_HTTP_DOWNLOAD_H

#include <stddef.h>

#include "http/request.h"

/* Answer 200 with the size bytes at data (not copied: they must live as long as the request,
 * in its arena say), typed content_type (copied; NULL or out of memory: application/octet-
 * stream) and named file_name (NUL-terminated UTF-8, at most 255 bytes). */
void download_reply(struct http_req *req, const char *file_name, const char *content_type,
                    const void *data, size_t size);

#endif
