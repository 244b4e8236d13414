/* misuse (store): misuse incidents, their evidence (and evidence files) and the refusals of
 * service of client accounts. Tables misuse_incidents, misuse_evidence, misuse_evidence_files and
 * service_refusals (migration 0017). Runs on the caller's connection and transaction; the service
 * (service/misuse.h) decides who may do what and checks the values.
 *
 * Evidence is append-only. At most one refusal per account is standing (reversed_at NULL); the
 * table keeps the reversed ones as history. Lists are ordered by id and start after a given id
 * (cursor pagination, http/paging.h). Strings read into struct misuse_evidence come from the
 * caller's arena (ERR_LIMIT when full). Thread-safe as far as the connection is.
 */
#ifndef FRONTDESK_STORE_MISUSE_H
#define FRONTDESK_STORE_MISUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "db/db.h"

#define MISUSE_SUMMARY_MAX   1000  /* characters */
#define MISUSE_REASON_MAX    1000  /* characters, of refusal and high-risk reasons */
#define MISUSE_BODY_MAX      10000 /* characters of a note */
#define MISUSE_URL_MAX       2048  /* bytes of a link */
#define MISUSE_FILES_MAX     10    /* files of one attachment evidence (as a comment's) */
#define MISUSE_EVIDENCE_SHOW 100   /* pieces of evidence an incident shows */
#define MISUSE_TYPE_MAX      64    /* bytes of a sniffed content type + NUL */

struct misuse_incident {
    int64_t id;
    int64_t organization_id;
    int64_t ticket_id; /* 0: none */
    char summary[MISUSE_SUMMARY_MAX * 4 + 1];
    char status[8];     /* "open" or "closed" */
    int64_t created_by; /* 0: the system */
    int64_t evidence_count;
    int64_t created_at;
    int64_t updated_at;
};

struct misuse_incidents_filter {
    int64_t organization_id;
    const char *status; /* NULL: any */
};

struct misuse_evidence_file {
    int64_t id;
    const char *file_name;
    char content_type[MISUSE_TYPE_MAX];
    int64_t size;
};

/* One evidence file with its bytes (misuse_evidence_files_get). */
struct misuse_evidence_content {
    int64_t id;
    int64_t evidence_id;
    const char *file_name;
    char content_type[MISUSE_TYPE_MAX];
    int64_t size;
    const void *data; /* size bytes */
};

struct misuse_evidence {
    int64_t id;
    int64_t incident_id;
    char kind[12];    /* "note", "link", "attachment" */
    const char *body; /* NULL when none */
    const char *url;  /* NULL unless a link */
    int64_t created_by;
    int64_t created_at;
    struct misuse_evidence_file files[MISUSE_FILES_MAX];
    size_t n_files;
};

/* What a new piece of evidence carries (checked by the service). */
struct misuse_evidence_input {
    const char *kind;
    const char *body;   /* NULL: none */
    const char *url;    /* NULL: none */
    const char *upload; /* an upload token; NULL: none */
};

struct service_refusal {
    int64_t id;
    int64_t organization_id;
    int64_t incident_id;
    char reason[MISUSE_REASON_MAX * 4 + 1];
    int64_t refused_by;
    int64_t created_at;
    int64_t reversed_at;                            /* 0: standing */
    int64_t reversed_by;                            /* 0: none */
    char reverse_reason[MISUSE_REASON_MAX * 4 + 1]; /* "" when none */
};

/* Insert an open incident (ticket_id 0: none; created_by 0: the system) and fill *out. */
int misuse_incidents_insert(struct db *db, int64_t organization_id, int64_t ticket_id,
                            int64_t created_by, const char *summary, int64_t now,
                            struct misuse_incident *out, struct err *e);
/* By id, with its evidence count; ERR_NOT_FOUND when absent. */
int misuse_incidents_get(struct db *db, int64_t id, struct misuse_incident *out, struct err *e);
/* Write back summary and status of *in by in->id, updated at now; refills *in. */
int misuse_incidents_save(struct db *db, struct misuse_incident *in, int64_t now, struct err *e);
/* Up to limit incidents matching f with id > after, by id, into out[0..*n). */
int misuse_incidents_list(struct db *db, const struct misuse_incidents_filter *f, int64_t after,
                          unsigned limit, struct misuse_incident *out, size_t *n, struct err *e);

/* Insert a note or link (in->upload ignored) on incident_id and fill *out (strings from a). */
int misuse_evidence_insert(struct db *db, int64_t incident_id,
                           const struct misuse_evidence_input *in, int64_t created_by, int64_t now,
                           struct arena *a, struct misuse_evidence *out, struct err *e);
/* Insert an attachment evidence on incident_id made of the pending, unexpired uploads under
 * token that uploader made (moved out of table uploads), with body (NULL: none), and fill *out.
 * ERR_INVALID naming
 * "evidence.upload" when there are none or more than MISUSE_FILES_MAX. */
int misuse_evidence_claim(struct db *db, int64_t incident_id, const char *token, const char *body,
                          int64_t uploader, int64_t now, struct arena *a,
                          struct misuse_evidence *out, struct err *e);
/* Up to cap pieces of incident_id's evidence, oldest first, into out[0..*n). */
int misuse_evidence_list(struct db *db, int64_t incident_id, struct arena *a,
                         struct misuse_evidence *out, size_t cap, size_t *n, struct err *e);

/* The file file_id (0: the first, by id) of evidence evidence_id on incident incident_id, with
 * its bytes; name and bytes from a. ERR_NOT_FOUND when the incident or the evidence does not
 * exist, the evidence is not the incident's, has no files or none with that id; ERR_LIMIT when
 * a is full. */
int misuse_evidence_files_get(struct db *db, int64_t incident_id, int64_t evidence_id,
                              int64_t file_id, struct arena *a, struct misuse_evidence_content *out,
                              struct err *e);

/* The standing refusal of organization_id; ERR_NOT_FOUND when none. */
int service_refusals_standing(struct db *db, int64_t organization_id, struct service_refusal *out,
                              struct err *e);
/* Insert a standing refusal and fill *out. */
int service_refusals_insert(struct db *db, int64_t organization_id, int64_t incident_id,
                            const char *reason, int64_t refused_by, int64_t now,
                            struct service_refusal *out, struct err *e);
/* Stamp refusal id reversed at now by reversed_by for reason; refills *out. */
int service_refusals_reverse(struct db *db, int64_t id, int64_t reversed_by, const char *reason,
                             int64_t now, struct service_refusal *out, struct err *e);

/* Up to limit ids of organization_id's tickets that are not closed, with id > after, by id. */
int misuse_open_ticket_ids(struct db *db, int64_t organization_id, int64_t after, unsigned limit,
                           int64_t *ids, size_t *n, struct err *e);

#endif
