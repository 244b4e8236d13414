/* mail/parse: see parse.h.
 *
 * Why this shape: GMime parses the MIME structure (RFC 2045-2049, 5322, 2047, 2231) and decodes
 * transfer encodings; this file bounds it (a linear pre-scan refuses deep nesting before GMime
 * recurses over it, since GMime allows 1024 levels and walks its boundary stack on every line),
 * picks the body a support desk reads, converts every string to valid UTF-8 and applies the
 * attachment caps. The pre-scan is scan.c, UTF-8 cleaning text.c, and the text conversions (HTML,
 * quoted-history trimming) html_text.c.
 */
#include "mail/parse.h"
#include "mail/text.h"

#include <gmime/gmime.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"

/* Defaults when the caller passes no limits (the configuration's defaults, issue 6). */
#define LIMIT_ATTACHMENT_DEFAULT  ((size_t)20971520)
#define LIMIT_TOTAL_DEFAULT       ((size_t)26214400)
#define LIMIT_ATTACHMENTS_DEFAULT ((size_t)100)

static GOnce parse_once = G_ONCE_INIT;

static gpointer parse_init_once(gpointer unused)
{
    (void)unused;
    g_mime_init();
    return NULL;
}

void mail_parse_init(void)
{
    g_once(&parse_once, parse_init_once, NULL);
}

/* The first "<...>" in s (no spaces inside), or NULL. *next gets the position after it. */
static const char *msgid_next(const char *s, size_t *idlen, const char **next)
{
    for (const char *p = s; (p = strchr(p, '<')) != NULL; p++) {
        const char *q = p + 1;
        while (*q && *q != '>' && *q != '<' && !is_wsp(*q))
            q++;
        if (*q == '>' && q > p + 1) {
            *idlen = (size_t)(q - p) + 1;
            *next = q + 1;
            return p;
        }
    }
    return NULL;
}

/* A Message-ID as "<...>": the first bracketed id, or a lone bare token wrapped. */
static const char *msgid_dup(struct arena *a, const char *value)
{
    if (!value)
        return NULL;
    size_t n;
    const char *next;
    const char *p = msgid_next(value, &n, &next);
    if (p)
        return mail_clean(a, p, n, CLEAN_LINE);
    struct slice t = trim_ws(value, strlen(value));
    if (t.len == 0 || t.len > 900 || memchr(t.ptr, ' ', t.len) || memchr(t.ptr, '\t', t.len))
        return NULL;
    char *w = arena_alloc(a, t.len + 3);
    if (!w)
        return NULL;
    w[0] = '<';
    memcpy(w + 1, t.ptr, t.len);
    w[t.len + 1] = '>';
    char *c = mail_clean(a, w, t.len + 2, CLEAN_LINE);
    return c;
}

/* ---- GMime adapter ----------------------------------------------------------------------- */

struct parse_state {
    struct arena *a;
    struct mail_parse_limits lim;
    struct mail_parsed *out;
    struct buf body; /* the body text so far, UTF-8 */
    bool have_body;
    bool body_html;
    struct mail_attachment *att;
    size_t att_count, att_cap;
    struct mail_dropped *drop;
    size_t drop_count, drop_cap;
    size_t kept_total;
    /* GMime's warnings */
    bool malformed;
    bool no_boundary;
    bool too_deep;
    /* the first error met while walking (ERR_LIMIT from the arena, or a reason) */
    int rc;
    const char *reason;
};

static void on_warning(gint64 offset, GMimeParserWarning code, const gchar *item, gpointer data)
{
    struct parse_state *ps = data;
    (void)offset;
    (void)item;
    switch (code) {
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
        ps->no_boundary = true;
        ps->malformed = true;
        break;
    case GMIME_CRIT_NESTING_OVERFLOW:
        ps->too_deep = true;
        break;
    case GMIME_WARN_MALFORMED_MULTIPART:
    case GMIME_WARN_TRUNCATED_MESSAGE:
    case GMIME_WARN_MALFORMED_MESSAGE:
    case GMIME_CRIT_INVALID_HEADER_NAME:
    case GMIME_CRIT_CONFLICTING_HEADER:
    case GMIME_CRIT_CONFLICTING_PARAMETER:
    case GMIME_WARN_PART_WITHOUT_CONTENT:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
        ps->malformed = true;
        break;
    default:
        /* duplicated headers, unencoded 8-bit headers, bad RFC 2047 words, invalid parameters
         * and address lists are everyday mail, decoded as well as can be: not a defect */
        break;
    }
}

static gint64 part_encoded_size(GMimePart *part);

/* The decoded (transfer-encoding removed) bytes of a part, in a GMime memory stream the caller
 * unrefs. The array is sized to the encoded length up front (decoding only shrinks), so a large
 * file is not grown by doubling (GLib rounds array growth to powers of two). */
static GMimeStream *part_bytes(GMimePart *part, const guint8 **data, size_t *len)
{
    gint64 enc = part_encoded_size(part);
    guint hint = enc > 0 && enc < (gint64)(G_MAXUINT / 2) ? (guint)enc : 0;
    GByteArray *ba = hint ? g_byte_array_new_take(g_malloc(hint), hint) : g_byte_array_new();
    g_byte_array_set_size(ba, 0);
    GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(ba);
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    if (w)
        g_mime_data_wrapper_write_to_stream(w, mem);
    ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem)); /* may have grown */
    *data = ba->data;
    *len = ba->len;
    return mem;
}

/* Decoded size of a part without keeping the bytes: decode into a counting null stream. */
static size_t part_decoded_size(GMimePart *part)
{
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    if (!w)
        return 0;
    GMimeStream *null = g_mime_stream_null_new();
    g_mime_data_wrapper_write_to_stream(w, null);
    size_t n = GMIME_STREAM_NULL(null)->written;
    g_object_unref(null);
    return n;
}

/* An upper bound of the decoded size: the encoded length (every transfer decoding shrinks). */
static gint64 part_encoded_size(GMimePart *part)
{
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    GMimeStream *s = w ? g_mime_data_wrapper_get_stream(w) : NULL;
    return s ? g_mime_stream_length(s) : 0;
}

static bool charset_is(const char *cs, const char *const *names)
{
    for (; *names; names++)
        if (g_ascii_strcasecmp(cs, *names) == 0)
            return true;
    return false;
}

static const char *const cs_utf8[] = {"utf-8", "utf8", NULL};
static const char *const cs_ascii[] = {"us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", NULL};
static const char *const cs_1252[] = {"windows-1252", "cp1252",     "iso-8859-1",
                                      "iso8859-1",    "iso_8859-1", "latin1",
                                      "l1",           "x-cp1252",   NULL};

/* Append the text of a text part to ps->body as UTF-8. Declared charsets are converted by GMime;
 * UTF-8, ASCII and Latin-1 / Windows-1252 are read here (faster, and Windows-1252 is what a
 * "Latin-1" label means in practice); undeclared text that is not valid UTF-8 is read as
 * Windows-1252 (parse.h). Invalid UTF-8 left over becomes U+FFFD later, in mail_clean(). */
static void text_append(struct parse_state *ps, GMimePart *part, struct buf *b)
{
    const char *cs = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    bool mine = !cs || !*cs || charset_is(cs, cs_utf8) || charset_is(cs, cs_ascii) ||
                charset_is(cs, cs_1252);
    if (!mine && GMIME_IS_TEXT_PART(part)) {
        char *t = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
        if (t) {
            size_t n = strlen(t);
            if (utf8_valid(t, n))
                buf_append(b, t, n);
            else /* GMime knew no converter for it: the bytes came through as they were */
                mail_cp1252_to_utf8((const unsigned char *)t, n, b);
            g_free(t);
        }
        return;
    }
    const guint8 *data;
    size_t len;
    GMimeStream *mem = part_bytes(part, &data, &len);
    bool declared_utf8 = cs && charset_is(cs, cs_utf8);
    if (utf8_valid((const char *)data, len) || declared_utf8)
        buf_append(b, data, len);
    else
        mail_cp1252_to_utf8(data, len, b);
    g_object_unref(mem);
    (void)ps;
}

static void drop_add(struct parse_state *ps, const char *filename, size_t size, const char *why)
{
    if (ps->drop_count == ps->drop_cap) {
        ps->drop_cap = ps->drop_cap ? ps->drop_cap * 2 : 4;
        ps->drop = xrealloc(ps->drop, ps->drop_cap * sizeof *ps->drop);
    }
    ps->drop[ps->drop_count++] = (struct mail_dropped){filename, size, why};
}

static void att_add(struct parse_state *ps, struct mail_attachment at)
{
    if (ps->att_count == ps->att_cap) {
        ps->att_cap = ps->att_cap ? ps->att_cap * 2 : 4;
        ps->att = xrealloc(ps->att, ps->att_cap * sizeof *ps->att);
    }
    ps->att[ps->att_count++] = at;
}

static void walk_fail(struct parse_state *ps, int rc, const char *reason)
{
    if (ps->rc == 0) {
        ps->rc = rc;
        ps->reason = reason;
    }
}

/* The file name of a part: decoded by GMime (RFC 2231, 2047), path parts removed. */
static const char *part_filename(struct parse_state *ps, GMimeObject *obj)
{
    const char *name = GMIME_IS_PART(obj) ? g_mime_part_get_filename(GMIME_PART(obj)) : NULL;
    if (!name)
        name = g_mime_object_get_content_disposition_parameter(obj, "filename");
    if (!name)
        return "attachment";
    const char *base = name;
    for (const char *p = name; *p; p++)
        if (*p == '/' || *p == '\\')
            base = p + 1;
    char *c = mail_clean_cstr(ps->a, base, CLEAN_LINE);
    if (!c) {
        walk_fail(ps, ERR_LIMIT, NULL);
        return "attachment";
    }
    if (!*c || strcmp(c, ".") == 0 || strcmp(c, "..") == 0)
        return "attachment";
    return c;
}

static const char *part_mime_type(struct parse_state *ps, GMimeObject *obj)
{
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    const char *t = ct ? g_mime_content_type_get_media_type(ct) : NULL;
    const char *s = ct ? g_mime_content_type_get_media_subtype(ct) : NULL;
    char *both = g_strdup_printf("%s/%s", t ? t : "application", s ? s : "octet-stream");
    char *lower = g_ascii_strdown(both, -1);
    char *c = mail_clean_cstr(ps->a, lower, CLEAN_LINE);
    g_free(both);
    g_free(lower);
    if (!c)
        walk_fail(ps, ERR_LIMIT, NULL);
    return c ? c : "application/octet-stream";
}

/* Keep or drop one attachment under the caps. The decoded bytes are produced only for a file
 * that fits: a larger one is measured through a counting stream, never held decoded. */
static void attachment_take(struct parse_state *ps, GMimeObject *obj)
{
    const char *filename = part_filename(ps, obj);
    const char *type = part_mime_type(ps, obj);
    const char *disp = g_mime_object_get_disposition(obj);
    bool inl = disp && g_ascii_strcasecmp(disp, "inline") == 0;
    const guint8 *data = NULL;
    size_t size = 0;
    GMimeStream *mem = NULL;

    if (GMIME_IS_PART(obj)) {
        GMimePart *part = GMIME_PART(obj);
        gint64 enc = part_encoded_size(part);
        size_t room = ps->lim.total_max - ps->kept_total;
        size_t cap = ps->lim.attachment_max < room ? ps->lim.attachment_max : room;
        if (enc >= 0 && (size_t)enc <= cap && ps->att_count < ps->lim.attachments_max) {
            mem = part_bytes(part, &data, &size);
        } else {
            size = part_decoded_size(part);
            if (size <= cap && ps->att_count < ps->lim.attachments_max)
                mem = part_bytes(part, &data, &size);
        }
    } else { /* message/rfc822: kept as written */
        mem = g_mime_stream_mem_new();
        GMimeObject *inner = GMIME_OBJECT(g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj)));
        if (inner)
            g_mime_object_write_to_stream(inner, NULL, mem);
        GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
        data = ba->data;
        size = ba->len;
        if (strcmp(filename, "attachment") == 0)
            filename = "attachment.eml";
    }

    const char *why = NULL;
    if (size > ps->lim.attachment_max)
        why = "too_large";
    else if (size > ps->lim.total_max - ps->kept_total)
        why = "total_too_large";
    else if (ps->att_count >= ps->lim.attachments_max)
        why = "too_many";
    if (why) {
        drop_add(ps, filename, size, why);
    } else {
        unsigned char *copy = arena_alloc(ps->a, size ? size : 1);
        if (!copy) {
            walk_fail(ps, ERR_LIMIT, NULL);
        } else {
            if (size)
                memcpy(copy, data, size);
            ps->kept_total += size;
            att_add(ps, (struct mail_attachment){filename, type, copy, size, inl});
        }
    }
    if (mem)
        g_object_unref(mem);
}

static bool type_is(GMimeObject *obj, const char *type, const char *subtype)
{
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    return ct && g_mime_content_type_is_type(ct, type, subtype);
}

/* A text part that is a body rather than a file: text/plain or text/html without a file name
 * and not marked as an attachment. */
static bool is_body_text(GMimeObject *obj)
{
    if (!GMIME_IS_PART(obj))
        return false;
    if (!type_is(obj, "text", "plain") && !type_is(obj, "text", "html"))
        return false;
    const char *disp = g_mime_object_get_disposition(obj);
    if (disp && g_ascii_strcasecmp(disp, "attachment") == 0)
        return false;
    return g_mime_part_get_filename(GMIME_PART(obj)) == NULL;
}

/* The first text/plain body inside obj (bounded by the depth already checked). */
static bool has_plain(GMimeObject *obj, int depth)
{
    if (depth > MAIL_PARSE_DEPTH_MAX)
        return false;
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; i++)
            if (has_plain(g_mime_multipart_get_part(mp, i), depth + 1))
                return true;
        return false;
    }
    return is_body_text(obj) && type_is(obj, "text", "plain");
}

static void body_add(struct parse_state *ps, GMimeObject *obj)
{
    bool html = type_is(obj, "text", "html");
    if (ps->have_body && html != ps->body_html) {
        attachment_take(ps, obj); /* a second body of another kind: kept as a file */
        return;
    }
    struct buf part;
    buf_init(&part, 0);
    text_append(ps, GMIME_PART(obj), &part);
    if (ps->have_body && ps->body.len > 0 && part.len > 0)
        buf_append_cstr(&ps->body, "\n\n");
    if (html) {
        /* each HTML part made text on its own: their tags do not nest across parts */
        struct arena tmp;
        arena_init(&tmp, 0);
        char *t = mail_html_to_text(part.ptr ? part.ptr : "", part.len, &tmp);
        if (t)
            buf_append_cstr(&ps->body, t);
        arena_release(&tmp);
    } else if (part.len) {
        buf_append(&ps->body, part.ptr, part.len);
    }
    buf_release(&part);
    ps->have_body = true;
    ps->body_html = html;
}

/* RFC 3464 fields of a message/delivery-status part: the first recipient block's
 * Final-Recipient (or Original-Recipient), Action and Status. */
static void bounce_fields(struct parse_state *ps, GMimePart *part)
{
    const guint8 *data;
    size_t len;
    GMimeStream *mem = part_bytes(part, &data, &len);
    const char *s = (const char *)data;
    struct mail_bounce *bo = &ps->out->bounce;
    const char *orig = NULL;
    size_t orig_len = 0;
    for (size_t pos = 0; pos < len;) {
        const char *line = s + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        pos += ll + (nl ? 1 : 0);
        const char *colon = memchr(line, ':', ll);
        if (!colon)
            continue;
        size_t nlen = (size_t)(colon - line);
        struct slice v = trim_ws(colon + 1, ll - nlen - 1);
        if (ascii_ieq(line, nlen, "final-recipient") ||
            ascii_ieq(line, nlen, "original-recipient")) {
            const char *semi = memchr(v.ptr, ';', v.len);
            if (semi)
                v = trim_ws(semi + 1, v.len - (size_t)(semi + 1 - v.ptr));
            if (v.len > 1 && v.ptr[0] == '<' && v.ptr[v.len - 1] == '>')
                v = (struct slice){v.ptr + 1, v.len - 2};
            if (ascii_ieq(line, nlen, "original-recipient")) {
                if (!orig) {
                    orig = v.ptr;
                    orig_len = v.len;
                }
            } else if (!bo->recipient && v.len > 0) {
                bo->recipient = mail_clean(ps->a, v.ptr, v.len, CLEAN_LINE);
            }
        } else if (ascii_ieq(line, nlen, "action") && !bo->action && v.len > 0) {
            char *c = mail_clean(ps->a, v.ptr, v.len, CLEAN_LINE);
            for (char *q = c; q && *q; q++)
                *q = g_ascii_tolower(*q);
            bo->action = c;
        } else if (ascii_ieq(line, nlen, "status") && !bo->status && v.len > 0) {
            size_t n = 0;
            while (n < v.len && !is_wsp(v.ptr[n]) && v.ptr[n] != '(')
                n++;
            bo->status = mail_clean(ps->a, v.ptr, n, CLEAN_LINE);
        }
    }
    if (!bo->recipient && orig && orig_len > 0)
        bo->recipient = mail_clean(ps->a, orig, orig_len, CLEAN_LINE);
    g_object_unref(mem);
}

/* The Message-ID line of a text/rfc822-headers part (unfolded). */
static void bounce_headers_msgid(struct parse_state *ps, GMimePart *part)
{
    const guint8 *data;
    size_t len;
    GMimeStream *mem = part_bytes(part, &data, &len);
    const char *s = (const char *)data;
    for (size_t pos = 0; pos < len && !ps->out->bounce.original_message_id;) {
        const char *line = s + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t ll = nl ? (size_t)(nl - line) : len - pos;
        pos += ll + (nl ? 1 : 0);
        if (!ascii_prefix(line, ll, "message-id:"))
            continue;
        /* the value, with one continuation line (folded ids) */
        size_t end = pos;
        if (end < len && (s[end] == ' ' || s[end] == '\t')) {
            const char *nl2 = memchr(s + end, '\n', len - end);
            end = nl2 ? (size_t)(nl2 - s) : len;
        }
        size_t vstart = (size_t)(line - s) + 11;
        char *v = arena_strndup(ps->a, s + vstart, end - vstart);
        if (v)
            ps->out->bounce.original_message_id = msgid_dup(ps->a, v);
    }
    g_object_unref(mem);
}

static const char *message_header(GMimeObject *obj, const char *name)
{
    return g_mime_object_get_header(obj, name);
}

static void bounce_report(struct parse_state *ps, GMimeMultipart *mp, int depth)
{
    struct mail_bounce *bo = &ps->out->bounce;
    bo->is_bounce = true;
    int n = g_mime_multipart_get_count(mp);
    for (int i = 0; i < n; i++) {
        GMimeObject *c = g_mime_multipart_get_part(mp, i);
        if (GMIME_IS_PART(c) && (type_is(c, "message", "delivery-status") ||
                                 type_is(c, "message", "global-delivery-status")))
            bounce_fields(ps, GMIME_PART(c));
        else if (GMIME_IS_PART(c) && type_is(c, "text", "rfc822-headers"))
            bounce_headers_msgid(ps, GMIME_PART(c));
        else if (GMIME_IS_MESSAGE_PART(c) && !bo->original_message_id) {
            GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(c));
            if (m)
                bo->original_message_id =
                    msgid_dup(ps->a, message_header(GMIME_OBJECT(m), "Message-ID"));
        }
    }
    (void)depth;
}

static void walk(struct parse_state *ps, GMimeObject *obj, int depth, bool skip_text);

static void walk_multipart(struct parse_state *ps, GMimeMultipart *mp, int depth, bool skip_text)
{
    GMimeObject *obj = GMIME_OBJECT(mp);
    int n = g_mime_multipart_get_count(mp);
    if (n == 0) { /* its boundary never occurs */
        walk_fail(ps, ERR_INVALID, "bad_boundary");
        return;
    }
    if (type_is(obj, "multipart", "alternative")) {
        /* text/plain preferred: the first alternative holding one, else the last (richest) */
        int best = n - 1;
        for (int i = 0; i < n; i++) {
            if (has_plain(g_mime_multipart_get_part(mp, i), depth + 1)) {
                best = i;
                break;
            }
        }
        for (int i = 0; i < n; i++)
            walk(ps, g_mime_multipart_get_part(mp, i), depth + 1, skip_text || i != best);
        return;
    }
    if (type_is(obj, "multipart", "report")) {
        const char *rt = g_mime_object_get_content_type_parameter(obj, "report-type");
        if (rt && g_ascii_strcasecmp(rt, "delivery-status") == 0 && !ps->out->bounce.is_bounce) {
            /* the human-readable part is the body; the machine parts are no files */
            bounce_report(ps, mp, depth);
            walk(ps, g_mime_multipart_get_part(mp, 0), depth + 1, skip_text);
            for (int i = 1; i < n; i++) {
                GMimeObject *c = g_mime_multipart_get_part(mp, i);
                if (GMIME_IS_MULTIPART(c))
                    walk(ps, c, depth + 1, true);
            }
            return;
        }
    }
    for (int i = 0; i < n; i++)
        walk(ps, g_mime_multipart_get_part(mp, i), depth + 1, skip_text);
}

/* The tree walk. depth counts containers (a multipart or a message part is one level); GMime's
 * tree is never deeper than the pre-scan allowed, and this check keeps it so if they disagree. */
static void walk(struct parse_state *ps, GMimeObject *obj, int depth, bool skip_text)
{
    if (!obj || ps->rc != 0)
        return;
    bool container = GMIME_IS_MULTIPART(obj) || GMIME_IS_MESSAGE_PART(obj);
    if (container && depth > MAIL_PARSE_DEPTH_MAX) {
        walk_fail(ps, ERR_INVALID, "too_deep");
        return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
        walk_multipart(ps, GMIME_MULTIPART(obj), depth, skip_text);
        return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        /* a forwarded message is a file (its nesting was checked by message_depth_ok) */
        attachment_take(ps, obj);
        return;
    }
    if (!GMIME_IS_PART(obj))
        return; /* message/partial and the like: the raw message keeps them */
    if (is_body_text(obj)) {
        if (!skip_text)
            body_add(ps, obj);
        return;
    }
    attachment_take(ps, obj);
}

/* Depth of message parts nested in message parts (the walk does not enter them). */
static bool message_depth_ok(GMimeObject *obj, int depth)
{
    if (!obj)
        return true;
    if (depth > MAIL_PARSE_DEPTH_MAX + 1)
        return false;
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; i++)
            if (!message_depth_ok(g_mime_multipart_get_part(mp, i), depth + 1))
                return false;
        return true;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *m = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        return !m || message_depth_ok(g_mime_message_get_mime_part(m), depth + 1);
    }
    return true;
}

/* ---- addresses and headers ----------------------------------------------------------------- */

/* The address of a mailbox, domain lower-cased (RFC 5321 2.4: local parts are case-sensitive),
 * or NULL when it is no usable address (no "@", empty sides, spaces or controls). */
static const char *address_dup(struct arena *a, InternetAddress *ia)
{
    if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
        return NULL;
    const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
    if (!addr)
        return NULL;
    const char *at = strrchr(addr, '@');
    size_t len = strlen(addr);
    if (!at || at == addr || at[1] == '\0' || len > 320)
        return NULL;
    for (const char *p = addr; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7F || *p == '<' || *p == '>')
            return NULL;
    if (!utf8_valid(addr, len))
        return NULL;
    char *c = arena_strndup(a, addr, len);
    if (!c)
        return NULL;
    for (char *p = c + (at - addr) + 1; *p; p++)
        *p = g_ascii_tolower(*p);
    return c;
}

/* The first usable mailbox of a list (groups entered one level), with its display name. */
static const char *first_mailbox(struct arena *a, InternetAddressList *list, const char **name)
{
    int n = list ? internet_address_list_length(list) : 0;
    for (int i = 0; i < n; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            InternetAddressList *m = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
            int k = m ? internet_address_list_length(m) : 0;
            for (int j = 0; j < k; j++) {
                InternetAddress *mb = internet_address_list_get_address(m, j);
                const char *addr = address_dup(a, mb);
                if (addr) {
                    if (name)
                        *name = internet_address_get_name(mb);
                    return addr;
                }
            }
            continue;
        }
        const char *addr = address_dup(a, ia);
        if (addr) {
            if (name)
                *name = internet_address_get_name(ia);
            return addr;
        }
    }
    return NULL;
}

static void collect_addresses(struct arena *a, InternetAddressList *list, GPtrArray *into)
{
    int n = list ? internet_address_list_length(list) : 0;
    for (int i = 0; i < n; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            InternetAddressList *m = internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia));
            int k = m ? internet_address_list_length(m) : 0;
            for (int j = 0; j < k; j++) {
                const char *addr = address_dup(a, internet_address_list_get_address(m, j));
                if (addr)
                    g_ptr_array_add(into, (gpointer)addr);
            }
            continue;
        }
        const char *addr = address_dup(a, ia);
        if (addr)
            g_ptr_array_add(into, (gpointer)addr);
    }
}

/* Copy a GPtrArray of arena strings into an arena array. */
static const char **ptrs_dup(struct arena *a, GPtrArray *arr, size_t from, size_t *count)
{
    size_t n = arr->len - from;
    *count = 0;
    if (n == 0)
        return NULL;
    const char **v = arena_alloc(a, n * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++)
        v[i] = g_ptr_array_index(arr, from + i);
    *count = n;
    return v;
}

static void read_auto(struct mail_parsed *out, GMimeObject *msg)
{
    const char *v = message_header(msg, "Auto-Submitted");
    if (v) {
        struct slice t = trim_ws(v, strlen(v));
        size_t n = 0;
        while (n < t.len && t.ptr[n] != ';' && !is_wsp(t.ptr[n]) && t.ptr[n] != '(')
            n++;
        out->automatic.auto_submitted = !ascii_ieq(t.ptr, n, "no");
    }
    v = message_header(msg, "Precedence");
    if (v) {
        struct slice t = trim_ws(v, strlen(v));
        out->automatic.precedence_bulk = ascii_ieq(t.ptr, t.len, "bulk") ||
                                         ascii_ieq(t.ptr, t.len, "list") ||
                                         ascii_ieq(t.ptr, t.len, "junk");
    }
    v = message_header(msg, "X-Auto-Response-Suppress");
    if (v) {
        struct slice t = trim_ws(v, strlen(v));
        out->automatic.suppress = !ascii_ieq(t.ptr, t.len, "none");
    }
    out->automatic.list = message_header(msg, "List-Id") || message_header(msg, "List-Unsubscribe");
    if (out->from_address) {
        const char *at = strrchr(out->from_address, '@');
        size_t n = (size_t)(at - out->from_address);
        out->automatic.daemon_sender = ascii_ieq(out->from_address, n, "mailer-daemon") ||
                                       ascii_ieq(out->from_address, n, "postmaster");
    }
}

/* In-Reply-To (the first id) and References (each id, the last MAIL_PARSE_REFERENCES_MAX). */
static int read_ids(struct arena *a, GMimeObject *msg, struct mail_parsed *out)
{
    const char *v = message_header(msg, "Message-ID");
    out->message_id = msgid_dup(a, v);
    v = message_header(msg, "In-Reply-To");
    size_t n;
    const char *next;
    const char *p = v ? msgid_next(v, &n, &next) : NULL;
    if (p && !(out->in_reply_to = mail_clean(a, p, n, CLEAN_LINE)))
        return ERR_LIMIT;
    v = message_header(msg, "References");
    if (!v)
        return 0;
    const char *ring[MAIL_PARSE_REFERENCES_MAX];
    size_t ring_n[MAIL_PARSE_REFERENCES_MAX];
    size_t total = 0;
    for (const char *s = v; (p = msgid_next(s, &n, &next)) != NULL; s = next) {
        ring[total % MAIL_PARSE_REFERENCES_MAX] = p;
        ring_n[total % MAIL_PARSE_REFERENCES_MAX] = n;
        total++;
    }
    size_t keep = total < MAIL_PARSE_REFERENCES_MAX ? total : MAIL_PARSE_REFERENCES_MAX;
    if (keep == 0)
        return 0;
    const char **refs = arena_alloc(a, keep * sizeof *refs);
    if (!refs)
        return ERR_LIMIT;
    for (size_t i = 0; i < keep; i++) {
        size_t slot = (total - keep + i) % MAIL_PARSE_REFERENCES_MAX;
        if (!(refs[i] = mail_clean(a, ring[slot], ring_n[slot], CLEAN_LINE)))
            return ERR_LIMIT;
    }
    out->references = refs;
    out->reference_count = keep;
    return 0;
}

/* ---- mail_parse -------------------------------------------------------------------------- */

/* Does the input start with a header field (RFC 5322 2.2: printable ASCII name, a colon) or an
 * mbox "From " line? Anything else is not a message. */
static bool looks_like_mail(const char *raw, size_t len)
{
    size_t i = 0;
    while (i < len && (raw[i] == '\r' || raw[i] == '\n'))
        i++;
    if (len - i >= 5 && memcmp(raw + i, "From ", 5) == 0)
        return true;
    size_t start = i;
    while (i < len && (unsigned char)raw[i] > 32 && (unsigned char)raw[i] < 127 && raw[i] != ':')
        i++;
    return i > start && i < len && raw[i] == ':';
}

/* A header block is a message's when it has one of the fields every mail has at least one of
 * (RFC 5322 3.6: origination, destination, identification, informational, trace; RFC 2045).
 * "{"json": 1}" is a well-formed header block of a field nobody sends: not mail. */
static bool has_mail_header(GMimeObject *msg)
{
    static const char *const names[] = {
        "from",         "sender",       "to",         "cc",          "bcc",
        "subject",      "date",         "message-id", "received",    "return-path",
        "mime-version", "content-type", "reply-to",   "in-reply-to", NULL};
    GMimeHeaderList *hl = g_mime_object_get_header_list(msg);
    int n = hl ? g_mime_header_list_get_count(hl) : 0;
    for (int i = 0; i < n; i++) {
        const char *name = g_mime_header_get_name(g_mime_header_list_get_header_at(hl, i));
        for (int k = 0; name && names[k]; k++)
            if (g_ascii_strcasecmp(name, names[k]) == 0)
                return true;
    }
    return false;
}

static int fail(struct err *e, int code, const char *reason, const char *msg)
{
    if (code == ERR_LIMIT)
        return err_set(e, ERR_LIMIT, "raw", "%s", "message too large for the parse buffer");
    return err_reason(e, err_set(e, code, "raw", "%s", msg), reason);
}

static const char *reason_message(const char *reason)
{
    if (strcmp(reason, "too_deep") == 0)
        return "message MIME nesting is deeper than 50 levels";
    if (strcmp(reason, "bad_boundary") == 0)
        return "message has a multipart whose boundary is missing or never occurs";
    if (strcmp(reason, "no_sender") == 0)
        return "message has no From or Sender address";
    if (strcmp(reason, "empty") == 0)
        return "message is empty";
    return "input is not an RFC 5322 message";
}

static void state_release(struct parse_state *ps)
{
    buf_release(&ps->body);
    free(ps->att);
    free(ps->drop);
}

/* Fill out from a parsed message; 0 or an error code with ps->reason. */
static int fill(struct parse_state *ps, GMimeMessage *msg)
{
    struct arena *a = ps->a;
    struct mail_parsed *out = ps->out;
    GMimeObject *obj = GMIME_OBJECT(msg);

    const char *name = NULL;
    const char *from = first_mailbox(a, g_mime_message_get_from(msg), &name);
    if (!from)
        from = first_mailbox(a, g_mime_message_get_sender(msg), &name);
    if (!from) {
        ps->reason = "no_sender";
        return ERR_INVALID;
    }
    out->from_address = from;
    if (name && *name) {
        out->from_name = mail_clean_cstr(a, name, CLEAN_LINE);
        if (out->from_name && !*out->from_name)
            out->from_name = NULL;
    }
    out->reply_to = first_mailbox(a, g_mime_message_get_reply_to(msg), NULL);

    GPtrArray *to = g_ptr_array_new();
    collect_addresses(a, g_mime_message_get_to(msg), to);
    collect_addresses(a, g_mime_message_get_cc(msg), to);
    out->to = ptrs_dup(a, to, 0, &out->to_count);
    g_ptr_array_free(to, TRUE);

    out->subject = mail_clean_cstr(a, g_mime_message_get_subject(msg), CLEAN_LINE);
    if (!out->subject || read_ids(a, obj, out) != 0)
        return ERR_LIMIT;
    GDateTime *date = g_mime_message_get_date(msg);
    out->date = date ? g_date_time_to_unix(date) : 0;
    if (out->date < 0)
        out->date = 0;
    read_auto(out, obj);

    GMimeObject *top = g_mime_message_get_mime_part(msg);
    if (!message_depth_ok(top, 1)) {
        ps->reason = "too_deep";
        return ERR_INVALID;
    }
    if (ps->no_boundary) {
        ps->reason = "bad_boundary";
        return ERR_INVALID;
    }
    walk(ps, top, 1, false);
    if (ps->rc != 0)
        return ps->rc;

    out->text = mail_clean(a, ps->body.ptr ? ps->body.ptr : "", ps->body.len, CLEAN_BODY);
    if (!out->text)
        return ERR_LIMIT;
    /* trim the blank lines around the body */
    struct slice t = trim_ws(out->text, strlen(out->text));
    ((char *)t.ptr)[t.len] = '\0';
    out->text = t.ptr;
    out->text_from_html = ps->have_body && ps->body_html;
    out->visible = mail_trim_quoted(out->text, a);
    if (!out->visible)
        return ERR_LIMIT;

    if (ps->att_count) {
        out->attachments = arena_alloc(a, ps->att_count * sizeof *out->attachments);
        if (!out->attachments)
            return ERR_LIMIT;
        memcpy(out->attachments, ps->att, ps->att_count * sizeof *ps->att);
        out->attachment_count = ps->att_count;
    }
    if (ps->drop_count) {
        out->dropped = arena_alloc(a, ps->drop_count * sizeof *out->dropped);
        if (!out->dropped)
            return ERR_LIMIT;
        memcpy(out->dropped, ps->drop, ps->drop_count * sizeof *ps->drop);
        out->dropped_count = ps->drop_count;
    }
    if (out->bounce.recipient) {
        /* lower-case the domain, as from_address */
        char *r = (char *)out->bounce.recipient;
        char *at = strrchr(r, '@');
        for (char *p = at ? at + 1 : r + strlen(r); *p; p++)
            *p = g_ascii_tolower(*p);
    }
    out->malformed = ps->malformed;
    return 0;
}

int mail_parse(const char *raw, size_t len, const struct mail_parse_limits *limits, struct arena *a,
               struct mail_parsed *out, struct err *e)
{
    mail_parse_init();
    struct slice all = trim_ws(raw ? raw : "", raw ? len : 0);
    if (all.len == 0)
        return fail(e, ERR_INVALID, "empty", reason_message("empty"));
    if (!looks_like_mail(raw, len))
        return fail(e, ERR_INVALID, "not_mail", reason_message("not_mail"));
    if (!mail_scan_depth_ok(raw, len))
        return fail(e, ERR_INVALID, "too_deep", reason_message("too_deep"));
    if (len > G_MAXUINT / 2) /* GLib's arrays count in guint; nothing this size is mail */
        return fail(e, ERR_LIMIT, NULL, NULL);

    struct mail_parsed res;
    memset(&res, 0, sizeof res);
    struct parse_state ps;
    memset(&ps, 0, sizeof ps);
    ps.a = a;
    ps.out = &res;
    ps.lim = (struct mail_parse_limits){LIMIT_ATTACHMENT_DEFAULT, LIMIT_TOTAL_DEFAULT,
                                        LIMIT_ATTACHMENTS_DEFAULT};
    if (limits)
        ps.lim = *limits;
    buf_init(&ps.body, 0);

    GMimeParserOptions *opts = g_mime_parser_options_new();
    const char *fallback[] = {"utf-8", "windows-1252", NULL};
    g_mime_parser_options_set_fallback_charsets(opts, fallback);
    g_mime_parser_options_set_warning_callback(opts, on_warning, &ps);
    /* GMime reads the caller's bytes where they are: a memory stream over an array that does not
     * own them (g_mime_stream_mem_new_with_buffer would copy the whole message). The parser
     * only reads, and every object holding the stream is gone before the array is let go. */
    GByteArray *ba = g_byte_array_new_take((guint8 *)raw, len);
    GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(ba);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, opts);

    int rc;
    if (!msg || !has_mail_header(GMIME_OBJECT(msg))) {
        ps.reason = "not_mail";
        rc = ERR_INVALID;
    } else if (ps.too_deep) {
        ps.reason = "too_deep";
        rc = ERR_INVALID;
    } else {
        rc = fill(&ps, msg);
    }
    if (msg)
        g_object_unref(msg);
    g_object_unref(parser);
    g_object_unref(stream);
    g_byte_array_free(ba, FALSE); /* the struct only: the bytes are the caller's */
    g_mime_parser_options_free(opts);
    state_release(&ps);

    if (rc != 0)
        return fail(e, rc, ps.reason ? ps.reason : "not_mail",
                    reason_message(ps.reason ? ps.reason : "not_mail"));
    *out = res;
    return 0;
}
