#include "core/roster.h"

#include "base/err.h"

#define DAY 86400
/* Wider than any UTC offset (the extremes are -12:00 and +14:00) plus a day of margin, so the
 * offsets read at W - MARGIN and W + MARGIN are those in force before and after any transition
 * near local wall time W. */
#define MARGIN (26 * 3600)

const char *roster_source_name(enum roster_source s)
{
    switch (s) {
    case ROSTER_SOURCE_ROTATION:
        return "rotation";
    case ROSTER_SOURCE_OVERRIDE:
        return "override";
    case ROSTER_SOURCE_NONE:
        break;
    }
    return "none";
}

static int64_t floor_mod(int64_t a, int64_t n)
{
    int64_t m = a % n;
    return m < 0 ? m + n : m;
}

bool roster_is_monday(int64_t day)
{
    /* 1970-01-01 was a Thursday: day + 3 is a multiple of 7 on Mondays. */
    return floor_mod(day + 3, 7) == 0;
}

/* UTC instant of wall time w (seconds as if the zone were UTC), fold=0: the offset in force
 * before a transition wins, both where w occurs twice and where it does not occur at all
 * (core/calendar.h resolves its hours the same way). At most one transition lies within a day
 * or so of w in every tzdata zone. */
static int64_t wall_to_utc(const struct calendar *cal, int64_t w)
{
    int32_t before = cal_utc_offset(cal, w - MARGIN);
    int32_t after = cal_utc_offset(cal, w + MARGIN);
    if (cal_utc_offset(cal, w - before) == before)
        return w - before; /* valid with the earlier offset (also the first of two) */
    if (cal_utc_offset(cal, w - after) == after)
        return w - after; /* only valid with the later offset */
    return w - before;    /* in a gap: read with the offset before it */
}

int64_t roster_day_start(const struct calendar *cal, int64_t day)
{
    return wall_to_utc(cal, day * DAY);
}

int64_t roster_week_of(const struct calendar *cal, int64_t t)
{
    int64_t d = cal_local_day(cal, t);
    int64_t monday = d - floor_mod(d + 3, 7);
    /* A transition at midnight can put t's local date in another week than the instants that
     * bound the weeks; the bounds decide. */
    if (t >= roster_day_start(cal, monday + 7))
        monday += 7;
    else if (t < roster_day_start(cal, monday))
        monday -= 7;
    return monday;
}

/* The eligible lead of week k, or 0 when none is. */
static int64_t lead_of_week(const struct roster_spec *r, int64_t k)
{
    int64_t n = (int64_t)r->nleads;
    int64_t j = floor_mod(k, n);
    for (int64_t step = 0; step < n; step++) {
        const struct roster_lead *l = &r->leads[floor_mod(j + step, n)];
        if (l->eligible && l->user_id > 0)
            return l->user_id;
    }
    return 0;
}

/* The eligible override covering t that was created last, or NULL. */
static const struct roster_override *winner(const struct roster_spec *r, int64_t t)
{
    const struct roster_override *w = NULL;
    for (size_t i = 0; i < r->noverrides; i++) {
        const struct roster_override *o = &r->overrides[i];
        if (o->eligible && o->user_id > 0 && o->starts_at <= t && t < o->ends_at &&
            (!w || o->id > w->id))
            w = o;
    }
    return w;
}

/* The earliest start after t, before limit (0: no limit), of an eligible override created after
 * min_id: the moment such an override would take over. 0 when none. */
static int64_t next_takeover(const struct roster_spec *r, int64_t t, int64_t limit, int64_t min_id)
{
    int64_t best = 0;
    for (size_t i = 0; i < r->noverrides; i++) {
        const struct roster_override *o = &r->overrides[i];
        if (!o->eligible || o->user_id <= 0 || o->id <= min_id || o->starts_at <= t)
            continue;
        if (limit && o->starts_at >= limit)
            continue;
        if (!best || o->starts_at < best)
            best = o->starts_at;
    }
    return best;
}

int roster_on_duty(const struct calendar *cal, const struct roster_spec *r, int64_t t,
                   struct roster_duty *out)
{
    if (r->nleads && !roster_is_monday(r->anchor_day))
        return ERR_INVALID;
    struct roster_duty d = {0, ROSTER_SOURCE_NONE, 0, 0};
    const struct roster_override *w = winner(r, t);
    if (w) {
        int64_t next = next_takeover(r, t, w->ends_at, w->id);
        d = (struct roster_duty){w->user_id, ROSTER_SOURCE_OVERRIDE, w->id,
                                 next ? next : w->ends_at};
    } else {
        int64_t user = 0, week_end = 0;
        if (r->nleads) {
            int64_t monday = roster_week_of(cal, t);
            user = lead_of_week(r, (monday - r->anchor_day) / 7);
            week_end = roster_day_start(cal, monday + 7);
        }
        int64_t next = next_takeover(r, t, user ? week_end : 0, INT64_MIN);
        d.user_id = user;
        d.source = user ? ROSTER_SOURCE_ROTATION : ROSTER_SOURCE_NONE;
        d.until = next ? next : (user ? week_end : 0);
    }
    *out = d;
    return 0;
}
