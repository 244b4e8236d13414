"""Check HTTP responses against docs/openapi.json. Standard library only.

    spec = Spec.load()                      # docs/openapi.json of this repository
    problems = spec.check("GET", "/api/v2/tickets/1.json", 200, "application/json", body_bytes)

check() returns a list of problems (strings, empty when the response is documented): the
request's method and path must match a documented operation (path templates with `{name}`
segments; a `.json` suffix under /api/ is stripped as the server does; HEAD is checked as GET
without a body), the status must be documented for it, and the body must match the documented
content type and schema. Requests that match no operation may only get the answers the document
lists under `x-frontdesk-unrouted` (404, 405, ...); the HTML answers libmicrohttpd makes itself
are accepted for the statuses listed under `x-frontdesk-libmicrohttpd`.

The schema checker covers the subset of OpenAPI 3.0 schemas the document uses: $ref, type,
nullable, enum, properties, required, additionalProperties (bool or schema), items, oneOf,
anyOf, allOf, minimum, maximum, minLength, maxLength, and the formats date-time and date (loosely).
Problems name the JSON pointer of the offending value.
"""

import json
import re
import urllib.parse
from pathlib import Path

DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DATE_TIME_RE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
DATE_RE = re.compile(r"\d{4}-\d\d-\d\d")
_unset = object()


def _pointer_escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def _type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _short(value, limit=80):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + "..."


def media_type(content_type):
    """'Text/Plain ; charset=UTF-8' -> 'text/plain; charset=utf-8' (parameters kept, normalised)."""
    parts = [p.strip().lower() for p in (content_type or "").split(";")]
    return "; ".join(p for p in parts if p)


def unescape_path(path):
    """The server's percent-decoding (router_unescape): every %XX except %00."""
    return re.sub(r"%([0-9A-Fa-f]{2})",
                  lambda m: m[0] if m[1] == "00" else chr(int(m[1], 16)), path)


def request_path(target):
    """The path the router sees for a request target (a full URL or origin-form)."""
    path = urllib.parse.urlsplit(target).path if "://" in target else target.split("?", 1)[0]
    path = unescape_path(path.split("#", 1)[0])
    if len(path) > 13 and path.startswith("/api/") and path.endswith(".json"):
        path = path[:-5]
    return path


class Spec:
    """An OpenAPI document and the checks against it."""

    def __init__(self, doc):
        self.doc = doc
        self.templates = []  # (segments, template, path item)
        for template, item in doc.get("paths", {}).items():
            segs = self._split(template)
            self.templates.append((segs, template, item))

    @classmethod
    def load(cls, path=DOC_PATH):
        with open(path, encoding="utf-8") as f:
            return cls(json.load(f))

    @staticmethod
    def _split(path):
        return [] if path == "/" else path[1:].split("/")

    # ---------------------------------------------------------------- routing

    def match(self, method, target):
        """(template, operation) for the request, or (template-or-None, None) when no operation
        answers it: a template when the path is known but the method is not."""
        method = method.lower()
        lookup = "get" if method == "head" else method
        segs = self._split(request_path(target))
        best, known = None, None
        for tsegs, template, item in self.templates:
            if len(tsegs) != len(segs):
                continue
            params = []
            ok = True
            for t, s in zip(tsegs, segs):
                is_param = t.startswith("{") and t.endswith("}")
                if (is_param and not s) or (not is_param and t != s):
                    ok = False
                    break
                params.append(is_param)
            if not ok:
                continue
            known = known or template
            if lookup not in item:
                continue
            # The router prefers a literal at the first segment where two patterns differ.
            if best is None or params < best[0]:
                best = (params, template, item[lookup])
        if best is None:
            return known, None
        return best[1], best[2]

    # ---------------------------------------------------------------- documents

    def resolve(self, node):
        seen = 0
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local $refs are supported: {ref}")
            node = self.doc
            for token in ref[2:].split("/"):
                node = node[token.replace("~1", "/").replace("~0", "~")]
            seen += 1
            if seen > 32:
                raise ValueError(f"$ref loop at {ref}")
        return node

    # ---------------------------------------------------------------- responses

    def check(self, method, target, status, content_type, body, head=None):
        """Problems with one response (an empty list when it is documented). body is bytes;
        head says the request was HEAD (no body to check); default: method == HEAD."""
        method = method.upper()
        head = method == "HEAD" if head is None else head
        status = int(status)
        where = f"{method} {target if len(target) <= 120 else target[:120] + '...'}"
        ctype = media_type(content_type)
        mhd = self.doc.get("x-frontdesk-libmicrohttpd", {}).get("statuses", {})
        if str(status) in mhd and (not ctype or ctype.startswith("text/html")) and \
                bytes(body or b"").lstrip()[:5].lower() == b"<html":
            return []  # libmicrohttpd's own answer: frontdesk's code never ran
        template, operation = self.match(method, target)
        if operation is None:
            responses = self.doc.get("x-frontdesk-unrouted", {}).get("responses", {})
            label = f"{where} (no documented operation{': path ' + template if template else ''})"
            if str(status) not in responses:
                if status < 400:
                    return [f"{label} -> {status}: undocumented route"]
                return [f"{label} -> {status}: status not documented for unrouted requests "
                        f"(x-frontdesk-unrouted)"]
            return self._check_response(label, status, responses[str(status)], ctype, body, head)
        label = f"{method} {template} ({where.split(' ', 1)[1]})"
        responses = operation.get("responses", {})
        response = responses.get(str(status))
        if response is None:
            response = responses.get(f"{status // 100}XX")
        if response is None:
            response = responses.get("default")
        if response is None:
            return [f"{label} -> {status}: status not documented (documented: "
                    f"{', '.join(sorted(responses))})"]
        return self._check_response(label, status, response, ctype, body, head)

    def _check_response(self, label, status, response, ctype, body, head):
        response = self.resolve(response)
        content = response.get("content")
        prefix = f"{label} -> {status}"
        if head:
            return []
        if not content:
            if body:
                return [f"{prefix}: documented without a body, got {len(body)} bytes "
                        f"({ctype or 'no Content-Type'})"]
            return []
        media = {media_type(k): v for k, v in content.items()}
        entry = media.get(ctype)
        if entry is None:
            return [f"{prefix}: Content-Type {ctype or '(none)'!r} not documented (documented: "
                    f"{', '.join(sorted(content))})"]
        schema = entry.get("schema")
        if schema is None:
            return []
        if ctype.split(";")[0] == "application/json" or ctype.split(";")[0].endswith("+json"):
            try:
                value = json.loads(body)
            except ValueError as exc:
                return [f"{prefix}: body is not JSON ({exc}): {body[:120]!r}"]
            return [f"{prefix}: {p}" for p in self.validate(schema, value)]
        if self.resolve(schema).get("type") not in (None, "string"):
            return [f"{prefix}: a {ctype} body can only be documented as a string"]
        return []

    # ---------------------------------------------------------------- schemas

    def validate(self, schema, value, pointer=""):
        """Problems of value against schema, each starting with its JSON pointer."""
        schema = self.resolve(schema)
        at = pointer or "/"
        problems = []
        if value is None:
            if schema.get("nullable") or self._allows_null_by_composition(schema):
                return []
            if schema.get("type") or "enum" in schema or "properties" in schema:
                return [f"{at}: null where {schema.get('type', 'a value')} is required"]
        for sub in schema.get("allOf", ()):
            problems += self.validate(sub, value, pointer)
        if "oneOf" in schema:
            results = [self.validate(sub, value, pointer) for sub in schema["oneOf"]]
            passing = sum(1 for r in results if not r)
            if passing != 1:
                detail = "; ".join(f"[{i}] {r[0]}" for i, r in enumerate(results) if r)
                problems.append(f"{at}: matches {passing} of the oneOf schemas, not exactly one"
                                + (f" ({detail})" if detail else ""))
        if "anyOf" in schema:
            results = [self.validate(sub, value, pointer) for sub in schema["anyOf"]]
            if all(results):
                problems.append(f"{at}: matches none of the anyOf schemas ("
                                + "; ".join(r[0] for r in results) + ")")
        if value is None:
            return problems
        want = schema.get("type")
        got = _type_name(value)
        if want and not (want == got or (want == "number" and got == "integer")):
            return problems + [f"{at}: expected {want}, got {got} {_short(value)}"]
        if "enum" in schema and value not in schema["enum"]:
            problems.append(f"{at}: {_short(value)} is not one of {_short(schema['enum'])}")
        if got in ("integer", "number"):
            if "minimum" in schema and value < schema["minimum"]:
                problems.append(f"{at}: {value} is below the minimum {schema['minimum']}")
            if "maximum" in schema and value > schema["maximum"]:
                problems.append(f"{at}: {value} is above the maximum {schema['maximum']}")
        elif got == "string":
            if "minLength" in schema and len(value) < schema["minLength"]:
                problems.append(f"{at}: shorter than {schema['minLength']} characters")
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                problems.append(f"{at}: longer than {schema['maxLength']} characters")
            fmt = schema.get("format")
            if fmt == "date-time" and not DATE_TIME_RE.fullmatch(value):
                problems.append(f"{at}: {_short(value)} is not an ISO 8601 date-time")
            elif fmt == "date" and not DATE_RE.fullmatch(value):
                problems.append(f"{at}: {_short(value)} is not a date (YYYY-MM-DD)")
        elif got == "array" and "items" in schema:
            for i, item in enumerate(value):
                problems += self.validate(schema["items"], item, f"{pointer}/{i}")
        elif got == "object":
            props = schema.get("properties", {})
            for name in schema.get("required", ()):
                if name not in value:
                    problems.append(f"{pointer}/{_pointer_escape(name)}: required field missing")
            extra = schema.get("additionalProperties", _unset)
            for name, member in value.items():
                sub = f"{pointer}/{_pointer_escape(name)}"
                if name in props:
                    problems += self.validate(props[name], member, sub)
                elif extra is False:
                    problems.append(f"{sub}: undocumented field (value {_short(member)})")
                elif isinstance(extra, dict):
                    problems += self.validate(extra, member, sub)
        return problems

    def _allows_null_by_composition(self, schema):
        if "allOf" in schema:
            return all(self.validate(s, None) == [] for s in schema["allOf"])
        for key in ("oneOf", "anyOf"):
            if key in schema and any(self.validate(s, None) == [] for s in schema[key]):
                return True
        return False


# ---------------------------------------------------------------- raw HTTP requests


REQUEST_LINE_RE = re.compile(rb"([A-Z]+) (\S+) HTTP/1\.[01]\r\n")


class RequestStream:
    """The requests written on one connection, parsed from the bytes as they are sent, so the
    responses read back can be paired with them in order. A request that is not well-formed
    HTTP/1.1 (the tests send such on purpose) is marked malformed and its answer is not
    checked; so is everything after it on the connection."""

    def __init__(self):
        self.buf = b""
        self.pending = []   # (method, target) or None for a malformed request
        self.broken = False
        self.skip = 0       # body bytes of the last request still to come

    def feed(self, data):
        if self.broken:
            return
        self.buf += bytes(data)
        while self.buf and not self.broken:
            if self.skip:
                n = min(self.skip, len(self.buf))
                self.skip -= n
                self.buf = self.buf[n:]
                continue
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 1 << 20:
                    self._malformed()
                return
            head = self.buf[:end + 2]
            m = REQUEST_LINE_RE.match(head)
            if not m:
                self._malformed()
                return
            headers = {}
            counts = {}
            for line in head[m.end():].split(b"\r\n"):
                if not line:
                    continue
                name, sep, value = line.partition(b":")
                if not sep or not name or name != name.strip():
                    self._malformed()
                    return
                key = name.decode("latin-1").lower()
                headers[key] = value.strip().decode("latin-1")
                counts[key] = counts.get(key, 0) + 1
            framing_ok = (counts.get("content-length", 0) <= 1 and
                          not (counts.get("content-length") and counts.get("transfer-encoding")))
            request = (m[1].decode(), m[2].decode("latin-1"))
            rest = self.buf[end + 4:]
            te = headers.get("transfer-encoding", "").lower()
            if not framing_ok:
                # Deliberately ambiguous framing: answered (400) and closed; nothing after it.
                self.pending.append(request)
                self.broken = True
                self.buf = b""
                return
            if te:
                if te != "chunked":
                    self.pending.append(request)  # 501, then closed
                    self.broken = True
                    self.buf = b""
                    return
                body_end = self._chunked_end(rest)
                if body_end is None:
                    # the body is still coming: pair the request now, skip its bytes as they come
                    self.pending.append(request)
                    self.broken = True  # we cannot follow further requests reliably
                    self.buf = b""
                    return
                self.pending.append(request)
                self.buf = rest[body_end:]
                continue
            length = headers.get("content-length")
            if length is not None and not length.isdigit():
                self._malformed()  # libmicrohttpd answers 400 itself
                return
            n = int(length or 0)
            self.pending.append(request)
            if len(rest) < n:
                # the rest of the body comes in later sends (slow clients, Expect: 100-continue)
                self.skip = n - len(rest)
                self.buf = b""
                return
            self.buf = rest[n:]

    def _chunked_end(self, data):
        pos = 0
        while True:
            eol = data.find(b"\r\n", pos)
            if eol < 0:
                return None
            try:
                size = int(data[pos:eol].split(b";")[0], 16)
            except ValueError:
                return None
            pos = eol + 2 + size + 2
            if pos > len(data):
                return None
            if size == 0:
                return pos

    def _malformed(self):
        self.pending.append(None)
        self.broken = True
        self.buf = b""

    def next_request(self):
        """The (method, target) the next response answers; None when it cannot be known."""
        return self.pending.pop(0) if self.pending else None
