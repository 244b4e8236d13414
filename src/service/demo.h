/* demo: the demo data `frontdesk init --demo` (and so `make run` on a fresh database) loads, so
 * a new desk can be tried at once: four RareLogic client accounts (online stores: one with the
 * extra support package, one delinquent and uninstalled, one high-risk, one plain) with their
 * owners, members and billing contacts, a prospect with no account, five staff (three agents, a
 * support lead, an admin) placed in the default teams, and about thirty tickets over every
 * channel, status and priority, with public replies, internal notes and the ticket events of
 * what each ticket was born with and what changed later.
 *
 * Instants are relative to env->now (the oldest ticket is a few weeks old), so the demo always
 * looks recent. Every demo person signs in with DEMO_PASSWORD; it is hashed once (Argon2id) and
 * the one hash is stored for all of them, which keeps init fast.
 *
 * Loaded once per database, in one write transaction: the settings key "demo.loaded_at" (a JSON
 * string, the ISO 8601 instant) marks it done, so a later `init --demo` adds nothing and says
 * so. The default teams must exist (service/seed.h runs first); a missing team, or a demo email
 * or account name already taken, is an error and nothing is added. Thread-safe as far as the
 * connection is.
 */
#ifndef FRONTDESK_SERVICE_DEMO_H
#define FRONTDESK_SERVICE_DEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "base/env.h"
#include "base/err.h"
#include "db/db.h"

/* The one password of every demo sign-in (documented in README.md's Quick start). */
#define DEMO_PASSWORD "frontdesk-demo"

/* One demo person who can sign in. Strings are static: valid forever. */
struct demo_signin {
    const char *email;
    const char *role; /* "admin", "lead", "agent" or "end-user" */
    const char *what; /* who they are, for the console: "agent (Billing, Sales)" */
};

struct demo_report {
    bool already_loaded; /* an earlier init loaded the demo: nothing was added */
    int organizations;   /* added now */
    int users;
    int tickets;
    int comments;
    /* Every demo sign-in, staff first (a static table, also filled when already_loaded). */
    const struct demo_signin *signins;
    size_t signin_count;
};

/* Load the demo data unless an earlier call did, and say what happened in *out (untouched on
 * failure, when nothing is added). Errors: ERR_NOT_FOUND naming "group" when a default team is
 * missing; ERR_CONFLICT naming "email" or "name" when a demo person or account exists already;
 * database errors as they come. Takes ~0.1 s for the one password hash. */
int demo_load(const struct env *env, struct db *db, struct demo_report *out, struct err *e);

#endif
