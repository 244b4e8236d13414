#include "base/err.h"

#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
    e->code = ERR_OK;
    e->field[0] = e->message[0] = e->detail[0] = e->reason[0] = '\0';
}

int err_reason(struct err *e, int code, const char *reason)
{
    if (e)
        snprintf(e->reason, sizeof e->reason, "%s", reason ? reason : "");
    return code;
}

int err_set(struct err *e, int code, const char *field, const char *fmt, ...)
{
    if (!e)
        return code;
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    e->detail[0] = '\0';
    e->reason[0] = '\0';
    return code;
}

void err_detail(struct err *e, const char *fmt, ...)
{
    if (!e)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->detail, sizeof e->detail, fmt, ap);
    va_end(ap);
}

const char *err_code_name(int code)
{
    switch (code) {
    case ERR_OK: return "ok";
    case ERR_INVALID: return "invalid";
    case ERR_NOT_FOUND: return "not_found";
    case ERR_CONFLICT: return "conflict";
    case ERR_BUSY: return "busy";
    case ERR_IO: return "io";
    case ERR_LIMIT: return "limit";
    case ERR_UNSUPPORTED: return "unsupported";
    case ERR_MALFORMED: return "malformed";
    case ERR_FORBIDDEN: return "forbidden";
    default: return "internal";
    }
}
