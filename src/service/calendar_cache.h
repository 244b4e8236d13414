/* calendar_cache: the support calendar in force, built once and shared by every thread.
 *
 * Building a calendar resolves 230 years of intervals (a few ms, ~2 MB: core/calendar.h), so
 * the process keeps the one it built and reuses it while the stored calendar's text stays the
 * same. It reads the stored text again at most once every CALENDAR_CACHE_RECHECK_NS, so a
 * change made through another server process on the same database is picked up within that
 * time; a change made through this process is picked up at once (calendar_cache_forget()).
 *
 * A reference keeps its calendar alive after a newer one replaced it, until released.
 */
#ifndef FRONTDESK_SERVICE_CALENDAR_CACHE_H
#define FRONTDESK_SERVICE_CALENDAR_CACHE_H

#include "base/env.h"
#include "base/err.h"
#include "core/calendar.h"
#include "db/db.h"

#define CALENDAR_CACHE_RECHECK_NS (1000 * 1000 * 1000LL)

struct calendar_ref;

/* The calendar in force, on db: *out stays valid until calendar_cache_release(*ref). */
int calendar_cache_acquire(const struct env *env, struct db *db, const struct calendar **out,
                           struct calendar_ref **ref, struct err *e);
void calendar_cache_release(struct calendar_ref *ref);

/* Read the stored calendar again at the next acquire (after this process changed it). */
void calendar_cache_forget(void);

#endif
