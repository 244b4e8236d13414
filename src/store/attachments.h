/* attachments (store): the bytes of attachments and of the uploads waiting to become them.
 * Tables uploads (pending: bound to an uploader by a token, expiring) and attachments (claimed:
 * on a ticket's comment). Claiming moves rows from uploads to attachments with their ids, so an
 * attachment's id is the one its upload was given. Runs on the caller's connection and
 * transaction; the service decides who may do what.
 *
 * Strings and bytes read are allocated from the caller's arena (ERR_LIMIT when it is full).
 * Thread-safe as far as the connection is (one thread per connection).
 */
#ifndef FRONTDESK_STORE_ATTACHMENTS_H
#define FRONTDESK_STORE_ATTACHMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

#define ATTACHMENT_TYPE_MAX 64 /* bytes of a sniffed content type + NUL */

struct attachment {
    int64_t id;
    bool pending; /* an upload no comment has claimed yet */
    int64_t uploader_id;
    int64_t ticket_id;  /* 0 while pending */
    int64_t comment_id; /* 0 while pending */
    const char *file_name;
    char content_type[ATTACHMENT_TYPE_MAX];
    int64_t size;
    int64_t created_at;
    int64_t expires_at; /* pending only */
    /* Of the ticket and comment, for access checks (claimed only). */
    int64_t requester_id;
    int64_t organization_id;
    bool public;
    const void *data; /* NULL unless asked for */
};

struct attachment_upload {
    const char *token;
    int64_t uploader_id;
    const char *file_name;
    const char *content_type;
    const void *data;
    size_t size;
    int64_t expires_at;
};

/* Insert a pending upload created at now; *id receives its id. */
int attachments_insert_upload(struct db *db, const struct attachment_upload *u, int64_t now,
                              int64_t *id, struct err *e);

/* The expiry of the uploads under token that uploader_id made and that are still pending and
 * unexpired at now; ERR_NOT_FOUND when there are none. */
int attachments_token_expiry(struct db *db, const char *token, int64_t uploader_id, int64_t now,
                             int64_t *expires_at, struct err *e);

/* The pending uploads under token (any uploader), by id, up to cap into out[0..*n). No data. */
int attachments_list_token(struct db *db, const char *token, struct arena *a,
                           struct attachment *out, size_t cap, size_t *n, struct err *e);

/* Move the uploads under token that uploader_id made, unexpired at now, onto the comment;
 * *moved receives how many (0 when none qualified: the caller decides what that means). */
int attachments_claim(struct db *db, const char *token, int64_t uploader_id, int64_t now,
                      int64_t ticket_id, int64_t comment_id, size_t *moved, struct err *e);

/* Delete up to limit pending uploads that expired at or before `before`, oldest expiry first;
 * *deleted receives how many. */
int attachments_delete_expired_uploads(struct db *db, int64_t before, unsigned limit,
                                       int64_t *deleted, struct err *e);

/* Attachment or pending upload id, its bytes too when with_data. ERR_NOT_FOUND when neither. */
int attachments_get(struct db *db, int64_t id, bool with_data, struct arena *a,
                    struct attachment *out, struct err *e);

/* The attachments of ticket_id's comments with ids in [first_comment, last_comment], by comment
 * then id, up to cap into out[0..*n). No data. */
int attachments_list_comments(struct db *db, int64_t ticket_id, int64_t first_comment,
                              int64_t last_comment, struct arena *a, struct attachment *out,
                              size_t cap, size_t *n, struct err *e);

#endif
