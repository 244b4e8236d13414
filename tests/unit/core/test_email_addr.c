/* test_email_addr: the core/email_addr.h contract, as a table of addresses we accept and refuse:
 * dot-atom local part (RFC 5322 section 3.2.3 atext, no leading, trailing or doubled dots, at
 * most 64 octets), one "@", a domain of two or more DNS labels (letters, digits, inner hyphens,
 * 1..63 octets, UTF-8 allowed), 254 octets in all (RFC 5321 section 4.5.3.1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/email_addr.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* s with bytes outside printable ASCII as \xNN, for failure messages. */
static const char *shown(const char *s, size_t len)
{
    static char out[1200];
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < sizeof out; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f)
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", c);
    }
    out[o] = '\0';
    return out;
}

static void check(const char *s, size_t len, bool want)
{
    bool got = email_addr_valid(s, len);
    if (got != want)
        fail_msg("email_addr_valid(\"%s\") = %s, want %s", shown(s, len), got ? "true" : "false",
                 want ? "true" : "false");
}

#define ACCEPT(lit) check((lit), sizeof(lit) - 1, true)
#define REFUSE(lit) check((lit), sizeof(lit) - 1, false)

/* Build "<local of n1 'a's>@<domain>" into out. */
static size_t make(char *out, size_t n_local, const char *domain)
{
    memset(out, 'a', n_local);
    out[n_local] = '@';
    size_t dl = strlen(domain);
    memcpy(out + n_local + 1, domain, dl + 1);
    return n_local + 1 + dl;
}

/* A domain of total length n made of 63-octet labels ("aaa...a.aaa...a.com" style), ending in
 * ".com"; n >= 5. */
static void make_domain(char *out, size_t n)
{
    size_t body = n - 4; /* without ".com" */
    size_t i = 0;
    while (i < body) {
        size_t label = body - i > 63 ? 63 : body - i;
        if (body - i - label == 1) /* never leave a lone dot */
            label--;
        memset(out + i, 'd', label);
        i += label;
        if (i < body)
            out[i++] = '.';
    }
    memcpy(out + body, ".com", 5);
}

static void accepts_ordinary_addresses(void **state)
{
    ACCEPT("alice@example.com");
    ACCEPT("a@b.co");
    ACCEPT("a@b.c");
    ACCEPT("Alice.Smith@Example.COM");
    ACCEPT("first.middle.last@mail.example.org");
    ACCEPT("user@sub.domain.example.co.uk");
    ACCEPT("12345@123.example");
    ACCEPT("x@1.2");
}

static void accepts_every_atext_character(void **state)
{
    ACCEPT("!#$%&'*+-/=?^_`{|}~@example.com");
    ACCEPT("user+tag@example.com");
    ACCEPT("o'brien@example.ie");
    ACCEPT("_@example.com");
    ACCEPT("-@example.com");
    ACCEPT("a.b-c_d+e@example.com");
}

static void refuses_non_atext_in_local_part(void **state)
{
    REFUSE("a b@example.com");
    REFUSE("a\"b@example.com");
    REFUSE("\"quoted\"@example.com");
    REFUSE("a(b)@example.com");
    REFUSE("a,b@example.com");
    REFUSE("a:b@example.com");
    REFUSE("a;b@example.com");
    REFUSE("a<b>@example.com");
    REFUSE("a[b]@example.com");
    REFUSE("a\\b@example.com");
    REFUSE("a\tb@example.com");
    REFUSE("a\nb@example.com");
    REFUSE("a\x7f"
           "b@example.com");
    REFUSE("a\0b@example.com");
}

static void refuses_misplaced_dots_in_local_part(void **state)
{
    REFUSE(".alice@example.com");
    REFUSE("alice.@example.com");
    REFUSE("al..ice@example.com");
    REFUSE(".@example.com");
    REFUSE("..@example.com");
    ACCEPT("a.l.i.c.e@example.com");
}

static void refuses_missing_or_extra_at(void **state)
{
    REFUSE("alice.example.com");
    REFUSE("alice@@example.com");
    REFUSE("al@ice@example.com");
    REFUSE("alice@example.com@");
    REFUSE("@example.com");
    REFUSE("alice@");
    REFUSE("@");
    REFUSE("");
}

static void refuses_domain_without_two_labels(void **state)
{
    REFUSE("alice@localhost");
    REFUSE("alice@com");
    REFUSE("alice@.com");
    REFUSE("alice@example.");
    REFUSE("alice@example..com");
    REFUSE("alice@.");
    REFUSE("alice@example.com.");
}

static void domain_labels_take_letters_digits_and_inner_hyphens(void **state)
{
    ACCEPT("a@my-host.example.com");
    ACCEPT("a@x--y.example");
    ACCEPT("a@xn--bcher-kva.example");
    REFUSE("a@-host.example.com");
    REFUSE("a@host-.example.com");
    REFUSE("a@host.example.com-");
    REFUSE("a@host.-com");
    REFUSE("a@ho_st.example.com");
    REFUSE("a@ho st.example.com");
    REFUSE("a@host!.example.com");
    REFUSE("a@[192.0.2.1]"); /* address literals are refused */
    REFUSE("a@[IPv6:2001:db8::1]");
    REFUSE("a@example.com:25");
}

static void domain_label_of_63_octets_is_the_maximum(void **state)
{
    char buf[300];
    char dom[100];
    memset(dom, 'l', 63);
    memcpy(dom + 63, ".com", 5);
    check(buf, make(buf, 5, dom), true);
    memset(dom, 'l', 64);
    memcpy(dom + 64, ".com", 5);
    check(buf, make(buf, 5, dom), false);
    /* the last label too */
    memcpy(dom, "example.", 8);
    memset(dom + 8, 't', 63);
    dom[71] = '\0';
    check(buf, make(buf, 5, dom), true);
    memset(dom + 8, 't', 64);
    dom[72] = '\0';
    check(buf, make(buf, 5, dom), false);
}

static void local_part_of_64_octets_is_the_maximum(void **state)
{
    char buf[300];
    check(buf, make(buf, 64, "example.com"), true);
    check(buf, make(buf, 65, "example.com"), false);
    check(buf, make(buf, 1, "example.com"), true);
}

static void address_of_254_octets_is_the_maximum(void **state)
{
    char buf[400], dom[300];
    /* local 64 + "@" + domain 189 = 254 */
    make_domain(dom, 189);
    assert_int_equal(strlen(dom), 189);
    size_t n = make(buf, 64, dom);
    assert_int_equal(n, 254);
    check(buf, n, true);
    /* 255: one more octet in the domain */
    make_domain(dom, 190);
    n = make(buf, 64, dom);
    assert_int_equal(n, 255);
    check(buf, n, false);
    /* a short local part with a long domain: the total still counts */
    make_domain(dom, 253);
    n = make(buf, 1, dom);
    assert_int_equal(n, 255);
    check(buf, n, false);
    make_domain(dom, 252);
    n = make(buf, 1, dom);
    assert_int_equal(n, 254);
    check(buf, n, true);
}

static void accepts_utf8_in_local_part_and_domain(void **state)
{
    ACCEPT("j\xc3\xb6rg@example.com"); /* jörg */
    ACCEPT("user@b\xc3\xbc"
           "cher.example"); /* bücher */
    ACCEPT("\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\x85\xac\xe5\x8f\xb8");
    ACCEPT("\xf0\x9f\x98\x80@example.com"); /* U+1F600 */
}

static void refuses_bytes_that_are_not_utf8(void **state)
{
    REFUSE("j\xf6rg@example.com"); /* Latin-1 ö */
    REFUSE("user@b\xfc"
           "cher.example"); /* Latin-1 ü */
    REFUSE("\xff@example.com");
    REFUSE("a@\xc0\xaf.example");     /* overlong */
    REFUSE("a@\xed\xa0\x80.example"); /* surrogate */
    REFUSE("\xc3@example.com");       /* truncated */
}

static void respects_len_not_nul(void **state)
{
    const char s[] = "alice@example.com, bob@example.com";
    check(s, 17, true);
    check(s, 16, true);  /* "alice@example.co" */
    check(s, 18, false); /* "alice@example.com," */
    check(s, 6, false);  /* "alice@" */
    check(s, 0, false);
    const char *nul = "alice@example.com\0x";
    check(nul, 19, false);
}

/* ---- email_addr_ban_key: case and "+tag" variants share a key; dots do not fold ---------- */

static void check_key(const char *s, const char *want)
{
    char out[EMAIL_ADDR_BAN_KEY_SIZE];
    memset(out, 'Z', sizeof out);
    int rc = email_addr_ban_key(s, strlen(s), out, sizeof out);
    if (want == NULL) {
        if (rc != -1)
            fail_msg("email_addr_ban_key(\"%s\") = %d (\"%s\"), want -1", s, rc, out);
        if (out[0] != 'Z')
            fail_msg("email_addr_ban_key(\"%s\") wrote to out on failure", s);
        return;
    }
    if (rc != 0)
        fail_msg("email_addr_ban_key(\"%s\") = %d, want 0", s, rc);
    if (strcmp(out, want) != 0)
        fail_msg("email_addr_ban_key(\"%s\") = \"%s\", want \"%s\"", s, out, want);
}

static void ban_key_folds_case_of_the_whole_address(void **state)
{
    (void)state;
    check_key("foo@example.com", "foo@example.com");
    check_key("Foo@Example.com", "foo@example.com");
    check_key("FOO@EXAMPLE.COM", "foo@example.com");
    check_key("MiXeD.Case_1@Sub.Example.Org", "mixed.case_1@sub.example.org");
}

static void ban_key_drops_plus_tag_from_local_part(void **state)
{
    (void)state;
    check_key("Foo+x@Example.com", "foo@example.com");
    check_key("foo+@example.com", "foo@example.com");
    check_key("foo+a+b@example.com", "foo@example.com");
    check_key("foo+Tag.With.Dots@example.com", "foo@example.com");
    /* a "+" in the domain is not a tag (and not valid there anyway) */
    check_key("foo@ex+ample.com", NULL);
}

static void ban_key_keeps_dots_and_a_leading_plus(void **state)
{
    (void)state;
    check_key("f.o.o@example.com", "f.o.o@example.com");
    check_key("F.O.O+x@example.com", "f.o.o@example.com");
    /* nothing would be left of "+foo": the local part stays whole */
    check_key("+foo@example.com", "+foo@example.com");
    check_key("+Foo+bar@example.com", "+foo+bar@example.com");
}

static void ban_key_keeps_utf8_octets(void **state)
{
    (void)state;
    check_key("J\xc3\x96rg+x@B\xc3\xbc" "cher.DE", "j\xc3\x96rg@b\xc3\xbc" "cher.de");
}

static void ban_key_refuses_invalid_addresses_and_short_buffers(void **state)
{
    (void)state;
    check_key("", NULL);
    check_key("foo", NULL);
    check_key("foo@localhost", NULL);
    check_key("a..b@example.com", NULL);
    check_key("foo@@example.com", NULL);

    char out[16];
    memset(out, 'Z', sizeof out);
    const char *s = "Foo+tag@Example.com"; /* key "foo@example.com": 15 octets and the NUL */
    assert_int_equal(email_addr_ban_key(s, strlen(s), out, 16), 0);
    assert_string_equal(out, "foo@example.com");
    memset(out, 'Z', sizeof out);
    assert_int_equal(email_addr_ban_key(s, strlen(s), out, 15), -1);
    assert_int_equal(out[0], 'Z');
    /* len, not the NUL, ends the address */
    assert_int_equal(email_addr_ban_key("Bob+x@Example.comXYZ", 17, out, sizeof out), 0);
    assert_string_equal(out, "bob@example.com");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_ordinary_addresses),
        cmocka_unit_test(accepts_every_atext_character),
        cmocka_unit_test(refuses_non_atext_in_local_part),
        cmocka_unit_test(refuses_misplaced_dots_in_local_part),
        cmocka_unit_test(refuses_missing_or_extra_at),
        cmocka_unit_test(refuses_domain_without_two_labels),
        cmocka_unit_test(domain_labels_take_letters_digits_and_inner_hyphens),
        cmocka_unit_test(domain_label_of_63_octets_is_the_maximum),
        cmocka_unit_test(local_part_of_64_octets_is_the_maximum),
        cmocka_unit_test(address_of_254_octets_is_the_maximum),
        cmocka_unit_test(accepts_utf8_in_local_part_and_domain),
        cmocka_unit_test(refuses_bytes_that_are_not_utf8),
        cmocka_unit_test(respects_len_not_nul),
        cmocka_unit_test(ban_key_folds_case_of_the_whole_address),
        cmocka_unit_test(ban_key_drops_plus_tag_from_local_part),
        cmocka_unit_test(ban_key_keeps_dots_and_a_leading_plus),
        cmocka_unit_test(ban_key_keeps_utf8_octets),
        cmocka_unit_test(ban_key_refuses_invalid_addresses_and_short_buffers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
