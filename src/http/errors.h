/* errors: the one table from frontdesk error codes to HTTP statuses, and the JSON error body.
 *
 * Every error frontdesk answers has the body
 *   {"error": {"code": "not_found", "message": "...", "field": "user.email" | null}}
 * with Content-Type application/json. The code is a stable snake_case token per status (clients
 * switch on it); the message is for people; field names the offending input when there is one.
 * Pure and thread-safe.
 */
#ifndef FRONTDESK_HTTP_ERRORS_H
#define FRONTDESK_HTTP_ERRORS_H

#include "base/buf.h"
#include "base/err.h"

/* Status for an ERR_* code: invalid 422, malformed 400, forbidden 403, not found 404,
 * conflict 409, limit 413, unsupported 415, busy and io 503, anything else 500. */
int http_status_for_err(int code);
/* The error body's "code" for a status: 400 "bad_request", 404 "not_found", ... */
const char *http_error_code_for_status(int status);
/* The reason phrase used in messages: "Not Found". Never NULL. */
const char *http_reason_phrase(int status);

/* Append the JSON error body to out. field may be NULL or "" for none. */
int http_error_body(struct buf *out, const char *code, const char *message, const char *field);

#endif
