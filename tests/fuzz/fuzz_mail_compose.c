/* fuzz_mail_compose: mail_compose(), which turns subjects, names and bodies written by requesters
 * and staff into the bytes handed to SMTP (core/mail_compose.h).
 *
 * Input: fields separated by NUL bytes, in this order: subject, text, html, from_name,
 * to_address, from_address, message_id, in_reply_to, references. A missing field takes a valid
 * default (html, in_reply_to and references: NULL; an empty html is NULL too). The date is the
 * first 8 input bytes read as a signed number; auto_submitted is the input length's low bit.
 *
 * Invariants: a failure is ERR_INVALID naming from_address, to_address or message_id, with the
 * output as it was; a success is appended after what out held and the same input gives the same
 * bytes; CRLF line endings only; every line at most 998 octets and, after the header block, at
 * most 76 (quoted-printable); no header is added by input: the header names before the first
 * empty line are exactly the fixed set (Date, From, To, Subject, Message-ID, MIME-Version,
 * Content-Type, each once, Auto-Submitted when asked, In-Reply-To and References when the field
 * holds an identifier of the header's shape), every other header line a continuation; the
 * boundary occurs in the body exactly three times (two delimiters, the close delimiter; a
 * subject may hold it: headers are not searched for boundaries, RFC 2046 section 5.1.1).
 */
#include "fuzz.h"

#include "base/buf.h"
#include "core/mail_compose.h"

#include <string.h>

#define NFIELDS 9

/* The header's Message-ID shape, written apart from the .c: among the runs of octets other than
 * spaces and controls, one of "<", 1..MAIL_COMPOSE_ID_MAX octets 0x21..0x7E but "<" ">", ">". */
static bool is_sep(unsigned char c)
{
    return c <= 0x20 || c == 0x7F;
}

static bool ref_has_id(const char *s)
{
    if (!s)
        return false;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        while (i < len && is_sep((unsigned char)s[i]))
            i++;
        size_t a = i;
        while (i < len && !is_sep((unsigned char)s[i]))
            i++;
        size_t n = i - a;
        if (n < 3 || n > MAIL_COMPOSE_ID_MAX + 2 || s[a] != '<' || s[i - 1] != '>')
            continue;
        bool ok = true;
        for (size_t k = a + 1; k + 1 < i; k++)
            if ((unsigned char)s[k] >= 0x80 || s[k] == '<' || s[k] == '>')
                ok = false;
        if (ok)
            return true;
    }
    return false;
}

static size_t count_of(const char *hay, size_t len, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (size_t i = 0; i + k <= len; i++)
        if (memcmp(hay + i, needle, k) == 0)
            n++;
    return n;
}

static void check_message(const char *msg, size_t len, const struct mail_message *m)
{
    for (size_t i = 0; i < len; i++) {
        if (msg[i] == '\r')
            FUZZ_CHECK(i + 1 < len && msg[i + 1] == '\n', "bare CR at %zu", i);
        if (msg[i] == '\n')
            FUZZ_CHECK(i > 0 && msg[i - 1] == '\r', "bare LF at %zu", i);
    }
    FUZZ_CHECK(len >= 2 && msg[len - 2] == '\r' && msg[len - 1] == '\n', "no final CRLF");

    static const char *const names[] = {
        "Date",         "From",         "To",          "Subject",    "Message-ID",
        "MIME-Version", "Content-Type", "In-Reply-To", "References", "Auto-Submitted"};
    size_t seen[10] = {0};
    bool in_header = true;
    const char *boundary = NULL;
    size_t blen = 0, body = len;
    for (size_t a = 0; a < len;) {
        const char *eol = memchr(msg + a, '\r', len - a);
        size_t n = (size_t)(eol - (msg + a));
        FUZZ_CHECK(n <= 998, "line of %zu octets at %zu", n, a);
        const char *line = msg + a;
        if (in_header && n == 0) {
            in_header = false;
            body = a + 2;
        } else if (in_header && (line[0] == ' ' || line[0] == '\t')) {
            FUZZ_CHECK(a > 0, "message starts with a continuation");
        } else if (in_header) {
            const char *colon = memchr(line, ':', n);
            FUZZ_CHECK(colon, "header line without a colon: %.*s", (int)n, line);
            size_t k = 0;
            while (k < 10 && !(strlen(names[k]) == (size_t)(colon - line) &&
                               memcmp(names[k], line, (size_t)(colon - line)) == 0))
                k++;
            FUZZ_CHECK(k < 10, "unknown header: %.*s", (int)n, line);
            seen[k]++;
            const char *key = "Content-Type: multipart/alternative; boundary=\"";
            if (k == 6) {
                FUZZ_CHECK(n > strlen(key) + 1 && memcmp(line, key, strlen(key)) == 0 &&
                               line[n - 1] == '"',
                           "Content-Type: %.*s", (int)n, line);
                boundary = line + strlen(key);
                blen = n - strlen(key) - 1;
            }
        } else {
            FUZZ_CHECK(n <= 76, "body line of %zu octets at %zu", n, a);
        }
        a += n + 2;
    }
    FUZZ_CHECK(!in_header, "no empty line after the header");
    for (size_t k = 0; k < 7; k++)
        FUZZ_CHECK(seen[k] == 1, "%s seen %zu times", names[k], seen[k]);
    FUZZ_CHECK(seen[7] == (size_t)ref_has_id(m->in_reply_to), "In-Reply-To seen %zu", seen[7]);
    FUZZ_CHECK(seen[8] == (size_t)ref_has_id(m->references), "References seen %zu", seen[8]);
    FUZZ_CHECK(seen[9] == (size_t)m->auto_submitted, "Auto-Submitted seen %zu", seen[9]);

    char b[80];
    FUZZ_CHECK(boundary && blen > 0 && blen < sizeof b, "boundary of %zu octets", blen);
    memcpy(b, boundary, blen);
    b[blen] = '\0';
    size_t nb = count_of(msg + body, len - body, b);
    FUZZ_CHECK(nb == 3, "boundary %s seen %zu times in the body", b, nb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = fuzz_cstr(data, size);
    const char *field[NFIELDS] = {0};
    size_t nf = 0, start = 0;
    for (size_t i = 0; i <= size && nf < NFIELDS; i++) {
        if (i == size || copy[i] == '\0') {
            field[nf++] = copy + start;
            start = i + 1;
        }
    }
    uint64_t bits = 0;
    for (size_t i = 0; i < 8 && i < size; i++)
        bits = bits << 8 | data[i];

    struct mail_message m = {
        .subject = field[0],
        .text = field[1],
        .html = field[2] && field[2][0] ? field[2] : NULL,
        .from_name = nf > 3 ? field[3] : "RareLogic Support",
        .to_address = nf > 4 ? field[4] : "ada@example.com",
        .from_address = nf > 5 ? field[5] : "support@rarelogic.example",
        .message_id = nf > 6 ? field[6] : "<outbox-1.ab@rarelogic.example>",
        .in_reply_to = field[7],
        .references = field[8],
        .date = (int64_t)bits,
        .auto_submitted = size & 1,
    };

    struct buf out;
    buf_init(&out, 0);
    buf_append_cstr(&out, "seed");
    struct err e;
    err_clear(&e);
    int rc = mail_compose(&m, &out, &e);
    if (rc != 0) {
        FUZZ_CHECK(rc == ERR_INVALID, "rc %d", rc);
        FUZZ_CHECK(strcmp(e.field, "from_address") == 0 || strcmp(e.field, "to_address") == 0 ||
                       strcmp(e.field, "message_id") == 0,
                   "field %s", e.field);
        FUZZ_CHECK(out.len == 4 && memcmp(out.ptr, "seed", 4) == 0, "out changed on failure");
    } else {
        FUZZ_CHECK(memcmp(out.ptr, "seed", 4) == 0, "out's content overwritten");
        check_message(out.ptr + 4, out.len - 4, &m);
        struct buf again;
        buf_init(&again, 0);
        FUZZ_CHECK(mail_compose(&m, &again, NULL) == 0, "second compose failed");
        FUZZ_CHECK(again.len == out.len - 4 && memcmp(again.ptr, out.ptr + 4, again.len) == 0,
                   "not deterministic");
        buf_release(&again);
    }
    buf_release(&out);
    free(copy);
    return 0;
}
