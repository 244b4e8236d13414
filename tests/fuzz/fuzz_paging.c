/* fuzz_paging: the `page[after]` cursor and `page[size]` parsers every list endpoint runs on
 * client input (src/http/paging.h).
 *
 * The input, NUL-terminated, is tried as both. Invariants from the header:
 *  - a cursor decodes only when it is exactly one we issue: re-encoding the id gives the same
 *    text, and the id is 1..INT64_MAX ("" decodes to 0, the beginning); the same for a keyed
 *    cursor (sort key 0..INT64_MAX and id), and no text decodes as both kinds;
 *  - failures are ERR_MALFORMED naming "page[after]" / "page[size]" and leave *out untouched;
 *  - a size parses only into 1..PAGING_SIZE_MAX, and only from its own canonical digits.
 */
#include "fuzz.h"

#include "http/paging.h"

#include <stdio.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    struct err e;
    err_clear(&e);
    int64_t id = -7;
    int rc = paging_cursor_decode(text, &id, &e);
    if (rc == 0) {
        if (text[0] == '\0') {
            FUZZ_CHECK(id == 0, "empty cursor gave %lld", (long long)id);
        } else {
            FUZZ_CHECK(id > 0, "cursor \"%s\" gave id %lld", text, (long long)id);
            char again[PAGING_CURSOR_MAX + 1];
            paging_cursor_encode(id, again);
            FUZZ_CHECK(strcmp(again, text) == 0, "cursor \"%s\" is not canonical (\"%s\")", text,
                       again);
        }
    } else {
        FUZZ_CHECK(rc == ERR_MALFORMED && strcmp(e.field, "page[after]") == 0 && id == -7,
                   "cursor failure: rc %d field \"%s\" id %lld", rc, e.field, (long long)id);
    }
    int64_t at = -7, kid = -7;
    err_clear(&e);
    int krc = paging_keyed_decode(text, &at, &kid, &e);
    if (krc == 0) {
        if (text[0] == '\0') {
            FUZZ_CHECK(at == 0 && kid == 0, "empty keyed cursor gave %lld:%lld", (long long)at,
                       (long long)kid);
        } else {
            FUZZ_CHECK(at >= 0 && kid > 0 && rc != 0, "keyed cursor \"%s\" gave %lld:%lld", text,
                       (long long)at, (long long)kid);
            char again[PAGING_CURSOR_MAX + 1];
            paging_keyed_encode(at, kid, again);
            FUZZ_CHECK(strcmp(again, text) == 0, "keyed cursor \"%s\" is not canonical", text);
        }
    } else {
        FUZZ_CHECK(krc == ERR_MALFORMED && strcmp(e.field, "page[after]") == 0 && at == -7 &&
                       kid == -7,
                   "keyed cursor failure: rc %d field \"%s\"", krc, e.field);
    }
    unsigned n = 12345;
    err_clear(&e);
    rc = paging_parse_size(text, &n, &e);
    if (rc == 0) {
        FUZZ_CHECK(n >= 1 && n <= PAGING_SIZE_MAX, "size \"%s\" gave %u", text, n);
        char again[16];
        snprintf(again, sizeof again, "%u", n);
        FUZZ_CHECK(strcmp(again, text) == 0 || text[0] == '0', "size \"%s\" read as %u", text, n);
    } else {
        FUZZ_CHECK(rc == ERR_MALFORMED && strcmp(e.field, "page[size]") == 0 && n == 12345,
                   "size failure: rc %d field \"%s\"", rc, e.field);
    }
    free(text);
    return 0;
}
