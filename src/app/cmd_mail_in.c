/* `frontdesk mail-in`: one RFC 5322 message on standard input, for an MTA's pipe (issue 6,
 * "Email in"). The exit status is the MTA's contract (sysexits.h): 0 once the message is stored,
 * whatever became of it (a ticket, a reply, a duplicate, a failed parse kept for an admin);
 * 75 (EX_TEMPFAIL) only when it could not be stored, so the MTA keeps it and tries again later.
 * Nothing is printed on success; one line on standard error otherwise.
 */
#include "app/commands.h"

#include "base/arena.h"
#include "base/xalloc.h"
#include "db/migrate.h"
#include "service/secrets.h"
#include "service/mail_in.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define EX_TEMPFAIL 75

/* All of standard input, up to MAIL_IN_RAW_MAX + 1 bytes (one more says "too large"). */
static int read_stdin(char **out, size_t *len)
{
    size_t cap = 64 * 1024, n = 0;
    char *p = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > MAIL_IN_RAW_MAX)
                break;
            cap *= 2;
            p = xrealloc(p, cap);
        }
        ssize_t r = read(STDIN_FILENO, p + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(p);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *out = p;
    *len = n;
    return 0;
}

/* One line to standard error, whatever line breaks the message carries (libpq's have some). */
static void complain(const char *what, const struct err *e)
{
    char line[1200];
    snprintf(line, sizeof line, "frontdesk mail-in: %s: %s%s%s", what, e->message,
             e->detail[0] ? ": " : "", e->detail);
    for (char *p = line; *p; p++)
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    fprintf(stderr, "%s\n", line);
}

/* cmd_open_database()'s work (pool, migrations, secrets) with the pipe's one-line message. */
static int open_database(const struct config *cfg, struct env *env)
{
    struct err e;
    err_clear(&e);
    struct db_pool *pool = NULL;
    struct db *db;
    int applied = 0;
    int rc = db_pool_open(cfg->db_url, &cfg->db, &pool, &e);
    if (!rc)
        rc = db_pool_conn(pool, &db, &e);
    if (!rc)
        rc = migrate_apply(db, &applied, &e);
    static struct secrets secrets; /* one copy per process */
    if (!rc)
        rc = secrets_load(env, db, &secrets, &e);
    if (rc) {
        complain("the message was not stored", &e);
        db_pool_free(pool);
        return rc;
    }
    env->db = pool;
    env->secrets = &secrets;
    return 0;
}

int cmd_mail_in(const struct config *cfg, struct env *env)
{
    char *raw;
    size_t len;
    if (read_stdin(&raw, &len)) {
        fprintf(stderr, "frontdesk mail-in: could not read standard input\n");
        return EX_TEMPFAIL;
    }
    if (len > MAIL_IN_RAW_MAX) {
        fprintf(stderr, "frontdesk mail-in: the message is over the limit of %u bytes\n",
                MAIL_IN_RAW_MAX);
        free(raw);
        return EX_TEMPFAIL;
    }
    if (open_database(cfg, env)) {
        free(raw);
        return EX_TEMPFAIL;
    }
    struct config_mail_in mc;
    config_mail_in(cfg, &mc);
    struct db *db;
    struct arena a;
    arena_init(&a, 1024 * 1024);
    struct mail_in_result res;
    struct err e;
    err_clear(&e);
    int rc = db_pool_conn(env->db, &db, &e);
    if (!rc)
        rc = mail_in_accept(env, db, &mc.mail_in, MAIL_IN_PIPE, raw, len, &a, &res, &e);
    if (rc)
        complain("the message was not stored", &e);
    arena_release(&a);
    db_pool_free(env->db);
    env->db = NULL;
    free(raw);
    return rc ? EX_TEMPFAIL : 0;
}
