/* fuzz_mail_parse: mail_parse() (src/mail/parse.h), which reads every inbound message, plus
 * mail_html_to_text() and mail_trim_quoted() on what it makes.
 *
 * Input: the raw message. Invariants: the result is 0, ERR_LIMIT, or ERR_INVALID with one of the
 * header's reasons on field "raw", out untouched on failure; on success every string is valid
 * UTF-8, the sender has an "@" and a lower-case domain, the subject has no control characters,
 * ids are "<...>", at most MAIL_PARSE_REFERENCES_MAX references, visible is part of text and
 * not empty when text is not, kept attachments respect the three caps and dropped ones say why
 * consistently, bounce fields only on a bounce; the same input parses the same way twice.
 */
#include "fuzz.h"

#include "base/buf.h"
#include "mail/parse.h"

#include <stdbool.h>
#include <string.h>

static void check_str(const char *s, const char *what)
{
    if (s)
        FUZZ_CHECK(utf8_valid(s, strlen(s)), "%s is not valid UTF-8: \"%s\"", what, s);
}

static void check_id(const char *s, const char *what)
{
    if (!s)
        return;
    size_t n = strlen(s);
    FUZZ_CHECK(n >= 3 && s[0] == '<' && s[n - 1] == '>', "%s not bracketed: \"%s\"", what, s);
    check_str(s, what);
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

static void check_parsed(const struct mail_parsed *p, const struct mail_parse_limits *lim)
{
    FUZZ_CHECK(p->from_address != NULL, "no from_address on success");
    const char *at = strrchr(p->from_address, '@');
    FUZZ_CHECK(at && at != p->from_address && at[1], "from_address \"%s\"", p->from_address);
    for (const char *c = at + 1; *c; c++)
        FUZZ_CHECK(!(*c >= 'A' && *c <= 'Z'), "domain not lower-case: \"%s\"", p->from_address);
    check_str(p->from_address, "from_address");
    check_str(p->from_name, "from_name");
    check_str(p->reply_to, "reply_to");
    FUZZ_CHECK(p->subject != NULL, "subject NULL");
    check_str(p->subject, "subject");
    for (const char *c = p->subject; *c; c++)
        FUZZ_CHECK((unsigned char)*c >= 0x20 && *c != 0x7F, "control in subject");
    check_id(p->message_id, "message_id");
    check_id(p->in_reply_to, "in_reply_to");
    FUZZ_CHECK(p->reference_count <= MAIL_PARSE_REFERENCES_MAX, "%zu references",
               p->reference_count);
    for (size_t i = 0; i < p->reference_count; i++)
        check_id(p->references[i], "reference");
    FUZZ_CHECK(p->to_count == 0 || p->to != NULL, "to_count without to");
    for (size_t i = 0; i < p->to_count; i++) {
        check_str(p->to[i], "to");
        FUZZ_CHECK(strchr(p->to[i], '@') != NULL, "to without @: \"%s\"", p->to[i]);
    }
    FUZZ_CHECK(p->text && p->visible, "text or visible NULL");
    check_str(p->text, "text");
    check_str(p->visible, "visible");
    FUZZ_CHECK(strstr(p->text, p->visible) != NULL, "visible is not part of text");
    FUZZ_CHECK(blank(p->text) || !blank(p->visible), "visible empty, text not");

    size_t total = 0;
    FUZZ_CHECK(p->attachment_count <= lim->attachments_max, "%zu attachments kept",
               p->attachment_count);
    for (size_t i = 0; i < p->attachment_count; i++) {
        const struct mail_attachment *m = &p->attachments[i];
        check_str(m->filename, "filename");
        check_str(m->content_type, "content_type");
        FUZZ_CHECK(m->filename[0] && !strchr(m->filename, '/') && !strchr(m->filename, '\\'),
                   "filename \"%s\"", m->filename);
        FUZZ_CHECK(strchr(m->content_type, '/') != NULL, "content_type \"%s\"", m->content_type);
        FUZZ_CHECK(m->data != NULL, "attachment without data");
        FUZZ_CHECK(m->size <= lim->attachment_max, "kept %zu bytes", m->size);
        total += m->size;
    }
    FUZZ_CHECK(total <= lim->total_max, "kept %zu bytes in all", total);
    for (size_t i = 0; i < p->dropped_count; i++) {
        const struct mail_dropped *d = &p->dropped[i];
        check_str(d->filename, "dropped filename");
        bool known = strcmp(d->reason, "too_large") == 0 ||
                     strcmp(d->reason, "total_too_large") == 0 ||
                     strcmp(d->reason, "too_many") == 0;
        FUZZ_CHECK(known, "dropped reason \"%s\"", d->reason);
        FUZZ_CHECK((strcmp(d->reason, "too_large") == 0) == (d->size > lim->attachment_max),
                   "dropped %zu bytes as %s", d->size, d->reason);
    }
    const struct mail_bounce *b = &p->bounce;
    if (!b->is_bounce)
        FUZZ_CHECK(!b->recipient && !b->action && !b->status && !b->original_message_id,
                   "bounce fields without a bounce");
    check_str(b->recipient, "bounce recipient");
    check_str(b->action, "bounce action");
    check_str(b->status, "bounce status");
    check_id(b->original_message_id, "original_message_id");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct mail_parse_limits lim = {4096, 6000, 3};
    const char *raw = (const char *)data;
    struct arena a;
    arena_init(&a, (size_t)64 << 20);

    /* the text helpers on their own, over the raw bytes as HTML */
    char *t = mail_html_to_text(raw, size, &a);
    FUZZ_CHECK(t != NULL, "html_to_text NULL");
    check_str(t, "html_to_text");
    char *v = mail_trim_quoted(t, &a);
    FUZZ_CHECK(v != NULL && (blank(t) || !blank(v)), "trim_quoted emptied text");
    check_str(v, "trim_quoted");
    FUZZ_CHECK(strstr(t, v) != NULL, "trim_quoted is not part of its text");
    arena_clear(&a);

    struct mail_parsed p;
    memset(&p, 0x5A, sizeof p);
    struct mail_parsed before = p;
    struct err e;
    err_clear(&e);
    int rc = mail_parse(raw, size, &lim, &a, &p, &e);
    if (rc == ERR_INVALID) {
        static const char *const reasons[] = {"empty", "not_mail", "no_sender", "too_deep",
                                              "bad_boundary"};
        bool known = false;
        for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++)
            known = known || strcmp(e.reason, reasons[i]) == 0;
        FUZZ_CHECK(known, "reason \"%s\"", e.reason);
        FUZZ_CHECK(strcmp(e.field, "raw") == 0, "field \"%s\"", e.field);
    } else {
        FUZZ_CHECK(rc == 0 || rc == ERR_LIMIT, "rc %d", rc);
    }
    if (rc != 0) {
        FUZZ_CHECK(memcmp(&p, &before, sizeof p) == 0, "out changed on failure");
        arena_release(&a);
        return 0;
    }
    check_parsed(&p, &lim);

    /* deterministic */
    struct arena a2;
    arena_init(&a2, (size_t)64 << 20);
    struct mail_parsed q;
    FUZZ_CHECK(mail_parse(raw, size, &lim, &a2, &q, &e) == 0, "second parse failed");
    FUZZ_CHECK(strcmp(p.text, q.text) == 0 && strcmp(p.subject, q.subject) == 0 &&
                   p.attachment_count == q.attachment_count && p.dropped_count == q.dropped_count,
               "second parse differs");
    arena_release(&a2);
    arena_release(&a);
    return 0;
}
