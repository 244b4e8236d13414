#include "app/config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"

enum flag_id {
    F_DB,
    F_SQLITE_SYNC,
    F_LISTEN,
    F_THREADS,
    F_MAX_CONNECTIONS,
    F_MAX_CONNECTIONS_PER_IP,
    F_TRUSTED_PROXIES,
    F_IDLE_TIMEOUT,
    F_MAX_BODY_SIZE,
    F_CONNECTION_MEMORY,
    F_SHUTDOWN_TIMEOUT,
    F_AUTOCLOSE_AFTER_DAYS,
    F_JOBS_INTERVAL,
    F_LOG_LEVEL,
    F_DEMO,
    F_PUBLIC_URL,
    F_EMAIL,
    F_NAME,
    F_ROLE,
    F_CALENDAR,
    F_YEAR,
    F_JSON,
    F_START,
    F_SECONDS,
    F_FROM,
    F_TO,
    F_AT,
    F_SMTP_URL,
    F_SMTP_USER,
    F_SMTP_PASSWORD,
    F_SMTP_STARTTLS,
    F_MAIL_FROM,
    F_MAIL_IN_HOURLY_MAX,
    F_MAIL_IN_ATTACHMENT_MAX,
    F_MAIL_IN_TOTAL_MAX,
    F_MAIL_ADDRESSES,
    F_IMAP_URL,
    F_IMAP_USER,
    F_IMAP_PASSWORD,
    F_IMAP_DONE_FOLDER,
    F_IMAP_INTERVAL,
    F_IMAP_STARTTLS,
};

enum flag_kind {
    K_DB_URL, K_UINT, K_SIZE, K_ENUM, K_BOOL, K_LISTEN, K_ADDRS, K_TEXT, K_URL, K_PATH, K_INSTANT,
    K_SMTP_URL, K_IMAP_URL
};

#define DB_CMDS                                                                          \
    (CONFIG_CMD_SERVE | CONFIG_CMD_INIT | CONFIG_CMD_MIGRATE | CONFIG_CMD_STAFF_ADD |         \
     CONFIG_CMD_TOKEN_CREATE | CONFIG_CMD_MAIL_IN)
#define MAIL_IN_CMDS (CONFIG_CMD_SERVE | CONFIG_CMD_MAIL_IN)
#define PERSON_CMDS (CONFIG_CMD_STAFF_ADD | CONFIG_CMD_TOKEN_CREATE)
#define INT64_MAX_U ((uint64_t)INT64_MAX)

struct flag {
    enum flag_id id;
    const char *name; /* without the dashes */
    const char *env; /* NULL: a per-invocation value with no variable */
    unsigned cmds;
    enum flag_kind kind;
    uint64_t min, max;    /* K_UINT, K_SIZE */
    const char *choices;  /* K_ENUM: "a|b" */
    const char *def;      /* shown in usage; NULL when computed */
    const char *metavar;
    const char *help;
};

static const struct flag flags[] = {
    {F_DB, "db", "FRONTDESK_DB", DB_CMDS, K_DB_URL, 0, 0, NULL, "sqlite:var/frontdesk.db", "URL",
     "database: sqlite:PATH or a postgres:// URL (libpq connection string)"},
    {F_SQLITE_SYNC, "sqlite-sync", "FRONTDESK_SQLITE_SYNC", DB_CMDS, K_ENUM, 0, 0, "full|normal",
     "full", "MODE",
     "full: a commit acknowledged to a client survives power loss; normal: survives a crash of "
     "the process, not of the machine (faster commits)"},
    {F_LISTEN, "listen", "FRONTDESK_LISTEN", CONFIG_CMD_SERVE, K_LISTEN, 0, 0, NULL,
     "127.0.0.1:8080", "HOST:PORT", "address to serve on; port 0 picks a free one"},
    {F_THREADS, "threads", "FRONTDESK_THREADS", CONFIG_CMD_SERVE, K_UINT, 1, 256, NULL, NULL, "N",
     "worker threads (default: four per core)"},
    {F_MAX_CONNECTIONS, "max-connections", "FRONTDESK_MAX_CONNECTIONS", CONFIG_CMD_SERVE, K_UINT,
     1, 1000000, NULL, "1000", "N", "open connections in total; new ones above are closed"},
    {F_MAX_CONNECTIONS_PER_IP, "max-connections-per-ip", "FRONTDESK_MAX_CONNECTIONS_PER_IP",
     CONFIG_CMD_SERVE, K_UINT, 1, 1000000, NULL, "50", "N",
     "open connections per client address (requests in flight behind a trusted proxy); the "
     "excess is answered 429"},
    {F_TRUSTED_PROXIES, "trusted-proxies", "FRONTDESK_TRUSTED_PROXIES", CONFIG_CMD_SERVE, K_ADDRS,
     0, 0, NULL, "", "LIST",
     "comma-separated proxy addresses or CIDR blocks whose X-Forwarded-For is believed"},
    {F_IDLE_TIMEOUT, "idle-timeout", "FRONTDESK_IDLE_TIMEOUT", CONFIG_CMD_SERVE, K_UINT, 1, 3600,
     NULL, "30", "SECONDS", "close a connection that sends nothing for this long"},
    {F_MAX_BODY_SIZE, "max-body-size", "FRONTDESK_MAX_BODY_SIZE", CONFIG_CMD_SERVE, K_SIZE, 1024,
     (uint64_t)1 << 32, NULL, "1M", "BYTES", "largest request body (suffix K, M or G); over it: 413"},
    {F_CONNECTION_MEMORY, "connection-memory", "FRONTDESK_CONNECTION_MEMORY", CONFIG_CMD_SERVE,
     K_SIZE, 4096, 16u << 20, NULL, "64K", "BYTES",
     "memory per connection for the request line and headers (suffix K, M)"},
    {F_SHUTDOWN_TIMEOUT, "shutdown-timeout", "FRONTDESK_SHUTDOWN_TIMEOUT", CONFIG_CMD_SERVE,
     K_UINT, 0, 3600, NULL, "10", "SECONDS",
     "on SIGTERM/SIGINT, how long requests in flight may take to finish"},
    {F_AUTOCLOSE_AFTER_DAYS, "autoclose-after-days", "FRONTDESK_AUTOCLOSE_AFTER_DAYS",
     CONFIG_CMD_SERVE, K_UINT, 1, 365, NULL, "4", "DAYS",
     "close a solved ticket this many days (of 24 hours) after it was solved"},
    {F_JOBS_INTERVAL, "jobs-interval", "FRONTDESK_JOBS_INTERVAL", CONFIG_CMD_SERVE, K_UINT, 1,
     3600, NULL, "60", "SECONDS", "how often background jobs (auto-close) run"},
    {F_LOG_LEVEL, "log-level", "FRONTDESK_LOG_LEVEL", DB_CMDS, K_ENUM, 0, 0, "info|debug", "info",
     "LEVEL", "log verbosity"},
    {F_DEMO, "demo", "FRONTDESK_DEMO", CONFIG_CMD_INIT, K_BOOL, 0, 0, NULL, "off", NULL,
     "also load demo data"},
    {F_PUBLIC_URL, "public-url", "FRONTDESK_PUBLIC_URL", CONFIG_CMD_SERVE, K_URL, 0, 0, NULL, NULL,
     "URL",
     "how people reach this server, for links in mail (default: http:// and the listen address)"},
    {F_EMAIL, "email", "FRONTDESK_EMAIL", PERSON_CMDS, K_TEXT, 0, 0, NULL, NULL, "EMAIL",
     "the staff member's email"},
    {F_NAME, "name", "FRONTDESK_NAME", PERSON_CMDS, K_TEXT, 0, 0, NULL, NULL, "NAME",
     "staff add: the person's name; token create: a name for the token"},
    {F_ROLE, "role", "FRONTDESK_ROLE", CONFIG_CMD_STAFF_ADD, K_ENUM, 0, 0, "agent|lead|admin",
     "agent", "ROLE", "the staff member's role"},
    {F_CALENDAR, "calendar", "FRONTDESK_CALENDAR", CONFIG_CMD_CALENDAR, K_PATH, 0, 0, NULL,
     "(built in)", "FILE",
     "calendar JSON file (docs/calendar.md); default America/Toronto, Mon-Fri 09:00-17:00, CA-ON"},
    {F_YEAR, "year", NULL, CONFIG_CMD_CAL_HOLIDAYS, K_UINT, 1970, 2199, NULL, NULL, "YEAR",
     "required: list every closed date of this year (1970-2199)"},
    {F_JSON, "json", NULL, CONFIG_CMD_CAL_HOLIDAYS, K_BOOL, 0, 0, NULL, NULL, NULL,
     "print a JSON array of {date, name, observed} (the only format)"},
    {F_START, "start", NULL, CONFIG_CMD_CAL_ADD, K_INSTANT, 0, 0, NULL, NULL, "INSTANT",
     "required: when the business clock starts, YYYY-MM-DDTHH:MM:SSZ"},
    {F_SECONDS, "seconds", NULL, CONFIG_CMD_CAL_ADD, K_UINT, 0, INT64_MAX_U, NULL, NULL, "N",
     "required: business seconds to add (a non-negative integer)"},
    {F_FROM, "from", NULL, CONFIG_CMD_CAL_BETWEEN, K_INSTANT, 0, 0, NULL, NULL, "INSTANT",
     "required: start of the span, YYYY-MM-DDTHH:MM:SSZ (included)"},
    {F_TO, "to", NULL, CONFIG_CMD_CAL_BETWEEN, K_INSTANT, 0, 0, NULL, NULL, "INSTANT",
     "required: end of the span, YYYY-MM-DDTHH:MM:SSZ (excluded)"},
    {F_AT, "at", NULL, CONFIG_CMD_CAL_NEXT_OPEN, K_INSTANT, 0, 0, NULL, NULL, "INSTANT",
     "required: the instant to look from, YYYY-MM-DDTHH:MM:SSZ"},
    {F_SMTP_URL, "smtp-url", "FRONTDESK_SMTP_URL", CONFIG_CMD_SERVE, K_SMTP_URL, 0, 0, NULL, "",
     "URL",
     "the SMTP server mail is sent through: smtp://HOST:PORT or smtps://HOST:PORT (unset: mail "
     "waits in the outbox)"},
    {F_SMTP_USER, "smtp-user", "FRONTDESK_SMTP_USER", CONFIG_CMD_SERVE, K_TEXT, 0, 0, NULL, "",
     "NAME", "user name for SMTP authentication"},
    {F_SMTP_PASSWORD, "smtp-password", "FRONTDESK_SMTP_PASSWORD", CONFIG_CMD_SERVE, K_TEXT, 0, 0,
     NULL, "", "PASSWORD", "password for SMTP authentication (prefer the variable to the flag)"},
    {F_SMTP_STARTTLS, "smtp-starttls", "FRONTDESK_SMTP_STARTTLS", CONFIG_CMD_SERVE, K_BOOL, 0, 0,
     NULL, "off", NULL, "require STARTTLS on an smtp:// server"},
    {F_MAIL_FROM, "mail-from", "FRONTDESK_MAIL_FROM", MAIL_IN_CMDS, K_TEXT, 0, 0, NULL,
     "frontdesk <frontdesk@localhost>", "ADDRESS",
     "the sender of frontdesk's mail, \"Name <address>\" or an address"},
    {F_IMAP_URL, "imap-url", "FRONTDESK_IMAP_URL", CONFIG_CMD_SERVE, K_IMAP_URL, 0, 0, NULL, "",
     "URL",
     "the mailbox polled for incoming mail: imap://HOST:PORT/FOLDER or imaps://HOST:PORT/FOLDER "
     "(unset: no polling)"},
    {F_IMAP_USER, "imap-user", "FRONTDESK_IMAP_USER", CONFIG_CMD_SERVE, K_TEXT, 0, 0, NULL, "",
     "NAME", "user name for the IMAP login"},
    {F_IMAP_PASSWORD, "imap-password", "FRONTDESK_IMAP_PASSWORD", CONFIG_CMD_SERVE, K_TEXT, 0, 0,
     NULL, "", "PASSWORD", "password for the IMAP login (prefer the variable to the flag)"},
    {F_IMAP_DONE_FOLDER, "imap-done-folder", "FRONTDESK_IMAP_DONE_FOLDER", CONFIG_CMD_SERVE,
     K_TEXT, 0, 0, NULL, "", "FOLDER",
     "move taken messages to this folder (unset: flag them \\Seen and take only unseen ones)"},
    {F_IMAP_INTERVAL, "imap-interval", "FRONTDESK_IMAP_INTERVAL", CONFIG_CMD_SERVE, K_UINT, 1,
     86400, NULL, "60", "SECONDS", "how often the IMAP mailbox is polled"},
    {F_IMAP_STARTTLS, "imap-starttls", "FRONTDESK_IMAP_STARTTLS", CONFIG_CMD_SERVE, K_BOOL, 0, 0,
     NULL, "off", NULL, "require STARTTLS on an imap:// server"},
    {F_MAIL_IN_HOURLY_MAX, "mail-in-hourly-max", "FRONTDESK_MAIL_IN_HOURLY_MAX", MAIL_IN_CMDS,
     K_UINT, 1, 1000000, NULL, "20", "N",
     "inbound mail: a sender past this many messages an hour gets no automatic replies, and the "
     "admins one alert an hour"},
    {F_MAIL_IN_ATTACHMENT_MAX, "mail-in-attachment-max", "FRONTDESK_MAIL_IN_ATTACHMENT_MAX",
     MAIL_IN_CMDS, K_SIZE, 1024, (uint64_t)1 << 30, NULL, "20971520", "BYTES",
     "inbound mail: largest attachment kept (suffix K, M or G); a larger one becomes a note"},
    {F_MAIL_IN_TOTAL_MAX, "mail-in-total-max", "FRONTDESK_MAIL_IN_TOTAL_MAX", MAIL_IN_CMDS,
     K_SIZE, 1024, (uint64_t)1 << 30, NULL, "26214400", "BYTES",
     "inbound mail: all attachments of a message kept together at most (suffix K, M or G)"},
    {F_MAIL_ADDRESSES, "mail-addresses", "FRONTDESK_MAIL_ADDRESSES", MAIL_IN_CMDS, K_TEXT, 0, 0,
     NULL, NULL, "LIST",
     "comma-separated addresses that are ours: mail from them is ignored (default: the "
     "--mail-from address)"},
};
#define NFLAGS (sizeof flags / sizeof flags[0])

static const struct {
    enum config_cmd cmd;
    const char *name;
    const char *summary;
} commands[] = {
    {CONFIG_CMD_SERVE, "serve", "serve the web app and the API"},
    {CONFIG_CMD_INIT, "init", "create the database, apply migrations, load default content"},
    {CONFIG_CMD_MIGRATE, "migrate", "apply pending database migrations"},
    {CONFIG_CMD_VERSION, "version", "print the version"},
    {CONFIG_CMD_STAFF_ADD, "staff add",
     "add a staff member (the password is read from standard input)"},
    {CONFIG_CMD_TOKEN_CREATE, "token create",
     "create an API token for a staff member and print it once"},
    {CONFIG_CMD_CAL_HOLIDAYS, "calendar holidays", "list the closed dates of a year as JSON"},
    {CONFIG_CMD_CAL_ADD, "calendar add", "print the instant N business seconds after a start"},
    {CONFIG_CMD_CAL_BETWEEN, "calendar between", "print the business seconds between two instants"},
    {CONFIG_CMD_CAL_NEXT_OPEN, "calendar next-open", "print when support is next open"},
    {CONFIG_CMD_MAIL_IN, "mail-in",
     "store and process one mail message read from standard input (for an MTA's pipe)"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

int config_parse_size(const char *s, size_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return ERR_INVALID;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return ERR_INVALID;
    unsigned long long mult = 1;
    if (*end == 'K' || *end == 'k')
        mult = 1024ULL;
    else if (*end == 'M' || *end == 'm')
        mult = 1024ULL * 1024;
    else if (*end == 'G' || *end == 'g')
        mult = 1024ULL * 1024 * 1024;
    if (mult != 1)
        end++;
    if (*end != '\0' || v > SIZE_MAX / mult)
        return ERR_INVALID;
    *out = (size_t)(v * mult);
    return 0;
}

static int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return ERR_INVALID;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v < min || v > max)
        return ERR_INVALID;
    *out = v;
    return 0;
}

int config_parse_listen(const char *s, struct http_server_config *cfg)
{
    const char *colon;
    const char *host;
    size_t host_len;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return ERR_INVALID;
        host = s + 1;
        host_len = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || memchr(s, ':', (size_t)(colon - s)))
            return ERR_INVALID; /* a bare IPv6 address needs brackets */
        host = s;
        host_len = (size_t)(colon - s);
    }
    uint64_t port;
    if (host_len == 0 || host_len >= sizeof cfg->listen_host || memchr(host, ' ', host_len) ||
        memchr(host, '\t', host_len) ||
        parse_uint(colon + 1, 0, 65535, &port))
        return ERR_INVALID;
    struct netaddr probe;
    if (netaddr_parse(host, host_len, &probe))
        return ERR_INVALID;
    memcpy(cfg->listen_host, host, host_len);
    cfg->listen_host[host_len] = '\0';
    cfg->listen_port = (unsigned)port;
    return 0;
}

static int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return ERR_INVALID;
}

/* The driver checks the rest when it opens; here only what makes a URL one of ours, so a typo
 * is a usage error (exit 2) and not a runtime failure. */
static bool db_url_shape_ok(const char *v)
{
    if (strncmp(v, "sqlite:", 7) == 0)
        return v[7] != '\0';
    return strncmp(v, "postgres://", 11) == 0 || strncmp(v, "postgresql://", 13) == 0;
}

static bool enum_has(const char *choices, const char *v)
{
    size_t n = strlen(v);
    for (const char *p = choices; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0)
            return true;
        if (!bar)
            break;
        p = bar + 1;
    }
    return false;
}

/* Exactly the form the calendar commands print, "2026-11-26T14:00:00Z", in 1970-2199: the
 * contract of issue 4 takes no offsets or fractions on the command line. */
static int parse_instant(const char *s, int64_t *out)
{
    static const int64_t end = INT64_C(7258118400); /* 2200-01-01T00:00:00Z */
    int64_t t;
    if (strlen(s) != TIMEFMT_ISO_LEN || s[10] != 'T' || s[19] != 'Z' ||
        timefmt_parse_iso8601(s, TIMEFMT_ISO_LEN, &t) || t < 0 || t >= end)
        return ERR_INVALID;
    *out = t;
    return 0;
}

/* Describe what a flag expects, for error messages. */
static void expectation(const struct flag *f, char *out, size_t len)
{
    switch (f->kind) {
    case K_UINT:
        snprintf(out, len, "expected an integer from %llu to %llu", (unsigned long long)f->min,
                 (unsigned long long)f->max);
        break;
    case K_SIZE:
        snprintf(out, len, "expected a size in bytes from %llu to %llu (suffix K, M or G)",
                 (unsigned long long)f->min, (unsigned long long)f->max);
        break;
    case K_ENUM: snprintf(out, len, "expected one of %s", f->choices); break;
    case K_BOOL: snprintf(out, len, "expected 1, 0, true, false, yes or no"); break;
    case K_LISTEN: snprintf(out, len, "expected HOST:PORT with an IP address, [::1]:PORT for IPv6"); break;
    case K_ADDRS: snprintf(out, len, "expected comma-separated IP addresses or CIDR blocks"); break;
    case K_TEXT: snprintf(out, len, "expected a non-empty value under 256 bytes"); break;
    case K_SMTP_URL: snprintf(out, len, "expected smtp://HOST:PORT or smtps://HOST:PORT"); break;
    case K_IMAP_URL:
        snprintf(out, len, "expected imap://HOST:PORT/FOLDER or imaps://HOST:PORT/FOLDER, "
                           "without credentials");
        break;
    case K_URL: snprintf(out, len, "expected an http:// or https:// URL"); break;
    case K_PATH: snprintf(out, len, "expected a file path under 1024 bytes"); break;
    case K_INSTANT: snprintf(out, len, "expected YYYY-MM-DDTHH:MM:SSZ in 1970-2199"); break;
    default:
        snprintf(out, len, "expected sqlite:PATH or a postgres:// or postgresql:// URL");
        break;
    }
}

/* Apply one value. who is "--name" or "FRONTDESK_NAME", for messages. */
static int apply(const struct flag *f, const char *value, const char *who, struct config *cfg,
                 struct err *e)
{
    uint64_t u = 0;
    size_t sz = 0;
    bool ok = true;
    switch (f->kind) {
    case K_DB_URL:
        ok = db_url_shape_ok(value) && strlen(value) < sizeof cfg->db_url;
        if (ok)
            snprintf(cfg->db_url, sizeof cfg->db_url, "%s", value);
        break;
    case K_UINT: ok = parse_uint(value, f->min, f->max, &u) == 0; break;
    case K_SIZE: ok = config_parse_size(value, &sz) == 0 && sz >= f->min && sz <= f->max; break;
    case K_ENUM: ok = enum_has(f->choices, value); break;
    case K_BOOL:
        ok = parse_bool(value, f->id == F_JSON             ? &cfg->json
                               : f->id == F_SMTP_STARTTLS ? &cfg->smtp_starttls
                               : f->id == F_IMAP_STARTTLS ? &cfg->imap_starttls
                                                          : &cfg->demo) == 0;
        break;
    case K_PATH:
        ok = value[0] != '\0' && strlen(value) < sizeof cfg->calendar_file;
        if (ok)
            snprintf(cfg->calendar_file, sizeof cfg->calendar_file, "%s", value);
        break;
    case K_INSTANT: {
        int64_t *dst = f->id == F_START ? &cfg->start
                       : f->id == F_FROM ? &cfg->from
                       : f->id == F_TO   ? &cfg->to
                                         : &cfg->at;
        ok = parse_instant(value, dst) == 0;
        break;
    }
    case K_TEXT: {
        /* every text field is 256 bytes; none may carry a line break into a protocol */
        _Static_assert(sizeof cfg->email == 256 && sizeof cfg->name == 256 &&
                           sizeof cfg->smtp_user == 256 && sizeof cfg->smtp_password == 256 &&
                           sizeof cfg->mail_from == 256 && sizeof cfg->mail_addresses == 256,
                       "text fields share one size");
        _Static_assert(sizeof cfg->imap_user == 256 && sizeof cfg->imap_password == 256 &&
                           sizeof cfg->imap_done_folder == 256,
                       "the IMAP text fields too");
        char *dst = f->id == F_EMAIL           ? cfg->email
                    : f->id == F_SMTP_USER     ? cfg->smtp_user
                    : f->id == F_SMTP_PASSWORD ? cfg->smtp_password
                    : f->id == F_MAIL_FROM     ? cfg->mail_from
                    : f->id == F_MAIL_ADDRESSES ? cfg->mail_addresses
                    : f->id == F_IMAP_USER     ? cfg->imap_user
                    : f->id == F_IMAP_PASSWORD ? cfg->imap_password
                    : f->id == F_IMAP_DONE_FOLDER ? cfg->imap_done_folder
                                               : cfg->name;
        ok = value[0] != '\0' && strlen(value) < sizeof cfg->name && !strpbrk(value, "\r\n");
        if (ok)
            snprintf(dst, sizeof cfg->name, "%s", value);
        break;
    }
    case K_SMTP_URL: {
        size_t n = strlen(value);
        ok = (strncmp(value, "smtp://", 7) == 0 || strncmp(value, "smtps://", 8) == 0) && n > 8 &&
             n < sizeof cfg->smtp_url && !strpbrk(value, " \t\r\n\"<>");
        if (ok)
            snprintf(cfg->smtp_url, sizeof cfg->smtp_url, "%s", value);
        break;
    }
    case K_IMAP_URL: {
        /* no user:password@ (it would show in logs and process lists), no URL parameters */
        size_t n = strlen(value), at = strncmp(value, "imaps://", 8) == 0 ? 8 : 7;
        const char *slash = strchr(value + at, '/');
        size_t host = slash ? (size_t)(slash - value) - at : n - at;
        ok = (strncmp(value, "imap://", 7) == 0 || at == 8) && n > at && host > 0 &&
             n < sizeof cfg->imap_url && !strpbrk(value, " \t\r\n\"<>;?#") &&
             !memchr(value + at, '@', host);
        if (ok)
            snprintf(cfg->imap_url, sizeof cfg->imap_url, "%s", value);
        break;
    }
    case K_URL: {
        size_t n = strlen(value);
        ok = (strncmp(value, "http://", 7) == 0 || strncmp(value, "https://", 8) == 0) && n > 8 &&
             n < sizeof cfg->public_url && !strpbrk(value, " \t\r\n\"<>");
        if (ok) /* no trailing slash: links are built as public_url + "/path" */
            snprintf(cfg->public_url, sizeof cfg->public_url, "%.*s",
                     (int)(value[n - 1] == '/' ? n - 1 : n), value);
        break;
    }
    case K_LISTEN: ok = config_parse_listen(value, &cfg->http) == 0; break;
    case K_ADDRS: {
        struct err inner;
        ok = netaddr_list_parse(value, who, &cfg->http.trusted_proxies, &inner) == 0;
        if (!ok)
            return err_set(e, ERR_INVALID, who, "frontdesk %s: %s: %s", cfg->cmd_name, who,
                           inner.message);
        break;
    }
    }
    if (!ok) {
        char what[160];
        expectation(f, what, sizeof what);
        if (f->id == F_IMAP_PASSWORD || (f->id == F_IMAP_URL && strchr(value, '@')))
            /* a secret is never echoed */
            return err_set(e, ERR_INVALID, who, "frontdesk %s: %s: %s", cfg->cmd_name, who, what);
        return err_set(e, ERR_INVALID, who, "frontdesk %s: %s: %s, got \"%.64s\"", cfg->cmd_name,
                       who, what, value);
    }
    switch (f->id) {
    case F_SQLITE_SYNC:
        cfg->db.sqlite_sync = strcmp(value, "normal") == 0 ? DB_SYNC_NORMAL : DB_SYNC_FULL;
        break;
    case F_THREADS: cfg->http.threads = (unsigned)u; break;
    case F_MAX_CONNECTIONS: cfg->http.max_connections = (unsigned)u; break;
    case F_MAX_CONNECTIONS_PER_IP: cfg->http.max_connections_per_ip = (unsigned)u; break;
    case F_IDLE_TIMEOUT: cfg->http.idle_timeout_s = (unsigned)u; break;
    case F_MAX_BODY_SIZE: cfg->http.max_body_size = sz; break;
    case F_CONNECTION_MEMORY: cfg->http.connection_memory = sz; break;
    case F_SHUTDOWN_TIMEOUT: cfg->shutdown_timeout_s = (unsigned)u; break;
    case F_AUTOCLOSE_AFTER_DAYS: cfg->autoclose_after_days = (int)u; break;
    case F_JOBS_INTERVAL: cfg->jobs_interval_s = (unsigned)u; break;
    case F_IMAP_INTERVAL: cfg->imap_interval_s = (unsigned)u; break;
    case F_LOG_LEVEL: cfg->log_debug = strcmp(value, "debug") == 0; break;
    case F_ROLE: snprintf(cfg->role, sizeof cfg->role, "%s", value); break;
    case F_YEAR: cfg->year = (int)u; break;
    case F_SECONDS: cfg->seconds = (int64_t)u; break;
    case F_MAIL_IN_HOURLY_MAX: cfg->mail_in_hourly_max = (int)u; break;
    case F_MAIL_IN_ATTACHMENT_MAX: cfg->mail_in_attachment_max = sz; break;
    case F_MAIL_IN_TOTAL_MAX: cfg->mail_in_total_max = sz; break;
    default: break; /* handled by kind */
    }
    return 0;
}

#define THREADS_PER_CORE 4

static void set_defaults(struct config *cfg, unsigned cores)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->cmd_name = "frontdesk";
    snprintf(cfg->db_url, sizeof cfg->db_url, "sqlite:var/frontdesk.db");
    cfg->db.sqlite_sync = DB_SYNC_FULL;
    cfg->db.busy_timeout_ms = 5000;
    config_parse_listen("127.0.0.1:8080", &cfg->http);
    /* Four per core: a request waiting for its commit (SQLite's group commit) or a PostgreSQL
     * round trip holds its thread without using a CPU, and more requests waiting together make
     * bigger commit batches. Measured on 2 cores: creates rose from ~4,000/s with 2 threads to
     * ~5,200/s with 8; reads and /healthz did not move. */
    cfg->http.threads = (cores ? cores : 1) * THREADS_PER_CORE;
    if (cfg->http.threads > 256)
        cfg->http.threads = 256;
    cfg->http.max_connections = 1000;
    cfg->http.max_connections_per_ip = 50;
    cfg->http.idle_timeout_s = 30;
    cfg->http.max_body_size = 1024 * 1024;
    cfg->http.connection_memory = 64 * 1024;
    cfg->shutdown_timeout_s = 10;
    cfg->autoclose_after_days = 4;
    cfg->jobs_interval_s = 60;
    cfg->imap_interval_s = 60;
    snprintf(cfg->role, sizeof cfg->role, "agent");
    snprintf(cfg->mail_from, sizeof cfg->mail_from, "frontdesk <frontdesk@localhost>");
    cfg->mail_in_hourly_max = 20;
    cfg->mail_in_attachment_max = 20u * 1024 * 1024;
    cfg->mail_in_total_max = 25u * 1024 * 1024;
}

void config_mail_in(const struct config *cfg, struct config_mail_in *out)
{
    memset(out, 0, sizeof *out);
    /* the address of "Name <address>" or of a bare address */
    const char *lt = strrchr(cfg->mail_from, '<'), *gt = lt ? strchr(lt, '>') : NULL;
    const char *addr = lt && gt ? lt + 1 : cfg->mail_from;
    int alen = (int)(lt && gt ? (size_t)(gt - addr) : strlen(addr));
    if (cfg->mail_addresses[0])
        snprintf(out->addresses, sizeof out->addresses, "%s", cfg->mail_addresses);
    else
        snprintf(out->addresses, sizeof out->addresses, "%.*s", alen, addr);
    const char *at = memchr(addr, '@', (size_t)alen);
    if (at)
        snprintf(out->domain, sizeof out->domain, "%.*s", (int)(alen - (at + 1 - addr)), at + 1);
    out->mail_in.our_addresses = out->addresses;
    out->mail_in.our_domain = out->domain;
    out->mail_in.hourly_max = cfg->mail_in_hourly_max;
    out->mail_in.attachment_max = cfg->mail_in_attachment_max;
    out->mail_in.total_max = cfg->mail_in_total_max;
}

static const struct flag *find_flag(const char *name, size_t len)
{
    for (size_t i = 0; i < NFLAGS; i++)
        if (strlen(flags[i].name) == len && strncmp(flags[i].name, name, len) == 0)
            return &flags[i];
    return NULL;
}

static int apply_environment(struct config *cfg, config_getenv_fn getenv_fn, void *ctx,
                             struct err *e)
{
    for (size_t i = 0; i < NFLAGS && getenv_fn; i++) {
        if (!(flags[i].cmds & cfg->cmd) || !flags[i].env)
            continue;
        const char *v = getenv_fn(flags[i].env, ctx);
        if (!v)
            continue;
        int rc = apply(&flags[i], v, flags[i].env, cfg, e);
        if (rc)
            return rc;
    }
    return 0;
}

/* Flags a command cannot run without; not checked under --help. */
static int check_required(const struct config *cfg, uint64_t seen, struct err *e)
{
    static const struct {
        unsigned cmds;
        enum flag_id id;
    } required[] = {
        {CONFIG_CMD_CAL_HOLIDAYS, F_YEAR}, {CONFIG_CMD_CAL_ADD, F_START},
        {CONFIG_CMD_CAL_ADD, F_SECONDS},   {CONFIG_CMD_CAL_BETWEEN, F_FROM},
        {CONFIG_CMD_CAL_BETWEEN, F_TO},    {CONFIG_CMD_CAL_NEXT_OPEN, F_AT},
    };
    if (cfg->help)
        return 0;
    if ((cfg->cmd & PERSON_CMDS) && (!cfg->email[0] || !cfg->name[0]))
        return err_set(e, ERR_INVALID, cfg->email[0] ? "--name" : "--email",
                       "frontdesk %s: %s is required", cfg->cmd_name,
                       cfg->email[0] ? "--name" : "--email");
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (!(required[i].cmds & cfg->cmd) || (seen & ((uint64_t)1 << required[i].id)))
            continue;
        const char *name = "";
        for (size_t f = 0; f < NFLAGS; f++)
            if (flags[f].id == required[i].id)
                name = flags[f].name;
        char who[80];
        snprintf(who, sizeof who, "--%s", name);
        return err_set(e, ERR_INVALID, who, "frontdesk %s: %s is required", cfg->cmd_name, who);
    }
    return 0;
}

int config_parse(int argc, char **argv, config_getenv_fn getenv_fn, void *ctx, unsigned cores,
                 struct config *out, struct err *e)
{
    struct config cfg;
    set_defaults(&cfg, cores);
    int i = 1;
    if (i < argc && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
        cfg.help = true;
        *out = cfg;
        return 0;
    }
    if (i >= argc)
        return err_set(e, ERR_INVALID, "command",
                       "frontdesk: missing command (serve, init, migrate, version; see --help)");
    char verbs[160] = ""; /* the commands whose noun matched, for the message */
    size_t nverbs = 0;
    for (size_t c = 0; c < NCOMMANDS && cfg.cmd == CONFIG_CMD_NONE; c++) {
        /* A command is one word ("serve") or a noun and a verb ("staff add"); several commands
         * may share a noun ("calendar add", "calendar between"). */
        const char *name = commands[c].name;
        const char *space = strchr(name, ' ');
        size_t first = space ? (size_t)(space - name) : strlen(name);
        if (strlen(argv[i]) != first || strncmp(argv[i], name, first) != 0)
            continue;
        if (space && (i + 1 >= argc || strcmp(argv[i + 1], space + 1) != 0)) {
            size_t used = strlen(verbs);
            snprintf(verbs + used, sizeof verbs - used, "%s\"%s\"", nverbs++ ? ", " : "", name);
            continue;
        }
        cfg.cmd = commands[c].cmd;
        cfg.cmd_name = name;
        i += space ? 2 : 1;
    }
    /* "frontdesk calendar --help": the noun alone asks which verbs there are; the general
     * usage lists them. */
    if (cfg.cmd == CONFIG_CMD_NONE && nverbs && i + 1 < argc &&
        (strcmp(argv[i + 1], "--help") == 0 || strcmp(argv[i + 1], "-h") == 0)) {
        cfg.help = true;
        *out = cfg;
        return 0;
    }
    if (cfg.cmd == CONFIG_CMD_NONE && nverbs)
        return err_set(e, ERR_INVALID, "command", "frontdesk %s: expected %s%s (see --help)", argv[i],
                       nverbs > 1 ? "one of " : "", verbs);
    if (cfg.cmd == CONFIG_CMD_NONE)
        return err_set(e, ERR_INVALID, "command", "frontdesk: unknown command \"%.64s\" (see --help)",
                       argv[i]);
    int rc = apply_environment(&cfg, getenv_fn, ctx, e);
    if (rc)
        return rc;
    uint64_t seen = 0; /* 1 << flag_id of every flag given on the command line */
    for (; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            cfg.help = true;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0)
            return err_set(e, ERR_INVALID, arg, "frontdesk %s: unexpected argument \"%.64s\"",
                           cfg.cmd_name, arg);
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t name_len = eq ? (size_t)(eq - name) : strlen(name);
        const struct flag *f = find_flag(name, name_len);
        if (!f || !(f->cmds & cfg.cmd)) {
            char flag[72];
            snprintf(flag, sizeof flag, "--%.*s", (int)(name_len > 64 ? 64 : name_len), name);
            return err_set(e, ERR_INVALID, flag, "frontdesk %s: unknown flag %s", cfg.cmd_name,
                           flag);
        }
        char who[80];
        snprintf(who, sizeof who, "--%s", f->name);
        const char *value;
        if (f->kind == K_BOOL) {
            value = eq ? eq + 1 : "true";
        } else if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return err_set(e, ERR_INVALID, who, "frontdesk %s: %s needs a value", cfg.cmd_name, who);
        }
        rc = apply(f, value, who, &cfg, e);
        if (rc)
            return rc;
        seen |= (uint64_t)1 << f->id;
    }
    rc = check_required(&cfg, seen, e);
    if (rc)
        return rc;
    *out = cfg; /* an empty public_url means: http:// and the address serve ends up bound to */
    return 0;
}

void config_usage(const struct config *cfg, struct buf *out)
{
    if (cfg->cmd == CONFIG_CMD_NONE) {
        buf_append_cstr(out, "usage: frontdesk COMMAND [flags]\n\n"
                             "frontdesk is a support desk: tickets, SLA clocks, a support-policy "
                             "engine and a help center.\n\ncommands:\n");
        for (size_t c = 0; c < NCOMMANDS; c++)
            buf_appendf(out, "  %-19s %s\n", commands[c].name, commands[c].summary);
        buf_append_cstr(out, "\nRun \"frontdesk COMMAND --help\" for its flags. Every configuration "
                             "flag can also be set through its FRONTDESK_* environment variable "
                             "(the help lists it).\n");
        return;
    }
    const char *summary = "";
    for (size_t c = 0; c < NCOMMANDS; c++)
        if (commands[c].cmd == cfg->cmd)
            summary = commands[c].summary;
    buf_appendf(out, "usage: frontdesk %s [flags]\n\n%s.\n", cfg->cmd_name, summary);
    bool any = false;
    for (size_t i = 0; i < NFLAGS; i++) {
        const struct flag *f = &flags[i];
        if (!(f->cmds & cfg->cmd))
            continue;
        if (!any)
            buf_append_cstr(out, "\nflags (command line wins over environment):\n");
        any = true;
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", f->name, f->metavar ? " " : "",
                 f->metavar ? f->metavar : "");
        buf_appendf(out, "  %-34s %s\n", left, f->help);
        if (f->env) {
            buf_appendf(out, "  %-34s env %s", "", f->env);
            if (f->def)
                buf_appendf(out, ", default %s", f->def[0] ? f->def : "(none)");
            buf_append_cstr(out, "\n");
        }
    }
    buf_append_cstr(out, "\n  --help                             show this help\n");
}
