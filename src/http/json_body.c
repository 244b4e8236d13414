#include "http/json_body.h"

#include "base/buf.h"

#include <string.h>

#define JSON_BODY_MAX_DEPTH 64

int json_body_content_type_ok(const char *content_type)
{
    if (!content_type)
        return 0;
    struct slice ct = slice_from_cstr(content_type);
    const char *semi = memchr(ct.ptr, ';', ct.len);
    struct slice type = slice_trim((struct slice){ct.ptr, semi ? (size_t)(semi - ct.ptr) : ct.len});
    if (!slice_eq_nocase(type, SLICE_LIT("application/json")))
        return 0;
    /* Parameters: only charset means anything for JSON, and only UTF-8 is JSON (RFC 8259). */
    while (semi) {
        const char *start = semi + 1;
        size_t left = ct.len - (size_t)(start - ct.ptr);
        semi = memchr(start, ';', left);
        struct slice param = slice_trim((struct slice){start, semi ? (size_t)(semi - start) : left});
        const char *eq = memchr(param.ptr, '=', param.len);
        if (!eq)
            continue;
        struct slice name = slice_trim((struct slice){param.ptr, (size_t)(eq - param.ptr)});
        struct slice value = slice_trim((struct slice){eq + 1, param.len - (size_t)(eq + 1 - param.ptr)});
        if (value.len >= 2 && value.ptr[0] == '"' && value.ptr[value.len - 1] == '"')
            value = (struct slice){value.ptr + 1, value.len - 2};
        if (slice_eq_nocase(name, SLICE_LIT("charset")) &&
            !slice_eq_nocase(value, SLICE_LIT("utf-8")) && !slice_eq_nocase(value, SLICE_LIT("utf8")))
            return 0;
    }
    return 1;
}

/* depth counts the containers (objects, arrays) around v, v included when it is one. */
static int depth_ok(const json_t *v, int depth)
{
    if (!json_is_object(v) && !json_is_array(v))
        return 1;
    if (depth > JSON_BODY_MAX_DEPTH)
        return 0;
    if (json_is_object(v)) {
        const char *key;
        json_t *child;
        json_object_foreach((json_t *)v, key, child)
        {
            if (!depth_ok(child, depth + 1))
                return 0;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *child;
        json_array_foreach(v, i, child)
        {
            if (!depth_ok(child, depth + 1))
                return 0;
        }
    }
    return 1;
}

int json_body_parse(const char *content_type, const char *body, size_t len, json_t **out,
                    struct err *e)
{
    if (!json_body_content_type_ok(content_type))
        return err_set(e, ERR_UNSUPPORTED, "Content-Type",
                       "request body must be JSON: send Content-Type: application/json");
    if (len == 0)
        return err_set(e, ERR_MALFORMED, NULL, "request body is empty: expected a JSON object");
    size_t valid = utf8_valid_prefix(body, len);
    if (valid != len)
        return err_set(e, ERR_MALFORMED, NULL, "request body is not valid UTF-8 at byte %zu", valid);
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!root)
        return err_set(e, ERR_MALFORMED, NULL, "malformed JSON at line %d, column %d (byte %d): %s",
                       jerr.line, jerr.column, jerr.position, jerr.text);
    if (!depth_ok(root, 1)) {
        json_decref(root);
        return err_set(e, ERR_MALFORMED, NULL, "JSON nested deeper than %d levels",
                       JSON_BODY_MAX_DEPTH);
    }
    *out = root;
    return 0;
}
