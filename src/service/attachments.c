#include "service/attachments.h"

#include "base/buf.h"
#include "core/sniff.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define UPLOADS_FIELD "ticket.comment.uploads"

/* 1..255 bytes of UTF-8, no path separators, no C0 controls, DEL or NUL: the name is only ever
 * shown (and put in Content-Disposition), but a name that looks like a path invites misuse. */
static int check_name(const char *name, struct err *e)
{
    size_t len = name ? strlen(name) : 0;
    bool ok = len >= 1 && len <= ATTACHMENTS_NAME_MAX && utf8_valid(name, len);
    for (size_t i = 0; ok && i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        ok = c >= 0x20 && c != 0x7f && c != '/' && c != '\\';
    }
    if (!ok)
        return err_set(e, ERR_INVALID, "filename",
                       "filename must be 1 to %d bytes of UTF-8 without '/', '\\' or control "
                       "characters",
                       ATTACHMENTS_NAME_MAX);
    return 0;
}

static bool token_shaped(const char *t)
{
    size_t len = strlen(t);
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return len == ATTACHMENTS_TOKEN_LEN;
}

struct upload_ctx {
    const struct env *env;
    const struct access_subject *s;
    const char *token; /* given by the client, or NULL */
    struct attachment_upload row;
    struct arena *a;
    struct attachments_uploaded *out;
};

static int upload_tx(struct db *db, void *arg, struct err *e)
{
    struct upload_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    int rc;
    c->row.expires_at = now + ATTACHMENTS_TOKEN_TTL;
    if (c->token) {
        rc = token_shaped(c->token)
                 ? attachments_token_expiry(db, c->token, c->s->user_id, now, &c->row.expires_at, e)
                 : ERR_NOT_FOUND;
        if (rc == ERR_NOT_FOUND)
            return err_set(e, ERR_INVALID, "token",
                           "token must be an unexpired upload token of yours");
        if (rc)
            return rc;
    }
    int64_t id;
    if ((rc = attachments_insert_upload(db, &c->row, now, &id, e)) ||
        (rc = attachments_get(db, id, false, c->a, &c->out->attachment, e)))
        return rc;
    c->out->expires_at = c->row.expires_at;
    return attachments_list_token(db, c->row.token, c->a, c->out->all,
                                  sizeof c->out->all / sizeof c->out->all[0], &c->out->count, e);
}

int attachments_upload(const struct env *env, struct db *db, const struct access_subject *s,
                       const char *file_name, const char *token, const void *data, size_t len,
                       struct arena *a, struct attachments_uploaded *out, struct err *e)
{
    if (!s->user_id)
        return err_set(e, ERR_FORBIDDEN, NULL, "sign in to upload files");
    int rc = check_name(file_name, e);
    if (rc)
        return rc;
    if (len > ATTACHMENTS_FILE_MAX)
        return err_set(e, ERR_LIMIT, "file", "a file must be at most %u bytes",
                       ATTACHMENTS_FILE_MAX);
    if (token) {
        snprintf(out->token, sizeof out->token, "%s", token);
    } else {
        /* The token only binds an upload to its uploader (claims also check the uploader), so it
         * is stored as is rather than hashed like session and API secrets. */
        unsigned char raw[32];
        env->random_bytes(env, raw, sizeof raw);
        sodium_bin2base64(out->token, sizeof out->token, raw, sizeof raw,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    }
    struct upload_ctx c = {
        .env = env,
        .s = s,
        .token = token,
        .row = {.token = out->token,
                .uploader_id = s->user_id,
                .file_name = file_name,
                .content_type = sniff_content_type(data, len),
                .data = data,
                .size = len},
        .a = a,
        .out = out,
    };
    return db_transact(db, DB_TX_WRITE, upload_tx, &c, e);
}

static bool may_read(const struct access_subject *s, const struct attachment *at)
{
    if (!s->user_id)
        return false;
    if (at->pending)
        return at->uploader_id == s->user_id;
    if (access_is_staff(s))
        return true;
    return at->public && access_can_view_ticket(s, at->requester_id, at->organization_id);
}

struct show_ctx {
    const struct access_subject *s;
    int64_t id;
    bool with_data;
    struct arena *a;
    struct attachment *out;
};

static int show_tx(struct db *db, void *arg, struct err *e)
{
    struct show_ctx *c = arg;
    struct attachment at;
    int rc = attachments_get(db, c->id, c->with_data, c->a, &at, e);
    if (rc == ERR_NOT_FOUND || (!rc && !may_read(c->s, &at)))
        return err_set(e, ERR_NOT_FOUND, NULL, "attachment %lld not found", (long long)c->id);
    if (!rc)
        *c->out = at;
    return rc;
}

int attachments_show(struct db *db, const struct access_subject *s, int64_t id, bool with_data,
                     struct arena *a, struct attachment *out, struct err *e)
{
    struct show_ctx c = {s, id, with_data, a, out};
    return db_transact(db, DB_TX_READ, show_tx, &c, e);
}

int attachments_claim_tokens(struct db *db, int64_t uploader, const char *const *tokens, size_t n,
                             int64_t ticket_id, int64_t comment_id, int64_t now, struct err *e)
{
    size_t total = 0;
    if (n > ATTACHMENTS_PER_COMMENT)
        return err_set(e, ERR_INVALID, UPLOADS_FIELD, "a comment has at most %d attachments",
                       ATTACHMENTS_PER_COMMENT);
    for (size_t i = 0; i < n; i++) {
        size_t moved = 0;
        int rc = token_shaped(tokens[i]) ? attachments_claim(db, tokens[i], uploader, now,
                                                             ticket_id, comment_id, &moved, e)
                                         : 0;
        if (rc)
            return rc;
        if (!moved)
            return err_set(e, ERR_INVALID, UPLOADS_FIELD,
                           "uploads[%zu] is not an unexpired, unused upload token of yours", i);
        total += moved;
        if (total > ATTACHMENTS_PER_COMMENT)
            return err_set(e, ERR_INVALID, UPLOADS_FIELD, "a comment has at most %d attachments",
                           ATTACHMENTS_PER_COMMENT);
    }
    return 0;
}
