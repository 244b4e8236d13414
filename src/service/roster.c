/* roster (service): reads the roster's rows and the calendar's zone, and asks core/roster.h. */
#include "service/roster.h"

#include "base/buf.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "service/calendar_cache.h"
#include "service/policy_pack.h"
#include "store/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read a little past the cap, so overrides written by two racing transactions still count. */
#define CURRENT_READ_MAX (ROSTER_OVERRIDES_CURRENT_MAX + 32)

static int need_staff(const struct people_actor *actor, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "the duty roster is for staff");
    return 0;
}

static int need_admin(const struct people_actor *actor, struct err *e)
{
    if (!access_is_admin(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "only administrators edit the duty roster");
    return 0;
}

/* ---- who is on duty ---- */

/* Strict "YYYY-MM-DD" of a real date in 1970-2199 (the calendar's range), a Monday: its day
 * number into *day. */
static int check_anchor(const char *s, int64_t *day, struct err *e)
{
    const char *f = "roster.anchor_date";
    if (!s)
        return err_set(e, ERR_INVALID, f, "anchor_date is required: a Monday as YYYY-MM-DD");
    bool shaped = strlen(s) == ROSTER_DATE_LEN && s[4] == '-' && s[7] == '-';
    for (int i = 0; shaped && i < ROSTER_DATE_LEN; i++)
        shaped = i == 4 || i == 7 || (s[i] >= '0' && s[i] <= '9');
    if (!shaped)
        return err_set(e, ERR_INVALID, f, "anchor_date must be a date as YYYY-MM-DD");
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1970 || y > 2199 || m < 1 || m > 12 || d < 1 || d > timefmt_days_in_month(y, m))
        return err_set(e, ERR_INVALID, f, "anchor_date %s is not a date in 1970-2199", s);
    int64_t days = timefmt_days_from_civil((struct civil_date){y, m, d});
    if (!roster_is_monday(days))
        return err_set(e, ERR_INVALID, f, "anchor_date %s is not a Monday: weeks start on Monday",
                       s);
    *day = days;
    return 0;
}

int roster_duty_at(struct db *db, const struct calendar *cal, int64_t now, struct roster_duty *out,
                   struct err *e)
{
    struct roster_row row;
    int rc = roster_row_get(db, &row, e);
    if (rc)
        return rc;
    struct roster_row_lead *leads = xcalloc(ROSTER_LEADS_MAX, sizeof *leads);
    struct roster_lead *rl = xcalloc(ROSTER_LEADS_MAX, sizeof *rl);
    struct roster_override *ov = xcalloc(CURRENT_READ_MAX, sizeof *ov);
    size_t nleads = 0, nov = 0;
    rc = row.set ? roster_row_leads(db, leads, &nleads, e) : 0;
    rc = rc ? rc : roster_overrides_current(db, now, ov, CURRENT_READ_MAX, &nov, e);
    struct roster_spec spec = {0, rl, 0, ov, nov};
    /* Stored only after roster_update() checked it; a row written by hand that is not a Monday
     * reads as no rotation rather than failing every caller. */
    if (!rc && row.set && nleads && !check_anchor(row.anchor_date, &spec.anchor_day, NULL)) {
        for (size_t i = 0; i < nleads; i++)
            rl[i] = (struct roster_lead){leads[i].user_id, leads[i].eligible};
        spec.nleads = nleads;
    }
    if (!rc && roster_on_duty(cal, &spec, now, out))
        rc = err_set(e, ERR_INTERNAL, NULL, "the duty roster's anchor is not a Monday");
    free(ov);
    free(rl);
    free(leads);
    return rc;
}

int roster_lead_on_duty(const struct env *env, struct db *db, int64_t now, int64_t *user_id,
                        struct err *e)
{
    const struct calendar *cal;
    struct calendar_ref *ref;
    int rc = calendar_cache_acquire(env, db, &cal, &ref, e);
    if (rc)
        return rc;
    struct roster_duty d;
    rc = roster_duty_at(db, cal, now, &d, e);
    calendar_cache_release(ref);
    if (!rc)
        *user_id = d.user_id;
    return rc;
}

struct now_ctx {
    const struct env *env;
    struct roster_now *out;
};

static int now_tx(struct db *db, void *arg, struct err *e)
{
    struct now_ctx *c = arg;
    const struct calendar *cal;
    struct calendar_ref *ref;
    int rc = calendar_cache_acquire(c->env, db, &cal, &ref, e);
    if (rc)
        return rc;
    memset(c->out, 0, sizeof *c->out);
    rc = roster_duty_at(db, cal, c->env->now(c->env), &c->out->duty, e);
    calendar_cache_release(ref);
    if (!rc && c->out->duty.user_id)
        rc = users_get(db, c->out->duty.user_id, &c->out->user, e);
    return rc;
}

int roster_now_show(const struct env *env, struct db *db, const struct people_actor *actor,
                    struct roster_now *out, struct err *e)
{
    int rc = need_staff(actor, e);
    struct now_ctx c = {env, out};
    return rc ? rc : db_transact(db, DB_TX_READ, now_tx, &c, e);
}

/* ---- the rotation ---- */

static int show_tx(struct db *db, void *arg, struct err *e)
{
    return roster_row_get(db, arg, e);
}

int roster_show(struct db *db, const struct people_actor *actor, struct roster_row *out,
                struct err *e)
{
    int rc = need_staff(actor, e);
    return rc ? rc : db_transact(db, DB_TX_READ, show_tx, out, e);
}

/* The user may be on duty: exists, active, lead or admin. ERR_INVALID naming field otherwise. */
static int check_lead(struct db *db, int64_t id, const char *field, struct err *e)
{
    struct user u;
    int rc = users_get(db, id, &u, e);
    if (rc == ERR_NOT_FOUND)
        return err_set(e, ERR_INVALID, field, "user %lld does not exist", (long long)id);
    if (rc)
        return rc;
    if (!u.active)
        return err_set(e, ERR_INVALID, field, "user %lld is deactivated", (long long)id);
    if (strcmp(u.role, "lead") && strcmp(u.role, "admin"))
        return err_set(e, ERR_INVALID, field,
                       "user %lld is not a lead or an admin (role %s): only they can be on duty",
                       (long long)id, u.role);
    return 0;
}

static int audit(struct db *db, const struct people_actor *actor, int64_t now, const char *action,
                 const char *type, int64_t id, const char *detail, struct err *e)
{
    struct audit_entry a = {.at = now,
                            .actor_id = actor->subject.user_id,
                            .action = action,
                            .target_type = type,
                            .target_id = id,
                            .ip = actor->ip,
                            .detail = detail};
    return audit_append(db, &a, e);
}

struct update_ctx {
    const struct env *env;
    const struct people_actor *actor;
    const char *anchor_date;
    const int64_t *lead_ids;
    size_t n;
    struct roster_row *out;
};

static int update_tx(struct db *db, void *arg, struct err *e)
{
    struct update_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int rc = 0;
    for (size_t i = 0; i < c->n && !rc; i++)
        rc = check_lead(db, c->lead_ids[i], "roster.lead_ids", e);
    rc = rc ? rc
            : roster_row_put(db, c->anchor_date, c->lead_ids, c->n, c->actor->subject.user_id, now,
                             e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 0);
    buf_appendf(&d, "{\"anchor_date\":\"%s\",\"lead_ids\":[", c->anchor_date);
    for (size_t i = 0; i < c->n; i++)
        buf_appendf(&d, "%s%lld", i ? "," : "", (long long)c->lead_ids[i]);
    buf_append_cstr(&d, "]}");
    rc = audit(db, c->actor, now, "roster.changed", "roster", 1, buf_cstr(&d), e);
    buf_release(&d);
    return rc ? rc : roster_row_get(db, c->out, e);
}

int roster_update(const struct env *env, struct db *db, const struct people_actor *actor,
                  const char *anchor_date, const int64_t *lead_ids, size_t n,
                  struct roster_row *out, struct err *e)
{
    int rc = need_admin(actor, e);
    int64_t day;
    rc = rc ? rc : check_anchor(anchor_date, &day, e);
    if (rc)
        return rc;
    if (n > ROSTER_LEADS_MAX)
        return err_set(e, ERR_INVALID, "roster.lead_ids", "lead_ids has more than %d entries",
                       ROSTER_LEADS_MAX);
    for (size_t i = 0; i < n; i++) {
        if (lead_ids[i] <= 0)
            return err_set(e, ERR_INVALID, "roster.lead_ids",
                           "lead_ids[%zu] must be the id of a lead", i);
        for (size_t j = 0; j < i; j++)
            if (lead_ids[j] == lead_ids[i])
                return err_set(e, ERR_INVALID, "roster.lead_ids",
                               "user %lld appears twice in lead_ids", (long long)lead_ids[i]);
    }
    struct update_ctx c = {env, actor, anchor_date, lead_ids, n, out};
    return db_transact(db, DB_TX_WRITE, update_tx, &c, e);
}

/* ---- overrides ---- */

struct page_ctx {
    int64_t after;
    unsigned limit;
    struct roster_override_row *out;
    size_t *n;
};

static int page_tx(struct db *db, void *arg, struct err *e)
{
    struct page_ctx *c = arg;
    return roster_overrides_list(db, 0, c->after, c->limit, c->out, c->n, e);
}

int roster_overrides_page(struct db *db, const struct people_actor *actor, int64_t after,
                          unsigned limit, struct roster_override_row *out, size_t *n, struct err *e)
{
    int rc = need_staff(actor, e);
    struct page_ctx c = {after, limit, out, n};
    return rc ? rc : db_transact(db, DB_TX_READ, page_tx, &c, e);
}

/* The reason trimmed into out: one line of valid UTF-8, 1..ROSTER_REASON_MAX characters. */
static int clean_reason(const char *s, char *out, size_t cap, struct err *e)
{
    const char *f = "roster_override.reason";
    if (!s)
        return err_set(e, ERR_INVALID, f, "reason is required: say why the roster changes");
    size_t len = strlen(s);
    if (!utf8_valid(s, len))
        return err_set(e, ERR_INVALID, f, "reason is not valid UTF-8");
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    if (!len)
        return err_set(e, ERR_INVALID, f, "reason must not be empty");
    size_t chars = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f)
            return err_set(e, ERR_INVALID, f, "reason must be one line without control characters");
        chars += (ch & 0xc0) != 0x80;
    }
    if (chars > ROSTER_REASON_MAX || len >= cap)
        return err_set(e, ERR_INVALID, f, "reason is longer than %d characters", ROSTER_REASON_MAX);
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

static int check_span(const struct roster_override_input *in, int64_t now, struct err *e)
{
    const char *f = "roster_override.ends_at";
    if (in->ends_at <= in->starts_at)
        return err_set(e, ERR_INVALID, f, "ends_at must be after starts_at");
    if (in->ends_at <= now)
        return err_set(e, ERR_INVALID, f, "ends_at is in the past: the override would never apply");
    if (in->ends_at - in->starts_at > ROSTER_OVERRIDE_SPAN_MAX)
        return err_set(e, ERR_INVALID, f, "an override lasts at most 366 days");
    return 0;
}

static void detail_of(struct buf *d, const struct roster_override_row *o)
{
    char a[TIMEFMT_ISO_LEN + 1], b[TIMEFMT_ISO_LEN + 1];
    timefmt_iso8601(o->starts_at, a);
    timefmt_iso8601(o->ends_at, b);
    buf_appendf(d, "{\"user_id\":%lld,\"starts_at\":\"%s\",\"ends_at\":\"%s\",\"reason\":",
                (long long)o->user_id, a, b);
    buf_append_json_str(d, o->reason, strlen(o->reason));
    buf_append_char(d, '}');
}

struct add_ctx {
    const struct env *env;
    const struct people_actor *actor;
    const struct roster_override_input *in;
    const char *reason;
    struct roster_override_row *out;
};

static int add_tx(struct db *db, void *arg, struct err *e)
{
    struct add_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int rc = check_lead(db, c->in->user_id, "roster_override.user_id", e);
    rc = rc ? rc : check_span(c->in, now, e);
    int64_t current = 0;
    rc = rc ? rc : roster_overrides_count_ending_after(db, now, &current, e);
    if (!rc && current >= ROSTER_OVERRIDES_CURRENT_MAX)
        rc = err_set(e, ERR_CONFLICT, "roster_override",
                     "%d overrides are current or ahead already: remove some first",
                     ROSTER_OVERRIDES_CURRENT_MAX);
    rc = rc ? rc
            : roster_overrides_insert(db, c->in->user_id, c->in->starts_at, c->in->ends_at,
                                      c->reason, c->actor->subject.user_id, now, c->out, e);
    if (rc)
        return rc;
    struct buf d;
    buf_init(&d, 0);
    detail_of(&d, c->out);
    rc = audit(db, c->actor, now, "roster.override_added", "roster_override", c->out->id,
               buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

int roster_override_add(const struct env *env, struct db *db, const struct people_actor *actor,
                        const struct roster_override_input *in, struct roster_override_row *out,
                        struct err *e)
{
    int rc = need_admin(actor, e);
    if (rc)
        return rc;
    if (in->user_id <= 0)
        return err_set(e, ERR_INVALID, "roster_override.user_id",
                       "user_id is required: the lead to put on duty");
    char *reason = xmalloc(ROSTER_REASON_MAX * 4 + 1);
    rc = clean_reason(in->reason, reason, ROSTER_REASON_MAX * 4 + 1, e);
    struct add_ctx c = {env, actor, in, reason, out};
    rc = rc ? rc : db_transact(db, DB_TX_WRITE, add_tx, &c, e);
    free(reason);
    return rc;
}

struct remove_ctx {
    const struct env *env;
    const struct people_actor *actor;
    int64_t id;
};

static int remove_tx(struct db *db, void *arg, struct err *e)
{
    struct remove_ctx *c = arg;
    struct roster_override_row *o = xmalloc(sizeof *o);
    int rc = roster_overrides_get(db, c->id, o, e);
    rc = rc ? rc : roster_overrides_delete(db, c->id, e);
    if (!rc) {
        struct buf d;
        buf_init(&d, 0);
        detail_of(&d, o);
        rc = audit(db, c->actor, c->env->now(c->env), "roster.override_removed", "roster_override",
                   c->id, buf_cstr(&d), e);
        buf_release(&d);
    }
    free(o);
    return rc;
}

int roster_override_remove(const struct env *env, struct db *db, const struct people_actor *actor,
                           int64_t id, struct err *e)
{
    int rc = need_admin(actor, e);
    struct remove_ctx c = {env, actor, id};
    return rc ? rc : db_transact(db, DB_TX_WRITE, remove_tx, &c, e);
}
