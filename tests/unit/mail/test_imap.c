/* test_imap: the parts of mail/imap.h that need no IMAP server (the URL and folder names, and a
 * server that is not there). The exchange itself is tested against a real Dovecot in
 * tests/api/test_mail_imap.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mail/imap.h"

/* Open url; returns the code, and the folder into folder[] when it opened. */
static int open_url(const char *url, const char *done, char *folder, size_t len, struct err *e)
{
    struct imap_config cfg = {.url = url, .user = "desk", .password = "pw", .done_folder = done};
    struct imap_session *s = NULL;
    err_clear(e);
    int rc = imap_open(&cfg, &s, e);
    if (!rc) {
        snprintf(folder, len, "%s", imap_folder(s));
        imap_close(s);
    }
    return rc;
}

static void test_folders(void **state)
{
    (void)state;
    char f[300];
    struct err e;
    static const struct {
        const char *url, *folder;
    } ok[] = {
        {"imap://127.0.0.1:143/INBOX", "INBOX"},
        {"imaps://mail.example.com/INBOX", "INBOX"},
        {"imap://mail.example.com", "INBOX"},
        {"imap://mail.example.com/", "INBOX"},
        {"imap://mail.example.com:1143/Support%20Mail", "Support Mail"},
        {"imap://mail.example.com/INBOX/Support/", "INBOX/Support"},
        {"imap://[::1]:143/Quote%22d", "Quote\"d"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(open_url(ok[i].url, NULL, f, sizeof f, &e), 0);
        assert_string_equal(f, ok[i].folder);
    }
}

static void test_bad_urls(void **state)
{
    (void)state;
    char f[300];
    struct err e;
    static const char *const bad[] = {
        "",
        "pop3://mail.example.com/INBOX",
        "imap:///INBOX",
        "imap://desk:secret@mail.example.com/INBOX",
        "imap://mail.example.com/INBOX;UID=1",
        "imap://mail.example.com/INBOX?x",
        "imap://mail.example.com/Bad%2",
        "imap://mail.example.com/Caf%C3%A9",    /* needs modified UTF-7: refused */
        "imap://mail.example.com/Line%0ABreak", /* would inject a command */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(open_url(bad[i], NULL, f, sizeof f, &e), ERR_INVALID);
        assert_string_equal(e.field, "imap-url");
        assert_null(strstr(e.message, "secret"));
    }
    assert_int_equal(open_url("imap://h/INBOX", "Done\r\nA1 LOGOUT", f, sizeof f, &e), ERR_INVALID);
    assert_string_equal(e.field, "imap-done-folder");
    assert_int_equal(open_url("imap://h/INBOX", "Done \"2026\"", f, sizeof f, &e), 0);
}

/* A port nobody listens on: ERR_IO at once, nothing half-done. */
static void test_server_down(void **state)
{
    (void)state;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sl), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    close(fd); /* bound, never listening: refused */
    char url[80];
    snprintf(url, sizeof url, "imap://127.0.0.1:%u/INBOX", (unsigned)ntohs(sa.sin_port));
    struct imap_config cfg = {.url = url, .user = "desk", .password = "hunter2"};
    struct imap_session *s = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(imap_open(&cfg, &s, &e), 0);
    uint32_t uids[4];
    size_t n = 99, total = 99;
    assert_int_equal(imap_search(s, uids, 4, &n, &total, &e), ERR_IO);
    assert_int_equal(n, 99); /* untouched on failure */
    assert_non_null(strstr(e.message, "imap search failed"));
    assert_null(strstr(e.message, "hunter2"));
    imap_close(s);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_folders),
        cmocka_unit_test(test_bad_urls),
        cmocka_unit_test(test_server_down),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
