#include "http/download.h"

#include "base/buf.h"
#include "core/sniff.h"

#include <string.h>

/* RFC 6266 section 4.3: a quoted ASCII fallback (one '_' per character that is not printable
 * ASCII, or is '"' or '\\'), then filename* (RFC 8187) with every byte outside attr-char
 * percent-encoded. */
static void disposition(struct buf *b, const char *name)
{
    static const char attr_char[] = "!#$&+-.^_`|~";
    buf_append_cstr(b, "attachment; filename=\"");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p >= 0x80 && *p < 0xc0) /* UTF-8 continuation: its lead byte made the '_' */
            continue;
        buf_append_char(b, *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\' ? (char)*p : '_');
    }
    buf_append_cstr(b, "\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr(attr_char, *p))
            buf_append_char(b, (char)*p);
        else
            buf_appendf(b, "%%%02X", *p);
    }
}

void download_reply(struct http_req *req, const char *file_name, const char *content_type,
                    const void *data, size_t size)
{
    struct buf b;
    buf_init(&b, 4096); /* a 255-byte name encodes to at most 3 * 255 + 2 * 255 + 40 */
    disposition(&b, file_name);
    http_add_header(req, "Content-Disposition", buf_cstr(&b));
    buf_release(&b);
    http_add_header(req, "Content-Security-Policy", "default-src 'none'; sandbox");
    http_add_header(req, "Cache-Control", "private, no-store");
    /* The reply outlives this frame: the type goes to the arena with the bytes. */
    const char *type =
        content_type ? arena_strndup(&req->arena, content_type, strlen(content_type)) : NULL;
    http_reply(req, 200, type ? type : SNIFF_OCTET, data, size);
}
