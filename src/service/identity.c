#include "service/identity.h"

#include "base/arena.h"
#include "core/mask.h"
#include "service/secrets.h"
#include "store/audit.h"
#include "store/identity.h"
#include "store/outbox.h"
#include "store/tickets.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* The parties of a ticket that identity cares about. */
struct parties {
    int64_t requester_id;
    int64_t organization_id;
};

static int ticket_not_found(int64_t id, struct err *e)
{
    return err_set(e, ERR_NOT_FOUND, "id", "ticket %lld not found", (long long)id);
}

static int read_parties(struct db *db, int64_t ticket_id, struct parties *out, struct err *e)
{
    struct arena a;
    arena_init(&a, 4 * TICKET_COMMENT_MAX);
    struct ticket t;
    int rc = tickets_get(db, ticket_id, false, &a, &t, e);
    if (!rc) {
        out->requester_id = t.requester_id;
        out->organization_id = t.organization_id;
    }
    arena_release(&a);
    return rc;
}

/* Who may act on a ticket's identity: staff, or its requester. A ticket the subject may not see
 * at all is "not found", so ids of other accounts' tickets reveal nothing. */
static int check_access(const struct access_subject *s, int64_t ticket_id, const struct parties *p,
                        struct err *e)
{
    if (!access_can_view_ticket(s, p->requester_id, p->organization_id))
        return ticket_not_found(ticket_id, e);
    if (!access_is_staff(s) && s->user_id != p->requester_id)
        return err_set(e, ERR_FORBIDDEN, NULL,
                       "only staff or the ticket's requester may verify the requester's identity");
    return 0;
}

/* Read and lock the ticket (its row lock serializes every identity write of one ticket on
 * PostgreSQL; SQLite's writer lock already does), then check who asks. */
static int open_ticket(struct db *db, const struct access_subject *s, int64_t ticket_id, bool lock,
                       struct parties *p, struct err *e)
{
    int rc = lock ? tickets_lock(db, ticket_id, e) : 0;
    if (!rc)
        rc = read_parties(db, ticket_id, p, e);
    if (rc == ERR_NOT_FOUND)
        return ticket_not_found(ticket_id, e);
    return rc ? rc : check_access(s, ticket_id, p, e);
}

static int audit(struct db *db, int64_t actor_id, const char *ip, int64_t now, const char *action,
                 int64_t ticket_id, const char *detail, struct err *e)
{
    struct audit_entry a = {.at = now,
                            .actor_id = actor_id,
                            .action = action,
                            .target_type = "ticket",
                            .target_id = ticket_id,
                            .ip = ip,
                            .detail = detail};
    return audit_append(db, &a, e);
}

/* ---- codes ----------------------------------------------------------------------------------- */

/* A uniformly random code 000000-999999 as 6 digits and a NUL: rejection sampling over 32
 * random bits, since 2^32 is not a multiple of 10^6 and a plain modulo would favour low codes. */
static void new_code(const struct env *env, char out[IDENTITY_CODE_DIGITS + 1])
{
    const uint32_t range = 1000000;
    const uint32_t limit = UINT32_MAX - UINT32_MAX % range; /* accept r < limit */
    uint32_t r;
    do
        env->random_bytes(env, &r, sizeof r);
    while (r >= limit);
    snprintf(out, IDENTITY_CODE_DIGITS + 1, "%06u", (unsigned)(r % range));
    sodium_memzero(&r, sizeof r);
}

/* The keyed BLAKE2b of the ticket id and the code, as hex. Binding the ticket id in means a
 * code (or a hash copied between rows) of one ticket never matches another's. */
static void hash_code(const struct env *env, int64_t ticket_id, const char *code, size_t len,
                      char out[IDENTITY_HASH_HEX + 1])
{
    char label[48];
    int n = snprintf(label, sizeof label, "identity-code:%lld:", (long long)ticket_id);
    unsigned char h[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, env->secrets->token_key, SECRETS_KEY_BYTES, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)label, (size_t)n);
    crypto_generichash_update(&st, (const unsigned char *)code, len);
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, IDENTITY_HASH_HEX + 1, h, sizeof h);
    sodium_memzero(h, sizeof h);
}

static bool code_well_formed(const char *code, size_t len)
{
    if (len != IDENTITY_CODE_DIGITS)
        return false;
    for (size_t i = 0; i < len; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return true;
}

/* ---- the contract ---------------------------------------------------------------------------- */

int identity_ticket_verified(struct db *db, int64_t ticket_id, int64_t now, bool *verified,
                             int64_t *until, struct err *e)
{
    struct parties p;
    int rc = read_parties(db, ticket_id, &p, e);
    if (rc == ERR_NOT_FOUND) {
        err_clear(e);
        *verified = false;
        *until = 0;
        return 0;
    }
    if (rc)
        return rc;
    bool found = false;
    char method[IDENTITY_METHOD_MAX + 1];
    int64_t end = 0;
    /* A verification counts for the ticket's requester and account as they are now: a ticket
     * moved to another account, or given another requester, is not verified for them. */
    if (p.organization_id &&
        (rc = identity_verifications_current(db, ticket_id, p.requester_id, p.organization_id, now,
                                             &found, method, &end, e)))
        return rc;
    *verified = found;
    *until = found ? end : 0;
    return 0;
}

int identity_note_session(struct db *db, int64_t ticket_id, int64_t user_id, int64_t now,
                          struct err *e)
{
    struct parties p;
    int rc = read_parties(db, ticket_id, &p, e);
    if (rc == ERR_NOT_FOUND) {
        err_clear(e);
        return 0;
    }
    if (rc)
        return rc;
    if (!user_id || p.requester_id != user_id || !p.organization_id)
        return 0;
    struct user u;
    if ((rc = users_get(db, user_id, &u, e))) {
        if (rc != ERR_NOT_FOUND)
            return rc;
        err_clear(e);
        return 0;
    }
    if (!u.active || u.organization_id != p.organization_id ||
        (strcmp(u.account_role, "owner") != 0 && strcmp(u.account_role, "billing_contact") != 0))
        return 0;
    bool was = false;
    char method[IDENTITY_METHOD_MAX + 1];
    int64_t until = 0;
    if ((rc = identity_verifications_current(db, ticket_id, user_id, p.organization_id, now, &was,
                                             method, &until, e)))
        return rc;
    struct identity_verification v = {.ticket_id = ticket_id,
                                      .user_id = user_id,
                                      .organization_id = p.organization_id,
                                      .method = "session",
                                      .verified_at = now,
                                      .verified_until = now + IDENTITY_VERIFIED_FOR};
    if ((rc = identity_verifications_insert(db, &v, e)))
        return rc;
    /* Every portal write extends the 24 hours; only the start of a verification is audited, so
     * a busy conversation does not flood the log. */
    return was ? 0
               : audit(db, user_id, NULL, now, "identity.verified", ticket_id,
                       "{\"method\":\"session\"}", e);
}

/* ---- status ---------------------------------------------------------------------------------- */

static int read_status(struct db *db, int64_t ticket_id, const struct parties *p, int64_t now,
                       struct identity_status *out, struct err *e)
{
    memset(out, 0, sizeof *out);
    bool found = false;
    int rc = 0;
    if (p->organization_id &&
        (rc = identity_verifications_current(db, ticket_id, p->requester_id, p->organization_id,
                                             now, &found, out->method, &out->verified_until, e)))
        return rc;
    out->verified = found;
    if (!found) {
        out->method[0] = '\0';
        out->verified_until = 0;
    }
    struct identity_challenge c;
    if ((rc = identity_challenges_current(db, ticket_id, &c, &found, e)))
        return rc;
    if (found) {
        out->has_challenge = true;
        out->challenge_expires_at = c.expires_at;
        out->locked = strcmp(c.status, "locked") == 0;
        out->attempts_left =
            c.attempts >= IDENTITY_MAX_ATTEMPTS ? 0 : IDENTITY_MAX_ATTEMPTS - c.attempts;
    }
    return 0;
}

struct status_ctx {
    const struct env *env;
    const struct identity_actor *actor;
    int64_t ticket_id;
    struct identity_status *out;
};

static int status_tx(struct db *db, void *arg, struct err *e)
{
    struct status_ctx *c = arg;
    struct parties p;
    int rc = open_ticket(db, &c->actor->subject, c->ticket_id, false, &p, e);
    return rc ? rc : read_status(db, c->ticket_id, &p, c->env->now(c->env), c->out, e);
}

int identity_status_show(const struct env *env, struct db *db, const struct identity_actor *actor,
                         int64_t ticket_id, struct identity_status *out, struct err *e)
{
    struct identity_status s;
    struct status_ctx c = {env, actor, ticket_id, &s};
    int rc = db_transact(db, DB_TX_READ, status_tx, &c, e);
    if (!rc)
        *out = s;
    return rc;
}

/* ---- challenge ------------------------------------------------------------------------------- */

struct challenge_ctx {
    const struct env *env;
    const struct identity_actor *actor;
    int64_t ticket_id;
    struct identity_challenge_sent *out;
};

static int no_contacts(struct err *e, const char *why)
{
    return err_reason(e, err_set(e, ERR_CONFLICT, NULL, "%s", why), "identity_no_contacts");
}

static void mail_body(struct buf *b, int64_t ticket_id, const char *code)
{
    buf_appendf(b,
                "Hello,\n\n"
                "Our support team was asked about the billing details of your account on "
                "request #%lld. To make sure we only share them with the right person, please "
                "give this verification code to the support agent, or type it where you were "
                "asked for it:\n\n"
                "    %s\n\n"
                "The code expires in 15 minutes. If you did not expect this message, you can "
                "safely ignore it: nothing has been shared.\n\n"
                "Please note that our support team will never ask you for your password.\n\n"
                "Thank you,\n"
                "The support team\n",
                (long long)ticket_id, code);
}

static int send_codes(struct challenge_ctx *c, struct db *db, char (*to)[USER_EMAIL_MAX + 1],
                      size_t n, const char *code, int64_t now, struct err *e)
{
    char subject[80];
    snprintf(subject, sizeof subject, "Your verification code for request #%lld",
             (long long)c->ticket_id);
    struct buf body;
    buf_init(&body, 4096);
    mail_body(&body, c->ticket_id, code);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        struct outbox_new m = {.kind = "identity_code",
                               .to_address = to[i],
                               .subject = subject,
                               .body = buf_cstr(&body),
                               .ticket_id = c->ticket_id};
        rc = outbox_insert(db, &m, now, NULL, e);
        if (!rc)
            mask_email(to[i], strlen(to[i]), c->out->sent_to[i], sizeof c->out->sent_to[i]);
    }
    sodium_memzero(body.ptr, body.len);
    buf_release(&body);
    return rc;
}

static int challenge_tx(struct db *db, void *arg, struct err *e)
{
    struct challenge_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct parties p;
    int rc = open_ticket(db, &c->actor->subject, c->ticket_id, true, &p, e);
    if (rc)
        return rc;
    if (!p.organization_id)
        return no_contacts(e, "the ticket belongs to no client account, so there is no owner or "
                              "billing contact to send a code to");
    char addresses[IDENTITY_CONTACTS_MAX][USER_EMAIL_MAX + 1];
    size_t n = 0;
    if ((rc = identity_contacts(db, p.organization_id, addresses, IDENTITY_CONTACTS_MAX, &n, e)))
        return rc;
    if (!n)
        return no_contacts(e, "the ticket's account has no active owner or billing contact to "
                              "send a code to");
    int64_t recent = 0;
    if ((rc = identity_challenges_count_since(db, c->ticket_id, now - 3600, &recent, e)))
        return rc;
    if (recent >= IDENTITY_CODES_PER_HOUR)
        return err_reason(e,
                          err_set(e, ERR_CONFLICT, NULL,
                                  "%d codes were sent for this ticket in the last hour; try again "
                                  "later",
                                  IDENTITY_CODES_PER_HOUR),
                          "identity_too_many_codes");
    if ((rc = identity_challenges_supersede(db, c->ticket_id, now, NULL, e)))
        return rc;
    char code[IDENTITY_CODE_DIGITS + 1];
    new_code(c->env, code);
    struct identity_challenge ch = {.ticket_id = c->ticket_id,
                                    .requester_id = p.requester_id,
                                    .organization_id = p.organization_id,
                                    .sent_to = (int64_t)n,
                                    .created_by = c->actor->subject.user_id,
                                    .created_at = now,
                                    .expires_at = now + IDENTITY_CODE_TTL};
    hash_code(c->env, c->ticket_id, code, IDENTITY_CODE_DIGITS, ch.code_hash);
    rc = identity_challenges_insert(db, &ch, e);
    if (!rc)
        rc = send_codes(c, db, addresses, n, code, now, e);
    sodium_memzero(code, sizeof code);
    if (rc)
        return rc;
    char detail[32];
    snprintf(detail, sizeof detail, "{\"addresses\":%zu}", n);
    if ((rc = audit(db, c->actor->subject.user_id, c->actor->ip, now, "identity.challenge_sent",
                    c->ticket_id, detail, e)))
        return rc;
    c->out->id = ch.id;
    c->out->ticket_id = c->ticket_id;
    c->out->expires_at = ch.expires_at;
    c->out->attempts_left = IDENTITY_MAX_ATTEMPTS;
    c->out->count = n;
    return 0;
}

int identity_challenge(const struct env *env, struct db *db, const struct identity_actor *actor,
                       int64_t ticket_id, struct identity_challenge_sent *out, struct err *e)
{
    struct identity_challenge_sent s;
    memset(&s, 0, sizeof s);
    struct challenge_ctx c = {env, actor, ticket_id, &s};
    int rc = db_transact(db, DB_TX_WRITE, challenge_tx, &c, e);
    if (!rc)
        *out = s;
    return rc;
}

/* ---- verify ---------------------------------------------------------------------------------- */

/* What a verification try came to. A wrong try must be committed (it counts), so the
 * transaction succeeds and the refusal is made after the commit. */
enum verify_outcome {
    VERIFY_OK,
    VERIFY_WRONG,
    VERIFY_LOCKED,
};

struct verify_ctx {
    const struct env *env;
    const struct identity_actor *actor;
    int64_t ticket_id;
    const char *code;
    size_t len;
    enum verify_outcome outcome;
    int64_t attempts_left;
    struct identity_status *out;
};

static int locked(struct err *e)
{
    return err_reason(e,
                      err_set(e, ERR_CONFLICT, NULL,
                              "too many wrong codes: this verification is locked; send a new code"),
                      "identity_locked");
}

static int wrong_try(struct verify_ctx *c, struct db *db, const struct identity_challenge *ch,
                     int64_t now, struct err *e)
{
    int64_t attempts = 0;
    bool now_locked = false;
    int rc = identity_challenges_wrong_try(db, ch->id, IDENTITY_MAX_ATTEMPTS, now, &attempts,
                                           &now_locked, e);
    if (rc)
        return rc;
    c->attempts_left = attempts >= IDENTITY_MAX_ATTEMPTS ? 0 : IDENTITY_MAX_ATTEMPTS - attempts;
    if (!now_locked) {
        c->outcome = VERIFY_WRONG;
        return 0;
    }
    c->outcome = VERIFY_LOCKED;
    return audit(db, c->actor->subject.user_id, c->actor->ip, now, "identity.locked", c->ticket_id,
                 NULL, e);
}

static int verify_tx(struct db *db, void *arg, struct err *e)
{
    struct verify_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    struct parties p;
    int rc = open_ticket(db, &c->actor->subject, c->ticket_id, true, &p, e);
    if (rc)
        return rc;
    /* Only this ticket's challenge is looked at, and its hash binds the ticket id: another
     * ticket's code never verifies this one. */
    struct identity_challenge ch;
    bool found = false;
    if ((rc = identity_challenges_current(db, c->ticket_id, &ch, &found, e)))
        return rc;
    if (!found)
        return err_reason(e,
                          err_set(e, ERR_CONFLICT, NULL,
                                  "no verification code was sent for this ticket; send one first"),
                          "identity_no_challenge");
    if (strcmp(ch.status, "locked") == 0)
        return locked(e);
    if (now >= ch.expires_at)
        return err_reason(
            e, err_set(e, ERR_CONFLICT, NULL, "the verification code has expired; send a new one"),
            "identity_expired");
    if (!code_well_formed(c->code, c->len))
        return err_set(e, ERR_INVALID, "code", "the code must be %d digits", IDENTITY_CODE_DIGITS);
    char given[IDENTITY_HASH_HEX + 1];
    hash_code(c->env, c->ticket_id, c->code, c->len, given);
    /* Constant time over the whole hash: how much of it matched must not show in the timing. */
    bool right = strlen(ch.code_hash) == IDENTITY_HASH_HEX &&
                 sodium_memcmp(given, ch.code_hash, IDENTITY_HASH_HEX) == 0;
    sodium_memzero(given, sizeof given);
    /* A right code for a ticket whose requester or account changed since the code was sent
     * verifies nobody: the code went to the old account's contacts. */
    if (!right || ch.requester_id != p.requester_id || ch.organization_id != p.organization_id)
        return wrong_try(c, db, &ch, now, e);
    if ((rc = identity_challenges_verified(db, ch.id, now, e)))
        return rc;
    struct identity_verification v = {.ticket_id = c->ticket_id,
                                      .user_id = p.requester_id,
                                      .organization_id = p.organization_id,
                                      .method = "code",
                                      .challenge_id = ch.id,
                                      .verified_at = now,
                                      .verified_until = now + IDENTITY_VERIFIED_FOR};
    if ((rc = identity_verifications_insert(db, &v, e)) ||
        (rc = audit(db, c->actor->subject.user_id, c->actor->ip, now, "identity.verified",
                    c->ticket_id, "{\"method\":\"code\"}", e)))
        return rc;
    c->outcome = VERIFY_OK;
    return read_status(db, c->ticket_id, &p, now, c->out, e);
}

int identity_verify(const struct env *env, struct db *db, const struct identity_actor *actor,
                    int64_t ticket_id, const char *code, size_t len, struct identity_status *out,
                    int64_t *attempts_left, struct err *e)
{
    struct identity_status s;
    struct verify_ctx c = {.env = env,
                           .actor = actor,
                           .ticket_id = ticket_id,
                           .code = code ? code : "",
                           .len = code ? len : 0,
                           .out = &s};
    int rc = db_transact(db, DB_TX_WRITE, verify_tx, &c, e);
    if (rc)
        return rc;
    switch (c.outcome) {
    case VERIFY_OK:
        *out = s;
        return 0;
    case VERIFY_LOCKED:
        return locked(e);
    case VERIFY_WRONG:
    default:
        if (attempts_left)
            *attempts_left = c.attempts_left;
        return err_set(e, ERR_INVALID, "code", "the code is not right: %lld %s left",
                       (long long)c.attempts_left, c.attempts_left == 1 ? "try" : "tries");
    }
}

/* ---- billing --------------------------------------------------------------------------------- */

struct billing_ctx {
    const struct env *env;
    const struct identity_actor *actor;
    int64_t ticket_id;
    struct organization *org;
    struct buf *facts;
    size_t mark; /* facts->len before the first try: a retried transaction starts over there */
};

static void buf_truncate(struct buf *b, size_t len)
{
    b->len = len;
    if (b->ptr)
        b->ptr[len] = '\0';
}

/* The audit detail: the account and every field the answer disclosed (the account's own, then
 * each top-level key of its billing facts as "facts.KEY"). */
static int disclosure_detail(struct buf *d, const struct organization *o, const struct buf *facts)
{
    buf_appendf(d,
                "{\"organization_id\":%lld,\"fields\":[\"organization_name\",\"plan\","
                "\"plan_rate_cents\",\"support_package_until\",\"delinquent\"",
                (long long)o->id);
    json_t *j = json_loadb(facts->ptr ? facts->ptr : "", facts->len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return -1;
    }
    const char *key;
    json_t *value;
    json_object_foreach(j, key, value)
    {
        (void)value;
        buf_append_cstr(d, ",");
        struct buf k;
        buf_init(&k, 0);
        buf_appendf(&k, "facts.%s", key);
        buf_append_json_str(d, k.ptr, k.len);
        buf_release(&k);
    }
    json_decref(j);
    return buf_append_cstr(d, "]}");
}

static int billing_tx(struct db *db, void *arg, struct err *e)
{
    struct billing_ctx *c = arg;
    int64_t now = c->env->now(c->env);
    buf_truncate(c->facts, c->mark);
    struct parties p;
    int rc = open_ticket(db, &c->actor->subject, c->ticket_id, false, &p, e);
    if (rc)
        return rc;
    bool verified = false;
    int64_t until = 0;
    if ((rc = identity_ticket_verified(db, c->ticket_id, now, &verified, &until, e)))
        return rc;
    if (!verified || !p.organization_id)
        return err_reason(
            e,
            err_set(e, ERR_FORBIDDEN, NULL,
                    "the requester's identity is not verified for this ticket; send a "
                    "verification code first"),
            "identity_unverified");
    /* Only the ticket's own account: the organization comes from the ticket, never from the
     * caller. */
    if ((rc = organizations_get(db, p.organization_id, c->org, e)) ||
        (rc = organizations_billing_get(db, p.organization_id, c->facts, e)))
        return rc;
    struct buf d;
    buf_init(&d, 0);
    if (disclosure_detail(&d, c->org, c->facts)) {
        buf_release(&d);
        err_set(e, ERR_INTERNAL, NULL, "stored billing facts are not a JSON object");
        err_detail(e, "organization %lld", (long long)p.organization_id);
        return ERR_INTERNAL;
    }
    rc = audit(db, c->actor->subject.user_id, c->actor->ip, now, "billing.disclosed", c->ticket_id,
               buf_cstr(&d), e);
    buf_release(&d);
    return rc;
}

int identity_billing_disclose(const struct env *env, struct db *db,
                              const struct identity_actor *actor, int64_t ticket_id,
                              struct organization *org, struct buf *facts, struct err *e)
{
    if (!access_is_staff(&actor->subject))
        return err_set(e, ERR_FORBIDDEN, NULL, "billing facts are for staff only");
    struct organization o;
    struct billing_ctx c = {env, actor, ticket_id, &o, facts, facts->len};
    int rc = db_transact(db, DB_TX_WRITE, billing_tx, &c, e);
    if (rc) {
        buf_truncate(facts, c.mark); /* a failed read leaves nothing behind */
        return rc;
    }
    *org = o;
    return 0;
}
