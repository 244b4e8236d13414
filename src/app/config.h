/* config: command line and FRONTDESK_* environment into one frozen struct config.
 *
 * Every flag of a configuration has an environment variable (--max-body-size <->
 * FRONTDESK_MAX_BODY_SIZE; --calendar <-> FRONTDESK_CALENDAR); the command line wins over the
 * environment, which wins over the default. The per-invocation values of the calendar commands
 * (--year, --start, --seconds, --from, --to, --at, --json) have none. Flags are accepted as
 * "--name value" or "--name=value"; boolean flags take no value on the command line and
 * 1/0/true/false/yes/no in the environment. A flag that does not belong to the command, an
 * unknown flag or a bad value is an error whose message is one line naming the flag (or the
 * variable). Pure apart from the getenv callback; thread-safe.
 */
#ifndef FRONTDESK_APP_CONFIG_H
#define FRONTDESK_APP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "db/db.h"
#include "http/server.h"
#include "service/mail_in.h"

enum config_cmd {
    CONFIG_CMD_NONE = 0,
    CONFIG_CMD_SERVE = 1 << 0,
    CONFIG_CMD_INIT = 1 << 1,
    CONFIG_CMD_MIGRATE = 1 << 2,
    CONFIG_CMD_VERSION = 1 << 3,
    CONFIG_CMD_STAFF_ADD = 1 << 4,    /* "staff add" */
    CONFIG_CMD_TOKEN_CREATE = 1 << 5, /* "token create" */
    CONFIG_CMD_CAL_HOLIDAYS = 1 << 6, /* "calendar holidays" */
    CONFIG_CMD_CAL_ADD = 1 << 7,      /* "calendar add" */
    CONFIG_CMD_CAL_BETWEEN = 1 << 8,  /* "calendar between" */
    CONFIG_CMD_CAL_NEXT_OPEN = 1 << 9, /* "calendar next-open" */
    CONFIG_CMD_MAIL_IN = 1 << 10,      /* "mail-in": one message on standard input */
};

#define CONFIG_CMD_CALENDAR                                                                  \
    (CONFIG_CMD_CAL_HOLIDAYS | CONFIG_CMD_CAL_ADD | CONFIG_CMD_CAL_BETWEEN |                 \
     CONFIG_CMD_CAL_NEXT_OPEN)

struct config {
    enum config_cmd cmd;
    const char *cmd_name; /* "serve", "staff add", ...; "frontdesk" when none */
    bool help;
    char db_url[1024];
    struct db_options db;
    struct http_server_config http;
    unsigned shutdown_timeout_s;
    int autoclose_after_days; /* serve: solved tickets close after this many days */
    unsigned jobs_interval_s;  /* serve: seconds between runs of the background jobs */
    bool log_debug;
    bool demo;
    char public_url[256]; /* how people reach this server: links in mail */
    /* Mail out (service/mail_out.h): no smtp_url, no delivery (mail waits in the outbox). */
    char smtp_url[256];      /* smtp://HOST:PORT or smtps://HOST:PORT */
    char smtp_user[256];     /* "" : no authentication */
    char smtp_password[256];
    bool smtp_starttls;      /* require STARTTLS on smtp:// */
    char mail_from[256];     /* "Name <address>" or an address */
    /* Mail in over IMAP (service/imap_poll.h): no imap_url, no polling. */
    char imap_url[256];         /* imap://HOST[:PORT]/FOLDER or imaps://... */
    char imap_user[256];
    char imap_password[256];    /* never printed */
    char imap_done_folder[256]; /* "": taken messages are flagged \Seen, not moved */
    unsigned imap_interval_s;   /* seconds between polls */
    bool imap_starttls;         /* require STARTTLS on an imap:// server */
    /* Mail in (service/mail_in.h; serve and mail-in). */
    int mail_in_hourly_max;         /* auto-replies stop past this many messages an hour */
    size_t mail_in_attachment_max;  /* bytes of one kept attachment */
    size_t mail_in_total_max;       /* bytes of all kept attachments of a message */
    char mail_addresses[256];       /* comma-separated addresses that are ours; "": mail_from's */
    char email[256];      /* staff add, token create */
    char name[256];       /* staff add: the person; token create: the token's name */
    char role[16];        /* staff add: agent, lead or admin */
    /* The calendar commands (docs/calendar.md). Instants are UTC seconds in 1970-2199. */
    char calendar_file[1024]; /* --calendar: "" means the default calendar */
    int year;                 /* calendar holidays: 1970-2199 */
    bool json;                /* calendar holidays: --json (the only output format) */
    int64_t start, seconds;   /* calendar add */
    int64_t from, to;         /* calendar between */
    int64_t at;               /* calendar next-open */
};

/* Look up an environment variable; NULL when unset. ctx is passed through. */
typedef const char *(*config_getenv_fn)(const char *name, void *ctx);

/* Parse argv (argv[0] is the program) and the environment into *out. Returns 0, or ERR_INVALID
 * with e->message a complete one-line message ("frontdesk serve: unknown flag --x") and
 * e->field the flag or variable. The caller prints it and exits 2. cores is the default for
 * --threads. */
int config_parse(int argc, char **argv, config_getenv_fn getenv_fn, void *ctx, unsigned cores,
                 struct config *out, struct err *e);

/* Usage text for the command in cfg (or the top level), with every flag, its variable and its
 * default. */
void config_usage(const struct config *cfg, struct buf *out);

/* Parse "HOST:PORT" / "[V6]:PORT" into cfg's listen fields. For tests and config_parse. */
int config_parse_listen(const char *s, struct http_server_config *cfg);
/* Parse a byte size: digits with an optional K, M or G suffix (powers of 1024). */
int config_parse_size(const char *s, size_t *out);

/* The mail gateway's settings from cfg (service/mail_in.h): our addresses (--mail-addresses, else
 * the address of --mail-from) and Message-ID domain (the domain of --mail-from's address). The
 * strings point into out, which must outlive their use. */
struct config_mail_in {
    struct mail_in_config mail_in;
    char addresses[256];
    char domain[256];
};
void config_mail_in(const struct config *cfg, struct config_mail_in *out);

#endif
