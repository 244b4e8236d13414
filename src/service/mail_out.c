#include "service/mail_out.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "core/mail_compose.h"
#include "store/outbox.h"
#include "store/tickets.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int mail_out_init(struct mail_out *m, const char *smtp_url, const char *user, const char *password,
                  bool starttls, const char *mail_from, struct err *e)
{
    memset(m, 0, sizeof *m);
    atomic_init(&m->stopping, false);
    m->smtp_url = smtp_url;
    m->user = user;
    m->password = password;
    m->starttls = starttls;
    /* "Name <address>" or a bare address */
    const char *lt = strrchr(mail_from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    const char *addr = lt && gt ? lt + 1 : mail_from;
    size_t alen = lt && gt ? (size_t)(gt - addr) : strlen(mail_from);
    char probe[sizeof m->from_address];
    if (alen >= sizeof probe ||
        (memcpy(probe, addr, alen), probe[alen] = '\0', !mail_compose_address_valid(probe)))
        return err_set(e, ERR_INVALID, "mail-from",
                       "--mail-from must be an address or \"Name <address>\", got \"%.64s\"",
                       mail_from);
    memcpy(m->from_address, addr, alen);
    if (lt && gt) {
        size_t nlen = (size_t)(lt - mail_from);
        while (nlen && (mail_from[nlen - 1] == ' ' || mail_from[nlen - 1] == '"'))
            nlen--;
        const char *name = mail_from;
        while (nlen && (*name == ' ' || *name == '"')) {
            name++;
            nlen--;
        }
        snprintf(m->from_name, sizeof m->from_name, "%.*s", (int)nlen, name);
    }
    m->domain = strchr(m->from_address, '@') + 1;
    return 0;
}

/* ---- one SMTP transaction ------------------------------------------------------------------ */

struct upload {
    const char *data;
    size_t len, at;
};

static size_t read_upload(char *out, size_t size, size_t nmemb, void *arg)
{
    struct upload *u = arg;
    size_t n = size * nmemb, left = u->len - u->at;
    if (n > left)
        n = left;
    memcpy(out, u->data + u->at, n);
    u->at += n;
    return n;
}

enum outcome { SENT, RETRY, FAILED, UNREACHED };

/* libcurl's progress callback, called about once a second even while connecting: nonzero
 * abandons the transfer. */
static int check_stopping(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                          curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const struct mail_out *m = arg;
    return atomic_load(&m->stopping);
}

/* Send message to `to`; the outcome and, unless sent, why (for last_error). */
static enum outcome smtp_send(const struct mail_out *m, const char *to, const struct buf *message,
                              char *why, size_t why_len, bool *unreachable)
{
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(why, why_len, "curl_easy_init failed");
        return RETRY;
    }
    char from[300], rcpt_addr[300];
    snprintf(from, sizeof from, "<%s>", m->from_address);
    snprintf(rcpt_addr, sizeof rcpt_addr, "<%s>", to);
    struct curl_slist *rcpt = curl_slist_append(NULL, rcpt_addr);
    struct upload u = {message->ptr, message->len, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, m->smtp_url);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &u);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L); /* greeting included */
    curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)MAIL_OUT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_stopping);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)m);
    if (m->starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (m->user && *m->user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, m->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, m->password ? m->password : "");
    }
    CURLcode res = curl_easy_perform(c);
    long code = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    if (res == CURLE_OK)
        return SENT;
    snprintf(why, why_len, "%ld %s", code, errbuf[0] ? errbuf : curl_easy_strerror(res));
    if (res == CURLE_ABORTED_BY_CALLBACK)
        return UNREACHED; /* stopping: not an attempt */
    if (code == 0) {      /* no reply at all: the server is down, unreachable or hanging */
        *unreachable = true;
        return RETRY;
    }
    /* A 5xx is the server's final word about this message; a rejected login is our
     * configuration, so it waits for a fix like a server that is down. */
    return code >= 500 && code < 600 && res != CURLE_LOGIN_DENIED ? FAILED : RETRY;
}

/* ---- the job ------------------------------------------------------------------------------- */

struct claim_ctx {
    const struct env *env;
    const struct mail_out *m;
    int64_t now;
    struct arena *a;
    struct outbox_mail rows[MAIL_OUT_BATCH];
    size_t n;
};

static void make_message_id(void *arg, int64_t id, char out[201])
{
    struct claim_ctx *c = arg;
    unsigned char r[6];
    c->env->random_bytes(c->env, r, sizeof r);
    snprintf(out, 201, "<outbox-%lld.%02x%02x%02x%02x%02x%02x@%s>", (long long)id, r[0], r[1], r[2],
             r[3], r[4], r[5], c->m->domain);
}

struct pending_ctx {
    int64_t now;
    bool any;
};

static int pending_tx(struct db *db, void *arg, struct err *e)
{
    struct pending_ctx *p = arg;
    return outbox_pending(db, p->now, p->now - MAIL_OUT_STALE_S, &p->any, e);
}

static int claim_tx(struct db *db, void *arg, struct err *e)
{
    struct claim_ctx *c = arg;
    c->n = 0;
    arena_clear(c->a);
    int64_t stale = 0;
    int rc = outbox_reclaim_stale(db, c->now - MAIL_OUT_STALE_S, &stale, e);
    return rc ? rc
              : outbox_claim(db, c->now, MAIL_OUT_BATCH, make_message_id, c, c->a, c->rows, &c->n,
                             e);
}

struct settle_ctx {
    const struct outbox_mail *row;
    int64_t now;
    enum outcome outcome;
    const char *why;
};

/* A reply that never reached its requester is shown on the ticket: an event staff see in its
 * history (and the row itself in GET /api/v2/tickets/{id}/deliveries). */
static int mark_failed(struct db *db, const struct settle_ctx *s, struct err *e)
{
    int rc = outbox_mark_failed(db, s->row->id, s->why, e);
    if (rc || !s->row->ticket_id)
        return rc;
    char what[600];
    snprintf(what, sizeof what, "%s to %s: %s", s->row->kind, s->row->to_address, s->why);
    struct ticket_event ev = {.ticket_id = s->row->ticket_id,
                              .at = s->now,
                              .field = "delivery_failed",
                              .new_value = what};
    return tickets_event_insert(db, &ev, e);
}

static int settle_tx(struct db *db, void *arg, struct err *e)
{
    struct settle_ctx *s = arg;
    if (s->outcome == UNREACHED)
        return outbox_release(db, s->row->id, e);
    if (s->outcome == SENT)
        return outbox_mark_sent(db, s->row->id, s->now, e);
    if (s->outcome == FAILED || s->row->attempts + 1 >= MAIL_OUT_ATTEMPTS_MAX)
        return mark_failed(db, s, e);
    int64_t wait = MAIL_OUT_BACKOFF_S;
    for (int i = 0; i < s->row->attempts && wait < MAIL_OUT_BACKOFF_MAX_S; i++)
        wait *= 2;
    if (wait > MAIL_OUT_BACKOFF_MAX_S)
        wait = MAIL_OUT_BACKOFF_MAX_S;
    return outbox_mark_retry(db, s->row->id, s->now + wait, s->why, e);
}

struct thread_ctx {
    const struct outbox_mail *row;
    struct arena *a;
    const char *in_reply_to, *references;
};

static int thread_tx(struct db *db, void *arg, struct err *e)
{
    struct thread_ctx *t = arg;
    return outbox_thread(db, t->row->ticket_id, t->row->id, t->a, &t->in_reply_to, &t->references,
                         e);
}

static enum outcome deliver(const struct env *env, struct db *db, const struct mail_out *m,
                            const struct outbox_mail *row, struct arena *a, char *why,
                            size_t why_len, bool *unreachable)
{
    /* Mail of a ticket threads under the ticket's earlier mail, both ways, in the requester's
     * mail program. Read at sending time: the requester's message may be linked to the ticket
     * in the very transaction that queued this row. */
    struct thread_ctx t = {.row = row, .a = a};
    struct err te;
    err_clear(&te);
    if (row->ticket_id && db_transact(db, DB_TX_READ, thread_tx, &t, &te))
        log_msg("warn", "mail_out", "no threading headers for outbox %lld: %s",
                (long long)row->id, te.message);
    struct mail_message msg = {
        .in_reply_to = t.in_reply_to,
        .references = t.references,
        .from_name = m->from_name[0] ? m->from_name : NULL,
        .from_address = m->from_address,
        .to_address = row->to_address,
        .subject = row->subject,
        .text = row->body,
        .html = NULL,
        .message_id = row->message_id,
        .date = env->now(env),
        /* Everything else the outbox holds is written by frontdesk itself (acknowledgements,
         * resets, codes, notices); a staff reply (kind "reply") is a person's answer. */
        .auto_submitted = strcmp(row->kind, "reply") != 0,
    };
    struct buf text;
    buf_init(&text, 0);
    struct err e;
    err_clear(&e);
    enum outcome o;
    if (mail_compose(&msg, &text, &e)) {
        snprintf(why, why_len, "not sent: %.400s", e.message);
        o = FAILED;
    } else {
        o = smtp_send(m, row->to_address, &text, why, why_len, unreachable);
    }
    buf_release(&text);
    return o;
}

int mail_out_job(const struct env *env, struct db *db, void *arg, int64_t *run_again_at,
                 struct err *e)
{
    const struct mail_out *m = arg;
    struct arena a;
    arena_init(&a, 64u << 20);
    struct claim_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        arena_release(&a);
        return err_set(e, ERR_LIMIT, NULL, "out of memory delivering mail");
    }
    *c = (struct claim_ctx){.env = env, .m = m, .now = env->now(env), .a = &a};
    /* A read first: the thread looks every few seconds, and most looks find nothing, which
     * must not take the database's write lock. */
    struct pending_ctx p = {.now = c->now};
    int rc = db_transact(db, DB_TX_READ, pending_tx, &p, e);
    if (!rc && p.any)
        rc = db_transact(db, DB_TX_WRITE, claim_tx, c, e);
    size_t sent = 0, failed = 0, retried = 0;
    bool unreachable = false; /* a connection failed: give the rest back untried */
    for (size_t i = 0; i < c->n && !rc; i++) {
        char why[512] = "";
        struct settle_ctx s = {.row = &c->rows[i], .why = why};
        if (unreachable || atomic_load(&m->stopping)) {
            s.outcome = UNREACHED;
        } else {
            s.outcome = deliver(env, db, m, &c->rows[i], &a, why, sizeof why, &unreachable);
            s.now = env->now(env);
        }
        sent += s.outcome == SENT;
        failed += s.outcome == FAILED;
        retried += s.outcome == RETRY;
        rc = db_transact(db, DB_TX_WRITE, settle_tx, &s, e);
    }
    if (!rc && c->n == MAIL_OUT_BATCH && !unreachable) /* more may be due: go on at once */
        *run_again_at = env->now(env);
    if (!rc && c->n) {
        struct log_rec r;
        if (!log_begin(&r, "info", "mail_out")) {
            log_int(&r, "sent", (int64_t)sent);
            log_int(&r, "retry", (int64_t)retried);
            log_int(&r, "failed", (int64_t)failed);
            log_end(&r);
        }
    }
    free(c);
    arena_release(&a);
    return rc;
}
