/* frontdesk serve: open the database (migrating it), start the HTTP server, and on SIGTERM or
 * SIGINT stop accepting, let requests in flight finish, then close everything cleanly. */
#include "app/commands.h"

#include "base/log.h"
#include "db/db.h"
#include "http/handlers.h"
#include "http/server.h"
#include "jobs/autoclose.h"
#include "jobs/attempts_sweep.h"
#include "jobs/uploads_sweep.h"
#include "service/hc_deflections.h"
#include "service/imap_poll.h"
#include "service/mail_out.h"
#include "service/policy_sweep.h"
#include "service/sla_sweep.h"
#include "jobs/scheduler.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

extern const struct embed_table web_assets;

/* Block the stop signals in every thread (workers inherit the mask), so only sigwait() in the
 * main thread sees them: no handler runs in the middle of a worker's critical section. */
static void block_stop_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client gone mid-write is an error return, not a death */
}

int cmd_serve(const struct config *cfg, struct env *env)
{
    sigset_t stop;
    block_stop_signals(&stop);
    /* Mail out: the sender is checked before anything starts, so a typo stops the server. */
    struct mail_out mail;
    struct err me;
    err_clear(&me);
    if (mail_out_init(&mail, cfg->smtp_url, cfg->smtp_user, cfg->smtp_password, cfg->smtp_starttls,
                      cfg->mail_from, &me)) {
        fprintf(stderr, "frontdesk serve: %s\n", me.message);
        return 1;
    }
    /* Mail in over IMAP, checked now too; polled only when --imap-url is set. */
    struct config_mail_in imap_in;
    config_mail_in(cfg, &imap_in);
    struct imap_poll imap;
    if (imap_poll_init(&imap, cfg->imap_url, cfg->imap_user, cfg->imap_password,
                       cfg->imap_starttls, cfg->imap_done_folder, cfg->imap_interval_s,
                       &imap_in.mail_in, &me) &&
        cfg->imap_url[0]) {
        fprintf(stderr, "frontdesk serve: %s\n", me.message);
        return 1;
    }
    /* Before any thread: libcurl's global state is not thread-safe to set up. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "frontdesk serve: libcurl did not initialise\n");
        return 1;
    }
    int applied = 0;
    if (cmd_open_database(cfg, env, &applied))
        return 1;
    struct router routes;
    router_init(&routes);
    if (http_routes_register(&routes, &web_assets)) {
        fprintf(stderr, "frontdesk serve: route table is malformed (a bug)\n");
        http_routes_release(&routes);
        db_pool_free(env->db);
        return 1;
    }
    char labels[256];
    cmd_build_labels(labels, sizeof labels);
    struct http_server_config http = cfg->http;
    http.build_labels = labels;
    char public_url[sizeof cfg->public_url];
    snprintf(public_url, sizeof public_url, "%s", cfg->public_url);
    http.public_url = public_url; /* read by handlers; completed below before any request */
    struct config_mail_in mail_in;
    config_mail_in(cfg, &mail_in);
    http.mail_in = &mail_in.mail_in;
    struct http_server *server = NULL;
    struct err e;
    err_clear(&e);
    if (http_server_start(&http, &routes, env, &server, &e)) {
        fprintf(stderr, "frontdesk serve: %s\n", e.message);
        http_routes_release(&routes);
        db_pool_free(env->db);
        return 1;
    }
    if (log_start_buffering())
        log_msg("warn", "log_unbuffered", "could not start the log flusher: writing each line");
    const char *host = cfg->http.listen_host;
    bool v6 = strchr(host, ':') != NULL;
    if (!public_url[0]) /* the port actually bound, also when --listen asked for port 0 */
        snprintf(public_url, sizeof public_url, "http://%s%s%s:%u", v6 ? "[" : "", host,
                 v6 ? "]" : "", http_server_port(server));
    printf("frontdesk listening on http://%s%s%s:%u/\n", v6 ? "[" : "", host, v6 ? "]" : "",
           http_server_port(server));
    fflush(stdout);
    log_msg("info", "server_started",
            "listening on %s port %u with %u threads (%d migrations applied)", host,
            http_server_port(server), cfg->http.threads, applied);
    /* Background jobs on their own thread and connection, stopped before the server and the
     * database go. The desk still serves without them: a failure to start is logged, not fatal. */
    struct autoclose_config autoclose = {.after_days = cfg->autoclose_after_days};
    const struct scheduler_job jobs[] = {{"sla_sweep", sla_sweep_job, NULL},
                                         {"autoclose", autoclose_job, &autoclose},
                                         {"uploads_sweep", uploads_sweep_job, NULL},
                                         {"attempts_sweep", attempts_sweep_job, NULL},
                                         {"policy_sweep", policy_sweep_job, NULL},
                                         {"hc_deflections_sweep", hc_deflections_sweep_job, NULL}};
    size_t njobs = sizeof jobs / sizeof jobs[0];
    struct scheduler *scheduler = NULL;
    if (scheduler_start(env, cfg->jobs_interval_s, jobs, njobs, &scheduler, &e))
        log_msg("error", "jobs_not_started", "%s: no background jobs will run", e.message);
    /* Delivery has a thread of its own, looking every MAIL_OUT_INTERVAL_S: a reply goes out in
     * seconds, and a slow SMTP server never holds up the sweeps. Without an SMTP server mail
     * waits in the outbox, as before delivery existed. */
    const struct scheduler_job delivery_jobs[] = {{"mail_out", mail_out_job, &mail}};
    struct scheduler *delivery = NULL;
    if (cfg->smtp_url[0] &&
        scheduler_start(env, MAIL_OUT_INTERVAL_S, delivery_jobs, 1, &delivery, &e))
        log_msg("error", "mail_out_not_started", "%s: no mail will be delivered", e.message);
    /* IMAP polling has its own thread as well, every --imap-interval seconds: a slow or hanging
     * IMAP server never holds up the sweeps or delivery. */
    const struct scheduler_job imap_jobs[] = {{"imap_poll", imap_poll_job, &imap}};
    struct scheduler *imap_poller = NULL;
    if (cfg->imap_url[0] &&
        scheduler_start(env, cfg->imap_interval_s, imap_jobs, 1, &imap_poller, &e))
        log_msg("error", "imap_poll_not_started", "%s: no mail will be polled", e.message);

    int sig = 0;
    sigwait(&stop, &sig);
    log_msg("info", "shutdown", "received %s: no new connections, finishing requests in flight",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    atomic_store(&mail.stopping, true); /* an SMTP transaction in progress gives up */
    scheduler_stop(delivery);  /* abandons the SMTP transaction in progress (stopping) */
    atomic_store(&imap.stopping, true); /* an IMAP exchange in progress gives up */
    scheduler_stop(imap_poller);
    scheduler_stop(scheduler); /* waits for a job's batch in progress, at most one transaction */
    http_server_quiesce(server);
    unsigned left = http_server_drain(server, (int64_t)cfg->shutdown_timeout_s * 1000);
    if (left)
        log_msg("warn", "shutdown", "%u request(s) still in flight after %u s: closing them", left,
                cfg->shutdown_timeout_s);
    http_server_stop(server);
    http_routes_release(&routes);
    db_pool_free(env->db);
    env->db = NULL;
    curl_global_cleanup();
    log_msg("info", "stopped", "clean shutdown");
    log_stop_buffering();
    return 0;
}
