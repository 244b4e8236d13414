/* render: the JSON shapes of frontdesk's objects, in Zendesk's field names, shared by every
 * handler that returns them (so a user looks the same from /users/me, /setup and /users/{id}). */
#ifndef FRONTDESK_HTTP_RENDER_H
#define FRONTDESK_HTTP_RENDER_H

#include <jansson.h>
#include <stdint.h>

#include "store/users.h"

/* New reference: the "user" object (not wrapped). */
json_t *render_user(const struct user *u);
/* ISO 8601 UTC string, or JSON null for 0 when zero_is_null. New reference. */
json_t *render_time(int64_t t, int zero_is_null);
/* The same as a member of JSON text being written: `"key":"2026-11-26T08:00:00Z"`, or
 * `"key":null` for 0 when zero_is_null (no separator before it). */
struct buf;
void render_time_member(struct buf *b, const char *key, int64_t t, int zero_is_null);
/* An id, or JSON null for 0. New reference. */
json_t *render_id(int64_t id);

#endif
