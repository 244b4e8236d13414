/* bare: the baseline of the HTTP benchmark (bench/run).
 *
 * A libmicrohttpd server that does nothing but answer every request with 200, the body
 * {"status":"ok"} and Content-Type: application/json: the bytes frontdesk's GET /healthz returns,
 * without the router, logging and metrics. The response is created once and shared.
 *
 * The daemon flags and options MUST stay the same as frontdesk's (src/http), or the ratio
 * measures a configuration difference instead of frontdesk's own overhead.
 *
 * Usage: bare PORT. Listens on all addresses (the benchmark uses 127.0.0.1), runs until SIGINT
 * or SIGTERM, prints nothing but errors.
 */
#include <microhttpd.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char body[] = "{\"status\":\"ok\"}";

static struct MHD_Response *ok_response;

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls)
{
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)upload_data;
    /* First call: headers only. Queueing the response now would make libmicrohttpd close the
     * connection after it (it cannot know the request has no body yet), so wait for the next. */
    if (*req_cls == NULL) {
        *req_cls = &ok_response;
        return MHD_YES;
    }
    /* Discard any request body; answer once it is all read. */
    if (*upload_data_size) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    return MHD_queue_response(conn, MHD_HTTP_OK, ok_response);
}

static int parse_port(const char *s, uint16_t *port)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end != '\0' || v == 0 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    uint16_t port;
    if (argc != 2 || parse_port(argv[1], &port)) {
        fprintf(stderr, "usage: %s PORT\n", argc > 0 ? argv[0] : "bare");
        return 2;
    }

    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 1)
        ncpu = 1;

    /* Block the stop signals before any thread exists, so every daemon thread inherits the mask
     * and only sigwait() below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &stop, NULL) != 0) {
        fprintf(stderr, "bare: cannot block signals\n");
        return 1;
    }

    ok_response = MHD_create_response_from_buffer(sizeof body - 1, (void *)body,
                                                  MHD_RESPMEM_PERSISTENT);
    if (!ok_response ||
        MHD_add_response_header(ok_response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") !=
            MHD_YES) {
        fprintf(stderr, "bare: cannot create the response\n");
        return 1;
    }

    /* Same flags and options as frontdesk's daemon: keep them in step. */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG, port,
        NULL, NULL, answer, NULL,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)ncpu,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)1000,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
        MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bare: cannot start the daemon on port %u\n", (unsigned)port);
        MHD_destroy_response(ok_response);
        return 1;
    }

    int sig;
    while (sigwait(&stop, &sig) != 0)
        ;

    MHD_stop_daemon(d);
    MHD_destroy_response(ok_response);
    return 0;
}
