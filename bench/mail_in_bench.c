/* mail_in_bench: inbound mail parsed and threaded in process (issue 6, "Benchmarks": "Parsing and
 * threading 10 KB messages in-process: at least 2,000 per second"). Built and run by bench/mail_in
 * against a build's static libraries, on a fresh SQLite database (WAL, synchronous=FULL:
 * frontdesk's defaults).
 *
 * Each round measures the same messages twice:
 *   parse + thread: mail_parse() and the threading decision, mail_in_thread() (In-Reply-To /
 *     References looked up in the outbox and mail_inbound, else the subject's ticket token,
 *     and the ticket read), each message in a read transaction of its own. This is what the
 *     issue's target names. Every reply must thread to its ticket, every new message to none.
 *   full accept: mail_in_accept(), the one code path of the pipe, the API and IMAP: the raw
 *     message stored, parsed, threaded and acted on (a new requester, the ticket or comment,
 *     the acknowledgement queued), one commit per message.
 * Half the messages are new tickets from a pool of senders; the other half are replies of those
 * senders on their tickets, alternately threaded by In-Reply-To (the Message-ID of the ticket's
 * acknowledgement, as the delivery thread sets it) and by the ticket token in the subject. The
 * tickets replied to are made, and the messages built, before the clock starts. Every message is
 * distinct (no duplicate shortcut).
 *
 * Usage: mail_in_bench DB_PATH ROUNDS MESSAGES_PER_ROUND THREADS (each thread its own
 * connection, as concurrent pipes or API requests have; SQLite's writer then commits in groups)
 * Prints per round "parse_thread R N SECONDS RATE CPU_US_PER_MESSAGE threaded=T" and
 * "accept R N SECONDS RATE CPU_US_PER_MESSAGE tickets=T replies=R", then
 * "median parse_thread RATE accept RATE".
 */
#include <sodium.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/env.h"
#include "core/ticket_token.h"
#include "db/db.h"
#include "db/migrate.h"
#include "mail/parse.h"
#include "service/attachments.h"
#include "service/mail_in.h"
#include "service/secrets.h"

#define MESSAGE_BYTES 10240
#define SENDERS       500

static int64_t real_now(const struct env *env)
{
    (void)env;
    return (int64_t)time(NULL);
}

static int64_t real_mono(const struct env *env)
{
    (void)env;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void real_random(const struct env *env, void *buf, size_t len)
{
    (void)env;
    randombytes_buf(buf, len);
}

static void die(const char *what, const struct err *e)
{
    fprintf(stderr, "mail_in_bench: %s: %s %s\n", what, e ? e->message : "", e ? e->detail : "");
    exit(1);
}

/* A message of about MESSAGE_BYTES: headers, then lines of text up to the size. */
static void make_message(struct buf *b, unsigned seq, unsigned sender, const char *subject,
                         const char *in_reply_to)
{
    buf_clear(b);
    buf_appendf(b,
                "From: Sender %u <sender%u@client.example>\r\nTo: support@desk.example\r\n"
                "Subject: %s\r\nMessage-ID: <bench-%u@client.example>\r\n"
                "Date: Thu, 26 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=utf-8\r\n",
                sender, sender, subject, seq);
    if (in_reply_to)
        buf_appendf(b, "In-Reply-To: %s\r\nReferences: %s\r\n", in_reply_to, in_reply_to);
    buf_append_cstr(b, "\r\n");
    unsigned line = 0;
    while (b->len < MESSAGE_BYTES - 80)
        buf_appendf(b, "Line %u of message %u: the printer on floor three jams again today.\r\n",
                    line++, seq);
}

struct base {
    int64_t ticket_id;
    unsigned sender;
    char token[TICKET_TOKEN_MAX];
    char message_id[96];
};

static int set_message_ids(struct db *db, void *arg, struct err *e)
{
    (void)arg;
    return db_exec(db,
                   "UPDATE outbox SET message_id = '<outbox-' || id || '.bench@desk.example>' "
                   "WHERE message_id IS NULL",
                   e);
}

/* User + system CPU time of the process so far, microseconds (every thread's). */
static int64_t cpu_us(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec +
           ru.ru_stime.tv_usec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void accept_one(const struct env *env, struct db *db, const struct mail_in_config *cfg,
                       struct buf *b, struct arena *a, struct mail_in_result *res)
{
    struct err e;
    err_clear(&e);
    arena_clear(a);
    if (mail_in_accept(env, db, cfg, MAIL_IN_PIPE, b->ptr, b->len, a, res, &e))
        die("mail_in_accept", &e);
    if (res->outcome == MAIL_IN_FAILED)
        die(res->reason ? res->reason : "failed", NULL);
}

#define THREADS_MAX 16

/* One message of a round, built before the clock starts. */
struct msg {
    struct buf raw;
    int64_t want_ticket; /* the ticket it must thread to; 0: none (a new ticket) */
};

struct worker {
    pthread_t thread;
    const struct env *env;
    const struct mail_in_config *cfg;
    struct msg *msgs; /* this thread's */
    int n;
    bool accept; /* the full accept path, else parse + thread */
    unsigned tickets, replies, threaded;
};

struct thread_ctx {
    const struct env *env;
    const struct mail_parsed *p;
    struct arena *a;
    int64_t ticket_id;
};

static int thread_tx(struct db *db, void *arg, struct err *e)
{
    struct thread_ctx *t = arg;
    return mail_in_thread(t->env, db, t->p, t->a, &t->ticket_id, e);
}

/* mail_parse() and mail_in_thread(), as mail_in_accept() does them. */
static void parse_thread_one(struct worker *w, struct db *db, struct msg *m, struct arena *a)
{
    struct mail_parse_limits lim = {.attachment_max = w->cfg->attachment_max,
                                    .total_max = w->cfg->total_max,
                                    .attachments_max = ATTACHMENTS_PER_COMMENT};
    struct mail_parsed p;
    struct err e;
    err_clear(&e);
    arena_clear(a);
    if (mail_parse(m->raw.ptr, m->raw.len, &lim, a, &p, &e))
        die("mail_parse", &e);
    struct thread_ctx t = {w->env, &p, a, 0};
    if (db_transact(db, DB_TX_READ, thread_tx, &t, &e))
        die("mail_in_thread", &e);
    if (t.ticket_id != m->want_ticket)
        die(m->want_ticket ? "a reply did not thread" : "a new message threaded", NULL);
    w->threaded += t.ticket_id != 0;
}

static void *work(void *arg)
{
    struct worker *w = arg;
    struct db *db;
    struct err e;
    err_clear(&e);
    if (db_pool_conn(w->env->db, &db, &e))
        die("connection", &e);
    struct arena a;
    arena_init(&a, 0);
    struct mail_in_result res;
    for (int i = 0; i < w->n; i++) {
        if (!w->accept) {
            parse_thread_one(w, db, &w->msgs[i], &a);
            continue;
        }
        accept_one(w->env, db, w->cfg, &w->msgs[i].raw, &a, &res);
        w->tickets += res.outcome == MAIL_IN_TICKET;
        w->replies += res.outcome == MAIL_IN_REPLY;
        if (res.outcome == MAIL_IN_REPLY && res.ticket_id != w->msgs[i].want_ticket)
            die("a reply went to another ticket", NULL);
    }
    arena_release(&a);
    return NULL;
}

/* Half new tickets, half replies (alternately by In-Reply-To and by token). */
static void build_messages(struct msg *msgs, int n, unsigned seq, const struct base *base)
{
    for (int i = 0; i < n; i++, seq++) {
        char subject[128];
        struct msg *m = &msgs[i];
        buf_init(&m->raw, 0);
        if (i % 2 == 0) {
            snprintf(subject, sizeof subject, "Question number %u", seq);
            make_message(&m->raw, seq, seq % SENDERS, subject, NULL);
            m->want_ticket = 0;
        } else {
            const struct base *t = &base[i / 2];
            bool by_token = (i / 2) % 2 == 1 || !t->message_id[0];
            snprintf(subject, sizeof subject, "Re: %s Printer on floor 3 is jammed",
                     by_token ? t->token : "");
            make_message(&m->raw, seq, t->sender, subject, by_token ? NULL : t->message_id);
            m->want_ticket = t->ticket_id;
        }
    }
}

struct phase {
    double rate, cpu_us, seconds;
    unsigned tickets, replies, threaded;
};

/* Every thread over its share of msgs, all at once: the rate and CPU per message. */
static struct phase run_phase(const struct env *env, const struct mail_in_config *cfg,
                              struct msg *msgs, int threads, int per, bool accept)
{
    struct worker w[THREADS_MAX];
    for (int t = 0; t < threads; t++)
        w[t] = (struct worker){
            .env = env, .cfg = cfg, .msgs = msgs + t * per, .n = per, .accept = accept};
    int64_t t0 = real_mono(env), c0 = cpu_us();
    for (int t = 0; t < threads; t++)
        pthread_create(&w[t].thread, NULL, work, &w[t]);
    struct phase ph = {0};
    for (int t = 0; t < threads; t++) {
        pthread_join(w[t].thread, NULL);
        ph.tickets += w[t].tickets;
        ph.replies += w[t].replies;
        ph.threaded += w[t].threaded;
    }
    ph.seconds = (double)(real_mono(env) - t0) / 1e9;
    ph.cpu_us = (double)(cpu_us() - c0) / (threads * per);
    ph.rate = (threads * per) / ph.seconds;
    return ph;
}

int main(int argc, char **argv)
{
    int rounds = argc == 5 ? (int)strtol(argv[2], NULL, 10) : 0;
    int n = argc == 5 ? (int)strtol(argv[3], NULL, 10) : 0;
    int threads = argc == 5 ? (int)strtol(argv[4], NULL, 10) : 0;
    if (rounds < 1 || rounds > 100 || n < 2 || n > 10000000 || threads < 1 ||
        threads > THREADS_MAX || sodium_init() < 0) {
        fprintf(stderr, "usage: mail_in_bench DB_PATH ROUNDS MESSAGES_PER_ROUND THREADS\n");
        return 2;
    }
    char url[1100];
    snprintf(url, sizeof url, "sqlite:%s", argv[1]);
    static struct secrets secrets;
    struct env env = {.now = real_now, .monotonic_ns = real_mono, .random_bytes = real_random};
    struct db_options opt = {.sqlite_sync =
                                 getenv("BENCH_SYNC_NORMAL") ? DB_SYNC_NORMAL : DB_SYNC_FULL,
                             .busy_timeout_ms = 5000};
    struct db_pool *pool;
    struct db *db;
    struct err e;
    err_clear(&e);
    int applied;
    if (db_pool_open(url, &opt, &pool, &e) || db_pool_conn(pool, &db, &e) ||
        migrate_apply(db, &applied, &e) || secrets_load(&env, db, &secrets, &e))
        die("open", &e);
    env.db = pool;
    mail_parse_init(); /* once, before the threads */
    env.secrets = &secrets;
    struct mail_in_config cfg = {.our_addresses = "support@desk.example",
                                 .our_domain = "desk.example",
                                 .hourly_max = 1000000, /* the normal path, not the limit's */
                                 .attachment_max = 20u * 1024 * 1024,
                                 .total_max = 25u * 1024 * 1024};
    struct buf b;
    buf_init(&b, 0);
    struct arena a;
    arena_init(&a, 0);
    struct mail_in_result res;
    unsigned seq = 0;
    /* The tickets replies go to, one per reply, made before the clock starts. */
    size_t nbase = (size_t)(n / threads / 2) * (size_t)threads * (size_t)rounds;
    struct base *base = calloc(nbase ? nbase : 1, sizeof *base);
    for (size_t i = 0; i < nbase; i++) {
        base[i].sender = (unsigned)(i % SENDERS);
        make_message(&b, ++seq, base[i].sender, "Printer on floor 3 is jammed", NULL);
        accept_one(&env, db, &cfg, &b, &a, &res);
        if (res.outcome != MAIL_IN_TICKET)
            die("a base message made no ticket", NULL);
        base[i].ticket_id = res.ticket_id;
        ticket_token_format(secrets.mail_key, res.ticket_id, base[i].token);
    }
    if (db_transact(db, DB_TX_WRITE, set_message_ids, NULL, &e))
        die("outbox message ids", &e);
    for (size_t i = 0; i < nbase; i++) { /* the acknowledgement's Message-ID, if any */
        struct db_stmt *st;
        if (db_prepare(db, "SELECT message_id FROM outbox WHERE ticket_id = ? ORDER BY id LIMIT 1",
                       &st, &e))
            die("prepare", &e);
        db_bind_int64(st, 1, base[i].ticket_id);
        if (db_step(st, &e) == DB_ROW)
            db_column_copy(st, 0, base[i].message_id, sizeof base[i].message_id);
        db_stmt_done(st);
    }
    double *rates = calloc((size_t)rounds, sizeof *rates);
    double *full = calloc((size_t)rounds, sizeof *full);
    int per = n / threads;
    struct msg *msgs = calloc((size_t)(threads * per), sizeof *msgs);
    size_t next_base = 0;
    for (int r = 0; r < rounds; r++) {
        /* each thread's share: half new, half replies on its own slice of the base tickets */
        for (int t = 0; t < threads; t++) {
            build_messages(msgs + t * per, per, seq + (unsigned)(t * per) + 1, base + next_base);
            next_base += (size_t)(per / 2);
        }
        seq += (unsigned)(threads * per) + 1;
        struct phase pt = run_phase(&env, &cfg, msgs, threads, per, false);
        printf("parse_thread %d %d %.3f %.1f %.0f threaded=%u\n", r + 1, threads * per, pt.seconds,
               pt.rate, pt.cpu_us, pt.threaded);
        fflush(stdout);
        if (pt.threaded != (unsigned)(threads * (per / 2)))
            die("a reply did not thread", NULL);
        struct phase ac = run_phase(&env, &cfg, msgs, threads, per, true);
        printf("accept %d %d %.3f %.1f %.0f tickets=%u replies=%u\n", r + 1, threads * per,
               ac.seconds, ac.rate, ac.cpu_us, ac.tickets, ac.replies);
        fflush(stdout);
        if (ac.replies != (unsigned)(threads * (per / 2)))
            die("a reply did not thread", NULL);
        rates[r] = pt.rate;
        full[r] = ac.rate;
        for (int i = 0; i < threads * per; i++)
            buf_release(&msgs[i].raw);
    }
    qsort(rates, (size_t)rounds, sizeof *rates, cmp_double);
    qsort(full, (size_t)rounds, sizeof *full, cmp_double);
    printf("median parse_thread %.1f accept %.1f\n", rates[rounds / 2], full[rounds / 2]);
    free(rates);
    free(full);
    free(msgs);
    free(base);
    buf_release(&b);
    arena_release(&a);
    db_pool_free(pool);
    return 0;
}
