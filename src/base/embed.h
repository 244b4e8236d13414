/* embed: files compiled into the binary at build time (web/ assets, SQL migrations).
 *
 * tools/embed.c turns a list of files into a sorted, read-only table of struct embed_file; the
 * table and its data live in .rodata for the life of the process. Lookups are by exact path
 * only, so nothing outside the table can ever be reached through it. Thread-safe (read-only).
 */
#ifndef FRONTDESK_BASE_EMBED_H
#define FRONTDESK_BASE_EMBED_H

#include <stddef.h>

struct embed_file {
    const char *path;          /* relative to the embedded root, no leading slash: "app.css" */
    const unsigned char *data; /* NUL-terminated for convenience; the NUL is not in len */
    size_t len;
    const char *etag; /* a strong validator, quotes included: "\"9f86d081884c7d65\"" */
};

struct embed_table {
    const struct embed_file *files; /* sorted by path (strcmp order) */
    size_t count;
};

/* The file at exactly this path (len bytes, not NUL-terminated), or NULL. O(log n). */
const struct embed_file *embed_find(const struct embed_table *t, const char *path, size_t len);

#endif
