/* mail/scan: the nesting pre-scan (text.h). GMime allows 1024 levels and walks its boundary
 * stack on every line, so a deeply nested message is refused here, in one linear pass over the
 * raw bytes, before GMime sees it. */
#include "mail/parse.h"
#include "mail/text.h"

#include "base/xalloc.h"

/* The pre-scan keeps this much of one Content-Type header (boundaries are at most 70, RFC 2046). */
#define SCAN_HEADER_MAX 1024

struct scan_level {
    const char *boundary; /* into a scan_state's copies; "" for a message/rfc822 level */
    size_t len;
};

struct scan_state {
    struct scan_level level[MAIL_PARSE_DEPTH_MAX + 1];
    char copy[MAIL_PARSE_DEPTH_MAX + 1][72];
    size_t depth;
};

/* The boundary parameter of a Content-Type value (RFC 2045 5.1), or 0 length. */
static struct slice scan_boundary(const char *v, size_t len)
{
    for (size_t i = 0; i + 8 <= len; i++) {
        if (g_ascii_strncasecmp(v + i, "boundary", 8) != 0)
            continue;
        if (i > 0 && v[i - 1] != ';' && !is_wsp(v[i - 1]))
            continue;
        size_t j = i + 8;
        while (j < len && is_wsp(v[j]))
            j++;
        if (j >= len || v[j] != '=')
            continue;
        j++;
        while (j < len && is_wsp(v[j]))
            j++;
        size_t start = j;
        if (j < len && v[j] == '"') {
            start = ++j;
            while (j < len && v[j] != '"')
                j++;
        } else {
            while (j < len && v[j] != ';' && !is_wsp(v[j]))
                j++;
        }
        return (struct slice){v + start, j - start};
    }
    return (struct slice){v, 0};
}

/* Push a level; false past the cap. */
static bool scan_push(struct scan_state *st, struct slice b)
{
    if (st->depth >= MAIL_PARSE_DEPTH_MAX)
        return false;
    size_t n = b.len < sizeof st->copy[0] ? b.len : sizeof st->copy[0];
    memcpy(st->copy[st->depth], b.ptr, n);
    st->level[st->depth] = (struct scan_level){st->copy[st->depth], n};
    st->depth++;
    return true;
}

/* Does line (after "--") open or close an open boundary? Pops the deeper levels; returns
 * 1 for a part start, 2 for a close delimiter, 0 when it matches nothing. */
static int scan_delimiter(struct scan_state *st, const char *line, size_t len)
{
    for (size_t k = st->depth; k-- > 0;) {
        const struct scan_level *lv = &st->level[k];
        if (lv->len == 0 || len < lv->len || memcmp(line, lv->boundary, lv->len) != 0)
            continue;
        bool close = len >= lv->len + 2 && line[lv->len] == '-' && line[lv->len + 1] == '-';
        st->depth = close ? k : k + 1;
        return close ? 2 : 1;
    }
    return 0;
}

/* MIME nesting of raw in one linear pass, without GMime (which recurses per level): header
 * blocks are followed, each multipart Content-Type opens a level closed by its boundary's close
 * delimiter (or an outer boundary), each message/rfc822 part opens one. Heuristic on broken
 * input, exact on well-formed input; GMime's tree is checked again afterwards. Returns false
 * when the nesting passes MAIL_PARSE_DEPTH_MAX. Work: O(len * MAIL_PARSE_DEPTH_MAX) at worst. */
bool mail_scan_depth_ok(const char *raw, size_t len)
{
    struct scan_state *st = xcalloc(1, sizeof *st);
    char ct[SCAN_HEADER_MAX];
    size_t ct_len = 0;
    bool in_headers = true, in_ct = false, ok = true;
    bool pending_multi = false, pending_msg = false;
    struct slice pending_b = {"", 0};
    char pending_copy[72];

    for (size_t pos = 0; pos < len && ok;) {
        const char *line = raw + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        pos += ll + (nl ? 1 : 0);
        if (ll > 0 && line[ll - 1] == '\r')
            ll--;

        if (!in_headers) {
            if (ll >= 2 && line[0] == '-' && line[1] == '-' && st->depth > 0 &&
                scan_delimiter(st, line + 2, ll - 2) == 1)
                in_headers = true;
            continue;
        }
        bool cont = ll > 0 && (line[0] == ' ' || line[0] == '\t');
        if (cont) {
            if (in_ct) {
                size_t n = ll < sizeof ct - ct_len ? ll : sizeof ct - ct_len;
                memcpy(ct + ct_len, line, n);
                ct_len += n;
            }
            continue;
        }
        if (in_ct) { /* the Content-Type header is complete */
            /* with several Content-Type fields, any multipart one counts (GMime may take
             * another than we would: over-counting is the safe side) */
            struct slice v = trim_ws(ct, ct_len);
            bool multi = ascii_prefix(v.ptr, v.len, "multipart/");
            pending_msg = pending_msg || ascii_prefix(v.ptr, v.len, "message/rfc822") ||
                          ascii_prefix(v.ptr, v.len, "message/global") ||
                          ascii_prefix(v.ptr, v.len, "message/news");
            if (multi && !pending_multi) {
                pending_multi = true;
                struct slice b = scan_boundary(v.ptr, v.len);
                size_t n = b.len < sizeof pending_copy ? b.len : sizeof pending_copy;
                memcpy(pending_copy, b.ptr, n);
                pending_b = (struct slice){pending_copy, n};
            }
            in_ct = false;
        }
        if (ll == 0) { /* end of a header block */
            if (pending_multi) {
                ok = scan_push(st, pending_b);
                in_headers = false;
                if (ok && pending_msg)
                    ok = scan_push(st, (struct slice){"", 0});
            } else if (pending_msg) {
                ok = scan_push(st, (struct slice){"", 0});
            } else {
                in_headers = false;
            }
            pending_multi = pending_msg = false;
            continue;
        }
        if (ll >= 2 && line[0] == '-' && line[1] == '-' && st->depth > 0) {
            /* a part with no headers, or a boundary ending a header block early */
            int d = scan_delimiter(st, line + 2, ll - 2);
            if (d != 0) {
                pending_multi = pending_msg = false;
                in_headers = d == 1;
                continue;
            }
        }
        if (ascii_prefix(line, ll, "content-type:")) {
            in_ct = true;
            ct_len = ll - 13 < sizeof ct ? ll - 13 : sizeof ct;
            memcpy(ct, line + 13, ct_len);
        }
    }
    free(st);
    return ok;
}
