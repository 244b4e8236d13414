#include "mail/imap.h"

#include "base/xalloc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMAP_LIST_MAX (4u << 20) /* a SEARCH or FETCH listing; ~400,000 UIDs */

struct imap_session {
    const struct imap_config *cfg;
    CURL *c;
    char url[1024];   /* the folder's URL as configured, without a trailing '/' */
    char folder[256]; /* decoded */
    char quoted[520]; /* the folder as an IMAP quoted string */
    char done[520];   /* the done folder quoted, "" when none */
    /* Learnt from the server's untagged responses (the header callback). */
    char uidvalidity[24];       /* of the last SELECT or EXAMINE seen */
    char first_uidvalidity[24]; /* the session's: a change from it is ERR_CONFLICT */
    bool caps_seen, cap_move, cap_uidplus;
    bool selected, read_only;
    char errbuf[CURL_ERROR_SIZE];
};

/* ---- URL and quoting ----------------------------------------------------------------------- */

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* RFC 3501 quoted string: any 7-bit text but CR, LF and NUL, with '\' and '"' escaped. A
 * non-ASCII name would need modified UTF-7 (RFC 3501 5.1.3): refused rather than mangled. */
static bool quote_mailbox(const char *name, char *out, size_t out_len)
{
    size_t o = 0;
    if (!*name || o + 1 >= out_len)
        return false;
    out[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p < 0x20 || *p >= 0x7f)
            return false;
        if (o + 4 >= out_len)
            return false;
        if (*p == '\\' || *p == '"')
            out[o++] = '\\';
        out[o++] = (char)*p;
    }
    out[o++] = '"';
    out[o] = '\0';
    return true;
}

/* Split scheme://authority/path: the folder is the decoded path (INBOX when empty). */
static int parse_url(struct imap_session *s, const char *url, struct err *e)
{
    size_t skip = strncmp(url, "imap://", 7) == 0 ? 7 : strncmp(url, "imaps://", 8) == 0 ? 8 : 0;
    size_t n = strlen(url);
    if (!skip || n >= sizeof s->url || strpbrk(url, " \t\r\n\"<>;?#"))
        return err_set(
            e, ERR_INVALID, "imap-url",
            "--imap-url must be imap://HOST[:PORT]/FOLDER or imaps://HOST[:PORT]/FOLDER");
    const char *host = url + skip, *slash = strchr(host, '/');
    size_t host_len = slash ? (size_t)(slash - host) : strlen(host);
    if (!host_len)
        return err_set(e, ERR_INVALID, "imap-url", "--imap-url has no host");
    if (memchr(host, '@', host_len)) /* a password in a URL ends up in logs and process lists */
        return err_set(e, ERR_INVALID, "imap-url",
                       "--imap-url must not carry credentials: use --imap-user and "
                       "FRONTDESK_IMAP_PASSWORD");
    memcpy(s->url, url, n + 1);
    while (n > skip + host_len + 1 && s->url[n - 1] == '/')
        s->url[--n] = '\0';
    const char *path = slash ? slash + 1 : "";
    size_t o = 0;
    for (const char *p = path; *p && (p - url) < (ptrdiff_t)n; p++) {
        char ch = *p;
        if (ch == '%') {
            int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
            if (lo < 0)
                return err_set(e, ERR_INVALID, "imap-url", "--imap-url has a bad %%-escape");
            ch = (char)(hi * 16 + lo);
            p += 2;
        }
        if (o + 1 >= sizeof s->folder)
            return err_set(e, ERR_INVALID, "imap-url", "--imap-url: the folder name is too long");
        s->folder[o++] = ch;
    }
    s->folder[o] = '\0';
    if (!o) { /* no folder: the URL itself names none, so add it for libcurl's SELECT */
        snprintf(s->folder, sizeof s->folder, "INBOX");
        size_t len = strlen(s->url);
        snprintf(s->url + len, sizeof s->url - len, "%sINBOX", s->url[len - 1] == '/' ? "" : "/");
    }
    if (!quote_mailbox(s->folder, s->quoted, sizeof s->quoted))
        return err_set(e, ERR_INVALID, "imap-url",
                       "--imap-url: the folder name must be printable ASCII");
    return 0;
}

/* ---- libcurl plumbing ---------------------------------------------------------------------- */

static size_t write_buf(char *data, size_t size, size_t nmemb, void *arg)
{
    struct buf *b = arg;
    size_t len = size * nmemb;
    return b && buf_append(b, data, len) == 0 ? len : 0; /* 0: the cap, CURLE_WRITE_ERROR */
}

/* Case-insensitive search for an ASCII word in a line that is not NUL-terminated. */
static const char *find_nocase(const char *s, size_t len, const char *word)
{
    size_t w = strlen(word);
    for (size_t i = 0; i + w <= len; i++)
        if (strncasecmp(s + i, word, w) == 0)
            return s + i;
    return NULL;
}

static bool has_token(const char *line, size_t len, const char *token)
{
    size_t t = strlen(token);
    for (const char *p = line; (p = find_nocase(p, len - (size_t)(p - line), token)); p += t) {
        char before = p > line ? p[-1] : ' ', after = (size_t)(p - line) + t < len ? p[t] : ' ';
        if ((before == ' ' || before == '[') &&
            (after == ' ' || after == ']' || after == '\r' || after == '\n'))
            return true;
    }
    return false;
}

/* libcurl hands every server response line of IMAP to the header callback, one line per call:
 * the SELECT's "* OK [UIDVALIDITY n]" and the capabilities come from there. */
static size_t header_line(char *data, size_t size, size_t nmemb, void *arg)
{
    struct imap_session *s = arg;
    size_t len = size * nmemb;
    if (len < 2 || data[0] != '*')
        return len;
    const char *v = find_nocase(data, len, "[UIDVALIDITY ");
    if (v) {
        v += 13;
        size_t k = 0;
        while (k + 1 < sizeof s->uidvalidity && v + k < data + len && v[k] >= '0' && v[k] <= '9')
            k++;
        memcpy(s->uidvalidity, v, k);
        s->uidvalidity[k] = '\0';
    }
    if (find_nocase(data, len, "CAPABILITY ")) {
        s->caps_seen = true;
        s->cap_move = s->cap_move || has_token(data, len, "MOVE");
        s->cap_uidplus = s->cap_uidplus || has_token(data, len, "UIDPLUS");
    }
    return len;
}

static int check_stopping(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                          curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    const struct imap_session *s = arg;
    return s->cfg->stopping && atomic_load(s->cfg->stopping);
}

static int set_common(struct imap_session *s)
{
    CURL *c = s->c;
    const struct imap_config *cfg = s->cfg;
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)IMAP_CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, check_stopping);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)s);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_line);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, (void *)s);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_buf);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
    if (cfg->starttls)
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (cfg->user && *cfg->user) {
        curl_easy_setopt(c, CURLOPT_USERNAME, cfg->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
    }
    return 0;
}

/* One libcurl transfer: the URL, an optional custom command, the body into *body (may be NULL:
 * discarded). Maps libcurl's outcome onto our codes; the message names what was asked (never
 * the credentials) and libcurl's reason. */
static int perform(struct imap_session *s, const char *url, const char *custom, struct buf *body,
                   long timeout_s, const char *what, struct err *e)
{
    struct buf sink;
    buf_init(&sink, IMAP_LIST_MAX);
    s->errbuf[0] = '\0';
    curl_easy_setopt(s->c, CURLOPT_URL, url);
    curl_easy_setopt(s->c, CURLOPT_CUSTOMREQUEST, custom);
    curl_easy_setopt(s->c, CURLOPT_WRITEDATA, (void *)(body ? body : &sink));
    curl_easy_setopt(s->c, CURLOPT_TIMEOUT, timeout_s);
    CURLcode res = curl_easy_perform(s->c);
    buf_release(&sink);
    if (res == CURLE_OK)
        return 0;
    s->selected = false; /* after any failure, state on the server is unknown: select again */
    const char *why = s->errbuf[0] ? s->errbuf : curl_easy_strerror(res);
    int code;
    switch (res) {
    case CURLE_ABORTED_BY_CALLBACK:
        return err_set(e, ERR_BUSY, NULL, "imap %s abandoned: the server is stopping", what);
    case CURLE_LOGIN_DENIED:
        return err_set(e, ERR_FORBIDDEN, "imap-user",
                       "imap server refused the login of user \"%.100s\": %.200s",
                       s->cfg->user ? s->cfg->user : "", why);
    case CURLE_WRITE_ERROR:
        code = ERR_LIMIT;
        break;
    case CURLE_REMOTE_FILE_NOT_FOUND:
        code = ERR_NOT_FOUND;
        break;
    case CURLE_QUOTE_ERROR:
        code = ERR_UNSUPPORTED;
        break; /* a NO or BAD to our command */
    default:
        code = ERR_IO;
        break;
    }
    if (code == ERR_NOT_FOUND && strstr(why, "UIDVALIDITY"))
        code = ERR_CONFLICT;
    return err_set(e, code, NULL, "imap %s failed: %.300s", what, why);
}

/* A custom command on the selected folder; its untagged answers go to *body. */
static int command(struct imap_session *s, const char *cmd, struct buf *body, struct err *e)
{
    return perform(s, s->url, cmd, body, IMAP_COMMAND_TIMEOUT_S, cmd, e);
}

static int check_uidvalidity(struct imap_session *s, struct err *e)
{
    if (!s->uidvalidity[0])
        return 0; /* the server did not say: nothing to compare */
    if (!s->first_uidvalidity[0])
        memcpy(s->first_uidvalidity, s->uidvalidity, sizeof s->uidvalidity);
    if (strcmp(s->first_uidvalidity, s->uidvalidity) != 0)
        return err_set(e, ERR_CONFLICT, NULL,
                       "imap folder \"%.200s\" was recreated (UIDVALIDITY %s, was %s)", s->folder,
                       s->uidvalidity, s->first_uidvalidity);
    return 0;
}

/* Re-open the selected folder read-only (fetching sets no flag) or read-write (to mark). */
static int reopen(struct imap_session *s, bool read_only, struct err *e)
{
    if (s->selected && s->read_only == read_only)
        return 0;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "%s %s", read_only ? "EXAMINE" : "SELECT", s->quoted);
    int rc = command(s, cmd, NULL, e);
    if (rc)
        return rc;
    s->selected = true;
    s->read_only = read_only;
    return check_uidvalidity(s, e);
}

/* ---- public -------------------------------------------------------------------------------- */

int imap_open(const struct imap_config *cfg, struct imap_session **out, struct err *e)
{
    struct imap_session *s = xcalloc(1, sizeof *s);
    s->cfg = cfg;
    int rc = parse_url(s, cfg->url ? cfg->url : "", e);
    if (!rc && cfg->done_folder && *cfg->done_folder &&
        !quote_mailbox(cfg->done_folder, s->done, sizeof s->done))
        rc = err_set(e, ERR_INVALID, "imap-done-folder",
                     "--imap-done-folder must be printable ASCII under 256 bytes");
    if (!rc && !(s->c = curl_easy_init()))
        rc = err_set(e, ERR_INTERNAL, NULL, "curl_easy_init failed");
    if (rc) {
        free(s);
        return rc;
    }
    set_common(s);
    *out = s;
    return 0;
}

void imap_close(struct imap_session *s)
{
    if (!s)
        return;
    curl_easy_cleanup(s->c); /* libcurl sends LOGOUT on a live connection */
    free(s);
}

const char *imap_folder(const struct imap_session *s)
{
    return s->folder;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Parse an unsigned 32-bit decimal number at *p, moving *p past it. */
static bool parse_u32(const char **p, const char *end, uint32_t *out)
{
    uint64_t v = 0;
    const char *q = *p;
    while (q < end && *q >= '0' && *q <= '9' && v <= UINT32_MAX)
        v = v * 10 + (uint64_t)(*q++ - '0');
    if (q == *p || v > UINT32_MAX || v == 0)
        return false;
    *p = q;
    *out = (uint32_t)v;
    return true;
}

int imap_search(struct imap_session *s, uint32_t *uids, size_t max, size_t *n, size_t *total,
                struct err *e)
{
    struct buf out;
    buf_init(&out, IMAP_LIST_MAX);
    /* The first transfer: libcurl connects, logs in and SELECTs the folder of the URL. */
    const char *cmd = s->done[0] ? "UID SEARCH UNDELETED" : "UID SEARCH UNSEEN";
    s->uidvalidity[0] = '\0';
    int rc = perform(s, s->url, cmd, &out, IMAP_COMMAND_TIMEOUT_S, "search", e);
    if (!rc) {
        s->selected = true;
        s->read_only = false;
        rc = check_uidvalidity(s, e);
    }
    size_t count = 0, kept = 0;
    /* "* SEARCH 3 4 9\r\n", possibly several lines */
    for (const char *line = out.ptr, *end = out.ptr + out.len; !rc && line && line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        const char *stop = eol ? eol : end;
        if (stop - line > 9 && strncasecmp(line, "* SEARCH ", 9) == 0) {
            for (const char *p = line + 9; p < stop;) {
                uint32_t uid;
                if (parse_u32(&p, stop, &uid)) {
                    count++;
                    if (kept < max) {
                        uids[kept++] = uid;
                    } else { /* keep the smallest max: replace the largest if larger */
                        size_t big = 0;
                        for (size_t i = 1; i < kept; i++)
                            big = uids[i] > uids[big] ? i : big;
                        if (kept && uid < uids[big])
                            uids[big] = uid;
                    }
                } else {
                    p++;
                }
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    buf_release(&out);
    if (rc)
        return rc;
    qsort(uids, kept, sizeof *uids, cmp_u32);
    *n = kept;
    *total = count;
    return 0;
}

static void uid_set(const uint32_t *uids, size_t n, struct buf *out)
{
    for (size_t i = 0; i < n; i++)
        buf_appendf(out, "%s%u", i ? "," : "", (unsigned)uids[i]);
}

int imap_sizes(struct imap_session *s, const uint32_t *uids, size_t n, uint64_t *sizes,
               struct err *e)
{
    memset(sizes, 0, n * sizeof *sizes);
    if (!n)
        return 0;
    int rc = reopen(s, true, e);
    if (rc)
        return rc;
    struct buf cmd, out;
    buf_init(&cmd, 0);
    buf_init(&out, IMAP_LIST_MAX);
    buf_append_cstr(&cmd, "UID FETCH ");
    uid_set(uids, n, &cmd);
    buf_append_cstr(&cmd, " (UID RFC822.SIZE)");
    rc = command(s, buf_cstr(&cmd), &out, e);
    /* "* 7 FETCH (UID 12 RFC822.SIZE 3456)", the items in any order */
    for (const char *line = out.ptr, *end = out.ptr + out.len; !rc && line && line < end;) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        const char *stop = eol ? eol : end;
        const char *u = find_nocase(line, (size_t)(stop - line), "UID ");
        const char *z = find_nocase(line, (size_t)(stop - line), "RFC822.SIZE ");
        uint32_t uid, size;
        if (u && z) {
            u += 4, z += 12;
            if (parse_u32(&u, stop, &uid) && (parse_u32(&z, stop, &size) || (size = 0, true)))
                for (size_t i = 0; i < n; i++)
                    if (uids[i] == uid)
                        sizes[i] = size;
        }
        line = eol ? eol + 1 : NULL;
    }
    buf_release(&cmd);
    buf_release(&out);
    return rc;
}

static int mark_cmd(struct imap_session *s, const char *verb, const uint32_t *uids, size_t n,
                    const char *tail, struct err *e);

/* Best effort: a failure leaves the message seen, as a crash at this point would. */
static void unsee(struct imap_session *s, uint32_t uid)
{
    struct err ue;
    err_clear(&ue);
    if (!reopen(s, false, &ue))
        mark_cmd(s, "UID STORE", &uid, 1, " -FLAGS.SILENT (\\Seen)", &ue);
}

int imap_fetch(struct imap_session *s, uint32_t uid, struct buf *out, struct err *e)
{
    int rc = reopen(s, true, e);
    if (rc)
        return rc;
    /* libcurl's own FETCH reads the literal exactly (a custom command would get it line by line);
     * ";UIDVALIDITY=" makes libcurl refuse when the folder it reselects is another one. */
    char url[1200];
    if (s->first_uidvalidity[0])
        snprintf(url, sizeof url, "%s;UIDVALIDITY=%s/;UID=%u", s->url, s->first_uidvalidity,
                 (unsigned)uid);
    else
        snprintf(url, sizeof url, "%s/;UID=%u", s->url, (unsigned)uid);
    size_t before = out->len;
    long connects = 0;
    rc = perform(s, url, NULL, out, IMAP_FETCH_TIMEOUT_S, "fetch", e);
    curl_easy_getinfo(s->c, CURLINFO_NUM_CONNECTS, &connects);
    if (connects) { /* libcurl reconnected and selected the folder read-write */
        s->selected = false;
        if (!rc && !s->done[0]) /* so this fetch set \Seen: clear it until the caller marks */
            unsee(s, uid);
    }
    if (!rc && out->len == before)
        return err_set(e, ERR_NOT_FOUND, NULL, "imap message %u is gone", (unsigned)uid);
    return rc;
}

/* One marking command; ERR_UNSUPPORTED when the server said NO (the folder is missing, say). */
static int mark_cmd(struct imap_session *s, const char *verb, const uint32_t *uids, size_t n,
                    const char *tail, struct err *e)
{
    struct buf cmd;
    buf_init(&cmd, 0);
    buf_appendf(&cmd, "%s ", verb);
    uid_set(uids, n, &cmd);
    buf_append_cstr(&cmd, tail);
    int rc = command(s, buf_cstr(&cmd), NULL, e);
    buf_release(&cmd);
    return rc;
}

/* MOVE or COPY into the done folder, creating it once when the server refuses. */
static int transfer(struct imap_session *s, const char *verb, const uint32_t *uids, size_t n,
                    struct err *e)
{
    char tail[530];
    snprintf(tail, sizeof tail, " %s", s->done);
    int rc = mark_cmd(s, verb, uids, n, tail, e);
    if (rc != ERR_UNSUPPORTED)
        return rc;
    char create[600];
    snprintf(create, sizeof create, "CREATE %s", s->done);
    struct err ce;
    err_clear(&ce);
    if (command(s, create, NULL, &ce) && ce.code != ERR_UNSUPPORTED) /* exists: NO as well */
        return err_set(e, ce.code, ce.field, "%s", ce.message);
    if ((rc = reopen(s, false, e)))
        return rc;
    err_clear(e);
    return mark_cmd(s, verb, uids, n, tail, e);
}

int imap_mark_taken(struct imap_session *s, const uint32_t *uids, size_t n, struct err *e)
{
    if (!n)
        return 0;
    int rc = reopen(s, false, e);
    if (rc)
        return rc;
    if (!s->done[0])
        return mark_cmd(s, "UID STORE", uids, n, " +FLAGS.SILENT (\\Seen)", e);
    if (!s->caps_seen && (rc = command(s, "CAPABILITY", NULL, e)))
        return rc;
    if (s->cap_move)
        return transfer(s, "UID MOVE", uids, n, e);
    if ((rc = transfer(s, "UID COPY", uids, n, e)) ||
        (rc = mark_cmd(s, "UID STORE", uids, n, " +FLAGS.SILENT (\\Deleted)", e)))
        return rc;
    return s->cap_uidplus ? mark_cmd(s, "UID EXPUNGE", uids, n, "", e)
                          : command(s, "EXPUNGE", NULL, e);
}
