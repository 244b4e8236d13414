/* json_body: turn a request's Content-Type and body into a JSON value, or say exactly why not.
 *
 * This is the parser of outside input every JSON endpoint goes through (fuzzed in
 * tests/fuzz/fuzz_json_body.c). Rules, in order:
 *  - Content-Type must be application/json (case-insensitive, optional parameters; a charset
 *    parameter must be utf-8): otherwise ERR_UNSUPPORTED (415), field "Content-Type";
 *  - an empty body is ERR_MALFORMED (400);
 *  - the bytes must be valid UTF-8 (RFC 8259 section 8.1): otherwise ERR_MALFORMED naming the
 *    byte offset;
 *  - the JSON must parse (any value at the top: whether it must be an object is the handler's
 *    call, answered 422 naming the field), with no duplicate keys and no \u0000 in strings: otherwise
 *    ERR_MALFORMED naming line, column and byte position;
 *  - nesting deeper than 64 levels is refused (jansson's own limit is larger).
 * On success *out is a new reference the caller releases with json_decref(). Thread-safe.
 */
#ifndef FRONTDESK_HTTP_JSON_BODY_H
#define FRONTDESK_HTTP_JSON_BODY_H

#include <jansson.h>
#include <stddef.h>

#include "base/err.h"

int json_body_parse(const char *content_type, const char *body, size_t len, json_t **out,
                    struct err *e);

/* Is this Content-Type value application/json with an acceptable charset? NULL is not. */
int json_body_content_type_ok(const char *content_type);

#endif
