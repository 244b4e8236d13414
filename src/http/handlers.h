/* handlers: every route frontdesk serves, registered in one place.
 *
 * Each resource has its own file of handlers (ops.c, static.c, setup.c, ...); this header
 * declares them and http_routes_register() wires them to patterns, so the whole API surface
 * reads as one table in routes.c.
 */
#ifndef FRONTDESK_HTTP_HANDLERS_H
#define FRONTDESK_HTTP_HANDLERS_H

#include "base/embed.h"
#include "http/request.h"
#include "http/router.h"

/* Register every API route and one route per embedded web asset. web must outlive r.
 * Returns 0 or ERR_INVALID (a malformed pattern: a bug). */
int http_routes_register(struct router *r, const struct embed_table *web);
/* Free what registration allocated (the asset patterns). */
void http_routes_release(struct router *r);

/* ops.c */
void ops_healthz(struct http_req *req);
void ops_readyz(struct http_req *req);
void ops_metrics(struct http_req *req);

/* static.c: route data is the struct embed_file to serve */
void static_serve(struct http_req *req);
/* Content-Type for a file name, by extension. */
const char *static_content_type(const char *path);
/* Does an If-None-Match header value match etag (weak comparison, RFC 9110 13.1.2)? */
bool static_etag_matches(const char *if_none_match, const char *etag);

/* setup.c */
void setup_post(struct http_req *req);

/* sessions.c */
void sessions_sign_in(struct http_req *req);
void sessions_sign_out(struct http_req *req);
void sessions_sign_out_everywhere(struct http_req *req);
void sessions_password_reset(struct http_req *req);
void sessions_password_reset_confirm(struct http_req *req);
void users_me(struct http_req *req);

/* api_tokens.c */
void api_tokens_collection(struct http_req *req);
void api_tokens_one(struct http_req *req);

/* tickets.c (GET and POST share a pattern, so one handler per pattern switches on the method) */
void tickets_root(struct http_req *req); /* GET list, POST create */
void tickets_one(struct http_req *req);  /* GET show, PUT update */
void tickets_many_get(struct http_req *req);
void tickets_comments_get(struct http_req *req);
void tickets_requested_get(struct http_req *req);
void tickets_organization_get(struct http_req *req);
void tickets_import_post(struct http_req *req); /* POST /api/v2/imports/tickets (admins) */
void tickets_sla_get(struct http_req *req);     /* GET /api/v2/tickets/{id}/sla (ticket_sla.c) */
void tickets_deliveries_get(struct http_req *req); /* GET /api/v2/tickets/{id}/deliveries (ticket_mail.c) */
struct ticket;
/* The API's ticket object (Zendesk's fields and frontdesk's beside them); a new reference. */
json_t *tickets_render(const struct ticket *t, int64_t now, bool staff);
/* The same object as JSON text appended to b (lists write pages of them without jansson).
 * Returns 0, or ERR_LIMIT from b's cap with b left as it was. */
int tickets_render_text(struct buf *b, const struct ticket *t, int64_t now, bool staff);
/* Answer 200 with {"tickets": [the tickets]} plus the members of rest (meta, links; NULL for
 * none), whose reference is taken. */
void tickets_reply_list(struct http_req *req, const struct ticket *items, size_t n, json_t *rest,
                        bool staff);

/* policy.c: the support policy's categories, exceptions, keyword rules and report (issue 5) */
void policy_categories_get(struct http_req *req);         /* GET /api/v2/policy/categories */
void policy_exceptions_get(struct http_req *req);         /* GET /api/v2/policy/exceptions */
void policy_category_keywords_item(struct http_req *req); /* GET|PUT .../category_keywords */
void policy_report_get(struct http_req *req);             /* GET /api/v2/policy/report */

/* attachments.c: Zendesk's Attachments API (uploads and their downloads). */
void uploads_post(struct http_req *req);            /* POST /api/v2/uploads?filename=&token= */
void attachments_item_get(struct http_req *req);    /* GET /api/v2/attachments/{id} */
void attachments_content_get(struct http_req *req); /* GET /api/v2/attachments/{id}/content */
struct attachment;
/* The API's attachment object; a new reference. */
json_t *attachments_render(const struct attachment *at);

/* search.c: GET /api/v2/search (Zendesk's search, tickets only so far). */
void search_get(struct http_req *req);

/* views.c: Zendesk's Views API over frontdesk's built-in queues (staff only). */
void views_list_get(struct http_req *req);       /* GET /api/v2/views */
void views_item_get(struct http_req *req);       /* GET /api/v2/views/{id} */
void views_tickets_get(struct http_req *req);    /* GET /api/v2/views/{id}/tickets */
void views_count_get(struct http_req *req);      /* GET /api/v2/views/{id}/count */
void views_count_many_get(struct http_req *req); /* GET /api/v2/views/count_many?ids= */

/* calendar.c: the support calendar (issue 4). */
void support_hours_get(struct http_req *req);     /* GET /api/v2/support_hours (anyone) */
void calendar_item(struct http_req *req);         /* GET, PUT /api/v2/calendar (admins) */
void calendar_holidays_get(struct http_req *req); /* GET /api/v2/calendar/holidays?year= */
void sla_targets_item(struct http_req *req);      /* GET (staff), PUT (admins) /api/v2/sla_targets */
void sla_report_get(struct http_req *req);        /* GET /api/v2/sla/report (sla_report.c) */

/* roster.c: the duty roster (issue 5): staff read, admins write. */
void roster_item(struct http_req *req);                 /* GET, PUT /api/v2/roster */
void roster_overrides_collection(struct http_req *req); /* GET, POST /api/v2/roster/overrides */
void roster_overrides_item(struct http_req *req);       /* DELETE /api/v2/roster/overrides/{id} */
void roster_now_get(struct http_req *req);              /* GET /api/v2/roster/now */

/* audit_logs.c: GET /api/v2/audit_logs (admins; frontdesk's own). */
void audit_logs_get(struct http_req *req);

/* mail_inbound.c: inbound mail (issue 6; admins). */
void mail_inbound_root(struct http_req *req);       /* GET list, POST /api/v2/mail/inbound */
void mail_inbound_item_get(struct http_req *req);   /* GET /api/v2/mail/inbound/{id} */
void mail_inbound_raw_get(struct http_req *req);    /* GET /api/v2/mail/inbound/{id}/raw */
void mail_inbound_retry_post(struct http_req *req); /* POST /api/v2/mail/inbound/{id}/retry */

/* users.c: Zendesk's users API. */
void users_collection(struct http_req *req);      /* GET, POST /api/v2/users */
void users_search(struct http_req *req);          /* GET /api/v2/users/search?query= */
void users_item(struct http_req *req);            /* GET, PUT /api/v2/users/{id} */
void users_in_organization(struct http_req *req); /* GET /api/v2/organizations/{id}/users */

/* organizations.c: client accounts, and their billing facts (admins only). */
void organizations_collection(struct http_req *req); /* GET, POST /api/v2/organizations */
void organizations_item(struct http_req *req);       /* GET, PUT /api/v2/organizations/{id} */
void organizations_billing(struct http_req *req);    /* GET, PUT .../organizations/{id}/billing */
struct organization;
/* The API's organization object (full: with the fields staff see); a new reference. */
json_t *organizations_render(const struct organization *o, bool full);

/* misuse.c: misuse incidents, high risk, refusal of service (clause 12; service/misuse.h). */
void misuse_incidents_collection(struct http_req *req); /* GET, POST /api/v2/misuse_incidents */
void misuse_incidents_item(struct http_req *req);       /* GET, PUT .../misuse_incidents/{id} */
void misuse_evidence_post(struct http_req *req);        /* POST .../{id}/evidence */
/* GET .../{id}/evidence/{evidence_id}/content[?file_id=]: an evidence file's bytes (staff) */
void misuse_evidence_content_get(struct http_req *req);
void misuse_high_risk_put(struct http_req *req);        /* PUT .../organizations/{id}/high_risk */
void misuse_refusal_post(struct http_req *req);  /* POST .../organizations/{id}/service_refusal */
void misuse_refusal_reverse_post(struct http_req *req); /* POST .../service_refusal/reverse */

/* groups.c: teams and their memberships. */
void groups_collection(struct http_req *req);            /* GET, POST /api/v2/groups */
void groups_item(struct http_req *req);                  /* GET, PUT /api/v2/groups/{id} */
void groups_memberships(struct http_req *req);           /* GET /api/v2/groups/{id}/memberships */
void groups_user_memberships(struct http_req *req);      /* GET .../users/{id}/group_memberships */
void group_memberships_collection(struct http_req *req); /* GET, POST /api/v2/group_memberships */
void group_memberships_item(struct http_req *req); /* GET, DELETE /api/v2/group_memberships/{id} */

/* feature_items.c: feature requests (policy clause 2; service/feature_items.h), staff only. */
void feature_items_collection(struct http_req *req);  /* GET, POST /api/v2/feature_items */
void feature_items_item(struct http_req *req);        /* GET, PUT /api/v2/feature_items/{id} */
void feature_items_tickets_get(struct http_req *req); /* GET .../feature_items/{id}/tickets */
void tickets_feature_item(struct http_req *req); /* GET, POST, DELETE .../tickets/{id}/feature_item */

/* bans.c: support bans and abusive-comment flags (policy clauses 5, 6; service/bans.h). */
void bans_user_ban(struct http_req *req);           /* POST /api/v2/users/{id}/ban */
void bans_user_unban(struct http_req *req);         /* POST /api/v2/users/{id}/unban */
void bans_organization_ban(struct http_req *req);   /* POST /api/v2/organizations/{id}/ban */
void bans_organization_unban(struct http_req *req); /* POST /api/v2/organizations/{id}/unban */
void bans_list_get(struct http_req *req);           /* GET /api/v2/bans?active= (staff) */
void bans_comment_flag_post(struct http_req *req);  /* POST .../comments/{comment_id}/flag */

/* identity.c: identity before billing (policy clauses 1.5, 3; service/identity.h). */
void identity_challenge_post(struct http_req *req); /* POST .../tickets/{id}/identity/challenge */
void identity_verify_post(struct http_req *req);    /* POST .../tickets/{id}/identity/verify */
void identity_get(struct http_req *req);            /* GET .../tickets/{id}/identity */
void ticket_billing_get(struct http_req *req);      /* GET .../tickets/{id}/billing (staff) */

/* macros.c: the macro library (Zendesk's macros; service/macros.h), staff only. */
void macros_collection(struct http_req *req); /* GET, POST /api/v2/macros */
void macros_item(struct http_req *req);       /* GET, PUT, DELETE /api/v2/macros/{id} */
void macros_apply_get(struct http_req *req);  /* GET .../tickets/{id}/macros/{macro_id}/apply */

/* chat.c: live chat (issue 6; service/chat.h), its server-sent event streams and their hub. */
void chat_availability_get(struct http_req *req);    /* GET /api/v2/chat/availability (anyone) */
void chat_sessions_collection(struct http_req *req); /* GET list, POST start .../chat/sessions */
void chat_sessions_item(struct http_req *req);       /* GET .../chat/sessions/{id} */
void chat_messages_post(struct http_req *req);       /* POST .../chat/sessions/{id}/messages */
void chat_stream_get(struct http_req *req);   /* GET .../{id}/stream (text/event-stream) */
void chat_accept_post(struct http_req *req);  /* POST .../chat/sessions/{id}/accept (staff) */
void chat_end_post(struct http_req *req);     /* POST .../chat/sessions/{id}/end */
void chat_presence_item(struct http_req *req); /* GET, PUT /api/v2/chat/presence (staff) */
/* The process's stream hub (server.c): at shutdown end every open stream at once (parked ones
 * are resumed; new ones end as they start); then join the hub's poll thread, once the server's
 * workers are gone and before the database pool is freed. Both are idempotent. */
void chat_streams_shutdown(void);
void chat_streams_join(void);

/* calls.c: logged phone calls (staff) and callback requests (issue 6; service/calls.h). */
void calls_collection(struct http_req *req); /* GET ?ticket_id=, POST /api/v2/calls */
void calls_item(struct http_req *req);       /* GET /api/v2/calls/{id} */
void calls_ticket_get(struct http_req *req); /* GET /api/v2/tickets/{id}/calls */
void callback_requests_collection(struct http_req *req); /* GET, POST /api/v2/callback_requests */
void callback_requests_item(struct http_req *req);       /* GET, PUT .../callback_requests/{id} */

/* hc_content.c: help-center categories, sections, articles, revisions (issue 7; service/hc.h). */
void hc_categories_collection(struct http_req *req); /* GET, POST .../help_center/categories */
void hc_categories_item(struct http_req *req);       /* GET, PUT .../categories/{id} */
void hc_category_sections(struct http_req *req);     /* GET, POST .../categories/{id}/sections */
void hc_category_articles_get(struct http_req *req); /* GET .../categories/{id}/articles */
void hc_sections_get(struct http_req *req);          /* GET .../help_center/sections */
void hc_sections_item(struct http_req *req);         /* GET, PUT .../sections/{id} */
void hc_section_articles(struct http_req *req);      /* GET, POST .../sections/{id}/articles */
void hc_articles_get(struct http_req *req);          /* GET .../help_center/articles */
void hc_articles_item(struct http_req *req);         /* GET, PUT, DELETE .../articles/{id} */
void hc_revisions_get(struct http_req *req);         /* GET .../articles/{id}/revisions */
void hc_revisions_item_get(struct http_req *req);    /* GET .../revisions/{revision} */
void hc_revisions_restore_post(struct http_req *req); /* POST .../revisions/{revision}/restore */
void hc_preview_post(struct http_req *req);          /* POST .../help_center/preview */

/* hc_feedback.c: help-center votes and comments (issue 7; service/hc_feedback.h). */
void hc_votes_up_post(struct http_req *req);    /* POST .../help_center/articles/{id}/up */
void hc_votes_down_post(struct http_req *req);  /* POST .../help_center/articles/{id}/down */
void hc_votes_list_get(struct http_req *req);   /* GET .../articles/{id}/votes (staff) */
void hc_votes_mine_get(struct http_req *req);   /* GET .../articles/{id}/votes/mine */
void hc_votes_item(struct http_req *req);       /* DELETE /api/v2/help_center/votes/{id} */
void hc_comments_collection(struct http_req *req); /* GET, POST .../articles/{id}/comments */
void hc_comments_item(struct http_req *req); /* GET, PUT, DELETE .../comments/{comment_id} */

/* hc_pages.c: the public help-center pages, server-rendered HTML (issue 7; http/html.h). */
void hc_page_home(struct http_req *req);     /* GET /hc */
void hc_page_category(struct http_req *req); /* GET /hc/categories/{id} */
void hc_page_section(struct http_req *req);  /* GET /hc/sections/{id} */
void hc_page_article(struct http_req *req);  /* GET /hc/articles/{id} */
void hc_page_contact_deletion(struct http_req *req); /* GET /hc/articles/deleting-contacts-yourself: 301 */
void hc_page_search(struct http_req *req);   /* GET /hc/search?query= */

/* hc_deflections.c: the request form's article suggestions (service/hc_deflections.h). */
void hc_deflections_post(struct http_req *req);           /* POST .../help_center/deflections */
void hc_deflections_submitted_post(struct http_req *req); /* POST .../deflections/{id}/submitted */
void hc_deflections_report_get(struct http_req *req);     /* GET .../deflections/report (staff) */

/* hc_search.c: full-text article search (issue 7; service/hc_search.h). */
void hc_search_get(struct http_req *req); /* GET /api/v2/help_center/articles/search */

/* requests.c: Zendesk's Requests API, anonymous requests included (service/requests.h). */
void requests_collection(struct http_req *req); /* POST /api/v2/requests (anyone) */
void requests_item(struct http_req *req);       /* GET /api/v2/requests/{id} (signed in) */

/* users.c: reading requests, shared by the people handlers (users.c, organizations.c,
 * groups.c). Each function that can fail answers the request itself (400, 404, 422 naming the
 * field, 503) and returns nonzero, so a handler just returns. */
struct auth_principal;
struct people_actor;
struct db;
/* The actor the service judges: the principal's subject and the client's address. */
void people_http_actor(struct http_req *req, const struct auth_principal *who,
                       struct people_actor *out);
/* This thread's database connection. */
int people_http_db(struct http_req *req, struct db **out);
/* Path parameter {id} as a canonical decimal id; 0 after answering 404 otherwise. */
int64_t people_http_id(struct http_req *req);
/* The object under key of a JSON object body ({"user": {...}}), borrowed from *body, which the
 * caller releases with json_decref() whatever the result (*body may be NULL). NULL when the
 * answer is made. */
json_t *people_http_wrapped(struct http_req *req, const char *key, json_t **body);
/* Optional members of obj: *given says whether the key is present; field names the member in
 * errors ("user.name"). A string or null (NULL). */
int people_http_string(struct http_req *req, json_t *obj, const char *key, const char *field,
                       bool *given, const char **out);
/* An id (a positive JSON integer) or null (0). */
int people_http_ref(struct http_req *req, json_t *obj, const char *key, const char *field,
                    bool *given, int64_t *out);
/* A JSON integer; null is refused. */
int people_http_integer(struct http_req *req, json_t *obj, const char *key, const char *field,
                        bool *given, int64_t *out);
/* A JSON boolean; null is refused. */
int people_http_boolean(struct http_req *req, json_t *obj, const char *key, const char *field,
                        bool *given, bool *out);

#endif
