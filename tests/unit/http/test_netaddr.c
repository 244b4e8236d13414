/* test_netaddr: the http/netaddr.h contract: IPv4 and IPv6 parsing (IPv4 held as IPv4-mapped
 * IPv6), formatting, socket addresses, CIDR lists (/0, /32, /128, mapped forms, errors that name
 * the field, the empty list, the 32-entry cap), and the client behind trusted proxies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/err.h"
#include "http/netaddr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

static struct netaddr addr(const char *s)
{
    struct netaddr a;
    int rc = netaddr_parse(s, strlen(s), &a);
    if (rc)
        fail_msg("netaddr_parse(\"%s\") = %d", s, rc);
    return a;
}

static void check_format(const struct netaddr *a, const char *want)
{
    char out[NETADDR_STRLEN];
    netaddr_format(a, out);
    assert_string_equal(out, want);
}

static struct netaddr_list list(const char *s)
{
    struct netaddr_list l;
    struct err e;
    err_clear(&e);
    int rc = netaddr_list_parse(s, "trusted", &l, &e);
    if (rc)
        fail_msg("netaddr_list_parse(\"%s\") = %d: %s", s, rc, e.message);
    return l;
}

static bool in_list(const struct netaddr_list *l, const char *a)
{
    struct netaddr x = addr(a);
    return netaddr_list_contains(l, &x);
}

/* ---- parsing and formatting --------------------------------------------------------------- */

static void parse_ipv4_as_mapped(void **state)
{
    struct netaddr a = addr("192.0.2.1");
    const unsigned char want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
    assert_memory_equal(a.bytes, want, 16);
    a = addr("0.0.0.0");
    const unsigned char zero[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0};
    assert_memory_equal(a.bytes, zero, 16);
    a = addr("255.255.255.255");
    assert_int_equal(a.bytes[15], 255);
    assert_int_equal(a.bytes[10], 0xff);
}

static void parse_ipv6(void **state)
{
    struct netaddr a = addr("2001:db8::1");
    const unsigned char want[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    assert_memory_equal(a.bytes, want, 16);
    a = addr("::");
    const unsigned char zero[16] = {0};
    assert_memory_equal(a.bytes, zero, 16);
    a = addr("::1");
    assert_int_equal(a.bytes[15], 1);
    assert_int_equal(a.bytes[10], 0);
    a = addr("FE80::ABCD:1");
    assert_int_equal(a.bytes[0], 0xfe);
    assert_int_equal(a.bytes[12], 0xab);
}

static void ipv4_mapped_ipv6_text_equals_ipv4(void **state)
{
    struct netaddr a = addr("::ffff:192.0.2.1");
    struct netaddr b = addr("192.0.2.1");
    struct netaddr c = addr("::ffff:c000:201");
    assert_true(netaddr_equal(&a, &b));
    assert_true(netaddr_equal(&c, &b));
    struct netaddr d = addr("::192.0.2.1"); /* IPv4-compatible, not mapped: a different address */
    assert_false(netaddr_equal(&d, &b));
}

static void parse_trims_spaces_and_tabs(void **state)
{
    struct netaddr a = addr("  10.0.0.1 \t");
    struct netaddr b = addr("10.0.0.1");
    assert_true(netaddr_equal(&a, &b));
    a = addr("\t::1 ");
    b = addr("::1");
    assert_true(netaddr_equal(&a, &b));
}

static void parse_reads_only_len_bytes(void **state)
{
    struct netaddr a;
    assert_int_equal(netaddr_parse("10.0.0.1xyz", 8, &a), 0);
    struct netaddr b = addr("10.0.0.1");
    assert_true(netaddr_equal(&a, &b));
    assert_int_equal(netaddr_parse("10.0.0.12", 8, &a), 0);
    assert_true(netaddr_equal(&a, &b));
}

static void parse_refuses_garbage_and_leaves_out_untouched(void **state)
{
    static const char *const bad[] = {
        "",
        " ",
        "1.2.3",
        "1.2.3.4.5",
        "256.1.1.1",
        "1.2.3.4/8",
        "1.2.3.4:80",
        "::g",
        "abc",
        "[::1]",
        "2001:db8::1::2",
        "1.2.3.-4",
        "localhost",
        "::1/128",
        "1.2.3.4,5.6.7.8",
        "12345::",
        "2001:db8::1%eth0",
        "0x7f.0.0.1",
        "1111:2222:3333:4444:5555:6666:7777:8888:9999", /* 46 characters and more */
        "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct netaddr a;
        memset(&a, 0x77, sizeof a);
        int rc = netaddr_parse(bad[i], strlen(bad[i]), &a);
        if (rc != ERR_INVALID)
            fail_msg("netaddr_parse(\"%s\") = %d, want ERR_INVALID", bad[i], rc);
        for (int j = 0; j < 16; j++)
            assert_int_equal(a.bytes[j], 0x77);
    }
}

static void parse_refuses_embedded_nul(void **state)
{
    /* len bytes are the input: a NUL inside them is garbage, not the end */
    static const char v4[] = "10.0.0.1\0garbage";
    static const char v6[] = "::1\0";
    struct netaddr a;
    memset(&a, 0x77, sizeof a);
    assert_int_equal(netaddr_parse(v4, sizeof v4 - 1, &a), ERR_INVALID);
    assert_int_equal(netaddr_parse(v6, sizeof v6 - 1, &a), ERR_INVALID);
    assert_int_equal(a.bytes[0], 0x77);
}

static void parse_accepts_longest_ipv6_text(void **state)
{
    /* 45 characters: INET6_ADDRSTRLEN - 1 */
    const char *s = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255";
    assert_int_equal(strlen(s), 45);
    struct netaddr a = addr(s);
    assert_int_equal(a.bytes[0], 0xff);
    assert_int_equal(a.bytes[15], 255);
}

static void format_ipv4_as_dotted_quad(void **state)
{
    struct netaddr a = addr("192.0.2.1");
    check_format(&a, "192.0.2.1");
    a = addr("::ffff:10.1.2.3");
    check_format(&a, "10.1.2.3");
    a = addr("0.0.0.0");
    check_format(&a, "0.0.0.0");
}

static void format_ipv6_per_rfc5952(void **state)
{
    struct netaddr a = addr("2001:DB8:0:0:0:0:0:1");
    check_format(&a, "2001:db8::1");
    a = addr("::1");
    check_format(&a, "::1");
    a = addr("::");
    check_format(&a, "::");
    a = addr("2001:db8:0:0:1:0:0:1");
    check_format(&a, "2001:db8::1:0:0:1");
    a = addr("2001:0db8:0001:0002:0003:0004:0005:0006");
    check_format(&a, "2001:db8:1:2:3:4:5:6");
    a = addr("fe80::1:0:0:0");
    check_format(&a, "fe80::1:0:0:0"); /* equal runs: the first is shortened */
}

static void format_parse_round_trip(void **state)
{
    static const char *const texts[] = {"1.2.3.4", "255.255.255.255", "2001:db8::1",
                                        "::1",     "fe80::abcd:ef01", "2001:db8:1:2:3:4:5:6"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct netaddr a = addr(texts[i]);
        char out[NETADDR_STRLEN];
        netaddr_format(&a, out);
        assert_string_equal(out, texts[i]);
        struct netaddr b = addr(out);
        assert_true(netaddr_equal(&a, &b));
    }
}

static void from_sockaddr_ipv4_and_ipv6(void **state)
{
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(80)};
    inet_pton(AF_INET, "198.51.100.7", &in.sin_addr);
    struct netaddr a;
    assert_int_equal(netaddr_from_sockaddr((struct sockaddr *)&in, &a), 0);
    struct netaddr want = addr("198.51.100.7");
    assert_true(netaddr_equal(&a, &want));

    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(443)};
    inet_pton(AF_INET6, "2001:db8::42", &in6.sin6_addr);
    assert_int_equal(netaddr_from_sockaddr((struct sockaddr *)&in6, &a), 0);
    want = addr("2001:db8::42");
    assert_true(netaddr_equal(&a, &want));

    /* a dual-stack socket reports IPv4 peers as mapped IPv6: the same address */
    inet_pton(AF_INET6, "::ffff:198.51.100.7", &in6.sin6_addr);
    assert_int_equal(netaddr_from_sockaddr((struct sockaddr *)&in6, &a), 0);
    want = addr("198.51.100.7");
    assert_true(netaddr_equal(&a, &want));
    check_format(&a, "198.51.100.7");
}

static void from_sockaddr_refuses_other_families(void **state)
{
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    struct netaddr a;
    memset(&a, 0x33, sizeof a);
    assert_int_equal(netaddr_from_sockaddr((struct sockaddr *)&un, &a), ERR_INVALID);
    assert_int_equal(netaddr_from_sockaddr(NULL, &a), ERR_INVALID);
    assert_int_equal(a.bytes[0], 0x33);
}

static void equal_compares_all_bytes(void **state)
{
    struct netaddr a = addr("2001:db8::1");
    struct netaddr b = addr("2001:db8::2");
    struct netaddr c = addr("2001:db8::1");
    assert_false(netaddr_equal(&a, &b));
    assert_true(netaddr_equal(&a, &c));
    struct netaddr v4 = addr("0.0.0.1");
    struct netaddr v6 = addr("::1");
    assert_false(netaddr_equal(&v4, &v6));
}

/* ---- CIDR lists --------------------------------------------------------------------------- */

static void empty_string_is_empty_list(void **state)
{
    struct netaddr_list l = list("");
    assert_int_equal(l.count, 0);
    l = list("   ");
    assert_int_equal(l.count, 0);
    assert_false(in_list(&l, "10.0.0.1"));
    assert_false(in_list(&l, "::1"));
}

static void list_of_addresses_and_blocks(void **state)
{
    struct netaddr_list l = list("10.0.0.0/8, ::1,192.0.2.7 , 2001:db8::/32");
    assert_int_equal(l.count, 4);
    assert_int_equal(l.items[0].prefix, 104); /* counted on the 16-byte form */
    assert_int_equal(l.items[1].prefix, 128);
    assert_int_equal(l.items[2].prefix, 128);
    assert_int_equal(l.items[3].prefix, 32);
    assert_true(in_list(&l, "10.1.2.3"));
    assert_true(in_list(&l, "::1"));
    assert_true(in_list(&l, "192.0.2.7"));
    assert_false(in_list(&l, "192.0.2.8"));
    assert_true(in_list(&l, "2001:db8:ffff::1"));
    assert_false(in_list(&l, "2001:db9::1"));
    assert_false(in_list(&l, "127.0.0.1"));
}

static void ipv4_block_boundaries(void **state)
{
    struct netaddr_list l = list("10.0.0.0/8");
    assert_true(in_list(&l, "10.0.0.0"));
    assert_true(in_list(&l, "10.255.255.255"));
    assert_false(in_list(&l, "11.0.0.0"));
    assert_false(in_list(&l, "9.255.255.255"));
    l = list("172.16.0.0/12"); /* a prefix that ends inside a byte */
    assert_true(in_list(&l, "172.16.0.0"));
    assert_true(in_list(&l, "172.31.255.255"));
    assert_false(in_list(&l, "172.32.0.0"));
    assert_false(in_list(&l, "172.15.255.255"));
    l = list("192.168.1.128/25");
    assert_true(in_list(&l, "192.168.1.200"));
    assert_false(in_list(&l, "192.168.1.127"));
}

static void ipv4_slash_32_is_one_address(void **state)
{
    struct netaddr_list l = list("203.0.113.9/32");
    assert_int_equal(l.items[0].prefix, 128);
    assert_true(in_list(&l, "203.0.113.9"));
    assert_false(in_list(&l, "203.0.113.8"));
    assert_false(in_list(&l, "203.0.113.10"));
}

static void ipv4_slash_0_is_every_ipv4_address_only(void **state)
{
    struct netaddr_list l = list("0.0.0.0/0");
    assert_int_equal(l.items[0].prefix, 96);
    assert_true(in_list(&l, "1.2.3.4"));
    assert_true(in_list(&l, "255.255.255.255"));
    assert_true(in_list(&l, "0.0.0.0"));
    assert_false(in_list(&l, "2001:db8::1"));
    assert_false(in_list(&l, "::1"));
}

static void ipv6_slash_0_is_everything(void **state)
{
    struct netaddr_list l = list("::/0");
    assert_int_equal(l.items[0].prefix, 0);
    assert_true(in_list(&l, "2001:db8::1"));
    assert_true(in_list(&l, "::"));
    assert_true(in_list(&l, "1.2.3.4")); /* IPv4 lives inside IPv6 as mapped addresses */
}

static void ipv6_slash_128_is_one_address(void **state)
{
    struct netaddr_list l = list("2001:db8::5/128");
    assert_true(in_list(&l, "2001:db8::5"));
    assert_false(in_list(&l, "2001:db8::4"));
    assert_false(in_list(&l, "2001:db8::6"));
}

static void ipv6_block_inside_a_byte(void **state)
{
    struct netaddr_list l = list("fe80::/10");
    assert_true(in_list(&l, "fe80::1"));
    assert_true(in_list(&l, "febf:ffff::1"));
    assert_false(in_list(&l, "fec0::1"));
    assert_false(in_list(&l, "fe7f::1"));
}

static void ipv4_block_matches_mapped_peer(void **state)
{
    struct netaddr_list l = list("10.0.0.0/8");
    assert_true(in_list(&l, "::ffff:10.9.8.7"));
    assert_false(in_list(&l, "::ffff:11.9.8.7"));
}

static void mapped_block_written_in_ipv6_uses_ipv6_prefix(void **state)
{
    /* "::ffff:10.0.0.0/104" is 10.0.0.0/8 written in IPv6: prefixes count on the 16-byte form */
    struct netaddr_list l = list("::ffff:10.0.0.0/104");
    assert_int_equal(l.count, 1);
    assert_int_equal(l.items[0].prefix, 104);
    assert_true(in_list(&l, "10.1.2.3"));
    assert_false(in_list(&l, "11.0.0.1"));
    l = list("::ffff:0.0.0.0/96"); /* every IPv4 address */
    assert_true(in_list(&l, "1.2.3.4"));
    assert_false(in_list(&l, "2001:db8::1"));
}

static void check_bad_list(const char *s, const char *want_message)
{
    struct netaddr_list l;
    memset(&l, 0, sizeof l);
    l.count = 7; /* sentinel: must stay */
    struct err e;
    err_clear(&e);
    int rc = netaddr_list_parse(s, "--trusted-proxies", &l, &e);
    if (rc != ERR_INVALID)
        fail_msg("netaddr_list_parse(\"%s\") = %d, want ERR_INVALID", s, rc);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.field, "--trusted-proxies");
    if (want_message)
        assert_string_equal(e.message, want_message);
    else
        assert_true(strlen(e.message) > 0);
    assert_int_equal(l.count, 7);
}

static void bad_entries_name_the_field(void **state)
{
    check_bad_list("10.0.0.0/33", "\"10.0.0.0/33\" is not an IP address or CIDR block");
    check_bad_list("10.0.0.1, bogus", "\"bogus\" is not an IP address or CIDR block");
    check_bad_list("::/129", "\"::/129\" is not an IP address or CIDR block");
    check_bad_list("1.2.3.4/", NULL);
    check_bad_list("/8", NULL);
    check_bad_list("1.2.3.4/x", NULL);
    check_bad_list("1.2.3.4/-1", NULL);
    check_bad_list("1.2.3.4/+8", NULL);
    check_bad_list("1.2.3.4/8/8", NULL);
    check_bad_list("1.2.3.4/0008", NULL);
    check_bad_list("2001:db8::/1280", NULL);
    check_bad_list("proxy.example.com", NULL);
    check_bad_list("10.0.0.1 10.0.0.2", NULL);
}

static void empty_entries_are_refused(void **state)
{
    check_bad_list("10.0.0.1,", "empty entry in address list");
    check_bad_list(",10.0.0.1", "empty entry in address list");
    check_bad_list("10.0.0.1,,10.0.0.2", "empty entry in address list");
    check_bad_list("10.0.0.1, ,10.0.0.2", "empty entry in address list");
    check_bad_list(",", "empty entry in address list");
}

static void long_bad_entry_is_cut_in_the_message(void **state)
{
    char s[400];
    memset(s, 'x', 300);
    s[300] = '\0';
    struct netaddr_list l;
    struct err e;
    err_clear(&e);
    assert_int_equal(netaddr_list_parse(s, "f", &l, &e), ERR_INVALID);
    assert_true(strlen(e.message) < 120);
    assert_string_equal(e.field, "f");
}

static void list_holds_at_most_32_entries(void **state)
{
    char s[1024];
    size_t n = 0;
    for (int i = 0; i < NETADDR_LIST_MAX; i++)
        n += (size_t)snprintf(s + n, sizeof s - n, "%s10.0.%d.0/24", i ? "," : "", i);
    struct netaddr_list l = list(s);
    assert_int_equal(l.count, 32);
    assert_true(in_list(&l, "10.0.31.200"));
    assert_false(in_list(&l, "10.0.32.1"));
    snprintf(s + n, sizeof s - n, ",10.0.32.0/24");
    check_bad_list(s, "more than 32 entries in address list");
}

/* ---- the client behind trusted proxies ---------------------------------------------------- */

static void check_client(const char *peer, const char *xff, const char *trusted, const char *want)
{
    struct netaddr p = addr(peer);
    struct netaddr_list t = list(trusted);
    struct netaddr got = netaddr_client(&p, xff, &t);
    char out[NETADDR_STRLEN];
    netaddr_format(&got, out);
    if (strcmp(out, want) != 0)
        fail_msg("peer %s, X-Forwarded-For \"%s\", trusted \"%s\": client %s, want %s", peer,
                 xff ? xff : "(none)", trusted, out, want);
}

#define PROXIES "10.0.0.0/8, ::1"

static void untrusted_peer_ignores_forwarded_for(void **state)
{
    check_client("203.0.113.5", "198.51.100.7", PROXIES, "203.0.113.5");
    check_client("203.0.113.5", "10.0.0.1", PROXIES, "203.0.113.5");
    check_client("203.0.113.5", NULL, PROXIES, "203.0.113.5");
    check_client("10.0.0.1", "198.51.100.7", "", "10.0.0.1"); /* nobody is trusted */
}

static void trusted_peer_without_forwarded_for_is_the_client(void **state)
{
    check_client("10.0.0.1", NULL, PROXIES, "10.0.0.1");
    check_client("10.0.0.1", "", PROXIES, "10.0.0.1");
}

static void trusted_peer_gives_rightmost_entry(void **state)
{
    check_client("10.0.0.1", "198.51.100.7", PROXIES, "198.51.100.7");
    check_client("::1", "2001:db8::9", PROXIES, "2001:db8::9");
    check_client("10.0.0.1", " 198.51.100.7 ", PROXIES, "198.51.100.7");
}

static void leftmost_entries_sent_by_the_client_are_ignored(void **state)
{
    check_client("10.0.0.1", "6.6.6.6, 198.51.100.7", PROXIES, "198.51.100.7");
    check_client("10.0.0.1", "10.0.0.5, 198.51.100.7", PROXIES, "198.51.100.7");
    check_client("10.0.0.1", "6.6.6.6,198.51.100.7", PROXIES, "198.51.100.7");
}

static void chain_of_trusted_proxies_is_walked(void **state)
{
    check_client("10.0.0.1", "198.51.100.7, 10.0.0.3, 10.0.0.2", PROXIES, "198.51.100.7");
    check_client("10.0.0.1", "6.6.6.6, 198.51.100.7, 10.0.0.3, ::1", PROXIES, "198.51.100.7");
    check_client("::1", "2001:db8::9, 10.1.1.1", PROXIES, "2001:db8::9");
}

static void garbage_stops_at_last_trusted_hop(void **state)
{
    check_client("10.0.0.1", "198.51.100.7, garbage, 10.0.0.2", PROXIES, "10.0.0.2");
    check_client("10.0.0.1", "198.51.100.7, garbage", PROXIES, "10.0.0.1");
    check_client("10.0.0.1", "198.51.100.7,,10.0.0.2", PROXIES, "10.0.0.2");
    check_client("10.0.0.1", "198.51.100.7, 10.0.0.2,", PROXIES, "10.0.0.1");
    check_client("10.0.0.1", "unknown", PROXIES, "10.0.0.1");
    check_client("10.0.0.1", " , ", PROXIES, "10.0.0.1");
    check_client("10.0.0.1", "198.51.100.7:1234", PROXIES, "10.0.0.1");
}

static void all_trusted_gives_leftmost(void **state)
{
    check_client("10.0.0.1", "10.0.0.3, 10.0.0.2", PROXIES, "10.0.0.3");
    check_client("10.0.0.1", "10.0.0.9", PROXIES, "10.0.0.9");
    check_client("::1", "::1, 10.2.2.2, ::1", PROXIES, "::1");
}

static void mapped_peer_is_trusted_by_ipv4_block(void **state)
{
    check_client("::ffff:10.0.0.1", "198.51.100.7", PROXIES, "198.51.100.7");
}

static void very_long_forwarded_for_is_handled(void **state)
{
    char xff[20000];
    size_t n = 0;
    n += (size_t)snprintf(xff + n, sizeof xff - n, "198.51.100.7");
    for (int i = 0; i < 1000; i++)
        n += (size_t)snprintf(xff + n, sizeof xff - n, ", 10.0.%d.%d", i / 250, i % 250 + 1);
    check_client("10.0.0.1", xff, PROXIES, "198.51.100.7");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_ipv4_as_mapped),
        cmocka_unit_test(parse_ipv6),
        cmocka_unit_test(ipv4_mapped_ipv6_text_equals_ipv4),
        cmocka_unit_test(parse_trims_spaces_and_tabs),
        cmocka_unit_test(parse_reads_only_len_bytes),
        cmocka_unit_test(parse_refuses_garbage_and_leaves_out_untouched),
        cmocka_unit_test(parse_refuses_embedded_nul),
        cmocka_unit_test(parse_accepts_longest_ipv6_text),
        cmocka_unit_test(format_ipv4_as_dotted_quad),
        cmocka_unit_test(format_ipv6_per_rfc5952),
        cmocka_unit_test(format_parse_round_trip),
        cmocka_unit_test(from_sockaddr_ipv4_and_ipv6),
        cmocka_unit_test(from_sockaddr_refuses_other_families),
        cmocka_unit_test(equal_compares_all_bytes),
        cmocka_unit_test(empty_string_is_empty_list),
        cmocka_unit_test(list_of_addresses_and_blocks),
        cmocka_unit_test(ipv4_block_boundaries),
        cmocka_unit_test(ipv4_slash_32_is_one_address),
        cmocka_unit_test(ipv4_slash_0_is_every_ipv4_address_only),
        cmocka_unit_test(ipv6_slash_0_is_everything),
        cmocka_unit_test(ipv6_slash_128_is_one_address),
        cmocka_unit_test(ipv6_block_inside_a_byte),
        cmocka_unit_test(ipv4_block_matches_mapped_peer),
        cmocka_unit_test(mapped_block_written_in_ipv6_uses_ipv6_prefix),
        cmocka_unit_test(bad_entries_name_the_field),
        cmocka_unit_test(empty_entries_are_refused),
        cmocka_unit_test(long_bad_entry_is_cut_in_the_message),
        cmocka_unit_test(list_holds_at_most_32_entries),
        cmocka_unit_test(untrusted_peer_ignores_forwarded_for),
        cmocka_unit_test(trusted_peer_without_forwarded_for_is_the_client),
        cmocka_unit_test(trusted_peer_gives_rightmost_entry),
        cmocka_unit_test(leftmost_entries_sent_by_the_client_are_ignored),
        cmocka_unit_test(chain_of_trusted_proxies_is_walked),
        cmocka_unit_test(garbage_stops_at_last_trusted_hop),
        cmocka_unit_test(all_trusted_gives_leftmost),
        cmocka_unit_test(mapped_peer_is_trusted_by_ipv4_block),
        cmocka_unit_test(very_long_forwarded_for_is_handled),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
