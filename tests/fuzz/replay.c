/* replay: run a fuzz harness over its committed corpus, as one TAP test per file.
 *
 * Usage: replay_<target> PATH...   where each PATH is a corpus directory (walked recursively;
 * names starting with '.' are skipped) or a single file. Files run in byte order of their paths,
 * so a run is reproducible. Output is TAP: "1..N", then "ok i - <file>" after each input, which
 * scripts/run-tests and `meson test` count as N tests (SQLite's fuzzcheck does the same job).
 *
 * A crash is the harness's way of saying "not ok": before the process dies, the failing file is
 * reported as "not ok i - <file>" and "Bail out!" from the sanitizers' death callback (ASan,
 * UBSan with halt_on_error) or from a SIGABRT/SIGSEGV/SIGBUS/SIGFPE handler in a plain build, and
 * the exit status is non-zero. Each input is handed over in a malloc'd buffer of exactly its size,
 * so AddressSanitizer catches a read one byte past the end, as libFuzzer would.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Optional hooks: libFuzzer's initializer, and the sanitizers' "about to die" callback. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

struct file_list {
    char **paths;
    size_t count;
    size_t cap;
};

/* The line printed if the current input kills the process; prepared before the input runs so
 * the crash path only has to write(2) it, which is async-signal-safe. */
static char crash_line[4096];
static size_t crash_line_len;

static void report_crash(void)
{
    if (crash_line_len) {
        ssize_t n = write(STDOUT_FILENO, crash_line, crash_line_len);
        (void)n;
    }
}

static void on_fatal_signal(int sig)
{
    report_crash();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void add_path(struct file_list *l, const char *path)
{
    if (l->count == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->paths = realloc(l->paths, l->cap * sizeof *l->paths);
        if (!l->paths)
            abort();
    }
    l->paths[l->count] = strdup(path);
    if (!l->paths[l->count])
        abort();
    l->count++;
}

static int collect(struct file_list *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("Bail out! cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (S_ISREG(st.st_mode))
            add_path(l, path);
        return 0;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        printf("Bail out! cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while (!rc && (de = readdir(dir)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        size_t n = strlen(path) + strlen(de->d_name) + 2;
        char *child = malloc(n);
        if (!child)
            abort();
        snprintf(child, n, "%s/%s", path, de->d_name);
        rc = collect(l, child);
        free(child);
    }
    closedir(dir);
    return rc;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read a whole file into an exactly sized buffer (one byte for an empty file, never NULL). */
static int read_file(const char *path, uint8_t **out, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, len = 0;
    uint8_t *tmp = malloc(cap);
    if (!tmp)
        abort();
    size_t n;
    while ((n = fread(tmp + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            cap *= 2;
            tmp = realloc(tmp, cap);
            if (!tmp)
                abort();
        }
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(tmp);
        return -1;
    }
    uint8_t *exact = malloc(len ? len : 1);
    if (!exact)
        abort();
    memcpy(exact, tmp, len);
    free(tmp);
    *out = exact;
    *size = len;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    if (__sanitizer_set_death_callback) {
        __sanitizer_set_death_callback(report_crash);
    } else {
        signal(SIGSEGV, on_fatal_signal);
        signal(SIGBUS, on_fatal_signal);
        signal(SIGFPE, on_fatal_signal);
    }
    signal(SIGABRT, on_fatal_signal);

    struct file_list files = {0};
    for (int i = 1; i < argc; i++)
        if (collect(&files, argv[i]))
            return 1;
    qsort(files.paths, files.count, sizeof *files.paths, compare_paths);

    printf("1..%zu\n", files.count);
    fflush(stdout);
    int failures = 0;
    for (size_t i = 0; i < files.count; i++) {
        uint8_t *data;
        size_t size;
        if (read_file(files.paths[i], &data, &size)) {
            printf("not ok %zu - %s (cannot read: %s)\n", i + 1, files.paths[i], strerror(errno));
            failures++;
            continue;
        }
        int n = snprintf(crash_line, sizeof crash_line, "not ok %zu - %s (crashed)\nBail out!\n",
                         i + 1, files.paths[i]);
        crash_line_len = n < 0 ? 0 : ((size_t)n < sizeof crash_line ? (size_t)n : 0);
        LLVMFuzzerTestOneInput(data, size);
        crash_line_len = 0;
        free(data);
        printf("ok %zu - %s\n", i + 1, files.paths[i]);
        fflush(stdout);
    }
    for (size_t i = 0; i < files.count; i++)
        free(files.paths[i]);
    free(files.paths);
    return failures ? 1 : 0;
}
