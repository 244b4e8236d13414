/* The whole HTTP surface of frontdesk, in one table. */
#include "http/handlers.h"

#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const struct {
    unsigned methods;
    const char *pattern;
    router_handler_fn handler;
} api_routes[] = {
    {HTTP_GET, "/healthz", ops_healthz},
    {HTTP_GET, "/readyz", ops_readyz},
    {HTTP_GET, "/metrics", ops_metrics},
    {HTTP_POST, "/api/v2/setup", setup_post},
    {HTTP_POST, "/api/v2/auth/sign_in", sessions_sign_in},
    {HTTP_POST, "/api/v2/auth/sign_out", sessions_sign_out},
    {HTTP_POST, "/api/v2/auth/sign_out_everywhere", sessions_sign_out_everywhere},
    {HTTP_POST, "/api/v2/auth/password_reset", sessions_password_reset},
    {HTTP_POST, "/api/v2/auth/password_reset/confirm", sessions_password_reset_confirm},
    {HTTP_GET, "/api/v2/api_tokens", api_tokens_collection},
    {HTTP_DELETE, "/api/v2/api_tokens/{id}", api_tokens_one},
    {HTTP_GET, "/api/v2/users/me", users_me},
    {HTTP_GET | HTTP_POST, "/api/v2/tickets", tickets_root},
    {HTTP_GET | HTTP_PUT, "/api/v2/tickets/{id}", tickets_one},
    {HTTP_GET, "/api/v2/tickets/show_many", tickets_many_get},
    {HTTP_GET, "/api/v2/tickets/{id}/comments", tickets_comments_get},
    {HTTP_GET, "/api/v2/tickets/{id}/sla", tickets_sla_get},
    {HTTP_GET, "/api/v2/tickets/{id}/deliveries", tickets_deliveries_get},
    {HTTP_POST, "/api/v2/tickets/{id}/identity/challenge", identity_challenge_post},
    {HTTP_POST, "/api/v2/tickets/{id}/identity/verify", identity_verify_post},
    {HTTP_GET, "/api/v2/tickets/{id}/identity", identity_get},
    {HTTP_GET, "/api/v2/tickets/{id}/billing", ticket_billing_get},
    {HTTP_GET, "/api/v2/users/{id}/tickets/requested", tickets_requested_get},
    {HTTP_GET, "/api/v2/organizations/{id}/tickets", tickets_organization_get},
    {HTTP_POST, "/api/v2/imports/tickets", tickets_import_post},
    {HTTP_POST, "/api/v2/uploads", uploads_post},
    {HTTP_GET, "/api/v2/attachments/{id}", attachments_item_get},
    {HTTP_GET, "/api/v2/attachments/{id}/content", attachments_content_get},
    {HTTP_GET, "/api/v2/search", search_get},
    {HTTP_GET, "/api/v2/support_hours", support_hours_get},
    {HTTP_GET | HTTP_PUT, "/api/v2/calendar", calendar_item},
    {HTTP_GET, "/api/v2/calendar/holidays", calendar_holidays_get},
    {HTTP_GET | HTTP_PUT, "/api/v2/sla_targets", sla_targets_item},
    {HTTP_GET, "/api/v2/sla/report", sla_report_get},
    {HTTP_GET, "/api/v2/policy/categories", policy_categories_get},
    {HTTP_GET, "/api/v2/policy/exceptions", policy_exceptions_get},
    {HTTP_GET | HTTP_PUT, "/api/v2/policy/category_keywords", policy_category_keywords_item},
    {HTTP_GET, "/api/v2/policy/report", policy_report_get},
    {HTTP_GET, "/api/v2/views", views_list_get},
    {HTTP_GET, "/api/v2/views/count_many", views_count_many_get},
    {HTTP_GET, "/api/v2/views/{id}", views_item_get},
    {HTTP_GET, "/api/v2/views/{id}/tickets", views_tickets_get},
    {HTTP_GET, "/api/v2/views/{id}/count", views_count_get},
    {HTTP_GET | HTTP_PUT, "/api/v2/roster", roster_item},
    {HTTP_GET | HTTP_POST, "/api/v2/roster/overrides", roster_overrides_collection},
    {HTTP_DELETE, "/api/v2/roster/overrides/{id}", roster_overrides_item},
    {HTTP_GET, "/api/v2/roster/now", roster_now_get},
    {HTTP_GET, "/api/v2/audit_logs", audit_logs_get},
    {HTTP_GET | HTTP_POST, "/api/v2/mail/inbound", mail_inbound_root},
    {HTTP_GET, "/api/v2/mail/inbound/{id}", mail_inbound_item_get},
    {HTTP_GET, "/api/v2/mail/inbound/{id}/raw", mail_inbound_raw_get},
    {HTTP_POST, "/api/v2/mail/inbound/{id}/retry", mail_inbound_retry_post},
    {HTTP_GET | HTTP_POST, "/api/v2/users", users_collection},
    {HTTP_GET, "/api/v2/users/search", users_search},
    {HTTP_GET | HTTP_PUT, "/api/v2/users/{id}", users_item},
    {HTTP_GET, "/api/v2/users/{id}/group_memberships", groups_user_memberships},
    {HTTP_GET | HTTP_POST, "/api/v2/organizations", organizations_collection},
    {HTTP_GET | HTTP_PUT, "/api/v2/organizations/{id}", organizations_item},
    {HTTP_GET | HTTP_PUT, "/api/v2/organizations/{id}/billing", organizations_billing},
    {HTTP_GET, "/api/v2/organizations/{id}/users", users_in_organization},
    {HTTP_GET | HTTP_POST, "/api/v2/groups", groups_collection},
    {HTTP_GET | HTTP_PUT, "/api/v2/groups/{id}", groups_item},
    {HTTP_GET, "/api/v2/groups/{id}/memberships", groups_memberships},
    {HTTP_GET | HTTP_POST, "/api/v2/group_memberships", group_memberships_collection},
    {HTTP_GET | HTTP_DELETE, "/api/v2/group_memberships/{id}", group_memberships_item},
    {HTTP_GET | HTTP_POST, "/api/v2/misuse_incidents", misuse_incidents_collection},
    {HTTP_GET | HTTP_PUT, "/api/v2/misuse_incidents/{id}", misuse_incidents_item},
    {HTTP_POST, "/api/v2/misuse_incidents/{id}/evidence", misuse_evidence_post},
    {HTTP_GET, "/api/v2/misuse_incidents/{id}/evidence/{evidence_id}/content",
     misuse_evidence_content_get},
    {HTTP_PUT, "/api/v2/organizations/{id}/high_risk", misuse_high_risk_put},
    {HTTP_POST, "/api/v2/organizations/{id}/service_refusal", misuse_refusal_post},
    {HTTP_POST, "/api/v2/organizations/{id}/service_refusal/reverse", misuse_refusal_reverse_post},
    {HTTP_GET | HTTP_POST, "/api/v2/feature_items", feature_items_collection},
    {HTTP_GET | HTTP_PUT, "/api/v2/feature_items/{id}", feature_items_item},
    {HTTP_GET, "/api/v2/feature_items/{id}/tickets", feature_items_tickets_get},
    {HTTP_GET | HTTP_POST | HTTP_DELETE, "/api/v2/tickets/{id}/feature_item", tickets_feature_item},
    {HTTP_POST, "/api/v2/users/{id}/ban", bans_user_ban},
    {HTTP_POST, "/api/v2/users/{id}/unban", bans_user_unban},
    {HTTP_POST, "/api/v2/organizations/{id}/ban", bans_organization_ban},
    {HTTP_POST, "/api/v2/organizations/{id}/unban", bans_organization_unban},
    {HTTP_GET, "/api/v2/bans", bans_list_get},
    {HTTP_POST, "/api/v2/tickets/{id}/comments/{comment_id}/flag", bans_comment_flag_post},
    {HTTP_GET | HTTP_POST, "/api/v2/macros", macros_collection},
    {HTTP_GET | HTTP_PUT | HTTP_DELETE, "/api/v2/macros/{id}", macros_item},
    {HTTP_GET, "/api/v2/tickets/{id}/macros/{macro_id}/apply", macros_apply_get},
    {HTTP_GET, "/api/v2/chat/availability", chat_availability_get},
    {HTTP_GET | HTTP_PUT, "/api/v2/chat/presence", chat_presence_item},
    {HTTP_GET | HTTP_POST, "/api/v2/chat/sessions", chat_sessions_collection},
    {HTTP_GET, "/api/v2/chat/sessions/{id}", chat_sessions_item},
    {HTTP_POST, "/api/v2/chat/sessions/{id}/messages", chat_messages_post},
    {HTTP_GET, "/api/v2/chat/sessions/{id}/stream", chat_stream_get},
    {HTTP_POST, "/api/v2/chat/sessions/{id}/accept", chat_accept_post},
    {HTTP_POST, "/api/v2/chat/sessions/{id}/end", chat_end_post},
    {HTTP_POST, "/api/v2/requests", requests_collection},
    {HTTP_GET, "/api/v2/requests/{id}", requests_item},
    {HTTP_GET | HTTP_POST, "/api/v2/calls", calls_collection},
    {HTTP_GET, "/api/v2/calls/{id}", calls_item},
    {HTTP_GET, "/api/v2/tickets/{id}/calls", calls_ticket_get},
    {HTTP_GET | HTTP_POST, "/api/v2/callback_requests", callback_requests_collection},
    {HTTP_GET | HTTP_PUT, "/api/v2/callback_requests/{id}", callback_requests_item},
    {HTTP_GET | HTTP_POST, "/api/v2/help_center/categories", hc_categories_collection},
    {HTTP_GET | HTTP_PUT, "/api/v2/help_center/categories/{id}", hc_categories_item},
    {HTTP_GET | HTTP_POST, "/api/v2/help_center/categories/{id}/sections", hc_category_sections},
    {HTTP_GET, "/api/v2/help_center/categories/{id}/articles", hc_category_articles_get},
    {HTTP_GET, "/api/v2/help_center/sections", hc_sections_get},
    {HTTP_GET | HTTP_PUT, "/api/v2/help_center/sections/{id}", hc_sections_item},
    {HTTP_GET | HTTP_POST, "/api/v2/help_center/sections/{id}/articles", hc_section_articles},
    {HTTP_GET, "/api/v2/help_center/articles", hc_articles_get},
    {HTTP_GET | HTTP_PUT | HTTP_DELETE, "/api/v2/help_center/articles/{id}", hc_articles_item},
    {HTTP_GET, "/api/v2/help_center/articles/{id}/revisions", hc_revisions_get},
    {HTTP_GET, "/api/v2/help_center/articles/{id}/revisions/{revision}", hc_revisions_item_get},
    {HTTP_POST, "/api/v2/help_center/articles/{id}/revisions/{revision}/restore",
     hc_revisions_restore_post},
    {HTTP_POST, "/api/v2/help_center/preview", hc_preview_post},
    {HTTP_POST, "/api/v2/help_center/articles/{id}/up", hc_votes_up_post},
    {HTTP_POST, "/api/v2/help_center/articles/{id}/down", hc_votes_down_post},
    {HTTP_GET, "/api/v2/help_center/articles/{id}/votes", hc_votes_list_get},
    {HTTP_GET, "/api/v2/help_center/articles/{id}/votes/mine", hc_votes_mine_get},
    {HTTP_DELETE, "/api/v2/help_center/votes/{id}", hc_votes_item},
    {HTTP_GET | HTTP_POST, "/api/v2/help_center/articles/{id}/comments", hc_comments_collection},
    {HTTP_GET | HTTP_PUT | HTTP_DELETE, "/api/v2/help_center/articles/{id}/comments/{comment_id}",
     hc_comments_item},
    {HTTP_POST, "/api/v2/help_center/deflections", hc_deflections_post},
    {HTTP_POST, "/api/v2/help_center/deflections/{id}/submitted", hc_deflections_submitted_post},
    {HTTP_GET, "/api/v2/help_center/deflections/report", hc_deflections_report_get},
    {HTTP_GET, "/api/v2/help_center/articles/search", hc_search_get},
    {HTTP_GET, "/hc", hc_page_home},
    {HTTP_GET, "/hc/categories/{id}", hc_page_category},
    {HTTP_GET, "/hc/sections/{id}", hc_page_section},
    {HTTP_GET, "/hc/articles/{id}", hc_page_article},
    {HTTP_GET, "/hc/articles/deleting-contacts-yourself", hc_page_contact_deletion},
    {HTTP_GET, "/hc/search", hc_page_search},
};

static bool is_asset_pattern(const struct router_route *rt)
{
    return rt->handler == static_serve && strcmp(rt->pattern, "/") != 0;
}

int http_routes_register(struct router *r, const struct embed_table *web)
{
    for (size_t i = 0; i < sizeof api_routes / sizeof api_routes[0]; i++) {
        int rc = router_add(r, api_routes[i].methods, api_routes[i].pattern, api_routes[i].handler,
                            NULL);
        if (rc)
            return rc;
    }
    for (size_t i = 0; i < web->count; i++) {
        const struct embed_file *f = &web->files[i];
        size_t n = strlen(f->path);
        char *pattern = xmalloc(n + 2);
        pattern[0] = '/';
        memcpy(pattern + 1, f->path, n + 1);
        int rc = router_add(r, HTTP_GET, pattern, static_serve, f);
        if (rc) {
            free(pattern);
            return rc;
        }
        if (strcmp(f->path, "index.html") == 0 && (rc = router_add(r, HTTP_GET, "/", static_serve, f)))
            return rc;
    }
    return 0;
}

void http_routes_release(struct router *r)
{
    for (unsigned i = 0; i < r->count; i++)
        if (is_asset_pattern(r->routes[i]))
            free((char *)r->routes[i]->pattern);
    router_release(r);
}
