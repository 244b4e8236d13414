/* attachments (service): uploads, their claim by a comment, and who may read them, following
 * Zendesk's Attachments API. Each call is one database transaction (the claim runs inside the
 * comment's own transaction, so a comment and its attachments commit together).
 *
 * Rules:
 *  - uploading: any signed-in user (staff or requester); a file is ATTACHMENTS_FILE_MAX bytes at
 *    most (the server's --max-body-size usually refuses it first, with 413) and its name 1..255
 *    bytes of UTF-8 with no '/', '\\', control character or NUL (ERR_INVALID naming "filename").
 *    The name is kept for display only, never used as a path. The content type is sniffed from
 *    the bytes (core/sniff.h), never taken from the client. The upload is stored right away,
 *    pending, under a token: a new one, or the caller's own unexpired token given back to add a
 *    file to it (ERR_INVALID naming "token" otherwise). Tokens expire ATTACHMENTS_TOKEN_TTL
 *    seconds after their first upload.
 *  - claiming: a comment's uploads are the uploader's own, pending, unexpired tokens, else
 *    ERR_INVALID naming "ticket.comment.uploads"; at most ATTACHMENTS_PER_COMMENT files.
 *  - reading: staff read every attachment; other users one on a public comment of a ticket they
 *    may see (core/access.h); a pending upload only its uploader. Else ERR_NOT_FOUND.
 * Thread-safe as far as each thread uses its own connection.
 */
#ifndef FRONTDESK_SERVICE_ATTACHMENTS_H
#define FRONTDESK_SERVICE_ATTACHMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/env.h"
#include "base/err.h"
#include "core/access.h"
#include "db/db.h"
#include "store/attachments.h"

#define ATTACHMENTS_FILE_MAX    (10u * 1024 * 1024) /* bytes of one file */
#define ATTACHMENTS_NAME_MAX    255                 /* bytes of a file name */
#define ATTACHMENTS_PER_COMMENT 10
#define ATTACHMENTS_TOKEN_TTL   (3 * 24 * 3600) /* seconds, as Zendesk's */
#define ATTACHMENTS_TOKEN_LEN   43              /* 32 random bytes in base64url, no padding */

struct attachments_uploaded {
    char token[ATTACHMENTS_TOKEN_LEN + 1];
    int64_t expires_at;
    struct attachment attachment;                       /* the file just stored */
    struct attachment all[ATTACHMENTS_PER_COMMENT + 1]; /* every file under the token, by id */
    size_t count; /* of all (capped: more cannot be claimed anyway) */
};

/* Store a pending upload of [data, data+len) named file_name by the subject; token NULL makes a
 * new token. Fills *out (strings from a). ERR_FORBIDDEN when anonymous, ERR_LIMIT naming "file"
 * when too large. */
int attachments_upload(const struct env *env, struct db *db, const struct access_subject *s,
                       const char *file_name, const char *token, const void *data, size_t len,
                       struct arena *a, struct attachments_uploaded *out, struct err *e);

/* Attachment or pending upload id as s may read it, with its bytes when with_data. */
int attachments_show(struct db *db, const struct access_subject *s, int64_t id, bool with_data,
                     struct arena *a, struct attachment *out, struct err *e);

/* Inside the caller's write transaction: move the uploads under tokens[0..n) that uploader made
 * onto comment_id of ticket_id, checking the rules above. */
int attachments_claim_tokens(struct db *db, int64_t uploader, const char *const *tokens, size_t n,
                             int64_t ticket_id, int64_t comment_id, int64_t now, struct err *e);

#endif
