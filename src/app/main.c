/* frontdesk: entry point. Parses the configuration, builds the environment (clock, randomness,
 * database) and runs one subcommand. */
#include "app/commands.h"
#include "app/config.h"
#include "base/buf.h"
#include "base/log.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static int64_t real_now(const struct env *env)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

static int64_t real_monotonic_ns(const struct env *env)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void real_random_bytes(const struct env *env, void *buf, size_t len)
{
    randombytes_buf(buf, len);
}

static const char *process_getenv(const char *name, void *ctx)
{
    return getenv(name);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "frontdesk: libsodium failed to initialise\n");
        return 1;
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct config cfg;
    struct err e;
    err_clear(&e);
    if (config_parse(argc, argv, process_getenv, NULL, cores > 0 ? (unsigned)cores : 1, &cfg, &e)) {
        fprintf(stderr, "%s\n", e.message);
        return 2;
    }
    if (cfg.help) {
        struct buf usage;
        buf_init(&usage, 0);
        config_usage(&cfg, &usage);
        fputs(buf_cstr(&usage), stdout);
        buf_release(&usage);
        return 0;
    }
    log_set_debug(cfg.log_debug);
    struct env env = {
        .now = real_now,
        .monotonic_ns = real_monotonic_ns,
        .random_bytes = real_random_bytes,
        .config = &cfg,
    };
    switch (cfg.cmd) {
    case CONFIG_CMD_SERVE: return cmd_serve(&cfg, &env);
    case CONFIG_CMD_INIT: return cmd_init(&cfg, &env);
    case CONFIG_CMD_MIGRATE: return cmd_migrate(&cfg, &env);
    case CONFIG_CMD_VERSION: return cmd_version(&cfg, &env);
    case CONFIG_CMD_STAFF_ADD: return cmd_staff_add(&cfg, &env);
    case CONFIG_CMD_TOKEN_CREATE: return cmd_token_create(&cfg, &env);
    case CONFIG_CMD_CAL_HOLIDAYS:
    case CONFIG_CMD_CAL_ADD:
    case CONFIG_CMD_CAL_BETWEEN:
    case CONFIG_CMD_CAL_NEXT_OPEN: return cmd_calendar(&cfg, &env);
    case CONFIG_CMD_MAIL_IN: return cmd_mail_in(&cfg, &env);
    default: return 2;
    }
}
