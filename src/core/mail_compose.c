#include "core/mail_compose.h"

#include "base/timefmt.h"
#include "core/email_addr.h"

#include <string.h>

#define LINE_SOFT      78 /* RFC 5322 section 2.1.1: lines SHOULD be at most 78 octets */
#define QP_LINE        76 /* RFC 2045 section 6.7 rule 5 */
#define WORD_OCTETS    40 /* UTF-8 octets per encoded word: 56 base64 + 12 = 68 <= 75 */
#define BOUNDARY_TRIES 16 /* never more than one in practice: QP never writes "=_" */

/* A sticky-error writer: after the first failed append nothing more is written, and the caller
 * checks once at the end (the output is cut back to where it started). */
struct wr {
    struct buf *b;
    int rc;
};

static void put(struct wr *w, const char *s, size_t n)
{
    if (w->rc == 0)
        w->rc = buf_append(w->b, s, n);
}

static void puts_(struct wr *w, const char *s)
{
    put(w, s, strlen(s));
}

/* ---- UTF-8 and header characters ---- */

/* The character at s[*i]: its bytes in ch (U+FFFD for an invalid sequence, which consumes one
 * byte), their count returned, *i advanced. */
static size_t next_char(const char *s, size_t len, size_t *i, char ch[4])
{
    unsigned char c = (unsigned char)s[*i];
    size_t n = c < 0x80                 ? 1
               : c >= 0xC2 && c <= 0xDF ? 2
               : c >= 0xE0 && c <= 0xEF ? 3
               : c >= 0xF0 && c <= 0xF4 ? 4
                                        : 0;
    if (n == 0 || n > len - *i || !utf8_valid(s + *i, n)) {
        memcpy(ch, "\xEF\xBF\xBD", 3);
        *i += 1;
        return 3;
    }
    memcpy(ch, s + *i, n);
    *i += n;
    return n;
}

static bool is_ctl(unsigned char c)
{
    return c < 0x20 || c == 0x7F;
}

/* A header value's octet as written: controls become spaces (no CR or LF ever reaches a
 * header, so input cannot start a header line of its own). */
static char hdr_octet(char c)
{
    return is_ctl((unsigned char)c) ? ' ' : c;
}

/* ---- RFC 2047 encoded words ---- */

static void put_base64(struct wr *w, const unsigned char *p, size_t n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char out[4];
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        out[0] = abc[v >> 18 & 63];
        out[1] = abc[v >> 12 & 63];
        out[2] = i + 1 < n ? abc[v >> 6 & 63] : '=';
        out[3] = i + 2 < n ? abc[v & 63] : '=';
        put(w, out, 4);
    }
}

/* Write [s, s + len) as "B" encoded words of whole UTF-8 characters (RFC 2047 section 5 rule 3),
 * controls as spaces and bad UTF-8 as U+FFFD, the first after what the line holds and each next
 * one on a folded line. Returns the column after the last word. */
static size_t put_words(struct wr *w, size_t col, const char *s, size_t len)
{
    unsigned char chunk[WORD_OCTETS];
    size_t n = 0;
    bool first = true;
    size_t i = 0;
    while (i < len || n > 0) {
        char ch[4];
        size_t k = 0;
        if (i < len) {
            k = next_char(s, len, &i, ch);
            if (k == 1)
                ch[0] = hdr_octet(ch[0]);
        }
        if (n > 0 && (k == 0 || n + k > WORD_OCTETS)) {
            if (!first)
                put(w, "\r\n ", 3);
            puts_(w, "=?utf-8?B?");
            put_base64(w, chunk, n);
            put(w, "?=", 2);
            col = (first ? col : 1) + 12 + (n + 2) / 3 * 4;
            first = false;
            n = 0;
        }
        memcpy(chunk + n, ch, k);
        n += k;
    }
    return col;
}

/* ---- header fields ---- */

/* Printable ASCII after the control mapping, and no "=?" that a reader would decode. */
static bool plain_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)s[i] >= 0x80)
            return false;
        if (s[i] == '=' && i + 1 < len && s[i + 1] == '?')
            return false;
    }
    return true;
}

/* Where the subject may be folded: before a space that follows a non-space and is followed,
 * somewhere, by a non-space (so no folded line is blank). Returns the next fold point after
 * from, or len. */
static size_t next_fold(const char *s, size_t len, size_t from)
{
    size_t i = from + 1;
    for (; i < len; i++)
        if (hdr_octet(s[i]) == ' ' && hdr_octet(s[i - 1]) != ' ')
            break;
    for (size_t j = i; j < len; j++)
        if (hdr_octet(s[j]) != ' ')
            return i;
    return len;
}

static void put_mapped(struct wr *w, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = hdr_octet(s[i]);
        put(w, &c, 1);
    }
}

static void put_subject(struct wr *w, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    puts_(w, "Subject:");
    if (len == 0) {
        put(w, "\r\n", 2);
        return;
    }
    put(w, " ", 1);
    const size_t head = sizeof "Subject: " - 1;
    bool fits = plain_ascii(s, len);
    for (size_t a = 0; fits && a < len;) {
        size_t b = next_fold(s, len, a);
        fits = b - a <= LINE_SOFT - head;
        a = b;
    }
    if (!fits) {
        put_words(w, head, s, len);
        put(w, "\r\n", 2);
        return;
    }
    size_t col = head;
    for (size_t a = 0; a < len;) {
        size_t b = next_fold(s, len, a);
        if (a > 0 && col + (b - a) > LINE_SOFT) {
            put(w, "\r\n", 2);
            col = 0;
        }
        put_mapped(w, s + a, b - a);
        col += b - a;
        a = b;
    }
    put(w, "\r\n", 2);
}

static bool is_special(char c)
{
    return c && strchr("()<>[]:;@\\,.\"", c) != NULL; /* RFC 5322 section 3.2.3 specials */
}

static void put_from(struct wr *w, const char *name, const char *addr)
{
    size_t len = name ? strlen(name) : 0;
    size_t alen = strlen(addr);
    bool blank = true;
    for (size_t i = 0; i < len; i++)
        if (hdr_octet(name[i]) != ' ')
            blank = false;
    if (blank) /* an empty phrase is not RFC 5322: the address alone */
        len = 0;
    puts_(w, "From: ");
    if (len == 0) {
        puts_(w, addr);
        put(w, "\r\n", 2);
        return;
    }
    const size_t head = sizeof "From: " - 1;
    bool quote = false;
    size_t width = len;
    for (size_t i = 0; i < len; i++) {
        if (is_special(name[i]))
            quote = true;
        if (name[i] == '"' || name[i] == '\\')
            width++;
    }
    size_t col;
    if (plain_ascii(name, len) && head + width + (quote ? 2 : 0) + alen + 3 <= LINE_SOFT) {
        if (quote)
            put(w, "\"", 1);
        for (size_t i = 0; i < len; i++) {
            char c = hdr_octet(name[i]);
            if (c == '"' || c == '\\')
                put(w, "\\", 1);
            put(w, &c, 1);
        }
        if (quote)
            put(w, "\"", 1);
        col = head + width + (quote ? 2 : 0);
    } else {
        col = put_words(w, head, name, len);
    }
    put(w, col + alen + 3 > LINE_SOFT ? "\r\n <" : " <", col + alen + 3 > LINE_SOFT ? 4 : 2);
    puts_(w, addr);
    put(w, ">\r\n", 3);
}

/* "<" 1..MAIL_COMPOSE_ID_MAX printable ASCII octets but "<" and ">" ">" (RFC 5322 section
 * 3.6.4 asks for more shape; these are the rules that keep a header intact). */
static bool id_valid(const char *s, size_t len)
{
    if (len < 3 || len > MAIL_COMPOSE_ID_MAX + 2 || s[0] != '<' || s[len - 1] != '>')
        return false;
    for (size_t i = 1; i + 1 < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7F || c == '<' || c == '>')
            return false;
    }
    return true;
}

/* In-Reply-To / References: the identifiers of value (separated by spaces or controls) that
 * id_valid() accepts, folded one per line when the line would pass 78 octets. */
static void put_ids(struct wr *w, const char *name, const char *value)
{
    if (!value)
        return;
    size_t len = strlen(value);
    size_t col = 0;
    for (size_t i = 0; i < len;) {
        while (i < len && hdr_octet(value[i]) == ' ')
            i++;
        size_t a = i;
        while (i < len && hdr_octet(value[i]) != ' ')
            i++;
        if (i == a || !id_valid(value + a, i - a))
            continue;
        if (col == 0) {
            puts_(w, name);
            puts_(w, ":");
            col = strlen(name) + 1;
        } else if (col + 1 + (i - a) > LINE_SOFT) {
            put(w, "\r\n", 2);
            col = 0;
        }
        put(w, " ", 1);
        put(w, value + a, i - a);
        col += 1 + (i - a);
    }
    if (col > 0)
        put(w, "\r\n", 2);
}

static void put_date(struct wr *w, int64_t t)
{
    static const char *const wday[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const int64_t max = INT64_C(253402300799); /* 9999-12-31T23:59:59Z */
    t = t < 0 ? 0 : t > max ? max : t;
    int64_t days = t / 86400, secs = t % 86400;
    struct civil_date d = timefmt_civil_from_days(days);
    if (w->rc == 0)
        w->rc =
            buf_appendf(w->b, "Date: %s, %d %s %04d %02d:%02d:%02d +0000\r\n",
                        wday[timefmt_weekday_from_days(days)], d.day, mon[d.month - 1], (int)d.year,
                        (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* ---- quoted-printable bodies (RFC 2045 section 6.7) ---- */

/* A streaming encoder: a space or tab is held until the next octet shows whether it ends a
 * line (then it is encoded, rule 3); a soft line break keeps every line within QP_LINE. */
struct qp {
    struct wr *w;
    size_t col;
    char held; /* ' ', '\t' or 0 */
};

static void qp_token(struct qp *q, const char *s, size_t n)
{
    if (q->col + n > QP_LINE - 1) {
        put(q->w, "=\r\n", 3);
        q->col = 0;
    }
    put(q->w, s, n);
    q->col += n;
}

static void qp_encoded(struct qp *q, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";
    char t[3] = {'=', hex[c >> 4], hex[c & 15]};
    qp_token(q, t, 3);
}

static void qp_flush(struct qp *q, bool line_end)
{
    if (q->held) {
        char c = q->held;
        q->held = 0;
        if (line_end)
            qp_encoded(q, (unsigned char)c);
        else
            qp_token(q, &c, 1);
    }
}

static void qp_octet(struct qp *q, unsigned char c)
{
    qp_flush(q, false);
    if (c == ' ' || c == '\t')
        q->held = (char)c;
    else if (c >= 33 && c <= 126 && c != '=')
        qp_token(q, (const char *)&c, 1);
    else
        qp_encoded(q, c);
}

static void qp_str(struct qp *q, const char *s)
{
    for (; *s; s++)
        qp_octet(q, (unsigned char)*s);
}

static void qp_break(struct qp *q)
{
    qp_flush(q, true);
    put(q->w, "\r\n", 2);
    q->col = 0;
}

/* Length of the line break at s[i] (CR LF, CR or LF), 0 when there is none. */
static size_t line_break(const char *s, size_t len, size_t i)
{
    if (s[i] == '\n')
        return 1;
    if (s[i] == '\r')
        return i + 1 < len && s[i + 1] == '\n' ? 2 : 1;
    return 0;
}

/* A body as it is: bad UTF-8 as U+FFFD, line breaks as CRLF. */
static void qp_body(struct qp *q, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t br = line_break(s, len, i);
        if (br) {
            qp_break(q);
            i += br;
            continue;
        }
        char ch[4];
        size_t n = next_char(s, len, &i, ch);
        for (size_t k = 0; k < n; k++)
            qp_octet(q, (unsigned char)ch[k]);
    }
    qp_flush(q, true);
}

static void qp_escaped_line(struct qp *q, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        char ch[4];
        size_t n = next_char(s, len, &i, ch);
        const char *ent = NULL;
        if (n == 1) {
            switch (ch[0]) {
            case '&':
                ent = "&amp;";
                break;
            case '<':
                ent = "&lt;";
                break;
            case '>':
                ent = "&gt;";
                break;
            case '"':
                ent = "&quot;";
                break;
            case '\'':
                ent = "&#39;";
                break;
            default:
                break;
            }
        }
        if (ent) {
            qp_str(q, ent);
            continue;
        }
        for (size_t k = 0; k < n; k++)
            qp_octet(q, (unsigned char)ch[k]);
    }
}

/* The HTML part made from the text: escaped, <p> per run of non-blank lines, <br> inside. */
static void qp_html_from_text(struct qp *q, const char *s, size_t len)
{
    qp_str(q, "<!DOCTYPE html>");
    qp_break(q);
    qp_str(q, "<html><body>");
    qp_break(q);
    bool in_para = false;
    for (size_t i = 0; i < len;) {
        size_t end = i, br = 0;
        bool blank = true;
        while (end < len && (br = line_break(s, len, end)) == 0) {
            if (s[end] != ' ' && s[end] != '\t')
                blank = false;
            end++;
        }
        if (blank) {
            if (in_para) {
                qp_str(q, "</p>");
                qp_break(q);
            }
            in_para = false;
        } else {
            if (in_para) {
                qp_str(q, "<br>");
                qp_break(q);
            } else {
                qp_str(q, "<p>");
            }
            in_para = true;
            qp_escaped_line(q, s + i, end - i);
        }
        i = end + br;
    }
    if (in_para) {
        qp_str(q, "</p>");
        qp_break(q);
    }
    qp_str(q, "</body></html>");
    qp_flush(q, true);
}

static void put_part(struct wr *w, const struct mail_message *m, bool html)
{
    struct qp q = {w, 0, 0};
    const char *text = m->text ? m->text : "";
    if (!html)
        qp_body(&q, text, strlen(text));
    else if (m->html)
        qp_body(&q, m->html, strlen(m->html));
    else
        qp_html_from_text(&q, text, strlen(text));
}

/* ---- the boundary ---- */

static uint64_t fnv1a(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static bool contains(const char *hay, size_t n, const char *needle, size_t k)
{
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

#define BOUNDARY_LEN (sizeof "=_frontdesk_" - 1 + 16)

static void make_boundary(char out[BOUNDARY_LEN + 1], uint64_t h)
{
    static const char hex[] = "0123456789abcdef";
    memcpy(out, "=_frontdesk_", 12);
    for (int k = 0; k < 16; k++)
        out[12 + k] = hex[h >> (60 - 4 * k) & 15];
    out[BOUNDARY_LEN] = '\0';
}

/* Encode both parts after what out holds, pick the first boundary (the Message-ID's hash, then
 * the hash continued with a counter) found in neither, and cut out back. */
static int choose_boundary(const struct mail_message *m, struct buf *out,
                           char boundary[BOUNDARY_LEN + 1])
{
    size_t mark = out->len;
    struct wr w = {out, 0};
    put_part(&w, m, false);
    put(&w, "\r\n", 2);
    put_part(&w, m, true);
    int rc = w.rc;
    uint64_t h = fnv1a(UINT64_C(0xcbf29ce484222325), m->message_id, strlen(m->message_id));
    bool found = false;
    for (unsigned n = 0; rc == 0 && n < BOUNDARY_TRIES && !found; n++) {
        make_boundary(boundary, h);
        found = !contains(out->ptr + mark, out->len - mark, boundary, BOUNDARY_LEN);
        char c = (char)n;
        h = fnv1a(h, &c, 1);
    }
    out->len = mark;
    if (out->ptr)
        out->ptr[mark] = '\0';
    if (rc == 0 && !found)
        rc = ERR_INTERNAL;
    return rc;
}

/* ---- the message ---- */

/* A one-label domain is checked as the first label of a two-label one. */
bool mail_compose_address_valid(const char *s)
{
    size_t len = strlen(s);
    if (email_addr_valid(s, len))
        return true;
    const char *at = strrchr(s, '@');
    char probe[256];
    if (!at || strchr(at, '.') || len + 2 > 254)
        return false;
    memcpy(probe, s, len);
    memcpy(probe + len, ".x", 3);
    return email_addr_valid(probe, len + 2);
}

static void put_header(struct wr *w, const char *name, const char *value)
{
    puts_(w, name);
    puts_(w, ": ");
    puts_(w, value);
    put(w, "\r\n", 2);
}

static void put_delimiter(struct wr *w, const char *boundary, const char *type)
{
    puts_(w, "--");
    puts_(w, boundary);
    puts_(w, "\r\nContent-Type: ");
    puts_(w, type);
    puts_(w, "; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
}

int mail_compose(const struct mail_message *m, struct buf *out, struct err *e)
{
    if (!m->from_address || !mail_compose_address_valid(m->from_address))
        return err_set(e, ERR_INVALID, "from_address", "from_address is not an email address");
    if (!m->to_address || !mail_compose_address_valid(m->to_address))
        return err_set(e, ERR_INVALID, "to_address", "to_address is not an email address");
    if (!m->message_id || !id_valid(m->message_id, strlen(m->message_id)))
        return err_set(e, ERR_INVALID, "message_id",
                       "message_id must be <...> without spaces, controls or angle brackets");
    char boundary[BOUNDARY_LEN + 1];
    size_t mark = out->len;
    int rc = choose_boundary(m, out, boundary);
    if (rc != 0)
        return rc == ERR_LIMIT ? err_set(e, ERR_LIMIT, NULL, "message too large")
                               : err_set(e, rc, NULL, "no boundary fits the message");

    struct wr w = {out, 0};
    put_date(&w, m->date);
    put_from(&w, m->from_name, m->from_address);
    put_header(&w, "To", m->to_address);
    put_subject(&w, m->subject);
    put_header(&w, "Message-ID", m->message_id);
    put_ids(&w, "In-Reply-To", m->in_reply_to);
    put_ids(&w, "References", m->references);
    if (m->auto_submitted)
        puts_(&w, "Auto-Submitted: auto-replied\r\n");
    puts_(&w, "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"");
    puts_(&w, boundary);
    puts_(&w, "\"\r\n\r\n");
    put_delimiter(&w, boundary, "text/plain");
    put_part(&w, m, false);
    puts_(&w, "\r\n");
    put_delimiter(&w, boundary, "text/html");
    put_part(&w, m, true);
    puts_(&w, "\r\n--");
    puts_(&w, boundary);
    puts_(&w, "--\r\n");
    if (w.rc != 0) {
        out->len = mark;
        if (out->ptr)
            out->ptr[mark] = '\0';
        return err_set(e, ERR_LIMIT, NULL, "message too large");
    }
    return 0;
}
