/* commands: one function per frontdesk subcommand. Each returns the process exit status
 * (0 success, 1 failure; usage errors are caught earlier by config_parse and exit 2). */
#ifndef FRONTDESK_APP_COMMANDS_H
#define FRONTDESK_APP_COMMANDS_H

#include "app/config.h"
#include "base/env.h"

int cmd_serve(const struct config *cfg, struct env *env);
int cmd_init(const struct config *cfg, struct env *env);
int cmd_migrate(const struct config *cfg, struct env *env);
int cmd_version(const struct config *cfg, struct env *env);
int cmd_staff_add(const struct config *cfg, struct env *env);
int cmd_token_create(const struct config *cfg, struct env *env);
/* "calendar holidays", "calendar add", "calendar between", "calendar next-open": no database;
 * bad input (the calendar file, a result past 2199) exits 2 with one line naming the key path
 * or the flag. */
int cmd_calendar(const struct config *cfg, struct env *env);
/* "mail-in": one message on standard input; exits 0 once stored, 75 (EX_TEMPFAIL) when not. */
int cmd_mail_in(const struct config *cfg, struct env *env);

/* Shared by the commands that need a database: open the pool, apply pending migrations and
 * load the instance's secrets into env, printing a one-line error on failure. Returns 0 or
 * nonzero. */
int cmd_open_database(const struct config *cfg, struct env *env, int *applied);
/* "version=\"...\",sqlite=\"...\",..." for frontdesk_build_info and `version`. */
void cmd_build_labels(char *out, size_t len);

#endif
