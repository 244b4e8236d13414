/* fuzz_config: the value parsers of src/app/config.h, fed what an environment variable can hold.
 *
 * The input, cut at its first NUL as getenv() would, goes to config_parse_listen()
 * (FRONTDESK_LISTEN) and config_parse_size() (FRONTDESK_MAX_BODY_SIZE and friends).
 *
 * Invariants:
 *  - listen: success stores an IPv4 or IPv6 literal that the server's own inet_pton() accepts
 *    (http_server_config.listen_host is documented as one) and a port of at most 65535, and
 *    writing them back as "HOST:PORT" or "[V6]:PORT" parses to the same; failure leaves the
 *    config untouched;
 *  - size: the value is what a reference reading gives (decimal digits, one optional K/M/G
 *    suffix in powers of 1024, nothing else, no overflow), and failure leaves *out untouched.
 */
#include "fuzz.h"

#include "app/config.h"
#include "base/err.h"

#include <arpa/inet.h>
#include <string.h>

static void check_listen(const char *s)
{
    struct http_server_config cfg;
    memset(&cfg, 0x33, sizeof cfg);
    struct http_server_config before = cfg;
    if (config_parse_listen(s, &cfg)) {
        FUZZ_CHECK(memcmp(&cfg, &before, sizeof cfg) == 0, "config written on failure");
        return;
    }
    size_t n = strnlen(cfg.listen_host, sizeof cfg.listen_host);
    FUZZ_CHECK(n > 0 && n < sizeof cfg.listen_host, "host length %zu", n);
    FUZZ_CHECK(cfg.listen_port <= 65535, "port %u", cfg.listen_port);
    unsigned char bytes[16];
    bool v4 = inet_pton(AF_INET, cfg.listen_host, bytes) == 1;
    bool v6 = !v4 && inet_pton(AF_INET6, cfg.listen_host, bytes) == 1;
    FUZZ_CHECK(v4 || v6, "\"%s\" accepted, but the server cannot bind host \"%s\"", s,
               cfg.listen_host);

    char again[128];
    snprintf(again, sizeof again, v6 ? "[%s]:%u" : "%s:%u", cfg.listen_host, cfg.listen_port);
    struct http_server_config cfg2;
    memset(&cfg2, 0, sizeof cfg2);
    FUZZ_CHECK(config_parse_listen(again, &cfg2) == 0, "our own \"%s\" does not parse", again);
    FUZZ_CHECK(strcmp(cfg2.listen_host, cfg.listen_host) == 0 &&
                   cfg2.listen_port == cfg.listen_port,
               "\"%s\" reads back as %s port %u", again, cfg2.listen_host, cfg2.listen_port);
}

/* Reference reading of a size; false when invalid or too large for size_t. */
static bool ref_size(const char *s, size_t *out)
{
    size_t i = 0;
    unsigned __int128 v = 0;
    while (s[i] >= '0' && s[i] <= '9') {
        v = v * 10 + (unsigned)(s[i] - '0');
        if (v > SIZE_MAX)
            return false;
        i++;
    }
    if (i == 0)
        return false;
    unsigned __int128 mult = 1;
    switch (s[i]) {
    case 'k':
    case 'K':
        mult = 1024;
        i++;
        break;
    case 'm':
    case 'M':
        mult = 1024 * 1024;
        i++;
        break;
    case 'g':
    case 'G':
        mult = 1024 * 1024 * 1024;
        i++;
        break;
    default:
        break;
    }
    if (s[i] != '\0' || v * mult > SIZE_MAX)
        return false;
    *out = (size_t)(v * mult);
    return true;
}

static void check_size(const char *s)
{
    size_t got = 12345, want = 0;
    int rc = config_parse_size(s, &got);
    bool ok = ref_size(s, &want);
    FUZZ_CHECK((rc == 0) == ok, "\"%.80s\": rc %d, reference says %s", s, rc,
               ok ? "valid" : "invalid");
    if (ok)
        FUZZ_CHECK(got == want, "\"%.80s\": %zu, expected %zu", s, got, want);
    else
        FUZZ_CHECK(rc == ERR_INVALID && got == 12345, "failure: rc %d, *out %zu", rc, got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    check_listen(s);
    check_size(s);
    free(s);
    return 0;
}
