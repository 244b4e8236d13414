/* xalloc: allocation that cannot fail.
 *
 * frontdesk is an application: when memory runs out there is nothing sensible left to do, so
 * every allocation goes through these wrappers, which print one line and abort() on failure.
 * Call sites stay free of NULL checks. Free with free(). Thread-safe.
 */
#ifndef FRONTDESK_BASE_XALLOC_H
#define FRONTDESK_BASE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
/* Copy len bytes of s and NUL-terminate; s need not be terminated. */
char *xstrndup(const char *s, size_t len);

#endif
