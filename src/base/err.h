/* err: the one error vocabulary of frontdesk.
 *
 * A function that can fail returns int: 0 on success or a negative ERR_* code. When the caller
 * wants to know why, it passes a struct err that the callee fills through err_set(); the struct
 * is plain data (fixed buffers, no allocation), so it can live on the stack. Messages follow
 * PostgreSQL's style: lower case, no trailing period, say what and why, name the field.
 * Only the HTTP layer turns codes into statuses (http/errors.c). Thread-safe: no shared state.
 */
#ifndef FRONTDESK_BASE_ERR_H
#define FRONTDESK_BASE_ERR_H

#include <stdarg.h>

enum err_code {
    ERR_OK = 0,
    ERR_INVALID = -1,     /* the input is wrong: a field, a value, a syntax */
    ERR_NOT_FOUND = -2,   /* the thing asked for does not exist */
    ERR_CONFLICT = -3,    /* it exists already, or the state forbids it */
    ERR_BUSY = -4,        /* try again: lock timeout, serialization failure */
    ERR_IO = -5,          /* the disk, the network or the database went away */
    ERR_LIMIT = -6,       /* a cap was reached (body, buffer, list) */
    ERR_UNSUPPORTED = -7, /* well-formed but not something we do (media type, dialect) */
    ERR_INTERNAL = -8,    /* a bug or an impossible state: details go to the log only */
    ERR_MALFORMED = -9,   /* the input cannot even be parsed (JSON syntax, HTTP framing) */
    ERR_FORBIDDEN = -10,  /* the caller may not do this (bad token, missing permission) */
};

struct err {
    int code;
    char field[64];    /* the offending field or flag, "" when none */
    char message[512]; /* safe to show to the caller (a policy notice fits) */
    char detail[512];  /* for the log only: engine messages, SQL states */
    /* A machine-readable reason clients branch on ("identity_unverified", "not_on_duty"),
     * answered as the error's "code" instead of the status's generic one; "" when none. */
    char reason[32];
};

/* Reset to "no error". */
void err_clear(struct err *e);

/* Fill e (when not NULL) and return code, so callers can write `return err_set(...)`.
 * field may be NULL. Overlong strings are truncated, never overflowed. */
int err_set(struct err *e, int code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Give an error already set (the result of err_set) a machine-readable reason; returns its
 * code, so callers can write `return err_reason(e, err_set(...), "requester_banned")`. */
int err_reason(struct err *e, int code, const char *reason);

/* Attach log-only detail to an error already set. */
void err_detail(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Stable lower-case name of a code: "invalid", "not_found", ... ("internal" for unknown codes). */
const char *err_code_name(int code);

#endif
