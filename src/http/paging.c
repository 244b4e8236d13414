#include "http/paging.h"

#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define CURSOR_PREFIX      "id:"
#define KEYED_PREFIX       "at:"
#define CURSOR_PAYLOAD_MAX 48 /* "at:" + 19 digits + ":" + 19 digits + NUL, rounded up */
#define NEXT_ARGS_MAX      32 /* query arguments carried into links.next */

int paging_parse_size(const char *text, unsigned *out, struct err *e)
{
    if (!text) {
        *out = PAGING_SIZE_DEFAULT;
        return 0;
    }
    unsigned v = 0;
    size_t n = strlen(text);
    /* Three digits reach 999, past the maximum, so longer texts are refused without overflow. */
    bool ok = n >= 1 && n <= 3;
    for (size_t i = 0; ok && i < n; i++) {
        ok = text[i] >= '0' && text[i] <= '9';
        v = v * 10 + (unsigned)(text[i] - '0');
    }
    if (!ok || v < 1 || v > PAGING_SIZE_MAX)
        return err_set(e, ERR_MALFORMED, "page[size]",
                       "page[size] must be a whole number from 1 to %d", PAGING_SIZE_MAX);
    *out = v;
    return 0;
}

static void encode_payload(const char *payload, int n, char out[PAGING_CURSOR_MAX + 1])
{
    sodium_bin2base64(out, PAGING_CURSOR_MAX + 1, (const unsigned char *)payload, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void paging_cursor_encode(int64_t id, char out[PAGING_CURSOR_MAX + 1])
{
    char payload[CURSOR_PAYLOAD_MAX];
    int n = snprintf(payload, sizeof payload, CURSOR_PREFIX "%lld", (long long)id);
    encode_payload(payload, n, out);
}

void paging_keyed_encode(int64_t at, int64_t id, char out[PAGING_CURSOR_MAX + 1])
{
    char payload[CURSOR_PAYLOAD_MAX];
    int n =
        snprintf(payload, sizeof payload, KEYED_PREFIX "%lld:%lld", (long long)at, (long long)id);
    encode_payload(payload, n, out);
}

/* A canonical decimal 0..INT64_MAX (1..INT64_MAX unless zero_ok): digits only, no leading
 * zero. */
static int parse_decimal(const char *s, size_t len, bool zero_ok, int64_t *out)
{
    if (zero_ok && len == 1 && s[0] == '0') {
        *out = 0;
        return 0;
    }
    if (len == 0 || len > 19 || s[0] == '0')
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (v > INT64_MAX)
        return -1;
    *out = (int64_t)v;
    return 0;
}

static int bad_cursor(struct err *e)
{
    return err_set(e, ERR_MALFORMED, "page[after]",
                   "page[after] is not a cursor of this list: use meta.after_cursor or "
                   "links.next of the previous page");
}

/* base64url text into payload (NUL-terminated), or -1. Decoding stops at the first byte that is
 * not base64url; requiring it to stop at the end, and the re-encoding to give back the same text,
 * refuses every other spelling. */
static int decode_payload(const char *text, char payload[CURSOR_PAYLOAD_MAX], size_t *plen)
{
    size_t len = strlen(text);
    const char *end = NULL;
    char again[PAGING_CURSOR_MAX + 1];
    if (len > PAGING_CURSOR_MAX ||
        sodium_base642bin((unsigned char *)payload, CURSOR_PAYLOAD_MAX - 1, text, len, NULL, plen,
                          &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        end != text + len)
        return -1;
    payload[*plen] = '\0';
    encode_payload(payload, (int)*plen, again);
    return strcmp(again, text) == 0 ? 0 : -1;
}

int paging_cursor_decode(const char *text, int64_t *out, struct err *e)
{
    if (!text || !*text) {
        *out = 0;
        return 0;
    }
    char payload[CURSOR_PAYLOAD_MAX];
    size_t plen = 0, pre = strlen(CURSOR_PREFIX);
    int64_t id;
    if (decode_payload(text, payload, &plen) != 0 || plen <= pre ||
        memcmp(payload, CURSOR_PREFIX, pre) != 0 ||
        parse_decimal(payload + pre, plen - pre, false, &id) != 0)
        return bad_cursor(e);
    *out = id;
    return 0;
}

int paging_keyed_decode(const char *text, int64_t *at, int64_t *id, struct err *e)
{
    if (!text || !*text) {
        *at = 0;
        *id = 0;
        return 0;
    }
    char payload[CURSOR_PAYLOAD_MAX];
    size_t plen = 0, pre = strlen(KEYED_PREFIX);
    if (decode_payload(text, payload, &plen) != 0 || plen <= pre ||
        memcmp(payload, KEYED_PREFIX, pre) != 0)
        return bad_cursor(e);
    const char *key = payload + pre;
    const char *colon = memchr(key, ':', plen - pre);
    int64_t k, i;
    if (!colon || parse_decimal(key, (size_t)(colon - key), true, &k) != 0 ||
        parse_decimal(colon + 1, plen - (size_t)(colon + 1 - payload), false, &i) != 0)
        return bad_cursor(e);
    *at = k;
    *id = i;
    return 0;
}

int paging_parse(const char *size_text, const char *after_text, struct paging *out, struct err *e)
{
    struct paging pg = {.after_at = 0};
    int rc = paging_parse_size(size_text, &pg.size, e);
    if (!rc)
        rc = paging_cursor_decode(after_text, &pg.after, e);
    if (!rc)
        *out = pg;
    return rc;
}

/* RFC 3986 section 2.3: only unreserved characters stay as they are. */
static int append_encoded(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && !rc; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            rc = buf_append_char(out, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = buf_append(out, esc, 3);
        }
    }
    return rc;
}

int paging_append_encoded(struct buf *out, const char *s)
{
    return append_encoded(out, s);
}

static bool is_paging_arg(const char *name)
{
    return strcmp(name, "page[size]") == 0 || strcmp(name, "page[after]") == 0;
}

int paging_next_link(struct buf *out, const char *path, const struct paging_arg *args, size_t nargs,
                     unsigned size, const char *cursor)
{
    size_t start = out->len;
    int rc = buf_append_cstr(out, path);
    char sep = '?';
    for (size_t i = 0; i < nargs && !rc; i++) {
        if (is_paging_arg(args[i].name))
            continue;
        rc = buf_append_char(out, sep);
        rc = rc ? rc : append_encoded(out, args[i].name);
        if (!rc && args[i].value) {
            rc = buf_append_char(out, '=');
            rc = rc ? rc : append_encoded(out, args[i].value);
        }
        sep = '&';
    }
    if (!rc)
        rc = buf_appendf(out, "%cpage%%5Bsize%%5D=%u&page%%5Bafter%%5D=", sep, size);
    rc = rc ? rc : append_encoded(out, cursor);
    if (rc) { /* leave out as it was */
        out->len = start;
        if (out->ptr)
            out->ptr[start] = '\0';
    }
    return rc;
}

int paging_keyed_from_req(struct http_req *req, struct paging *out)
{
    struct err e;
    err_clear(&e);
    struct paging pg;
    int rc = paging_parse_size(http_req_query(req, "page[size]"), &pg.size, &e);
    if (!rc)
        rc = paging_keyed_decode(http_req_query(req, "page[after]"), &pg.after_at, &pg.after, &e);
    if (rc)
        http_reply_err(req, &e);
    else
        *out = pg;
    return rc;
}

int paging_from_req(struct http_req *req, struct paging *out)
{
    struct err e;
    err_clear(&e);
    int rc = paging_parse(http_req_query(req, "page[size]"), http_req_query(req, "page[after]"),
                          out, &e);
    if (rc)
        http_reply_err(req, &e);
    return rc;
}

struct arg_list {
    struct paging_arg args[NEXT_ARGS_MAX];
    size_t n;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct arg_list *l = cls;
    if (l->n == NEXT_ARGS_MAX)
        return MHD_NO;
    l->args[l->n++] = (struct paging_arg){key, value};
    return MHD_YES;
}

/* cursor: the page's last item's, NULL for an empty page. */
static int add_meta(struct http_req *req, json_t *body, const struct paging *pg, bool has_more,
                    const char *cursor)
{
    json_t *after = json_null(), *next = json_null();
    if (cursor)
        after = json_string(cursor);
    if (has_more && cursor) {
        struct arg_list l = {.n = 0};
        MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_arg, &l);
        struct buf link;
        buf_init(&link, 8192);
        if (paging_next_link(&link, req->path, l.args, l.n, pg->size, cursor) == 0)
            next = json_stringn(link.ptr, link.len);
        buf_release(&link);
        if (!next) {
            json_decref(after);
            return -1;
        }
    }
    json_object_set_new(body, "meta",
                        json_pack("{s:b, s:o}", "has_more", has_more, "after_cursor", after));
    json_object_set_new(body, "links", json_pack("{s:o}", "next", next));
    return 0;
}

int paging_add_meta(struct http_req *req, json_t *body, const struct paging *pg, bool has_more,
                    int64_t last_id)
{
    char cursor[PAGING_CURSOR_MAX + 1];
    if (last_id > 0)
        paging_cursor_encode(last_id, cursor);
    return add_meta(req, body, pg, has_more, last_id > 0 ? cursor : NULL);
}

int paging_keyed_add_meta(struct http_req *req, json_t *body, const struct paging *pg,
                          bool has_more, int64_t last_at, int64_t last_id)
{
    char cursor[PAGING_CURSOR_MAX + 1];
    if (last_id > 0)
        paging_keyed_encode(last_at, last_id, cursor);
    return add_meta(req, body, pg, has_more, last_id > 0 ? cursor : NULL);
}

void paging_reply_list(struct http_req *req, const struct paging *pg, const char *key, json_t *list,
                       bool more, int64_t last_id)
{
    json_t *body = json_pack("{s:o}", key, list);
    if (!body || paging_add_meta(req, body, pg, more, last_id)) {
        json_decref(body);
        http_reply_error(req, 500, NULL, "internal error (request id %s)", req->request_id);
        return;
    }
    http_reply_json(req, 200, body);
}
