/* fuzz_sla_json: sla_json_parse(), which reads the SLA targets of the policy pack and the
 * settings (and, later, an admin's API body).
 *
 * Invariants: a failure is ERR_INVALID, ERR_MALFORMED or ERR_LIMIT with a field and the output
 * untouched; a success holds every target with 0 < warn < due, low filled in, and rendering it
 * back (sla_json_render) parses to the same targets.
 */
#include "fuzz.h"

#include "base/buf.h"
#include "service/sla_json.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sla_targets t, again;
    memset(&t, 0xA5, sizeof t);
    struct sla_targets untouched = t;
    struct err e;
    err_clear(&e);
    int rc = sla_json_parse((const char *)data, size, &t, &e);
    if (rc) {
        FUZZ_CHECK(rc == ERR_INVALID || rc == ERR_MALFORMED || rc == ERR_LIMIT, "rc %d", rc);
        FUZZ_CHECK(e.field[0] != '\0', "failure without a field: %s", e.message);
        FUZZ_CHECK(memcmp(&t, &untouched, sizeof t) == 0, "output changed on failure");
        return 0;
    }
    const struct sla_target *all[1 + TICKET_PRIORITY_COUNT] = {&t.first_touch};
    for (int p = 0; p < TICKET_PRIORITY_COUNT; p++)
        all[1 + p] = &t.follow_up[p];
    for (int i = 0; i <= TICKET_PRIORITY_COUNT; i++)
        FUZZ_CHECK(all[i]->warn_s > 0 && all[i]->warn_s < all[i]->due_s &&
                       (all[i]->clock == SLA_CLOCK_BUSINESS || all[i]->clock == SLA_CLOCK_CALENDAR),
                   "target %d: warn %lld due %lld", i, (long long)all[i]->warn_s,
                   (long long)all[i]->due_s);
    struct buf b;
    buf_init(&b, 0);
    FUZZ_CHECK(sla_json_render(&t, &b) == 0, "render failed");
    err_clear(&e);
    rc = sla_json_parse(b.ptr, b.len, &again, &e);
    FUZZ_CHECK(rc == 0, "rendered targets do not parse: %s (%s)", e.message, buf_cstr(&b));
    FUZZ_CHECK(memcmp(&t, &again, sizeof t) == 0, "render/parse changed the targets: %s",
               buf_cstr(&b));
    buf_release(&b);
    return 0;
}
