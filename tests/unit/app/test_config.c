/* test_config: the app/config.h contract: defaults per command, "--flag value" and
 * "--flag=value", FRONTDESK_* variables through a fake getenv, the command line over the
 * environment, one-line errors naming the flag or the variable (docs/configuration.md), sizes,
 * listen addresses, trusted proxies, the --demo boolean, --help, and the usage text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "app/config.h"
#include "base/buf.h"
#include "base/err.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ---- a fake environment ------------------------------------------------------------------- */

struct fake_env {
    const char *pairs[16][2];
};

static const char *fake_getenv(const char *name, void *ctx)
{
    struct fake_env *fe = ctx;
    for (size_t i = 0; i < 16 && fe->pairs[i][0]; i++)
        if (strcmp(fe->pairs[i][0], name) == 0)
            return fe->pairs[i][1];
    return NULL;
}

#define ARGV(...) ((char *[]){"frontdesk", __VA_ARGS__, NULL})
#define ARGC(...) ((int)(sizeof((char *[]){"frontdesk", __VA_ARGS__}) / sizeof(char *)))
/* Parse the given arguments (after the program name) with env, expecting success. */
#define PARSE_OK(cfg, env, ...) parse_ok((cfg), (env), ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))
#define PARSE_ERR(e, env, ...)  parse_err((e), (env), ARGC(__VA_ARGS__), ARGV(__VA_ARGS__))

static void parse_ok(struct config *cfg, struct fake_env *env, int argc, char **argv)
{
    struct fake_env none = {0};
    struct err e;
    err_clear(&e);
    int rc = config_parse(argc, argv, fake_getenv, env ? env : &none, 4, cfg, &e);
    if (rc)
        fail_msg("config_parse: %d: %s (field %s)", rc, e.message, e.field);
}

/* Expect ERR_INVALID; *out must stay untouched. */
static void parse_err(struct err *e, struct fake_env *env, int argc, char **argv)
{
    struct fake_env none = {0};
    struct config cfg;
    memset(&cfg, 0xA5, sizeof cfg);
    err_clear(e);
    int rc = config_parse(argc, argv, fake_getenv, env ? env : &none, 4, &cfg, e);
    if (rc != ERR_INVALID)
        fail_msg("config_parse: %d, want ERR_INVALID", rc);
    assert_int_equal(e->code, ERR_INVALID);
    const unsigned char *p = (const unsigned char *)&cfg;
    for (size_t i = 0; i < sizeof cfg; i++)
        if (p[i] != 0xA5)
            fail_msg("config_parse wrote to *out at byte %zu on failure", i);
    assert_null(strchr(e->message, '\n'));
}

static void assert_error(const struct err *e, const char *message, const char *field)
{
    assert_string_equal(e->message, message);
    assert_string_equal(e->field, field);
}

/* ---- defaults ----------------------------------------------------------------------------- */

static void serve_defaults(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "serve");
    assert_int_equal(c.cmd, CONFIG_CMD_SERVE);
    assert_string_equal(c.cmd_name, "serve");
    assert_false(c.help);
    assert_string_equal(c.db_url, "sqlite:var/frontdesk.db");
    assert_int_equal(c.db.sqlite_sync, DB_SYNC_FULL);
    assert_string_equal(c.http.listen_host, "127.0.0.1");
    assert_int_equal(c.http.listen_port, 8080);
    assert_int_equal(c.http.threads, 16); /* four per core passed in */
    assert_int_equal(c.http.max_connections, 1000);
    assert_int_equal(c.http.max_connections_per_ip, 50);
    assert_int_equal(c.http.trusted_proxies.count, 0);
    assert_int_equal(c.http.idle_timeout_s, 30);
    assert_int_equal(c.http.max_body_size, 1024 * 1024);
    assert_int_equal(c.http.connection_memory, 64 * 1024);
    assert_int_equal(c.shutdown_timeout_s, 10);
    assert_false(c.log_debug);
    assert_false(c.demo);
}

static void threads_default_to_four_per_core(void **state)
{
    struct fake_env none = {0};
    struct config c;
    struct err e;
    char *argv[] = {"frontdesk", "serve", NULL};
    assert_int_equal(config_parse(2, argv, fake_getenv, &none, 12, &c, &e), 0);
    assert_int_equal(c.http.threads, 48);
    assert_int_equal(config_parse(2, argv, fake_getenv, &none, 0, &c, &e), 0);
    assert_int_equal(c.http.threads, 4); /* cores unknown: as if one */
    assert_int_equal(config_parse(2, argv, fake_getenv, &none, 100, &c, &e), 0);
    assert_int_equal(c.http.threads, 256); /* the flag's own maximum */
}

static void each_command_is_recognised(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "init");
    assert_int_equal(c.cmd, CONFIG_CMD_INIT);
    assert_string_equal(c.cmd_name, "init");
    assert_false(c.demo);
    assert_string_equal(c.db_url, "sqlite:var/frontdesk.db");
    PARSE_OK(&c, NULL, "migrate");
    assert_int_equal(c.cmd, CONFIG_CMD_MIGRATE);
    assert_string_equal(c.cmd_name, "migrate");
    PARSE_OK(&c, NULL, "version");
    assert_int_equal(c.cmd, CONFIG_CMD_VERSION);
    assert_string_equal(c.cmd_name, "version");
}

static void null_getenv_means_empty_environment(void **state)
{
    struct config c;
    struct err e;
    char *argv[] = {"frontdesk", "serve", "--threads", "3", NULL};
    assert_int_equal(config_parse(4, argv, NULL, NULL, 2, &c, &e), 0);
    assert_int_equal(c.http.threads, 3);
}

/* ---- flags -------------------------------------------------------------------------------- */

static void flag_value_as_next_argument_or_after_equals(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "serve", "--threads", "8");
    assert_int_equal(c.http.threads, 8);
    PARSE_OK(&c, NULL, "serve", "--threads=9");
    assert_int_equal(c.http.threads, 9);
    PARSE_OK(&c, NULL, "serve", "--listen=[::1]:9000", "--idle-timeout", "5");
    assert_string_equal(c.http.listen_host, "::1");
    assert_int_equal(c.http.listen_port, 9000);
    assert_int_equal(c.http.idle_timeout_s, 5);
}

static void value_after_equals_keeps_further_equals(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "migrate", "--db=postgres://u:p@db/frontdesk?sslmode=require&x=y");
    assert_string_equal(c.db_url, "postgres://u:p@db/frontdesk?sslmode=require&x=y");
    PARSE_OK(&c, NULL, "migrate", "--db", "sqlite:--weird=value");
    assert_string_equal(c.db_url, "sqlite:--weird=value");
}

static void every_serve_flag_is_applied(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "serve", "--db", "postgres://localhost/fd", "--sqlite-sync", "normal",
             "--listen", "0.0.0.0:0", "--threads", "256", "--max-connections", "1000000",
             "--max-connections-per-ip", "1", "--trusted-proxies", "10.0.0.0/8, ::1",
             "--idle-timeout", "3600", "--max-body-size", "2M", "--connection-memory", "128K",
             "--shutdown-timeout", "0", "--log-level", "debug");
    assert_string_equal(c.db_url, "postgres://localhost/fd");
    assert_int_equal(c.db.sqlite_sync, DB_SYNC_NORMAL);
    assert_string_equal(c.http.listen_host, "0.0.0.0");
    assert_int_equal(c.http.listen_port, 0);
    assert_int_equal(c.http.threads, 256);
    assert_int_equal(c.http.max_connections, 1000000);
    assert_int_equal(c.http.max_connections_per_ip, 1);
    assert_int_equal(c.http.trusted_proxies.count, 2);
    assert_int_equal(c.http.idle_timeout_s, 3600);
    assert_int_equal(c.http.max_body_size, 2 * 1024 * 1024);
    assert_int_equal(c.http.connection_memory, 128 * 1024);
    assert_int_equal(c.shutdown_timeout_s, 0);
    assert_true(c.log_debug);
}

static void init_and_migrate_take_database_flags(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "init", "--db", "sqlite:/tmp/x.db", "--sqlite-sync=normal",
             "--log-level=debug");
    assert_string_equal(c.db_url, "sqlite:/tmp/x.db");
    assert_int_equal(c.db.sqlite_sync, DB_SYNC_NORMAL);
    assert_true(c.log_debug);
    PARSE_OK(&c, NULL, "migrate", "--db=sqlite:y.db", "--sqlite-sync", "full");
    assert_string_equal(c.db_url, "sqlite:y.db");
    assert_int_equal(c.db.sqlite_sync, DB_SYNC_FULL);
}

static void repeated_flag_last_wins(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "serve", "--threads", "2", "--threads=3");
    assert_int_equal(c.http.threads, 3);
    PARSE_OK(&c, NULL, "serve", "--log-level", "debug", "--log-level", "info");
    assert_false(c.log_debug);
}

/* ---- environment -------------------------------------------------------------------------- */

static void environment_is_applied(void **state)
{
    struct fake_env env = {{{"FRONTDESK_THREADS", "12"},
                            {"FRONTDESK_LISTEN", "[::]:80"},
                            {"FRONTDESK_DB", "postgres:///fd"},
                            {"FRONTDESK_MAX_BODY_SIZE", "8M"},
                            {"FRONTDESK_TRUSTED_PROXIES", "192.0.2.0/24"},
                            {"FRONTDESK_LOG_LEVEL", "debug"},
                            {"FRONTDESK_SQLITE_SYNC", "normal"},
                            {"FRONTDESK_SHUTDOWN_TIMEOUT", "60"}}};
    struct config c;
    PARSE_OK(&c, &env, "serve");
    assert_int_equal(c.http.threads, 12);
    assert_string_equal(c.http.listen_host, "::");
    assert_int_equal(c.http.listen_port, 80);
    assert_string_equal(c.db_url, "postgres:///fd");
    assert_int_equal(c.http.max_body_size, 8 * 1024 * 1024);
    assert_int_equal(c.http.trusted_proxies.count, 1);
    assert_true(c.log_debug);
    assert_int_equal(c.db.sqlite_sync, DB_SYNC_NORMAL);
    assert_int_equal(c.shutdown_timeout_s, 60);
}

static void command_line_beats_environment(void **state)
{
    struct fake_env env = {{{"FRONTDESK_THREADS", "12"},
                            {"FRONTDESK_LISTEN", "127.0.0.1:1"},
                            {"FRONTDESK_LOG_LEVEL", "debug"},
                            {"FRONTDESK_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2"}}};
    struct config c;
    PARSE_OK(&c, &env, "serve", "--threads", "2", "--listen=127.0.0.1:2", "--log-level", "info",
             "--trusted-proxies", "");
    assert_int_equal(c.http.threads, 2);
    assert_int_equal(c.http.listen_port, 2);
    assert_false(c.log_debug);
    assert_int_equal(c.http.trusted_proxies.count, 0);
}

static void environment_of_other_commands_is_ignored(void **state)
{
    /* init has no --listen or --threads: their variables, even bad ones, do not matter */
    struct fake_env env = {{{"FRONTDESK_LISTEN", "nonsense"},
                            {"FRONTDESK_THREADS", "abc"},
                            {"FRONTDESK_DB", "sqlite:from-env.db"}}};
    struct config c;
    PARSE_OK(&c, &env, "init");
    assert_string_equal(c.db_url, "sqlite:from-env.db");
    PARSE_OK(&c, &env, "version");
    assert_int_equal(c.cmd, CONFIG_CMD_VERSION);
}

static void bad_environment_value_names_the_variable(void **state)
{
    struct fake_env env = {{{"FRONTDESK_THREADS", "abc"}}};
    struct err e;
    PARSE_ERR(&e, &env, "serve");
    assert_error(
        &e, "frontdesk serve: FRONTDESK_THREADS: expected an integer from 1 to 256, got \"abc\"",
        "FRONTDESK_THREADS");
}

static void bad_environment_listen_and_proxies_name_the_variable(void **state)
{
    struct fake_env env = {{{"FRONTDESK_LISTEN", "localhost:80"}}};
    struct err e;
    PARSE_ERR(&e, &env, "serve");
    assert_string_equal(e.field, "FRONTDESK_LISTEN");
    assert_non_null(strstr(e.message, "frontdesk serve: FRONTDESK_LISTEN: "));
    struct fake_env env2 = {{{"FRONTDESK_TRUSTED_PROXIES", "10.0.0.0/8,bogus"}}};
    PARSE_ERR(&e, &env2, "serve");
    assert_error(&e,
                 "frontdesk serve: FRONTDESK_TRUSTED_PROXIES: \"bogus\" is not an IP address or "
                 "CIDR block",
                 "FRONTDESK_TRUSTED_PROXIES");
}

/* ---- errors ------------------------------------------------------------------------------- */

static void unknown_flag_is_named(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--bogus");
    assert_error(&e, "frontdesk serve: unknown flag --bogus", "--bogus");
    PARSE_ERR(&e, NULL, "init", "--threads", "4");
    assert_error(&e, "frontdesk init: unknown flag --threads", "--threads");
}

static void unknown_flag_with_value_names_only_the_flag(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--bogus=1");
    assert_error(&e, "frontdesk serve: unknown flag --bogus", "--bogus");
}

static void flag_of_another_command_is_unknown(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "init", "--listen", "127.0.0.1:80");
    assert_error(&e, "frontdesk init: unknown flag --listen", "--listen");
    PARSE_ERR(&e, NULL, "serve", "--demo");
    assert_error(&e, "frontdesk serve: unknown flag --demo", "--demo");
    PARSE_ERR(&e, NULL, "version", "--db", "sqlite:x");
    assert_error(&e, "frontdesk version: unknown flag --db", "--db");
    PARSE_ERR(&e, NULL, "migrate", "--max-body-size", "1M");
    assert_error(&e, "frontdesk migrate: unknown flag --max-body-size", "--max-body-size");
}

static void prefix_of_a_flag_is_unknown(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--thread", "4");
    assert_error(&e, "frontdesk serve: unknown flag --thread", "--thread");
    PARSE_ERR(&e, NULL, "serve", "--max-connections-per", "4");
    assert_string_equal(e.message, "frontdesk serve: unknown flag --max-connections-per");
}

static void single_dash_and_positional_arguments_are_refused(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "extra");
    assert_error(&e, "frontdesk serve: unexpected argument \"extra\"", "extra");
    PARSE_ERR(&e, NULL, "serve", "-threads", "4");
    assert_string_equal(e.message, "frontdesk serve: unexpected argument \"-threads\"");
}

static void bad_integer_values_name_the_flag(void **state)
{
    static const char *const bad[] = {
        "abc", "0", "257", "-1", "1.5", "", " 4", "4 ", "+4", "0x10", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct err e;
        PARSE_ERR(&e, NULL, "serve", "--threads", (char *)bad[i]);
        char want[200];
        snprintf(want, sizeof want,
                 "frontdesk serve: --threads: expected an integer from 1 to 256, got \"%s\"",
                 bad[i]);
        assert_error(&e, want, "--threads");
    }
}

static void integer_bounds_are_inclusive(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "serve", "--threads", "1", "--idle-timeout", "1", "--shutdown-timeout",
             "3600", "--max-connections", "1");
    assert_int_equal(c.http.threads, 1);
    assert_int_equal(c.http.idle_timeout_s, 1);
    assert_int_equal(c.shutdown_timeout_s, 3600);
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--idle-timeout", "0");
    assert_error(&e,
                 "frontdesk serve: --idle-timeout: expected an integer from 1 to 3600, got \"0\"",
                 "--idle-timeout");
    PARSE_ERR(&e, NULL, "serve", "--shutdown-timeout=3601");
    assert_string_equal(e.field, "--shutdown-timeout");
    PARSE_ERR(&e, NULL, "serve", "--max-connections-per-ip", "1000001");
    assert_string_equal(e.field, "--max-connections-per-ip");
}

static void missing_value_is_named(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--threads");
    assert_error(&e, "frontdesk serve: --threads needs a value", "--threads");
    PARSE_ERR(&e, NULL, "init", "--db");
    assert_error(&e, "frontdesk init: --db needs a value", "--db");
}

static void empty_database_url_is_refused(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--db=");
    assert_error(&e, "frontdesk serve: --db: expected sqlite:PATH or a postgres:// or postgresql:// URL, got \"\"", "--db");
}

static void database_url_of_another_engine_is_refused(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--db", "mysql://localhost/fd");
    assert_error(&e,
                 "frontdesk serve: --db: expected sqlite:PATH or a postgres:// or postgresql:// "
                 "URL, got \"mysql://localhost/fd\"",
                 "--db");
    PARSE_ERR(&e, NULL, "init", "--db", "sqlite:");
    assert_string_equal(e.field, "--db");
    struct config c;
    PARSE_OK(&c, NULL, "init", "--db", "postgresql://h/d");
    assert_string_equal(c.db_url, "postgresql://h/d");
}

static void overlong_database_url_is_refused(void **state)
{
    char url[1100];
    memcpy(url, "sqlite:", 7);
    memset(url + 7, 'p', sizeof url - 8);
    url[1023] = '\0'; /* 1023 characters fit in db_url[1024] */
    struct config c;
    PARSE_OK(&c, NULL, "serve", "--db", url);
    assert_int_equal(strlen(c.db_url), 1023);
    url[1023] = 'p';
    url[1024] = '\0';
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--db", url);
    assert_string_equal(e.field, "--db");
    assert_true(strlen(e.message) < sizeof e.message - 1); /* the value is cut in the message */
}

static void bad_enum_values_list_the_choices(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--sqlite-sync", "off");
    assert_error(&e, "frontdesk serve: --sqlite-sync: expected one of full|normal, got \"off\"",
                 "--sqlite-sync");
    PARSE_ERR(&e, NULL, "init", "--log-level=trace");
    assert_error(&e, "frontdesk init: --log-level: expected one of info|debug, got \"trace\"",
                 "--log-level");
    PARSE_ERR(&e, NULL, "init", "--log-level=inf");
    assert_string_equal(e.field, "--log-level");
    PARSE_ERR(&e, NULL, "init", "--log-level=debugx");
    assert_string_equal(e.field, "--log-level");
}

/* ---- sizes -------------------------------------------------------------------------------- */

static void size_suffixes_are_powers_of_1024(void **state)
{
    size_t v = 0;
    assert_int_equal(config_parse_size("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(config_parse_size("1024", &v), 0);
    assert_int_equal(v, 1024);
    assert_int_equal(config_parse_size("1K", &v), 0);
    assert_int_equal(v, 1024);
    assert_int_equal(config_parse_size("64k", &v), 0);
    assert_int_equal(v, 65536);
    assert_int_equal(config_parse_size("2M", &v), 0);
    assert_int_equal(v, 2 * 1024 * 1024);
    assert_int_equal(config_parse_size("3m", &v), 0);
    assert_int_equal(v, 3 * 1024 * 1024);
    assert_int_equal(config_parse_size("4G", &v), 0);
    assert_int_equal(v, 4ULL * 1024 * 1024 * 1024);
    assert_int_equal(config_parse_size("1g", &v), 0);
    assert_int_equal(v, 1024ULL * 1024 * 1024);
}

static void bad_sizes_are_refused_and_leave_out_untouched(void **state)
{
    static const char *const bad[] = {"",
                                      "K",
                                      "M1",
                                      "1.5M",
                                      "-1",
                                      " 1",
                                      "1 ",
                                      "1KB",
                                      "1 K",
                                      "1T",
                                      "1KK",
                                      "+1",
                                      "0x10",
                                      "99999999999999999999",
                                      "18014398509481984K",
                                      "17179869184G"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t v = 777;
        int rc = config_parse_size(bad[i], &v);
        if (rc != ERR_INVALID)
            fail_msg("config_parse_size(\"%s\") = %d, want ERR_INVALID", bad[i], rc);
        assert_int_equal(v, 777);
    }
    size_t v = 777;
    assert_int_equal(config_parse_size(NULL, &v), ERR_INVALID);
    assert_int_equal(v, 777);
}

static void size_flags_check_their_bounds(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "serve", "--max-body-size", "1K", "--connection-memory", "4K");
    assert_int_equal(c.http.max_body_size, 1024);
    assert_int_equal(c.http.connection_memory, 4096);
    PARSE_OK(&c, NULL, "serve", "--max-body-size", "4G", "--connection-memory", "16M");
    assert_int_equal(c.http.max_body_size, 4ULL << 30);
    assert_int_equal(c.http.connection_memory, 16u << 20);
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--max-body-size", "1023");
    assert_error(&e,
                 "frontdesk serve: --max-body-size: expected a size in bytes from 1024 to "
                 "4294967296 (suffix K, M or G), got \"1023\"",
                 "--max-body-size");
    PARSE_ERR(&e, NULL, "serve", "--max-body-size=4097M");
    assert_string_equal(e.field, "--max-body-size");
    PARSE_ERR(&e, NULL, "serve", "--connection-memory", "4095");
    assert_string_equal(e.field, "--connection-memory");
    PARSE_ERR(&e, NULL, "serve", "--connection-memory", "17M");
    assert_string_equal(e.field, "--connection-memory");
    PARSE_ERR(&e, NULL, "serve", "--max-body-size", "lots");
    assert_string_equal(e.field, "--max-body-size");
    struct fake_env env = {{{"FRONTDESK_CONNECTION_MEMORY", "1G"}}};
    PARSE_ERR(&e, &env, "serve");
    assert_string_equal(e.field, "FRONTDESK_CONNECTION_MEMORY");
}

/* ---- listen ------------------------------------------------------------------------------- */

static void check_listen(const char *s, const char *host, unsigned port)
{
    struct http_server_config h;
    memset(&h, 0, sizeof h);
    int rc = config_parse_listen(s, &h);
    if (rc)
        fail_msg("config_parse_listen(\"%s\") = %d", s, rc);
    assert_string_equal(h.listen_host, host);
    assert_int_equal(h.listen_port, port);
}

static void listen_parses_ipv4_and_bracketed_ipv6(void **state)
{
    check_listen("127.0.0.1:8080", "127.0.0.1", 8080);
    check_listen("0.0.0.0:0", "0.0.0.0", 0);
    check_listen("192.0.2.1:65535", "192.0.2.1", 65535);
    check_listen("[::1]:8080", "::1", 8080);
    check_listen("[::]:0", "::", 0);
    check_listen("[2001:db8::1]:443", "2001:db8::1", 443);
}

static void listen_refuses_bad_forms_and_leaves_cfg_untouched(void **state)
{
    static const char *const bad[] = {
        "",
        "127.0.0.1",
        "127.0.0.1:",
        ":8080",
        "localhost:8080",
        "example.com:80",
        "127.0.0.1:65536",
        "127.0.0.1:-1",
        "127.0.0.1:+80",
        "127.0.0.1:80x",
        "127.0.0.1:0x50",
        "256.0.0.1:80",
        "::1:8080",
        "::1",
        "[::1]",
        "[::1]8080",
        "[::1]:",
        "[]:80",
        "[::1:80",
        "[localhost]:80",
        "127.0.0.1:80:80",
        " 127.0.0.1:8080",
        "127.0.0.1 :8080",
        "127.0.0.1: 8080",
    };
    char wrong[2048] = ""; /* every accepted form, so one run reports them all */
    size_t n = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct http_server_config h;
        memset(&h, 0, sizeof h);
        memcpy(h.listen_host, "keep", 5);
        h.listen_port = 4321;
        int rc = config_parse_listen(bad[i], &h);
        if (rc != ERR_INVALID)
            n +=
                (size_t)snprintf(wrong + n, sizeof wrong - n, " \"%s\" -> %d, host \"%s\" port %u;",
                                 bad[i], rc, h.listen_host, h.listen_port);
        else if (strcmp(h.listen_host, "keep") != 0 || h.listen_port != 4321)
            n += (size_t)snprintf(wrong + n, sizeof wrong - n, " \"%s\" changed cfg;", bad[i]);
    }
    if (n)
        fail_msg("config_parse_listen() did not refuse cleanly:%s", wrong);
}

static void bad_listen_flag_is_named(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--listen", "localhost:8080");
    assert_error(&e,
                 "frontdesk serve: --listen: expected HOST:PORT with an IP address, [::1]:PORT "
                 "for IPv6, got \"localhost:8080\"",
                 "--listen");
    PARSE_ERR(&e, NULL, "serve", "--listen=::1:8080");
    assert_string_equal(e.field, "--listen");
}

/* ---- trusted proxies ---------------------------------------------------------------------- */

static void trusted_proxies_list_is_parsed(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "serve", "--trusted-proxies", "10.0.0.0/8, 192.0.2.1,2001:db8::/32");
    assert_int_equal(c.http.trusted_proxies.count, 3);
    struct netaddr a;
    assert_int_equal(netaddr_parse("10.2.3.4", 8, &a), 0);
    assert_true(netaddr_list_contains(&c.http.trusted_proxies, &a));
    assert_int_equal(netaddr_parse("11.2.3.4", 8, &a), 0);
    assert_false(netaddr_list_contains(&c.http.trusted_proxies, &a));
}

static void bad_trusted_proxies_are_named(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "serve", "--trusted-proxies", "10.0.0.0/8,bogus");
    assert_error(&e,
                 "frontdesk serve: --trusted-proxies: \"bogus\" is not an IP address or CIDR block",
                 "--trusted-proxies");
    PARSE_ERR(&e, NULL, "serve", "--trusted-proxies=10.0.0.1,");
    assert_error(&e, "frontdesk serve: --trusted-proxies: empty entry in address list",
                 "--trusted-proxies");
}

/* ---- --demo ------------------------------------------------------------------------------- */

static void demo_flag_takes_no_value(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "init", "--demo");
    assert_true(c.demo);
    PARSE_OK(&c, NULL, "init", "--demo", "--db", "sqlite:d.db");
    assert_true(c.demo);
    assert_string_equal(c.db_url, "sqlite:d.db");
    PARSE_OK(&c, NULL, "init");
    assert_false(c.demo);
}

static void demo_flag_with_explicit_value(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "init", "--demo=false");
    assert_false(c.demo);
    PARSE_OK(&c, NULL, "init", "--demo=yes");
    assert_true(c.demo);
    struct err e;
    PARSE_ERR(&e, NULL, "init", "--demo=maybe");
    assert_error(&e, "frontdesk init: --demo: expected 1, 0, true, false, yes or no, got \"maybe\"",
                 "--demo");
    /* a following word is not its value */
    PARSE_ERR(&e, NULL, "init", "--demo", "false");
    assert_error(&e, "frontdesk init: unexpected argument \"false\"", "false");
}

static void demo_from_environment(void **state)
{
    static const char *const yes[] = {"1", "true", "yes", "TRUE", "Yes"};
    static const char *const no[] = {"0", "false", "no", "FALSE"};
    struct config c;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        struct fake_env env = {{{"FRONTDESK_DEMO", yes[i]}}};
        PARSE_OK(&c, &env, "init");
        assert_true(c.demo);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        struct fake_env env = {{{"FRONTDESK_DEMO", no[i]}}};
        PARSE_OK(&c, &env, "init");
        assert_false(c.demo);
    }
    struct fake_env off = {{{"FRONTDESK_DEMO", "0"}}};
    PARSE_OK(&c, &off, "init", "--demo"); /* the command line wins */
    assert_true(c.demo);
    struct fake_env on = {{{"FRONTDESK_DEMO", "1"}}};
    PARSE_OK(&c, &on, "init", "--demo=0");
    assert_false(c.demo);
}

static void bad_demo_variable_is_named(void **state)
{
    struct fake_env env = {{{"FRONTDESK_DEMO", "sure"}}};
    struct err e;
    PARSE_ERR(&e, &env, "init");
    assert_error(&e,
                 "frontdesk init: FRONTDESK_DEMO: expected 1, 0, true, false, yes or no, got "
                 "\"sure\"",
                 "FRONTDESK_DEMO");
}

static void demo_variable_is_ignored_by_serve(void **state)
{
    struct fake_env env = {{{"FRONTDESK_DEMO", "1"}}};
    struct config c;
    PARSE_OK(&c, &env, "serve");
    assert_false(c.demo);
}

/* ---- help and commands -------------------------------------------------------------------- */

static void help_at_top_level(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "--help");
    assert_true(c.help);
    assert_int_equal(c.cmd, CONFIG_CMD_NONE);
    assert_string_equal(c.cmd_name, "frontdesk");
    PARSE_OK(&c, NULL, "-h");
    assert_true(c.help);
    assert_int_equal(c.cmd, CONFIG_CMD_NONE);
}

static void help_per_command(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "serve", "--help");
    assert_true(c.help);
    assert_int_equal(c.cmd, CONFIG_CMD_SERVE);
    assert_string_equal(c.cmd_name, "serve");
    PARSE_OK(&c, NULL, "init", "-h");
    assert_true(c.help);
    assert_int_equal(c.cmd, CONFIG_CMD_INIT);
    PARSE_OK(&c, NULL, "version", "--help");
    assert_true(c.help);
    assert_int_equal(c.cmd, CONFIG_CMD_VERSION);
    PARSE_OK(&c, NULL, "serve", "--threads", "2", "--help");
    assert_true(c.help);
    assert_int_equal(c.http.threads, 2);
}

static void missing_command(void **state)
{
    struct fake_env none = {0};
    struct config c;
    memset(&c, 0xA5, sizeof c);
    struct err e;
    err_clear(&e);
    char *argv[] = {"frontdesk", NULL};
    assert_int_equal(config_parse(1, argv, fake_getenv, &none, 4, &c, &e), ERR_INVALID);
    assert_error(&e, "frontdesk: missing command (serve, init, migrate, version; see --help)",
                 "command");
    assert_int_equal(((unsigned char *)&c)[0], 0xA5);
}

static void unknown_command(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "bogus");
    assert_error(&e, "frontdesk: unknown command \"bogus\" (see --help)", "command");
    PARSE_ERR(&e, NULL, "Serve");
    assert_error(&e, "frontdesk: unknown command \"Serve\" (see --help)", "command");
    PARSE_ERR(&e, NULL, "--threads", "4", "serve"); /* flags come after the command */
    assert_error(&e, "frontdesk: unknown command \"--threads\" (see --help)", "command");
    PARSE_ERR(&e, NULL, "");
    assert_string_equal(e.field, "command");
}

static void environment_is_read_only_for_known_commands(void **state)
{
    struct fake_env env = {{{"FRONTDESK_THREADS", "abc"}}};
    struct err e;
    PARSE_ERR(&e, &env, "bogus");
    assert_string_equal(e.field, "command");
    struct config c;
    PARSE_OK(&c, &env, "--help");
    assert_true(c.help);
}

/* ---- usage -------------------------------------------------------------------------------- */

struct flag_doc {
    const char *flag;
    const char *env;
    unsigned cmds;
};

#define DBC (CONFIG_CMD_SERVE | CONFIG_CMD_INIT | CONFIG_CMD_MIGRATE)

/* From docs/configuration.md. */
static const struct flag_doc documented[] = {
    {"--db", "FRONTDESK_DB", DBC},
    {"--sqlite-sync", "FRONTDESK_SQLITE_SYNC", DBC},
    {"--listen", "FRONTDESK_LISTEN", CONFIG_CMD_SERVE},
    {"--threads", "FRONTDESK_THREADS", CONFIG_CMD_SERVE},
    {"--max-connections", "FRONTDESK_MAX_CONNECTIONS", CONFIG_CMD_SERVE},
    {"--max-connections-per-ip", "FRONTDESK_MAX_CONNECTIONS_PER_IP", CONFIG_CMD_SERVE},
    {"--trusted-proxies", "FRONTDESK_TRUSTED_PROXIES", CONFIG_CMD_SERVE},
    {"--idle-timeout", "FRONTDESK_IDLE_TIMEOUT", CONFIG_CMD_SERVE},
    {"--max-body-size", "FRONTDESK_MAX_BODY_SIZE", CONFIG_CMD_SERVE},
    {"--connection-memory", "FRONTDESK_CONNECTION_MEMORY", CONFIG_CMD_SERVE},
    {"--shutdown-timeout", "FRONTDESK_SHUTDOWN_TIMEOUT", CONFIG_CMD_SERVE},
    {"--log-level", "FRONTDESK_LOG_LEVEL", DBC},
    {"--demo", "FRONTDESK_DEMO", CONFIG_CMD_INIT},
};

/* Does text mention word as a whole token (followed by a space, comma or newline)? */
static bool mentions(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; (p = strstr(p, word)) != NULL; p++)
        if (p[n] == ' ' || p[n] == ',' || p[n] == '\n')
            return true;
    return false;
}

static void check_usage(const char *cmd, enum config_cmd bit)
{
    struct config c;
    PARSE_OK(&c, NULL, (char *)cmd, "--help");
    struct buf b;
    buf_init(&b, 0);
    config_usage(&c, &b);
    const char *t = buf_cstr(&b);
    char head[64];
    snprintf(head, sizeof head, "usage: frontdesk %s", cmd);
    assert_non_null(strstr(t, head));
    for (size_t i = 0; i < sizeof documented / sizeof documented[0]; i++) {
        bool want = documented[i].cmds & bit;
        if (mentions(t, documented[i].flag) != want)
            fail_msg("usage of %s %s %s:\n%s", cmd, want ? "lacks" : "shows", documented[i].flag,
                     t);
        if (mentions(t, documented[i].env) != want)
            fail_msg("usage of %s %s %s:\n%s", cmd, want ? "lacks" : "shows", documented[i].env, t);
    }
    assert_true(mentions(t, "--help"));
    buf_release(&b);
}

static void usage_of_each_command_lists_its_flags_and_variables(void **state)
{
    check_usage("serve", CONFIG_CMD_SERVE);
    check_usage("init", CONFIG_CMD_INIT);
    check_usage("migrate", CONFIG_CMD_MIGRATE);
    check_usage("version", CONFIG_CMD_VERSION);
}

static void usage_shows_defaults(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "serve", "--help");
    struct buf b;
    buf_init(&b, 0);
    config_usage(&c, &b);
    const char *t = buf_cstr(&b);
    assert_non_null(strstr(t, "default 127.0.0.1:8080"));
    assert_non_null(strstr(t, "default sqlite:var/frontdesk.db"));
    assert_non_null(strstr(t, "default 1M"));
    assert_non_null(strstr(t, "default 64K"));
    assert_non_null(strstr(t, "default 1000"));
    assert_non_null(strstr(t, "default 50"));
    assert_non_null(strstr(t, "default full"));
    assert_non_null(strstr(t, "default info"));
    buf_release(&b);
}

static void top_level_usage_lists_commands(void **state)
{
    struct config c;
    PARSE_OK(&c, NULL, "--help");
    struct buf b;
    buf_init(&b, 0);
    config_usage(&c, &b);
    const char *t = buf_cstr(&b);
    assert_non_null(strstr(t, "usage: frontdesk COMMAND"));
    assert_true(mentions(t, "serve"));
    assert_true(mentions(t, "init"));
    assert_true(mentions(t, "migrate"));
    assert_true(mentions(t, "version"));
    assert_non_null(strstr(t, "FRONTDESK_"));
    buf_release(&b);
}

/* ---- the calendar commands ---------------------------------------------------------------- */

static void calendar_commands_and_their_flags(void **state)
{
    struct config c;
    /* The noun alone with --help asks which verbs exist: the general usage lists them. */
    PARSE_OK(&c, NULL, "calendar", "--help");
    assert_true(c.help);
    assert_int_equal(c.cmd, CONFIG_CMD_NONE);
    PARSE_OK(&c, NULL, "calendar", "-h");
    assert_true(c.help);
    PARSE_OK(&c, NULL, "calendar", "holidays", "--year", "2021", "--json");
    assert_int_equal(c.cmd, CONFIG_CMD_CAL_HOLIDAYS);
    assert_string_equal(c.cmd_name, "calendar holidays");
    assert_int_equal(c.year, 2021);
    assert_true(c.json);
    assert_string_equal(c.calendar_file, "");
    PARSE_OK(&c, NULL, "calendar", "add", "--start=2026-11-26T14:00:00Z", "--seconds", "0",
             "--calendar", "cal.json");
    assert_int_equal(c.cmd, CONFIG_CMD_CAL_ADD);
    assert_int_equal(c.start, INT64_C(1795701600));
    assert_int_equal(c.seconds, 0);
    assert_string_equal(c.calendar_file, "cal.json");
    PARSE_OK(&c, NULL, "calendar", "add", "--start", "1970-01-01T00:00:00Z", "--seconds",
             "9223372036854775807");
    assert_int_equal(c.start, 0);
    assert_true(c.seconds == INT64_MAX);
    PARSE_OK(&c, NULL, "calendar", "between", "--from", "2199-12-31T23:59:59Z", "--to",
             "2026-11-26T14:00:00Z");
    assert_int_equal(c.cmd, CONFIG_CMD_CAL_BETWEEN);
    assert_int_equal(c.from, INT64_C(7258118399));
    assert_int_equal(c.to, INT64_C(1795701600));
    PARSE_OK(&c, NULL, "calendar", "next-open", "--at", "2026-11-26T14:00:00Z");
    assert_int_equal(c.cmd, CONFIG_CMD_CAL_NEXT_OPEN);
    assert_int_equal(c.at, INT64_C(1795701600));
    PARSE_OK(&c, NULL, "calendar", "next-open", "--help"); /* required flags not needed */
    assert_true(c.help);
}

static void calendar_required_flags_are_named(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "calendar", "holidays", "--json");
    assert_error(&e, "frontdesk calendar holidays: --year is required", "--year");
    PARSE_ERR(&e, NULL, "calendar", "add", "--seconds", "5");
    assert_error(&e, "frontdesk calendar add: --start is required", "--start");
    PARSE_ERR(&e, NULL, "calendar", "add", "--start", "2026-11-26T14:00:00Z");
    assert_error(&e, "frontdesk calendar add: --seconds is required", "--seconds");
    PARSE_ERR(&e, NULL, "calendar", "between", "--from", "2026-11-26T14:00:00Z");
    assert_error(&e, "frontdesk calendar between: --to is required", "--to");
    PARSE_ERR(&e, NULL, "calendar", "next-open");
    assert_error(&e, "frontdesk calendar next-open: --at is required", "--at");
}

static void calendar_bad_values_are_named(void **state)
{
    struct err e;
    static const char *const instants[] = {"2026-11-26T14:00:00", "2026-11-26 14:00:00Z",
                                           "2026-11-26T14:00:00+00:00", "2026-11-26T14:00:00.5Z",
                                           "1969-12-31T23:59:59Z", "2200-01-01T00:00:00Z",
                                           "2026-02-30T00:00:00Z", ""};
    for (size_t i = 0; i < sizeof instants / sizeof instants[0]; i++) {
        PARSE_ERR(&e, NULL, "calendar", "next-open", "--at", (char *)instants[i]);
        assert_string_equal(e.field, "--at");
        assert_non_null(strstr(e.message, "expected YYYY-MM-DDTHH:MM:SSZ in 1970-2199"));
    }
    PARSE_ERR(&e, NULL, "calendar", "add", "--start", "2026-11-26T14:00:00Z", "--seconds", "-1");
    assert_error(&e,
                 "frontdesk calendar add: --seconds: expected an integer from 0 to "
                 "9223372036854775807, got \"-1\"",
                 "--seconds");
    PARSE_ERR(&e, NULL, "calendar", "add", "--start", "2026-11-26T14:00:00Z", "--seconds",
              "9223372036854775808");
    assert_string_equal(e.field, "--seconds");
    PARSE_ERR(&e, NULL, "calendar", "holidays", "--year", "1969");
    assert_error(&e, "frontdesk calendar holidays: --year: expected an integer from 1970 to 2199, got \"1969\"",
                 "--year");
    PARSE_ERR(&e, NULL, "calendar", "holidays", "--year", "2021", "--json=maybe");
    assert_string_equal(e.field, "--json");
    PARSE_ERR(&e, NULL, "calendar", "holidays", "--year", "2021", "--calendar", "");
    assert_string_equal(e.field, "--calendar");
    /* A flag of another calendar command, or of a database command, is unknown here. */
    PARSE_ERR(&e, NULL, "calendar", "holidays", "--year", "2021", "--at", "2026-11-26T14:00:00Z");
    assert_error(&e, "frontdesk calendar holidays: unknown flag --at", "--at");
    PARSE_ERR(&e, NULL, "calendar", "add", "--db", "sqlite:x");
    assert_error(&e, "frontdesk calendar add: unknown flag --db", "--db");
}

static void calendar_noun_alone_lists_the_verbs(void **state)
{
    struct err e;
    PARSE_ERR(&e, NULL, "calendar");
    assert_error(&e,
                 "frontdesk calendar: expected one of \"calendar holidays\", \"calendar add\", "
                 "\"calendar between\", \"calendar next-open\" (see --help)",
                 "command");
    PARSE_ERR(&e, NULL, "calendar", "subtract");
    assert_string_equal(e.field, "command");
    PARSE_ERR(&e, NULL, "staff");
    assert_error(&e, "frontdesk staff: expected \"staff add\" (see --help)", "command");
}

static void calendar_file_from_environment_only(void **state)
{
    struct fake_env env = {{{"FRONTDESK_CALENDAR", "/etc/fd/cal.json"},
                            {"FRONTDESK_YEAR", "1800"},
                            {"FRONTDESK_AT", "garbage"}}};
    struct config c;
    PARSE_OK(&c, &env, "calendar", "holidays", "--year", "2022");
    assert_string_equal(c.calendar_file, "/etc/fd/cal.json");
    assert_int_equal(c.year, 2022);
    PARSE_OK(&c, &env, "calendar", "next-open", "--at", "2026-11-26T14:00:00Z", "--calendar", "b");
    assert_string_equal(c.calendar_file, "b");
    PARSE_OK(&c, &env, "serve");
    assert_string_equal(c.calendar_file, "");
}

static void calendar_usage_documents_every_flag(void **state)
{
    static const struct {
        const char *cmd, *verb, *flags[4];
    } t[] = {
        {"calendar", "holidays", {"--year", "--json", "--calendar", NULL}},
        {"calendar", "add", {"--start", "--seconds", "--calendar", NULL}},
        {"calendar", "between", {"--from", "--to", "--calendar", NULL}},
        {"calendar", "next-open", {"--at", "--calendar", NULL}},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct config c;
        PARSE_OK(&c, NULL, (char *)t[i].cmd, (char *)t[i].verb, "--help");
        struct buf b;
        buf_init(&b, 0);
        config_usage(&c, &b);
        const char *text = buf_cstr(&b);
        for (size_t j = 0; t[i].flags[j]; j++)
            if (!mentions(text, t[i].flags[j]))
                fail_msg("usage of calendar %s lacks %s:\n%s", t[i].verb, t[i].flags[j], text);
        assert_true(mentions(text, "FRONTDESK_CALENDAR"));
        assert_false(mentions(text, "--db"));
        buf_release(&b);
    }
    struct config c;
    PARSE_OK(&c, NULL, "--help");
    struct buf b;
    buf_init(&b, 0);
    config_usage(&c, &b);
    assert_non_null(strstr(buf_cstr(&b), "calendar next-open"));
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(serve_defaults),
        cmocka_unit_test(threads_default_to_four_per_core),
        cmocka_unit_test(each_command_is_recognised),
        cmocka_unit_test(null_getenv_means_empty_environment),
        cmocka_unit_test(flag_value_as_next_argument_or_after_equals),
        cmocka_unit_test(value_after_equals_keeps_further_equals),
        cmocka_unit_test(every_serve_flag_is_applied),
        cmocka_unit_test(init_and_migrate_take_database_flags),
        cmocka_unit_test(repeated_flag_last_wins),
        cmocka_unit_test(environment_is_applied),
        cmocka_unit_test(command_line_beats_environment),
        cmocka_unit_test(environment_of_other_commands_is_ignored),
        cmocka_unit_test(bad_environment_value_names_the_variable),
        cmocka_unit_test(bad_environment_listen_and_proxies_name_the_variable),
        cmocka_unit_test(unknown_flag_is_named),
        cmocka_unit_test(unknown_flag_with_value_names_only_the_flag),
        cmocka_unit_test(flag_of_another_command_is_unknown),
        cmocka_unit_test(prefix_of_a_flag_is_unknown),
        cmocka_unit_test(single_dash_and_positional_arguments_are_refused),
        cmocka_unit_test(bad_integer_values_name_the_flag),
        cmocka_unit_test(integer_bounds_are_inclusive),
        cmocka_unit_test(missing_value_is_named),
        cmocka_unit_test(empty_database_url_is_refused),
        cmocka_unit_test(database_url_of_another_engine_is_refused),
        cmocka_unit_test(overlong_database_url_is_refused),
        cmocka_unit_test(bad_enum_values_list_the_choices),
        cmocka_unit_test(size_suffixes_are_powers_of_1024),
        cmocka_unit_test(bad_sizes_are_refused_and_leave_out_untouched),
        cmocka_unit_test(size_flags_check_their_bounds),
        cmocka_unit_test(listen_parses_ipv4_and_bracketed_ipv6),
        cmocka_unit_test(listen_refuses_bad_forms_and_leaves_cfg_untouched),
        cmocka_unit_test(bad_listen_flag_is_named),
        cmocka_unit_test(trusted_proxies_list_is_parsed),
        cmocka_unit_test(bad_trusted_proxies_are_named),
        cmocka_unit_test(demo_flag_takes_no_value),
        cmocka_unit_test(demo_flag_with_explicit_value),
        cmocka_unit_test(demo_from_environment),
        cmocka_unit_test(bad_demo_variable_is_named),
        cmocka_unit_test(demo_variable_is_ignored_by_serve),
        cmocka_unit_test(help_at_top_level),
        cmocka_unit_test(help_per_command),
        cmocka_unit_test(missing_command),
        cmocka_unit_test(unknown_command),
        cmocka_unit_test(environment_is_read_only_for_known_commands),
        cmocka_unit_test(usage_of_each_command_lists_its_flags_and_variables),
        cmocka_unit_test(usage_shows_defaults),
        cmocka_unit_test(top_level_usage_lists_commands),
        cmocka_unit_test(calendar_commands_and_their_flags),
        cmocka_unit_test(calendar_required_flags_are_named),
        cmocka_unit_test(calendar_bad_values_are_named),
        cmocka_unit_test(calendar_noun_alone_lists_the_verbs),
        cmocka_unit_test(calendar_file_from_environment_only),
        cmocka_unit_test(calendar_usage_documents_every_flag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
