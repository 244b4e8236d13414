/* test_router: the http/router.h contract: literal and parameter routes, specificity whatever
 * the registration order, 404 versus 405 with the Allow set, HEAD implied by GET, trailing
 * slashes, the root, parameter extraction, malformed patterns, duplicate merging, the Allow
 * header text and method tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/err.h"
#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void h_a(struct http_req *req) {}
static void h_b(struct http_req *req) {}
static void h_c(struct http_req *req) {}

#define ALL_METHODS                                                                                \
    (HTTP_GET | HTTP_HEAD | HTTP_POST | HTTP_PUT | HTTP_PATCH | HTTP_DELETE | HTTP_OPTIONS)

static enum router_result match(const struct router *r, unsigned method, const char *path,
                                struct router_match *m)
{
    return router_match(r, method, path, strlen(path), m);
}

/* Assert path matches pattern for method. */
static const struct router_route *expect_found(const struct router *r, unsigned method,
                                               const char *path, const char *pattern,
                                               struct router_match *m)
{
    enum router_result res = match(r, method, path, m);
    if (res != ROUTER_FOUND)
        fail_msg("%s: result %d, want ROUTER_FOUND (%s)", path, (int)res, pattern);
    assert_non_null(m->route);
    assert_string_equal(m->route->pattern, pattern);
    return m->route;
}

static void assert_param(const struct router_match *m, const char *name, const char *want)
{
    struct slice v = router_param(m, name);
    assert_non_null(v.ptr);
    assert_int_equal(v.len, strlen(want));
    assert_memory_equal(v.ptr, want, v.len);
}

/* ---- literal and parameter routes --------------------------------------------------------- */

static void literal_route_is_found_with_its_data(void **state)
{
    struct router r;
    router_init(&r);
    static const int data = 7;
    assert_int_equal(router_add(&r, HTTP_GET, "/healthz", h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_POST, "/api/v2/tickets", h_b, &data), 0);
    struct router_match m;
    const struct router_route *rt =
        expect_found(&r, HTTP_POST, "/api/v2/tickets", "/api/v2/tickets", &m);
    assert_ptr_equal(rt->handler, h_b);
    assert_ptr_equal(rt->data, &data);
    assert_int_equal(rt->index, 1);
    assert_int_equal(m.nparams, 0);
    rt = expect_found(&r, HTTP_GET, "/healthz", "/healthz", &m);
    assert_ptr_equal(rt->handler, h_a);
    assert_int_equal(rt->index, 0);
    router_release(&r);
}

static void literal_match_is_exact_and_case_sensitive(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/api/v2/tickets", h_a, NULL), 0);
    struct router_match m;
    assert_int_equal(match(&r, HTTP_GET, "/api/v2/ticket", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/api/v2/ticketsx", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/API/v2/tickets", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/api/v2", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/api/v2/tickets/1", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "api/v2/tickets", &m), ROUTER_NOT_FOUND);
    assert_null(m.route);
    router_release(&r);
}

static void parameter_route_extracts_values(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/api/v2/tickets/{id}", h_a, NULL), 0);
    struct router_match m;
    expect_found(&r, HTTP_GET, "/api/v2/tickets/123", "/api/v2/tickets/{id}", &m);
    assert_int_equal(m.nparams, 1);
    assert_int_equal(m.names[0].len, 2);
    assert_memory_equal(m.names[0].ptr, "id", 2);
    assert_param(&m, "id", "123");
    router_release(&r);
}

static void several_parameters_are_extracted_in_order(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(
        router_add(&r, HTTP_PUT, "/orgs/{org}/tickets/{ticket}/comments/{comment}", h_a, NULL), 0);
    struct router_match m;
    expect_found(&r, HTTP_PUT, "/orgs/acme/tickets/T-9/comments/c%20x",
                 "/orgs/{org}/tickets/{ticket}/comments/{comment}", &m);
    assert_int_equal(m.nparams, 3);
    assert_param(&m, "org", "acme");
    assert_param(&m, "ticket", "T-9");
    assert_param(&m, "comment", "c%20x");
    assert_memory_equal(m.names[0].ptr, "org", 3);
    assert_memory_equal(m.names[1].ptr, "ticket", 6);
    assert_memory_equal(m.names[2].ptr, "comment", 7);
    router_release(&r);
}

static void parameter_values_are_borrowed_from_the_path(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/t/{id}", h_a, NULL), 0);
    const char path[] = "/t/abc?query=1";
    struct router_match m;
    assert_int_equal(router_match(&r, HTTP_GET, path, 6, &m), ROUTER_FOUND);
    struct slice v = router_param(&m, "id");
    assert_ptr_equal(v.ptr, path + 3);
    assert_int_equal(v.len, 3);
    router_release(&r);
}

static void absent_parameter_is_null_slice(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/t/{id}", h_a, NULL), 0);
    struct router_match m;
    expect_found(&r, HTTP_GET, "/t/5", "/t/{id}", &m);
    struct slice v = router_param(&m, "nope");
    assert_null(v.ptr);
    assert_int_equal(v.len, 0);
    v = router_param(&m, "i");
    assert_null(v.ptr);
    v = router_param(&m, "idx");
    assert_null(v.ptr);
    router_release(&r);
}

static void parameter_does_not_match_empty_segment(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/t/{id}", h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_GET, "/{a}/{b}/x", h_b, NULL), 0);
    struct router_match m;
    assert_int_equal(match(&r, HTTP_GET, "/t/", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/t", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/t/1/2", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "//b/x", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/a//x", &m), ROUTER_NOT_FOUND);
    expect_found(&r, HTTP_GET, "/a/b/x", "/{a}/{b}/x", &m);
    router_release(&r);
}

/* ---- specificity -------------------------------------------------------------------------- */

static void check_count_beats_id(bool literal_first)
{
    struct router r;
    router_init(&r);
    if (literal_first) {
        assert_int_equal(router_add(&r, HTTP_GET, "/t/count", h_a, NULL), 0);
        assert_int_equal(router_add(&r, HTTP_GET, "/t/{id}", h_b, NULL), 0);
    } else {
        assert_int_equal(router_add(&r, HTTP_GET, "/t/{id}", h_b, NULL), 0);
        assert_int_equal(router_add(&r, HTTP_GET, "/t/count", h_a, NULL), 0);
    }
    struct router_match m;
    expect_found(&r, HTTP_GET, "/t/count", "/t/count", &m);
    assert_int_equal(m.nparams, 0);
    assert_null(router_param(&m, "id").ptr);
    expect_found(&r, HTTP_GET, "/t/42", "/t/{id}", &m);
    assert_param(&m, "id", "42");
    expect_found(&r, HTTP_GET, "/t/counts", "/t/{id}", &m);
    router_release(&r);
}

static void literal_beats_parameter_registered_after(void **state)
{
    check_count_beats_id(true);
}

static void literal_beats_parameter_registered_before(void **state)
{
    check_count_beats_id(false);
}

static void check_first_literal_segment_wins(bool order)
{
    struct router r;
    router_init(&r);
    const char *p1 = "/a/{x}/c";
    const char *p2 = "/{y}/b/c";
    assert_int_equal(router_add(&r, HTTP_GET, order ? p1 : p2, h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_GET, order ? p2 : p1, h_b, NULL), 0);
    struct router_match m;
    expect_found(&r, HTTP_GET, "/a/b/c", "/a/{x}/c", &m);
    assert_param(&m, "x", "b");
    expect_found(&r, HTTP_GET, "/z/b/c", "/{y}/b/c", &m);
    assert_param(&m, "y", "z");
    router_release(&r);
}

static void first_differing_literal_segment_wins_in_either_order(void **state)
{
    check_first_literal_segment_wins(true);
    check_first_literal_segment_wins(false);
}

static void check_three_way(int order)
{
    static const char *const pats[3] = {"/u/{id}/{f}", "/u/{id}/name", "/u/me/{f}"};
    static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
                                     {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    struct router r;
    router_init(&r);
    for (int i = 0; i < 3; i++)
        assert_int_equal(router_add(&r, HTTP_GET, pats[orders[order][i]], h_a, NULL), 0);
    struct router_match m;
    expect_found(&r, HTTP_GET, "/u/me/name", "/u/me/{f}", &m);
    expect_found(&r, HTTP_GET, "/u/7/name", "/u/{id}/name", &m);
    expect_found(&r, HTTP_GET, "/u/7/mail", "/u/{id}/{f}", &m);
    expect_found(&r, HTTP_GET, "/u/me/mail", "/u/me/{f}", &m);
    router_release(&r);
}

static void specificity_holds_for_every_registration_order(void **state)
{
    for (int o = 0; o < 6; o++)
        check_three_way(o);
}

static void method_decides_between_literal_and_parameter(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/t/count", h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_DELETE, "/t/{id}", h_b, NULL), 0);
    struct router_match m;
    expect_found(&r, HTTP_GET, "/t/count", "/t/count", &m);
    /* the literal route does not take DELETE; the parameter route matching the path does */
    expect_found(&r, HTTP_DELETE, "/t/count", "/t/{id}", &m);
    assert_param(&m, "id", "count");
    router_release(&r);
}

/* ---- 404, 405 and HEAD -------------------------------------------------------------------- */

static void unknown_path_is_not_found_with_empty_allow(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/a", h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_GET, "/b/{x}", h_a, NULL), 0);
    struct router_match m;
    assert_int_equal(match(&r, HTTP_GET, "/c", &m), ROUTER_NOT_FOUND);
    assert_int_equal(m.allow, 0);
    assert_null(m.route);
    assert_int_equal(match(&r, HTTP_DELETE, "/c", &m), ROUTER_NOT_FOUND);
    assert_int_equal(m.allow, 0);
    router_release(&r);
}

static void empty_router_finds_nothing(void **state)
{
    struct router r;
    router_init(&r);
    struct router_match m;
    assert_int_equal(match(&r, HTTP_GET, "/", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/x", &m), ROUTER_NOT_FOUND);
    assert_int_equal(router_match(&r, HTTP_GET, "", 0, &m), ROUTER_NOT_FOUND);
    router_release(&r);
}

static void wrong_method_is_405_with_allow_mask(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET | HTTP_POST, "/api/v2/tickets", h_a, NULL), 0);
    struct router_match m;
    assert_int_equal(match(&r, HTTP_DELETE, "/api/v2/tickets", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_int_equal(m.allow, HTTP_GET | HTTP_HEAD | HTTP_POST);
    assert_null(m.route);
    char allow[64];
    router_allow_header(m.allow, allow);
    assert_string_equal(allow, "GET, HEAD, POST");
    router_release(&r);
}

static void wrong_method_on_parameter_route_is_405(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_PATCH | HTTP_DELETE, "/t/{id}", h_a, NULL), 0);
    struct router_match m;
    assert_int_equal(match(&r, HTTP_GET, "/t/1", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_int_equal(m.allow, HTTP_PATCH | HTTP_DELETE);
    assert_int_equal(m.nparams, 0);
    router_release(&r);
}

static void allow_mask_is_union_of_all_matching_routes(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/t/count", h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_PUT, "/t/{id}", h_b, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_OPTIONS, "/{x}/{y}", h_c, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_DELETE, "/t/other", h_c, NULL), 0);
    struct router_match m;
    assert_int_equal(match(&r, HTTP_POST, "/t/count", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_int_equal(m.allow, HTTP_GET | HTTP_HEAD | HTTP_PUT | HTTP_OPTIONS);
    char allow[64];
    router_allow_header(m.allow, allow);
    assert_string_equal(allow, "GET, HEAD, PUT, OPTIONS");
    router_release(&r);
}

static void head_is_implied_by_get(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/a", h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_GET, "/p/{id}", h_a, NULL), 0);
    struct router_match m;
    const struct router_route *rt = expect_found(&r, HTTP_HEAD, "/a", "/a", &m);
    assert_int_equal(rt->methods, HTTP_GET | HTTP_HEAD);
    expect_found(&r, HTTP_HEAD, "/p/1", "/p/{id}", &m);
    assert_param(&m, "id", "1");
    router_release(&r);
}

static void head_is_not_implied_without_get(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_POST, "/a", h_a, NULL), 0);
    struct router_match m;
    assert_int_equal(match(&r, HTTP_HEAD, "/a", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_int_equal(m.allow, HTTP_POST);
    router_release(&r);
}

/* ---- trailing slash and root -------------------------------------------------------------- */

static void trailing_slash_does_not_match_route_without_it(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/a", h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_GET, "/t/{id}", h_a, NULL), 0);
    struct router_match m;
    assert_int_equal(match(&r, HTTP_GET, "/a/", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/a//", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/t/1/", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "//a", &m), ROUTER_NOT_FOUND);
    router_release(&r);
}

static void root_route_matches_only_slash(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/", h_a, NULL), 0);
    struct router_match m;
    const struct router_route *rt = expect_found(&r, HTTP_GET, "/", "/", &m);
    assert_int_equal(rt->nsegs, 0);
    assert_int_equal(m.nparams, 0);
    assert_int_equal(match(&r, HTTP_GET, "//", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/x", &m), ROUTER_NOT_FOUND);
    assert_int_equal(router_match(&r, HTTP_GET, "", 0, &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_POST, "/", &m), ROUTER_METHOD_NOT_ALLOWED);
    assert_int_equal(m.allow, HTTP_GET | HTTP_HEAD);
    router_release(&r);
}

static void single_parameter_does_not_match_root(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/{page}", h_a, NULL), 0);
    struct router_match m;
    assert_int_equal(match(&r, HTTP_GET, "/", &m), ROUTER_NOT_FOUND);
    expect_found(&r, HTTP_GET, "/about", "/{page}", &m);
    assert_param(&m, "page", "about");
    router_release(&r);
}

/* ---- path edge cases ---------------------------------------------------------------------- */

static void match_reads_only_len_bytes(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/a/b", h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_GET, "/a/b/{c}", h_a, NULL), 0);
    struct router_match m;
    const char path[] = "/a/b/c";
    assert_int_equal(router_match(&r, HTTP_GET, path, 4, &m), ROUTER_FOUND);
    assert_string_equal(m.route->pattern, "/a/b");
    assert_int_equal(router_match(&r, HTTP_GET, path, 3, &m), ROUTER_NOT_FOUND);
    assert_int_equal(router_match(&r, HTTP_GET, path, 6, &m), ROUTER_FOUND);
    assert_string_equal(m.route->pattern, "/a/b/{c}");
    router_release(&r);
}

static void path_with_nul_byte_does_not_match_literal_route(void **state)
{
    struct router r;
    router_init(&r);
    /* an exact-size heap pattern, so a read past its end shows under AddressSanitizer */
    char *pattern = malloc(3);
    memcpy(pattern, "/a", 3);
    assert_int_equal(router_add(&r, HTTP_GET, pattern, h_a, NULL), 0);
    struct router_match m;
    for (int c = 0; c < 256; c++) {
        for (int d = 0; d < 4; d++) {
            char path[8] = {'/', 'a', '\0', (char)c, (char)d, 'z'};
            enum router_result res = router_match(&r, HTTP_GET, path, 6, &m);
            if (res != ROUTER_NOT_FOUND)
                fail_msg("\"/a\\0\\x%02x\\x%02xz\" (6 bytes) matched \"/a\"", c, d);
        }
    }
    router_release(&r);
    free(pattern);
}

static void too_many_path_segments_is_not_found(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/{a}", h_a, NULL), 0);
    char path[200];
    for (int i = 0; i < 40; i++)
        memcpy(path + 2 * i, "/x", 2);
    path[80] = '\0';
    struct router_match m;
    assert_int_equal(match(&r, HTTP_GET, path, &m), ROUTER_NOT_FOUND);
    router_release(&r);
}

static void many_literal_routes_are_all_found(void **state)
{
    struct router r;
    router_init(&r);
    static char pats[300][24];
    for (int i = 0; i < 300; i++) {
        snprintf(pats[i], sizeof pats[i], "/r/%d", i);
        assert_int_equal(router_add(&r, HTTP_GET, pats[i], h_a, NULL), 0);
    }
    assert_int_equal(r.count, 300);
    struct router_match m;
    for (int i = 0; i < 300; i++) {
        const struct router_route *rt = expect_found(&r, HTTP_GET, pats[i], pats[i], &m);
        assert_int_equal(rt->index, i);
    }
    assert_int_equal(match(&r, HTTP_GET, "/r/300", &m), ROUTER_NOT_FOUND);
    assert_int_equal(match(&r, HTTP_GET, "/r/-1", &m), ROUTER_NOT_FOUND);
    router_release(&r);
}

/* ---- malformed patterns ------------------------------------------------------------------- */

/* Patterns router_add() accepted although they should be refused, collected so one run
 * reports them all. */
static char accepted[1024];

static void check_refused(const char *pattern)
{
    struct router r;
    router_init(&r);
    int rc = router_add(&r, HTTP_GET, pattern, h_a, NULL);
    if (rc != ERR_INVALID) {
        size_t n = strlen(accepted);
        snprintf(accepted + n, sizeof accepted - n, " \"%s\" (%d)", pattern, rc);
    }
    router_release(&r);
}

static void report_accepted(void)
{
    if (accepted[0]) {
        char copy[sizeof accepted];
        memcpy(copy, accepted, sizeof copy);
        accepted[0] = '\0';
        fail_msg("router_add() did not return ERR_INVALID for:%s", copy);
    }
}

static void malformed_patterns_are_refused(void **state)
{
    check_refused("");
    check_refused("a");
    check_refused("a/b");
    check_refused("tickets/{id}");
    check_refused("//");
    check_refused("/a//b");
    check_refused("//a");
    report_accepted();
}

static void empty_trailing_segment_in_pattern_is_refused(void **state)
{
    /* router.h: "empty segment other than the root" is malformed */
    check_refused("/a/");
    check_refused("/t/{id}/");
    report_accepted();
}

static void unbalanced_braces_are_refused(void **state)
{
    check_refused("/{");
    check_refused("/}");
    check_refused("/{id");
    check_refused("/id}");
    check_refused("/t/{id");
    check_refused("/t/x{id}");
    check_refused("/t/{id}x");
    check_refused("/t/{i{d}");
    check_refused("/t/{{id}");
    check_refused("/t/{id}}");
    check_refused("/t/a}b");
    report_accepted();
}

static void empty_parameter_name_is_refused(void **state)
{
    check_refused("/{}");
    check_refused("/t/{}");
    report_accepted();
}

static void segment_and_parameter_limits(void **state)
{
    struct router r;
    router_init(&r);
    /* ROUTER_MAX_SEGMENTS (16) segments are fine, 17 are not */
    assert_int_equal(router_add(&r, HTTP_GET, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", h_a, NULL),
                     0);
    assert_int_equal(
        router_add(&r, HTTP_GET, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", h_a, NULL),
        ERR_INVALID);
    /* ROUTER_MAX_PARAMS (8) parameters are fine, 9 are not */
    assert_int_equal(router_add(&r, HTTP_GET, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_GET, "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}/{i}", h_a, NULL),
                     ERR_INVALID);
    assert_int_equal(r.count, 2);
    struct router_match m;
    expect_found(&r, HTTP_GET, "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16",
                 "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16", &m);
    expect_found(&r, HTTP_GET, "/1/2/3/4/5/6/7/8", "/{a}/{b}/{c}/{d}/{e}/{f}/{g}/{h}", &m);
    assert_int_equal(m.nparams, 8);
    assert_param(&m, "a", "1");
    assert_param(&m, "h", "8");
    router_release(&r);
}

static void missing_pattern_handler_or_methods_are_refused(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, NULL, h_a, NULL), ERR_INVALID);
    assert_int_equal(router_add(&r, HTTP_GET, "/a", NULL, NULL), ERR_INVALID);
    assert_int_equal(router_add(&r, 0, "/a", h_a, NULL), ERR_INVALID);
    assert_int_equal(r.count, 0);
    router_release(&r);
}

static void refused_pattern_leaves_router_unchanged(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/a", h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_GET, "/b/{", h_a, NULL), ERR_INVALID);
    assert_int_equal(router_add(&r, HTTP_GET, "/c", h_a, NULL), 0);
    assert_int_equal(r.count, 2);
    struct router_match m;
    const struct router_route *rt = expect_found(&r, HTTP_GET, "/c", "/c", &m);
    assert_int_equal(rt->index, 1);
    router_release(&r);
}

/* ---- duplicates --------------------------------------------------------------------------- */

static void duplicate_with_same_handler_merges_methods(void **state)
{
    struct router r;
    router_init(&r);
    static const int data = 1;
    assert_int_equal(router_add(&r, HTTP_POST, "/t/{id}", h_a, &data), 0);
    assert_int_equal(router_add(&r, HTTP_GET, "/t/{id}", h_a, &data), 0);
    assert_int_equal(router_add(&r, HTTP_DELETE, "/x", h_b, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_PUT, "/x", h_b, NULL), 0);
    assert_int_equal(r.count, 2);
    struct router_match m;
    const struct router_route *rt = expect_found(&r, HTTP_HEAD, "/t/1", "/t/{id}", &m);
    assert_int_equal(rt->methods, HTTP_POST | HTTP_GET | HTTP_HEAD);
    assert_int_equal(rt->index, 0);
    rt = expect_found(&r, HTTP_PUT, "/x", "/x", &m);
    assert_int_equal(rt->methods, HTTP_DELETE | HTTP_PUT);
    assert_int_equal(rt->index, 1);
    router_release(&r);
}

static void duplicate_with_other_handler_is_refused(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/x", h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_POST, "/x", h_b, NULL), ERR_INVALID);
    assert_int_equal(r.count, 1);
    struct router_match m;
    const struct router_route *rt = expect_found(&r, HTTP_GET, "/x", "/x", &m);
    assert_ptr_equal(rt->handler, h_a);
    assert_int_equal(rt->methods, HTTP_GET | HTTP_HEAD);
    assert_int_equal(match(&r, HTTP_POST, "/x", &m), ROUTER_METHOD_NOT_ALLOWED);
    router_release(&r);
}

static void duplicate_with_other_data_is_refused(void **state)
{
    struct router r;
    router_init(&r);
    static const int d1 = 1, d2 = 2;
    assert_int_equal(router_add(&r, HTTP_GET, "/s/{f}", h_a, &d1), 0);
    assert_int_equal(router_add(&r, HTTP_POST, "/s/{f}", h_a, &d2), ERR_INVALID);
    assert_int_equal(router_add(&r, HTTP_POST, "/s/{f}", h_a, NULL), ERR_INVALID);
    struct router_match m;
    const struct router_route *rt = expect_found(&r, HTTP_GET, "/s/a", "/s/{f}", &m);
    assert_ptr_equal(rt->data, &d1);
    assert_int_equal(rt->methods, HTTP_GET | HTTP_HEAD);
    router_release(&r);
}

static void duplicate_pattern_from_another_buffer_merges(void **state)
{
    struct router r;
    router_init(&r);
    static const char p1[] = "/same";
    static char p2[8];
    memcpy(p2, "/same", 6);
    assert_int_equal(router_add(&r, HTTP_GET, p1, h_a, NULL), 0);
    assert_int_equal(router_add(&r, HTTP_DELETE, p2, h_a, NULL), 0);
    assert_int_equal(r.count, 1);
    struct router_match m;
    expect_found(&r, HTTP_DELETE, "/same", "/same", &m);
    router_release(&r);
}

/* ---- methods and the Allow header --------------------------------------------------------- */

static void method_tokens_map_to_bits(void **state)
{
    assert_int_equal(router_method_from_str("GET"), HTTP_GET);
    assert_int_equal(router_method_from_str("HEAD"), HTTP_HEAD);
    assert_int_equal(router_method_from_str("POST"), HTTP_POST);
    assert_int_equal(router_method_from_str("PUT"), HTTP_PUT);
    assert_int_equal(router_method_from_str("PATCH"), HTTP_PATCH);
    assert_int_equal(router_method_from_str("DELETE"), HTTP_DELETE);
    assert_int_equal(router_method_from_str("OPTIONS"), HTTP_OPTIONS);
}

static void unknown_or_lowercase_methods_are_zero(void **state)
{
    /* method tokens are case-sensitive (RFC 9110 section 9.1) */
    assert_int_equal(router_method_from_str("get"), 0);
    assert_int_equal(router_method_from_str("Get"), 0);
    assert_int_equal(router_method_from_str("CONNECT"), 0);
    assert_int_equal(router_method_from_str("TRACE"), 0);
    assert_int_equal(router_method_from_str(""), 0);
    assert_int_equal(router_method_from_str("GET "), 0);
    assert_int_equal(router_method_from_str("GETX"), 0);
    assert_int_equal(router_method_from_str("GE"), 0);
}

static void check_allow(unsigned methods, const char *want)
{
    char out[64];
    memset(out, 'X', sizeof out);
    router_allow_header(methods, out);
    assert_string_equal(out, want);
}

static void allow_header_lists_methods_in_fixed_order(void **state)
{
    check_allow(0, "");
    check_allow(HTTP_GET, "GET");
    check_allow(HTTP_DELETE, "DELETE");
    check_allow(HTTP_OPTIONS | HTTP_GET, "GET, OPTIONS");
    check_allow(HTTP_DELETE | HTTP_PUT | HTTP_HEAD | HTTP_GET, "GET, HEAD, PUT, DELETE");
    check_allow(HTTP_PATCH | HTTP_POST, "POST, PATCH");
    check_allow(ALL_METHODS, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
}

static void allow_header_ignores_unknown_bits(void **state)
{
    check_allow(1u << 12, "");
    check_allow(HTTP_POST | (1u << 20), "POST");
    check_allow(~0u, "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
}

static void release_then_reuse(void **state)
{
    struct router r;
    router_init(&r);
    assert_int_equal(router_add(&r, HTTP_GET, "/a", h_a, NULL), 0);
    router_release(&r);
    assert_int_equal(r.count, 0);
    struct router_match m;
    assert_int_equal(match(&r, HTTP_GET, "/a", &m), ROUTER_NOT_FOUND);
    assert_int_equal(router_add(&r, HTTP_GET, "/a", h_b, NULL), 0);
    const struct router_route *rt = expect_found(&r, HTTP_GET, "/a", "/a", &m);
    assert_ptr_equal(rt->handler, h_b);
    assert_int_equal(rt->index, 0);
    router_release(&r);
}

static void unescape_case(const char *in, const char *want)
{
    char buf[128];
    snprintf(buf, sizeof buf, "%s", in);
    size_t n = router_unescape(buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void unescape_decodes_escapes_but_never_nul(void **state)
{
    unescape_case("/a%20b", "/a b");
    unescape_case("/%2e%2E/x", "/../x");
    unescape_case("/index.html%00", "/index.html%00");
    unescape_case("/%00%41", "/%00A");
    unescape_case("/bad%zz%4", "/bad%zz%4");
    unescape_case("%", "%");
    unescape_case("", "");
    unescape_case("%C3%A9", "\xC3\xA9");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unescape_decodes_escapes_but_never_nul),
        cmocka_unit_test(literal_route_is_found_with_its_data),
        cmocka_unit_test(literal_match_is_exact_and_case_sensitive),
        cmocka_unit_test(parameter_route_extracts_values),
        cmocka_unit_test(several_parameters_are_extracted_in_order),
        cmocka_unit_test(parameter_values_are_borrowed_from_the_path),
        cmocka_unit_test(absent_parameter_is_null_slice),
        cmocka_unit_test(parameter_does_not_match_empty_segment),
        cmocka_unit_test(literal_beats_parameter_registered_after),
        cmocka_unit_test(literal_beats_parameter_registered_before),
        cmocka_unit_test(first_differing_literal_segment_wins_in_either_order),
        cmocka_unit_test(specificity_holds_for_every_registration_order),
        cmocka_unit_test(method_decides_between_literal_and_parameter),
        cmocka_unit_test(unknown_path_is_not_found_with_empty_allow),
        cmocka_unit_test(empty_router_finds_nothing),
        cmocka_unit_test(wrong_method_is_405_with_allow_mask),
        cmocka_unit_test(wrong_method_on_parameter_route_is_405),
        cmocka_unit_test(allow_mask_is_union_of_all_matching_routes),
        cmocka_unit_test(head_is_implied_by_get),
        cmocka_unit_test(head_is_not_implied_without_get),
        cmocka_unit_test(trailing_slash_does_not_match_route_without_it),
        cmocka_unit_test(root_route_matches_only_slash),
        cmocka_unit_test(single_parameter_does_not_match_root),
        cmocka_unit_test(match_reads_only_len_bytes),
        cmocka_unit_test(too_many_path_segments_is_not_found),
        cmocka_unit_test(many_literal_routes_are_all_found),
        cmocka_unit_test(malformed_patterns_are_refused),
        cmocka_unit_test(empty_trailing_segment_in_pattern_is_refused),
        cmocka_unit_test(unbalanced_braces_are_refused),
        cmocka_unit_test(empty_parameter_name_is_refused),
        cmocka_unit_test(segment_and_parameter_limits),
        cmocka_unit_test(missing_pattern_handler_or_methods_are_refused),
        cmocka_unit_test(refused_pattern_leaves_router_unchanged),
        cmocka_unit_test(duplicate_with_same_handler_merges_methods),
        cmocka_unit_test(duplicate_with_other_handler_is_refused),
        cmocka_unit_test(duplicate_with_other_data_is_refused),
        cmocka_unit_test(duplicate_pattern_from_another_buffer_merges),
        cmocka_unit_test(method_tokens_map_to_bits),
        cmocka_unit_test(unknown_or_lowercase_methods_are_zero),
        cmocka_unit_test(allow_header_lists_methods_in_fixed_order),
        cmocka_unit_test(allow_header_ignores_unknown_bits),
        cmocka_unit_test(release_then_reuse),
        /* last: under AddressSanitizer an out-of-bounds read here ends the process */
        cmocka_unit_test(path_with_nul_byte_does_not_match_literal_route),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
