/* test_ticket: the core/ticket.h contract: the status machine checked pair by pair against a
 * table written out here independently of ticket.c, the requester-reply rule for every status,
 * auto-close at its boundaries, and the name/parse functions for status, priority and channel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/ticket.h"

#include <stdbool.h>
#include <string.h>

#define DAY 86400

static const enum ticket_status all_statuses[] = {
    TICKET_STATUS_NEW,  TICKET_STATUS_OPEN,   TICKET_STATUS_PENDING,
    TICKET_STATUS_HOLD, TICKET_STATUS_SOLVED, TICKET_STATUS_CLOSED,
};

/* The rules, written as a list of the allowed changes rather than as ticket.c's matrix:
 * staff may move new -> open/pending/hold/solved; open -> pending/hold/solved; pending ->
 * open/hold/solved; hold -> open/pending/solved; solved -> open/closed; nothing out of closed;
 * nothing into new; and X -> X is "no change". */
static bool expected_allowed(enum ticket_status from, enum ticket_status to)
{
    static const struct {
        enum ticket_status from, to;
    } moves[] = {
        {TICKET_STATUS_NEW, TICKET_STATUS_OPEN},      {TICKET_STATUS_NEW, TICKET_STATUS_PENDING},
        {TICKET_STATUS_NEW, TICKET_STATUS_HOLD},      {TICKET_STATUS_NEW, TICKET_STATUS_SOLVED},
        {TICKET_STATUS_OPEN, TICKET_STATUS_PENDING},  {TICKET_STATUS_OPEN, TICKET_STATUS_HOLD},
        {TICKET_STATUS_OPEN, TICKET_STATUS_SOLVED},   {TICKET_STATUS_PENDING, TICKET_STATUS_OPEN},
        {TICKET_STATUS_PENDING, TICKET_STATUS_HOLD},  {TICKET_STATUS_PENDING, TICKET_STATUS_SOLVED},
        {TICKET_STATUS_HOLD, TICKET_STATUS_OPEN},     {TICKET_STATUS_HOLD, TICKET_STATUS_PENDING},
        {TICKET_STATUS_HOLD, TICKET_STATUS_SOLVED},   {TICKET_STATUS_SOLVED, TICKET_STATUS_OPEN},
        {TICKET_STATUS_SOLVED, TICKET_STATUS_CLOSED},
    };
    if (from == to)
        return true;
    for (size_t i = 0; i < sizeof moves / sizeof *moves; i++)
        if (moves[i].from == from && moves[i].to == to)
            return true;
    return false;
}

static void transition_table_matches_every_pair(void **state)
{
    (void)state;
    int allowed = 0;
    for (size_t i = 0; i < TICKET_STATUS_COUNT; i++) {
        for (size_t j = 0; j < TICKET_STATUS_COUNT; j++) {
            enum ticket_status from = all_statuses[i], to = all_statuses[j];
            bool want = expected_allowed(from, to);
            bool got = ticket_transition_allowed(from, to);
            if (got != want)
                fail_msg("ticket_transition_allowed(%s, %s) = %d, want %d",
                         ticket_status_name(from), ticket_status_name(to), got, want);
            allowed += got;
        }
    }
    /* 15 changes + 6 "no change" pairs. */
    assert_int_equal(allowed, 21);
}

static void check_transition_agrees_with_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < TICKET_STATUS_COUNT; i++) {
        for (size_t j = 0; j < TICKET_STATUS_COUNT; j++) {
            enum ticket_status from = all_statuses[i], to = all_statuses[j];
            struct err e;
            err_clear(&e);
            int rc = ticket_check_transition(from, to, &e);
            if (expected_allowed(from, to)) {
                if (rc != 0)
                    fail_msg("%s -> %s refused: %s", ticket_status_name(from),
                             ticket_status_name(to), e.message);
                assert_int_equal(e.code, ERR_OK);
            } else {
                assert_int_equal(rc, ERR_CONFLICT);
                assert_int_equal(e.code, ERR_CONFLICT);
                assert_string_equal(e.field, "status");
                /* The message names both states. */
                assert_non_null(strstr(e.message, ticket_status_name(from)));
                assert_non_null(strstr(e.message, ticket_status_name(to)));
            }
            /* e is optional. */
            assert_int_equal(ticket_check_transition(from, to, NULL), rc);
        }
    }
}

static void check_transition_messages(void **state)
{
    (void)state;
    struct err e;
    err_clear(&e);
    assert_int_equal(ticket_check_transition(TICKET_STATUS_CLOSED, TICKET_STATUS_OPEN, &e),
                     ERR_CONFLICT);
    assert_string_equal(e.message, "cannot change status from closed to open");
    assert_string_equal(e.field, "status");

    err_clear(&e);
    assert_int_equal(ticket_check_transition(TICKET_STATUS_OPEN, TICKET_STATUS_NEW, &e),
                     ERR_CONFLICT);
    assert_string_equal(e.message, "cannot change status from open to new");

    err_clear(&e);
    assert_int_equal(ticket_check_transition(TICKET_STATUS_SOLVED, TICKET_STATUS_PENDING, &e),
                     ERR_CONFLICT);
    assert_string_equal(e.message, "cannot change status from solved to pending");

    err_clear(&e);
    assert_int_equal(ticket_check_transition(TICKET_STATUS_NEW, TICKET_STATUS_CLOSED, &e),
                     ERR_CONFLICT);
    assert_string_equal(e.message, "cannot change status from new to closed");
}

static void out_of_range_statuses_are_refused(void **state)
{
    (void)state;
    enum ticket_status bad = (enum ticket_status)TICKET_STATUS_COUNT;
    enum ticket_status neg = (enum ticket_status) - 1;
    assert_false(ticket_transition_allowed(bad, TICKET_STATUS_OPEN));
    assert_false(ticket_transition_allowed(TICKET_STATUS_OPEN, bad));
    assert_false(ticket_transition_allowed(neg, neg));
    struct err e;
    err_clear(&e);
    assert_int_equal(ticket_check_transition(TICKET_STATUS_OPEN, bad, &e), ERR_INTERNAL);
    assert_int_equal(ticket_check_transition(neg, TICKET_STATUS_OPEN, NULL), ERR_INTERNAL);
    assert_null(ticket_status_name(bad));
    assert_null(ticket_status_name(neg));

    enum ticket_status to = TICKET_STATUS_HOLD;
    assert_int_equal(ticket_requester_reply(bad, &to), TICKET_REPLY_NO_CHANGE);
    assert_int_equal(to, TICKET_STATUS_HOLD);
}

static void requester_reply_for_every_status(void **state)
{
    (void)state;
    static const struct {
        enum ticket_status from;
        enum ticket_reply_effect effect;
        bool sets_open;
    } cases[] = {
        {TICKET_STATUS_NEW, TICKET_REPLY_REOPENS, true},
        {TICKET_STATUS_OPEN, TICKET_REPLY_NO_CHANGE, true},
        {TICKET_STATUS_PENDING, TICKET_REPLY_REOPENS, true},
        {TICKET_STATUS_HOLD, TICKET_REPLY_REOPENS, true},
        {TICKET_STATUS_SOLVED, TICKET_REPLY_REOPENS, true},
        {TICKET_STATUS_CLOSED, TICKET_REPLY_FOLLOW_UP, false},
    };
    assert_int_equal(sizeof cases / sizeof *cases, TICKET_STATUS_COUNT);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* A sentinel that no case sets, to see whether *to was written. */
        enum ticket_status to = (enum ticket_status)99;
        enum ticket_reply_effect got = ticket_requester_reply(cases[i].from, &to);
        if (got != cases[i].effect)
            fail_msg("reply to %s: effect %d, want %d", ticket_status_name(cases[i].from), got,
                     cases[i].effect);
        if (cases[i].sets_open) {
            assert_int_equal(to, TICKET_STATUS_OPEN);
            /* Whatever a reply does, the status machine allows it. */
            assert_true(ticket_transition_allowed(cases[i].from, to));
        } else {
            assert_int_equal(to, 99);
        }
    }
}

static void auto_close_boundaries(void **state)
{
    (void)state;
    const int64_t solved = 1700000000; /* 2023-11-14T22:13:20Z */
    static const int days[] = {1, 30};
    for (size_t i = 0; i < 2; i++) {
        int64_t due = solved + (int64_t)days[i] * DAY;
        assert_false(ticket_due_for_close(TICKET_STATUS_SOLVED, solved, due - 1, days[i]));
        assert_true(ticket_due_for_close(TICKET_STATUS_SOLVED, solved, due, days[i]));
        assert_true(ticket_due_for_close(TICKET_STATUS_SOLVED, solved, due + 1, days[i]));
        assert_true(ticket_due_for_close(TICKET_STATUS_SOLVED, solved, due + 365 * DAY, days[i]));
        assert_false(ticket_due_for_close(TICKET_STATUS_SOLVED, solved, solved, days[i]));
        /* A clock behind the solve time (another node's skew) is simply "not yet". */
        assert_false(ticket_due_for_close(TICKET_STATUS_SOLVED, solved, solved - DAY, days[i]));
    }
}

static void auto_close_only_solved(void **state)
{
    (void)state;
    const int64_t solved = 1700000000;
    for (size_t i = 0; i < TICKET_STATUS_COUNT; i++) {
        enum ticket_status s = all_statuses[i];
        bool got = ticket_due_for_close(s, solved, solved + 1000 * (int64_t)DAY, 1);
        if (got != (s == TICKET_STATUS_SOLVED))
            fail_msg("ticket_due_for_close(%s, ...) = %d", ticket_status_name(s), got);
    }
}

static void auto_close_odd_arguments(void **state)
{
    (void)state;
    /* Days below 1 never close. */
    assert_false(ticket_due_for_close(TICKET_STATUS_SOLVED, 0, INT64_MAX, 0));
    assert_false(ticket_due_for_close(TICKET_STATUS_SOLVED, 0, INT64_MAX, -1));
    /* No overflow near the ends of int64_t (UBSan checks the arithmetic). */
    assert_false(ticket_due_for_close(TICKET_STATUS_SOLVED, INT64_MAX, INT64_MAX, 1));
    assert_false(ticket_due_for_close(TICKET_STATUS_SOLVED, INT64_MAX - DAY + 1, INT64_MAX, 1));
    assert_true(ticket_due_for_close(TICKET_STATUS_SOLVED, INT64_MAX - DAY, INT64_MAX, 1));
    assert_true(ticket_due_for_close(TICKET_STATUS_SOLVED, INT64_MIN, 0, 1));
    assert_true(ticket_due_for_close(TICKET_STATUS_SOLVED, INT64_MIN, INT64_MAX, 2147483647));
    assert_false(ticket_due_for_close(TICKET_STATUS_SOLVED, 0, INT64_MIN, 1));
}

static void status_names_round_trip(void **state)
{
    (void)state;
    static const char *const names[] = {"new", "open", "pending", "hold", "solved", "closed"};
    for (size_t i = 0; i < TICKET_STATUS_COUNT; i++) {
        assert_string_equal(ticket_status_name(all_statuses[i]), names[i]);
        enum ticket_status got = (enum ticket_status)99;
        assert_int_equal(ticket_status_parse(names[i], strlen(names[i]), &got), 0);
        assert_int_equal(got, all_statuses[i]);
    }
}

/* Parse s[0..len) with each parser and expect ERR_INVALID with *out untouched. */
static void refuse_everywhere(const char *s, size_t len)
{
    enum ticket_status st = (enum ticket_status)77;
    enum ticket_priority pr = (enum ticket_priority)77;
    enum ticket_channel ch = (enum ticket_channel)77;
    if (ticket_status_parse(s, len, &st) != ERR_INVALID || st != 77 ||
        ticket_priority_parse(s, len, &pr) != ERR_INVALID || pr != 77 ||
        ticket_channel_parse(s, len, &ch) != ERR_INVALID || ch != 77)
        fail_msg("\"%.*s\" (len %zu) was accepted", (int)len, s, len);
}

#define REFUSE(lit) refuse_everywhere((lit), sizeof(lit) - 1)

static void parsers_refuse_near_misses(void **state)
{
    (void)state;
    /* Empty, with or without a pointer. */
    refuse_everywhere(NULL, 0);
    REFUSE("");
    /* Case. */
    REFUSE("Open");
    REFUSE("SOLVED");
    REFUSE("Urgent");
    REFUSE("EMAIL");
    /* Padding. */
    REFUSE("open ");
    REFUSE(" open");
    REFUSE("high\n");
    REFUSE("web\t");
    /* Unknown, prefixes and extensions. */
    REFUSE("reopened");
    REFUSE("ope");
    REFUSE("opened");
    REFUSE("deleted");
    REFUSE("critical");
    REFUSE("Critical");
    REFUSE("phone");
    REFUSE("sms");
    REFUSE("e");
    /* A NUL inside len: the C string would match, the slice must not. */
    REFUSE("open\0");
    REFUSE("urgent\0x");
    REFUSE("api\0");
    REFUSE("\0new");
    /* len shorter than the string: only the slice counts. */
    enum ticket_status st = TICKET_STATUS_NEW;
    assert_int_equal(ticket_status_parse("openx", 4, &st), 0);
    assert_int_equal(st, TICKET_STATUS_OPEN);
    assert_int_equal(ticket_status_parse("open", 3, &st), ERR_INVALID);
}

static void priority_names_round_trip(void **state)
{
    (void)state;
    static const struct {
        enum ticket_priority p;
        const char *name, *policy;
    } cases[] = {
        {TICKET_PRIORITY_LOW, "low", "Normal"},
        {TICKET_PRIORITY_NORMAL, "normal", "Normal"},
        {TICKET_PRIORITY_HIGH, "high", "High Priority Non-critical"},
        {TICKET_PRIORITY_URGENT, "urgent", "Critical"},
    };
    assert_int_equal(sizeof cases / sizeof *cases, TICKET_PRIORITY_COUNT);
    for (size_t i = 0; i < TICKET_PRIORITY_COUNT; i++) {
        assert_string_equal(ticket_priority_name(cases[i].p), cases[i].name);
        assert_string_equal(ticket_priority_policy_name(cases[i].p), cases[i].policy);
        enum ticket_priority got = (enum ticket_priority)99;
        assert_int_equal(ticket_priority_parse(cases[i].name, strlen(cases[i].name), &got), 0);
        assert_int_equal(got, cases[i].p);
    }
    /* The policy's names are for display; the API takes only Zendesk's values. */
    enum ticket_priority got = TICKET_PRIORITY_LOW;
    assert_int_equal(ticket_priority_parse("Normal", 6, &got), ERR_INVALID);
    assert_int_equal(got, TICKET_PRIORITY_LOW);
    assert_null(ticket_priority_name((enum ticket_priority)TICKET_PRIORITY_COUNT));
    assert_null(ticket_priority_policy_name((enum ticket_priority)TICKET_PRIORITY_COUNT));
    assert_null(ticket_priority_policy_name((enum ticket_priority) - 1));
}

static void channel_names_round_trip(void **state)
{
    (void)state;
    static const struct {
        enum ticket_channel c;
        const char *name;
    } cases[] = {
        {TICKET_CHANNEL_EMAIL, "email"}, {TICKET_CHANNEL_WEB, "web"},
        {TICKET_CHANNEL_VOICE, "voice"}, {TICKET_CHANNEL_CHAT, "chat"},
        {TICKET_CHANNEL_API, "api"},
    };
    assert_int_equal(sizeof cases / sizeof *cases, TICKET_CHANNEL_COUNT);
    for (size_t i = 0; i < TICKET_CHANNEL_COUNT; i++) {
        assert_string_equal(ticket_channel_name(cases[i].c), cases[i].name);
        enum ticket_channel got = (enum ticket_channel)99;
        assert_int_equal(ticket_channel_parse(cases[i].name, strlen(cases[i].name), &got), 0);
        assert_int_equal(got, cases[i].c);
    }
    assert_null(ticket_channel_name((enum ticket_channel)TICKET_CHANNEL_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(transition_table_matches_every_pair),
        cmocka_unit_test(check_transition_agrees_with_table),
        cmocka_unit_test(check_transition_messages),
        cmocka_unit_test(out_of_range_statuses_are_refused),
        cmocka_unit_test(requester_reply_for_every_status),
        cmocka_unit_test(auto_close_boundaries),
        cmocka_unit_test(auto_close_only_solved),
        cmocka_unit_test(auto_close_odd_arguments),
        cmocka_unit_test(status_names_round_trip),
        cmocka_unit_test(parsers_refuse_near_misses),
        cmocka_unit_test(priority_names_round_trip),
        cmocka_unit_test(channel_names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
