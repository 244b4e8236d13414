/* POST /api/v2/setup: trade the setup token printed by `frontdesk init` for the first admin. */
#include "http/handlers.h"

#include "http/render.h"
#include "db/db.h"
#include "service/setup.h"

/* A member that must be a string when present; NULL when absent. Answers 422 otherwise. */
static int optional_string(struct http_req *req, json_t *obj, const char *key, const char *field,
                           const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v)) {
        http_reply_error(req, 422, field, "%s must be a string", field);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

void setup_post(struct http_req *req)
{
    json_t *body;
    if (http_req_json(req, &body))
        return;
    struct setup_request r = {0};
    json_t *user = json_object_get(body, "user");
    if (!json_is_object(body) || !json_is_object(user)) {
        http_reply_error(req, 422, "user", "expected an object {\"setup_token\": ..., \"user\": "
                                           "{\"name\", \"email\", \"password\"}}");
        goto done;
    }
    if (optional_string(req, body, "setup_token", "setup_token", &r.token) ||
        optional_string(req, user, "name", "user.name", &r.name) ||
        optional_string(req, user, "email", "user.email", &r.email) ||
        optional_string(req, user, "password", "user.password", &r.password))
        goto done;
    r.ip = req->client_text;
    struct err e;
    err_clear(&e);
    struct db *db;
    struct user created;
    int rc = db_pool_conn(req->env->db, &db, &e);
    if (!rc)
        rc = setup_create_admin(req->env, db, &r, &created, &e);
    if (rc)
        http_reply_err(req, &e);
    else
        http_reply_json(req, 201, json_pack("{s:o}", "user", render_user(&created)));
done:
    json_decref(body);
}
