/* fuzz_sniff: sniff_content_type(), which types every uploaded file from its bytes.
 *
 * Invariants: it is total (any bytes, any length) and answers one of the inert types of
 * core/sniff.h, never an active one (text/html, image/svg+xml, anything with "html", "xml",
 * "svg" or "script"); it is deterministic; a known magic number wins whatever follows it; and
 * text/plain is only ever given to input whose window holds no NUL.
 */
#include "fuzz.h"

#include "core/sniff.h"

#include <stdbool.h>
#include <string.h>

static const char *const inert[] = {
    "image/png",       "image/jpeg",       "image/gif",      "image/webp", "application/pdf",
    "application/zip", "application/gzip", SNIFF_TEXT_PLAIN, SNIFF_OCTET,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *got = sniff_content_type(data, size);
    bool known = false;
    for (size_t i = 0; i < sizeof inert / sizeof inert[0]; i++)
        known = known || strcmp(got, inert[i]) == 0;
    FUZZ_CHECK(known, "unexpected type \"%s\" (%zu bytes)", got, size);
    FUZZ_CHECK(!strstr(got, "html") && !strstr(got, "xml") && !strstr(got, "svg") &&
                   !strstr(got, "script"),
               "active type \"%s\"", got);
    FUZZ_CHECK(strcmp(sniff_content_type(data, size), got) == 0, "not deterministic");
    if (strcmp(got, SNIFF_TEXT_PLAIN) == 0) {
        size_t n = size < SNIFF_TEXT_WINDOW ? size : SNIFF_TEXT_WINDOW;
        FUZZ_CHECK(!memchr(data, 0, n), "text/plain with a NUL in the window");
    }

    /* The same bytes behind a PNG signature are a PNG. */
    uint8_t *png = malloc(size + 8);
    if (!png)
        abort();
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    if (size)
        memcpy(png + 8, data, size);
    const char *p = sniff_content_type(png, size + 8);
    FUZZ_CHECK(strcmp(p, "image/png") == 0, "PNG signature gave \"%s\"", p);
    free(png);
    return 0;
}
