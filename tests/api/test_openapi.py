"""docs/openapi.json itself, and the checker (openapi_check.py) every response of the suite
goes through: the document covers exactly the routes of src/http/routes.c and web/, and the
checker rejects what the document does not describe."""

import copy
import json
import re

import pytest

import openapi_check
from conftest import REPO, OPENAPI, connect, http_request, read_response

DOC_PATH = REPO / "docs" / "openapi.json"
ROUTES_C = REPO / "src" / "http" / "routes.c"
WEB_MESON = REPO / "web" / "meson.build"
ROUTE_RE = re.compile(r'\{\s*((?:HTTP_[A-Z]+\s*\|?\s*)+),\s*"([^"]+)"\s*,\s*\w+\s*\}')
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

TICKET = {
    "id": 7, "url": "/api/v2/tickets/7.json", "subject": "Printer on fire",
    "description": "It is on fire.", "status": "open", "priority": "normal", "requester_id": 3,
    "submitter_id": 3, "assignee_id": None, "organization_id": 2, "group_id": None,
    "tags": ["fire"], "via": {"channel": "web"}, "created_at": "2026-11-26T08:00:00Z",
    "updated_at": "2026-11-26T08:00:00Z", "category": None, "follow_up_of": None,
    "sla": {"state": "running", "warn_at": "2026-11-26T09:30:00Z", "due_at": "2026-11-26T10:00:00Z"},
    "triage": {"service_down": True, "data_lost": None, "feature_down": None, "workaround": False},
    "priority_set_by_hand": False,
}


def load_doc():
    with open(DOC_PATH, encoding="utf-8") as f:
        return json.load(f)


def routes_in_c():
    """{(method, pattern)} of the api_routes table in src/http/routes.c."""
    text = ROUTES_C.read_text()
    table = text[text.index("api_routes[] = {"):]
    table = table[:table.index("};")]
    found = set()
    for methods, pattern in ROUTE_RE.findall(table):
        for m in re.findall(r"HTTP_([A-Z]+)", methods):
            found.add((m.lower(), pattern))
    assert found, "no routes parsed from routes.c: did the table's shape change?"
    return found


def web_files():
    """The files web/meson.build embeds (each served at /<name>, index.html also at /)."""
    text = WEB_MESON.read_text()
    block = text[text.index("web_files = files("):]
    block = block[:block.index(")")]
    return re.findall(r"'([^']+)'", block)


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield path, method, op


def body(value):
    return json.dumps(value).encode()


# ---------------------------------------------------------------- the document


def test_document_shape():
    doc = load_doc()
    assert doc["openapi"] == "3.0.3"
    assert {"title", "version"} <= set(doc["info"])
    assert isinstance(doc["paths"], dict) and doc["paths"]
    for name in ("User", "Ticket", "Comment", "Organization", "Group", "GroupMembership", "Error",
                 "Meta", "Links"):
        assert name in doc["components"]["schemas"], name
    op_ids = [op["operationId"] for _, _, op in operations(doc)]
    assert len(op_ids) == len(set(op_ids)), "operationIds must be unique"
    for path, method, op in operations(doc):
        assert op.get("responses"), f"{method} {path}: no responses"
        for status in op["responses"]:
            assert re.fullmatch(r"[1-5]\d\d|default", status), f"{method} {path}: {status}"
        params = {p["name"] for p in op.get("parameters", ()) if p["in"] == "path"}
        assert params == set(re.findall(r"\{(\w+)\}", path)), f"{method} {path}: {params}"


def test_every_ref_resolves():
    doc = load_doc()
    spec = openapi_check.Spec(doc)

    def walk(node, where):
        if isinstance(node, dict):
            if "$ref" in node:
                try:
                    spec.resolve(node)
                except (KeyError, ValueError) as exc:
                    pytest.fail(f"{where}: $ref {node['$ref']} does not resolve ({exc})")
            for k, v in node.items():
                walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}/{i}")

    walk(doc, "")


def test_response_objects_are_closed():
    """Every object schema a response can carry says additionalProperties (false unless it is a
    free-form document like billing facts), so undocumented fields fail."""
    doc = load_doc()
    spec = openapi_check.Spec(doc)
    seen = set()

    def walk(schema, where):
        if isinstance(schema, dict) and "$ref" in schema:
            if schema["$ref"] in seen:
                return
            seen.add(schema["$ref"])
        schema = spec.resolve(schema)
        if schema.get("type") == "object" or "properties" in schema:
            if "properties" in schema:
                assert schema.get("additionalProperties") is False, \
                    f"{where}: an object with properties needs additionalProperties: false"
            else:
                assert "additionalProperties" in schema, f"{where}: say additionalProperties"
            for name in schema.get("required", ()):
                assert name in schema.get("properties", {}), f"{where}: required {name} undefined"
            for name, sub in schema.get("properties", {}).items():
                walk(sub, f"{where}/{name}")
        if "items" in schema:
            walk(schema["items"], f"{where}/items")
        for key in ("allOf", "oneOf", "anyOf"):
            for i, sub in enumerate(schema.get(key, ())):
                if key == "allOf" and i > 0:
                    continue  # refinements of the first (narrower enums), not whole objects
                walk(sub, f"{where}/{key}/{i}")

    for path, method, op in operations(doc):
        for status, resp in op["responses"].items():
            for ctype, media in spec.resolve(resp).get("content", {}).items():
                if ctype.startswith("application/json"):
                    walk(media["schema"], f"{method} {path} {status}")


def test_every_route_in_routes_c_is_documented_and_vice_versa():
    doc = load_doc()
    in_c = routes_in_c()
    static = {"/"} | {"/" + f for f in web_files()}
    documented = {(m, p) for p, m, _ in operations(doc) if p not in static}
    assert in_c - documented == set(), "routes in src/http/routes.c missing from docs/openapi.json"
    assert documented - in_c == set(), "docs/openapi.json documents routes routes.c does not have"


def test_every_web_file_is_documented_and_vice_versa():
    doc = load_doc()
    static = {"/"} | {"/" + f for f in web_files()}
    documented = {p for p, _, op in operations(doc) if "x-frontdesk-static" in op}
    assert documented == static, ("web/meson.build and docs/openapi.json disagree: each embedded "
                                  "file is a GET path marked x-frontdesk-static")
    for path in static:
        assert set(doc["paths"][path]) == {"get"}, path
        assert {"200", "304"} <= set(doc["paths"][path]["get"]["responses"]), path


def test_operations_document_their_errors():
    """Statuses every handler can answer: framing errors everywhere, and for each JSON body a
    400 (invalid_json), 415 and 422; 404 wherever the path names an object."""
    doc = load_doc()
    for path, method, op in operations(doc):
        statuses = set(op["responses"])
        assert {"400", "413", "429", "500", "501"} <= statuses, f"{method} {path}"
        if "requestBody" in op:
            assert {"400", "415", "422"} <= statuses, f"{method} {path}"
        if "{id}" in path:
            assert "404" in statuses, f"{method} {path}"


# ---------------------------------------------------------------- the checker, unit by unit


def test_checker_accepts_a_documented_response():
    assert OPENAPI.check("GET", "/api/v2/tickets/7", 200, "application/json",
                         body({"ticket": TICKET})) == []


def test_checker_strips_json_suffix_and_query():
    assert OPENAPI.check("GET", "/api/v2/tickets/7.json?x=1", 200, "application/json",
                         body({"ticket": TICKET})) == []
    assert OPENAPI.check("GET", "http://127.0.0.1:1/api/v2/tickets/7.json", 200,
                         "application/json", body({"ticket": TICKET})) == []


def test_checker_rejects_an_undocumented_field():
    problems = OPENAPI.check("GET", "/api/v2/tickets/7", 200, "application/json",
                             body({"ticket": dict(TICKET, secret_note="x")}))
    assert len(problems) == 1 and "/ticket/secret_note: undocumented field" in problems[0], problems
    assert "GET /api/v2/tickets/{id}" in problems[0]


def test_checker_rejects_a_missing_required_field():
    t = dict(TICKET)
    del t["status"]
    problems = OPENAPI.check("GET", "/api/v2/tickets/7", 200, "application/json",
                             body({"ticket": t}))
    assert len(problems) == 1 and "/ticket/status: required field missing" in problems[0], problems


@pytest.mark.parametrize("field, value, expect", [
    ("id", "7", "expected integer, got string"),
    ("tags", "fire", "expected array, got string"),
    ("status", "burning", "is not one of"),
    ("requester_id", None, "null where integer is required"),
    ("created_at", "yesterday", "not an ISO 8601 date-time"),
    ("via", {"channel": "pigeon"}, "is not one of"),
])
def test_checker_rejects_a_wrong_type_or_value(field, value, expect):
    problems = OPENAPI.check("GET", "/api/v2/tickets/7", 200, "application/json",
                             body({"ticket": dict(TICKET, **{field: value})}))
    assert len(problems) == 1 and expect in problems[0], problems
    assert f"/ticket/{field}" in problems[0]


def test_checker_points_into_arrays():
    page = {"tickets": [TICKET, dict(TICKET, tags=[1])], "meta": {"has_more": False,
                                                                "after_cursor": None},
            "links": {"next": None}}
    problems = OPENAPI.check("GET", "/api/v2/tickets", 200, "application/json", body(page))
    assert len(problems) == 1 and "/tickets/1/tags/0: expected string" in problems[0], problems


def test_checker_rejects_an_undocumented_status():
    problems = OPENAPI.check("GET", "/healthz", 418, "application/json", body({"status": "ok"}))
    assert len(problems) == 1 and "418: status not documented" in problems[0], problems
    # a documented status of another operation is no excuse
    problems = OPENAPI.check("GET", "/healthz", 201, "application/json", body({"status": "ok"}))
    assert problems and "status not documented" in problems[0]


def test_checker_rejects_an_undocumented_route():
    problems = OPENAPI.check("GET", "/api/v2/secret_things", 200, "application/json", body({}))
    assert len(problems) == 1 and "undocumented route" in problems[0], problems
    problems = OPENAPI.check("DELETE", "/api/v2/tickets/7", 204, None, b"")
    assert len(problems) == 1 and "undocumented route" in problems[0], problems


def test_checker_accepts_the_routers_own_answers():
    not_found = body({"error": {"code": "not_found", "message": "no such resource", "field": None}})
    assert OPENAPI.check("GET", "/api/v2/nope", 404, "application/json", not_found) == []
    not_allowed = body({"error": {"code": "method_not_allowed", "message": "no", "field": None}})
    assert OPENAPI.check("DELETE", "/healthz", 405, "application/json", not_allowed) == []
    # ... but only with the error body
    problems = OPENAPI.check("GET", "/api/v2/nope", 404, "application/json", body({"x": 1}))
    assert problems and "/error: required field missing" in problems[0], problems


def test_checker_checks_error_codes_per_status():
    wrong = body({"error": {"code": "conflict", "message": "m", "field": None}})
    problems = OPENAPI.check("GET", "/api/v2/tickets/7", 404, "application/json", wrong)
    assert problems and "/error/code" in problems[0], problems


def test_checker_checks_content_type_and_bodiless_answers():
    problems = OPENAPI.check("GET", "/healthz", 200, "text/plain", b"ok")
    assert problems and "Content-Type 'text/plain' not documented" in problems[0], problems
    problems = OPENAPI.check("GET", "/healthz", 200, "application/json", b"{nope")
    assert problems and "not JSON" in problems[0], problems
    problems = OPENAPI.check("DELETE", "/api/v2/group_memberships/3", 204, None, b"{}")
    assert problems and "without a body" in problems[0], problems
    assert OPENAPI.check("DELETE", "/api/v2/group_memberships/3", 204, None, b"") == []
    assert OPENAPI.check("GET", "/metrics", 200, "text/plain; version=0.0.4; charset=utf-8",
                         b"# HELP x\n") == []


def test_checker_head_is_get_without_a_body():
    assert OPENAPI.check("HEAD", "/healthz", 200, "application/json", b"") == []
    problems = OPENAPI.check("HEAD", "/healthz", 299, "application/json", b"")
    assert problems and "status not documented" in problems[0]


def test_checker_prefers_literal_segments_like_the_router():
    ok = body({"tickets": [TICKET]})
    assert OPENAPI.check("GET", "/api/v2/tickets/show_many?ids=7", 200, "application/json", ok) == []
    # PUT has no literal route there: the router takes /tickets/{id} (which then answers 404)
    template, op = OPENAPI.match("PUT", "/api/v2/tickets/show_many")
    assert template == "/api/v2/tickets/{id}" and op["operationId"] == "updateTicket"


def test_checker_accepts_libmicrohttpd_html_only_for_its_statuses():
    html = b"<html><head><title>Request too big</title></head><body>...</body></html>"
    assert OPENAPI.check("GET", "/healthz", 431, None, html) == []
    assert OPENAPI.check("GET", "/healthz", 200, None, html) != []


def test_checker_nullable_and_oneof():
    me = {"user": {"id": None, "name": "Anonymous user", "role": "end-user"}}
    assert OPENAPI.check("GET", "/api/v2/users/me", 200, "application/json", body(me)) == []
    me["user"]["email"] = "x@example.com"
    problems = OPENAPI.check("GET", "/api/v2/users/me", 200, "application/json", body(me))
    assert problems and "oneOf" in problems[0], problems


def test_checker_on_a_document_of_its_own():
    doc = copy.deepcopy(load_doc())
    doc["components"]["schemas"]["Health"]["properties"]["status"]["enum"] = ["fine"]
    spec = openapi_check.Spec(doc)
    problems = spec.check("GET", "/healthz", 200, "application/json", body({"status": "ok"}))
    assert problems and '/status: "ok" is not one of ["fine"]' in problems[0], problems


def test_request_stream_pairs_pipelined_requests():
    rs = openapi_check.RequestStream()
    rs.feed(http_request("POST", "/api/v2/setup", [("Content-Length", "2")], b"{}")
            + http_request("GET", "/healthz")[:10])
    rs.feed(http_request("GET", "/healthz")[10:])
    assert rs.next_request() == ("POST", "/api/v2/setup")
    assert rs.next_request() == ("GET", "/healthz")
    assert rs.next_request() is None
    rs = openapi_check.RequestStream()
    rs.feed(b"HELLO THERE\r\n\r\n")
    assert rs.next_request() is None  # malformed on purpose: not checked


# ---------------------------------------------------------------- the hooks, end to end


def test_requests_responses_are_checked(default_server, monkeypatch):
    """The requests hook feeds every response through the checker."""
    import conftest
    seen = []
    monkeypatch.setattr(conftest, "check_response", lambda *a, **k: seen.append(a) or [])
    default_server.get("/healthz")
    assert seen and seen[-1][:3] == ("GET", "/healthz", 200)


def test_raw_responses_are_checked(default_server, monkeypatch):
    import conftest
    seen = []
    monkeypatch.setattr(conftest, "check_response", lambda *a, **k: seen.append(a) or [])
    with connect(default_server) as s:
        s.sendall(http_request("GET", "/readyz"))
        read_response(s)
        s.sendall(http_request("GET", "/healthz.json"))
        read_response(s)
    assert [a[:3] for a in seen] == [("GET", "/readyz", 200), ("GET", "/healthz.json", 404)]
