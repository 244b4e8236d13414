#include "base/embed.h"

#include <string.h>

static int compare(const char *path, size_t len, const char *entry)
{
    size_t elen = strlen(entry);
    int c = memcmp(path, entry, len < elen ? len : elen);
    if (c)
        return c;
    return len < elen ? -1 : len > elen ? 1 : 0;
}

const struct embed_file *embed_find(const struct embed_table *t, const char *path, size_t len)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare(path, len, t->files[mid].path);
        if (c == 0)
            return &t->files[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
