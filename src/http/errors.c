#include "http/errors.h"

#include <string.h>

int http_status_for_err(int code)
{
    switch (code) {
    case ERR_INVALID: return 422;
    case ERR_MALFORMED: return 400;
    case ERR_FORBIDDEN: return 403;
    case ERR_NOT_FOUND: return 404;
    case ERR_CONFLICT: return 409;
    case ERR_LIMIT: return 413;
    case ERR_UNSUPPORTED: return 415;
    case ERR_BUSY: return 503;
    case ERR_IO: return 503;
    default: return 500;
    }
}

static const struct {
    int status;
    const char *code;
    const char *reason;
} statuses[] = {
    {400, "bad_request", "Bad Request"},
    {401, "unauthorized", "Unauthorized"},
    {403, "forbidden", "Forbidden"},
    {404, "not_found", "Not Found"},
    {405, "method_not_allowed", "Method Not Allowed"},
    {408, "request_timeout", "Request Timeout"},
    {409, "conflict", "Conflict"},
    {411, "length_required", "Length Required"},
    {413, "payload_too_large", "Payload Too Large"},
    {415, "unsupported_media_type", "Unsupported Media Type"},
    {422, "invalid", "Unprocessable Entity"},
    {429, "too_many_requests", "Too Many Requests"},
    {500, "internal", "Internal Server Error"},
    {501, "not_implemented", "Not Implemented"},
    {503, "unavailable", "Service Unavailable"},
};

const char *http_error_code_for_status(int status)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].status == status)
            return statuses[i].code;
    return status >= 500 ? "internal" : "bad_request";
}

const char *http_reason_phrase(int status)
{
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (statuses[i].status == status)
            return statuses[i].reason;
    return status >= 500 ? "Server Error" : "Client Error";
}

int http_error_body(struct buf *out, const char *code, const char *message, const char *field)
{
    int rc = buf_append_cstr(out, "{\"error\":{\"code\":");
    rc = rc ? rc : buf_append_json_str(out, code, strlen(code));
    rc = rc ? rc : buf_append_cstr(out, ",\"message\":");
    rc = rc ? rc : buf_append_json_str(out, message, strlen(message));
    rc = rc ? rc : buf_append_cstr(out, ",\"field\":");
    if (field && *field)
        rc = rc ? rc : buf_append_json_str(out, field, strlen(field));
    else
        rc = rc ? rc : buf_append_cstr(out, "null");
    return rc ? rc : buf_append_cstr(out, "}}");
}
