/* The calendar commands: `calendar holidays`, `calendar add`, `calendar between` and
 * `calendar next-open` (issue 4's CLI contract, docs/calendar.md). They read at most one file and
 * need no database, so the support calendar can be checked from outside with nothing set up.
 * Exit status: 0, or 2 for bad input with one line on stderr naming the key path or the flag. */
#include "app/commands.h"

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "core/calendar.h"
#include "core/holidays.h"
#include "service/calendar_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage_error(const struct config *cfg, const char *what, const char *msg)
{
    fprintf(stderr, "frontdesk %s: %s: %s\n", cfg->cmd_name, what, msg);
    return 2;
}

/* The whole file, capped one byte over what the parser takes so an overlong file is refused by
 * the parser with its own message. */
static int read_file(const char *path, struct buf *out, char *why, size_t whylen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, whylen, "cannot open \"%.200s\": %s", path, strerror(errno));
        return -1;
    }
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && out->len <= CALENDAR_JSON_MAX)
        buf_append(out, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(why, whylen, "cannot read \"%.200s\"", path);
        return -1;
    }
    return 0;
}

/* The spec from --calendar, or the default calendar. Returns 0 or the exit status. */
static int load_spec(const struct config *cfg, struct cal_spec *s)
{
    if (!cfg->calendar_file[0]) {
        cal_spec_default(s);
        return 0;
    }
    struct buf text;
    buf_init(&text, 0);
    char why[300];
    if (read_file(cfg->calendar_file, &text, why, sizeof why)) {
        buf_release(&text);
        return usage_error(cfg, "--calendar", why);
    }
    struct err e;
    err_clear(&e);
    int rc = calendar_json_parse(text.ptr ? text.ptr : "", text.len, s, &e);
    buf_release(&text);
    if (rc) /* the message starts with the key path: "hours.mon[0] must be ..." */
        return usage_error(cfg, cfg->calendar_file, e.message);
    return 0;
}

static int print_holidays(const struct config *cfg, const struct cal_spec *s)
{
    struct holidays_entry *list = xmalloc(HOLIDAYS_YEAR_MAX_ENTRIES * sizeof *list);
    size_t n = 0;
    int rc = holidays_year(&s->holidays, cfg->year, list, HOLIDAYS_YEAR_MAX_ENTRIES, &n);
    if (rc) {
        free(list);
        return usage_error(cfg, "--year", "must be 1970 to 2199");
    }
    struct buf out;
    buf_init(&out, 0);
    calendar_json_holidays(list, n, &out);
    buf_append_char(&out, '\n');
    fputs(buf_cstr(&out), stdout);
    buf_release(&out);
    free(list);
    return 0;
}

static void print_instant(int64_t t)
{
    char iso[TIMEFMT_ISO_LEN + 1];
    timefmt_iso8601(t, iso);
    printf("%s\n", iso);
}

/* add, between, next-open on a built calendar. */
static int query(const struct config *cfg, const struct calendar *c)
{
    int64_t t = 0;
    int rc = 0;
    const char *flag = "--at";
    switch (cfg->cmd) {
    case CONFIG_CMD_CAL_BETWEEN:
        printf("%lld\n", (long long)cal_between(c, cfg->from, cfg->to));
        return 0;
    case CONFIG_CMD_CAL_ADD:
        rc = cal_add(c, cfg->start, cfg->seconds, &t);
        flag = "--seconds";
        break;
    default: rc = cal_next_open(c, cfg->at, &t); break;
    }
    if (rc == ERR_INVALID)
        return usage_error(cfg, "hours", "the calendar is never open (no open hours outside holidays)");
    if (rc)
        return usage_error(cfg, flag, "the result would fall after 2199-12-31, the calendar's last date");
    print_instant(t);
    return 0;
}

int cmd_calendar(const struct config *cfg, struct env *env)
{
    struct cal_spec *s = xmalloc(sizeof *s);
    int status = load_spec(cfg, s);
    if (status == 0 && cfg->cmd == CONFIG_CMD_CAL_HOLIDAYS) {
        status = print_holidays(cfg, s);
    } else if (status == 0) {
        struct calendar *c = NULL;
        struct err e;
        err_clear(&e);
        if (cal_new(s, &c, &e))
            status = usage_error(cfg, e.field[0] ? e.field : "calendar", e.message);
        else
            status = query(cfg, c);
        cal_free(c);
    }
    free(s);
    fflush(stdout);
    return status;
}
