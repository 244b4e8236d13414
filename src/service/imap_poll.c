#include "service/imap_poll.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>

int imap_poll_init(struct imap_poll *p, const char *url, const char *user, const char *password,
                   bool starttls, const char *done_folder, unsigned interval_s,
                   const struct mail_in_config *in, struct err *e)
{
    memset(p, 0, sizeof *p);
    atomic_init(&p->stopping, false);
    p->imap = (struct imap_config){.url = url,
                                   .user = user,
                                   .password = password,
                                   .starttls = starttls,
                                   .done_folder = done_folder,
                                   .stopping = &p->stopping};
    p->in = in;
    p->interval_s = interval_s ? interval_s : 60;
    /* Check the URL and the folder names now: opening makes no connection. */
    struct imap_session *s = NULL;
    int rc = imap_open(&p->imap, &s, e);
    imap_close(s);
    return rc;
}

struct run_stats {
    size_t stored, duplicates, failed_parse, too_large, gone;
};

/* Fetch and store each of uids[0..n); the stored ones go to taken[] (*ntaken). Stops at the
 * first message the gateway could not store (the database is down: the rest would fail the
 * same way) or the first IMAP failure; returns that error after the stored ones are listed. */
static int take_messages(const struct env *env, struct db *db, struct imap_poll *p,
                         struct imap_session *s, const uint32_t *uids, size_t n, uint32_t *taken,
                         size_t *ntaken, struct run_stats *st, struct err *e)
{
    uint64_t sizes[IMAP_POLL_BATCH];
    int rc = imap_sizes(s, uids, n, sizes, e);
    if (rc)
        return rc;
    struct arena a;
    arena_init(&a, (size_t)MAIL_IN_RAW_MAX * 4);
    struct buf raw;
    buf_init(&raw, MAIL_IN_RAW_MAX);
    for (size_t i = 0; i < n && !rc && !atomic_load(&p->stopping); i++) {
        if (sizes[i] > MAIL_IN_RAW_MAX) {
            st->too_large++;
            struct log_rec r;
            if (!log_begin(&r, "warn", "imap_too_large")) {
                log_cstr(&r, "folder", imap_folder(s));
                log_int(&r, "uid", uids[i]);
                log_int(&r, "size", (int64_t)sizes[i]);
                log_int(&r, "max", (int64_t)MAIL_IN_RAW_MAX);
                log_end(&r);
            }
            continue;
        }
        buf_clear(&raw);
        struct err fe;
        err_clear(&fe);
        int frc = imap_fetch(s, uids[i], &raw, &fe);
        if (frc == ERR_NOT_FOUND) { /* expunged meanwhile by someone else */
            st->gone++;
            continue;
        }
        if (frc == ERR_LIMIT) { /* larger than the server said: left there like the others */
            sizes[i] = (uint64_t)MAIL_IN_RAW_MAX + 1;
            i--;
            continue;
        }
        if (frc) {
            rc = err_set(e, frc, fe.field, "%s", fe.message);
            break;
        }
        arena_clear(&a);
        struct mail_in_result res;
        memset(&res, 0, sizeof res);
        struct err ae;
        err_clear(&ae);
        if (mail_in_accept(env, db, p->in, MAIL_IN_IMAP, raw.ptr, raw.len, &a, &res, &ae)) {
            rc = err_set(e, ae.code ? ae.code : ERR_IO, NULL,
                         "imap message %u not stored, left on the server: %.400s",
                         (unsigned)uids[i], ae.message);
            break;
        }
        taken[(*ntaken)++] = uids[i];
        st->stored += !res.duplicate;
        st->duplicates += res.duplicate;
        st->failed_parse += !res.duplicate && res.outcome == MAIL_IN_FAILED;
    }
    buf_release(&raw);
    arena_release(&a);
    return rc;
}

static void log_run(const struct imap_session *s, const struct run_stats *st, size_t taken,
                    size_t total)
{
    struct log_rec r;
    if (log_begin(&r, "info", "imap_poll"))
        return;
    log_cstr(&r, "folder", imap_folder(s));
    log_int(&r, "waiting", (int64_t)total);
    log_int(&r, "taken", (int64_t)taken);
    log_int(&r, "stored", (int64_t)st->stored);
    log_int(&r, "duplicates", (int64_t)st->duplicates);
    log_int(&r, "failed", (int64_t)st->failed_parse);
    log_int(&r, "too_large", (int64_t)st->too_large);
    log_end(&r);
}

int imap_poll_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                  struct err *e)
{
    struct imap_poll *p = arg;
    int64_t now = env->now(env);
    if (p->next_at && now < p->next_at) { /* the scheduler's tick came before our interval */
        *run_again_at = p->next_at;
        return 0;
    }
    p->next_at = now + p->interval_s;
    *run_again_at = p->next_at;
    struct imap_session *s = NULL;
    int rc = imap_open(&p->imap, &s, e);
    if (rc)
        return rc;
    uint32_t uids[IMAP_POLL_BATCH], taken[IMAP_POLL_BATCH];
    size_t n = 0, total = 0, ntaken = 0;
    struct run_stats st = {0};
    rc = imap_search(s, uids, IMAP_POLL_BATCH, &n, &total, e);
    if (rc == ERR_FORBIDDEN) /* our configuration, not a passing failure: say it loudly */
        log_msg("error", "imap_login_refused", "%s (url %s); no mail is polled until it is fixed",
                e->message, p->imap.url);
    if (!rc)
        rc = take_messages(env, db, p, s, uids, n, taken, &ntaken, &st, e);
    /* What was stored is marked even when a later message failed: it is safe in the database. */
    struct err me;
    err_clear(&me);
    int mrc = ntaken && !atomic_load(&p->stopping) ? imap_mark_taken(s, taken, ntaken, &me) : 0;
    if (!rc && mrc)
        rc = err_set(e, mrc, me.field, "%s (stored messages are marked on the next run)",
                     me.message);
    if (n || st.too_large)
        log_run(s, &st, ntaken, total);
    imap_close(s);
    /* More waiting than one batch, and all of this one went through (a message left on the
     * server would come first again): go on at once. */
    if (!rc && total > n && ntaken + st.gone == n && n)
        *run_again_at = now;
    if (!rc && *run_again_at == now)
        p->next_at = 0;
    return rc;
}
