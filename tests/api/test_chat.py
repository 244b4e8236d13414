"""Live chat (issue 6): availability on the live calendar and agents' presence, chats started by
signed-in requesters and by visitors (a chat-scoped cookie), messages both ways through real
server-sent event streams, Last-Event-ID, object-level authorization, the policy's refusals
(banned, refused account) before anything is written, the first staff message as the first
touch, the waiting list, a message posted through a second server process on the same database,
and streams ending at shutdown."""

import datetime
import json
import queue
import socket
import threading
import time
from collections import namedtuple

import pytest

from conftest import (ADMIN, DB_KIND, Api, ServerPool, add_organization, add_requester,
                      assert_error, check_response, create_admin, db_query, db_scalar, sign_in,
                      staff_add, token_create)

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = {"hours": {d: ["00:00-24:00"] for d in DAYS}, "holidays": {"presets": []}}

Desk = namedtuple("Desk", "srv admin agent_id agent agent2_id agent2 rita_id rita mike_id mike "
                          "org_id anon")


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    pool = ServerPool(tmp_path_factory.mktemp("chat"))
    try:
        srv = pool.start()
        create_admin(srv)
        agent_id = staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
        agent2_id = staff_add(srv, "bert@example.com", "Bert Agent", "agent")
        org = add_organization(srv.db, "Acme Shop")
        rita_id = add_requester(srv, "rita@example.com", "Rita Requester", org, "member")
        mike_id = add_requester(srv, "mike@example.com", "Mike Other")
        admin = Api(srv, token_create(srv, ADMIN["email"]))
        assert admin.put("/api/v2/calendar", {"calendar": ALWAYS}).status_code == 200
        d = Desk(srv=srv, admin=admin, agent_id=agent_id,
                 agent=Api(srv, token_create(srv, "agent@example.com")), agent2_id=agent2_id,
                 agent2=Api(srv, token_create(srv, "bert@example.com")), rita_id=rita_id,
                 rita=sign_in(srv, "rita@example.com"), mike_id=mike_id,
                 mike=sign_in(srv, "mike@example.com"), org_id=org, anon=Api(srv))
        online(d.agent)
        yield d
    finally:
        pool.close()


def online(api, status="online"):
    resp = api.put("/api/v2/chat/presence", {"status": status})
    assert resp.status_code == 200, resp.text
    assert resp.json()["presence"]["status"] == status
    return resp.json()["presence"]


def availability(api):
    resp = api.get("/api/v2/chat/availability")
    assert resp.status_code == 200, resp.text
    return resp.json()["chat_availability"]


def start(api, message="My export is stuck", **visitor):
    return api.post("/api/v2/chat/sessions", {"chat": dict(message=message, **visitor)})


def started(api, message="My export is stuck", **visitor):
    resp = start(api, message, **visitor)
    assert resp.status_code == 201, resp.text
    return resp.json()["chat_session"]


def post(api, chat_id, body, **kw):
    return api.post(f"/api/v2/chat/sessions/{chat_id}/messages", {"message": {"body": body}}, **kw)


def counts(db):
    return tuple(int(db_scalar(db, f"SELECT count(*) FROM {t}"))
                 for t in ("tickets", "chat_sessions", "users"))


# ---------------------------------------------------------------- a server-sent events reader


class Stream:
    """GET .../stream on a raw socket, decoding the chunked body and the event stream on a thread;
    events arrive in .events as dicts {event, id, data, at} (at: time.monotonic())."""

    def __init__(self, srv, chat_id, headers=(), path=None):
        self.events = queue.Queue()
        self.comments = queue.Queue()
        self.closed = threading.Event()
        self.sock = socket.create_connection((srv.host, srv.port), timeout=30)
        target = path or f"/api/v2/chat/sessions/{chat_id}/stream"
        lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in headers]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(65536)
            assert chunk, f"closed before the head: {buf!r}"
            buf += chunk
        head, self.buf = buf.split(b"\r\n\r\n", 1)
        head_lines = head.decode("latin-1").split("\r\n")
        self.status = int(head_lines[0].split(" ")[1])
        self.headers = {k.strip().lower(): v.strip()
                        for k, v in (h.split(":", 1) for h in head_lines[1:])}
        if self.status != 200:
            self.body = self._read_rest()
            check_response("GET", target, self.status, self.headers.get("content-type"),
                           self.body)
            self.sock.close()
            return
        check_response("GET", target, 200, self.headers.get("content-type"), b"")
        assert self.headers.get("transfer-encoding") == "chunked"
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _read_rest(self):
        data = self.buf
        n = int(self.headers.get("content-length", "0"))
        while len(data) < n:
            data += self.sock.recv(65536)
        return data

    def _chunks(self):
        buf = self.buf
        while True:
            while b"\r\n" not in buf:
                more = self.sock.recv(65536)
                if not more:
                    return
                buf += more
            size_line, buf = buf.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(buf) < size + 2:
                more = self.sock.recv(65536)
                if not more:
                    return
                buf += more
            if size == 0:
                return
            yield buf[:size]
            buf = buf[size + 2:]

    def _run(self):
        text = ""
        event = {}
        try:
            for chunk in self._chunks():
                text += chunk.decode()
                while "\n" in text:
                    line, text = text.split("\n", 1)
                    if line == "":
                        if event:
                            event["at"] = time.monotonic()
                            self.events.put(event)
                        event = {}
                    elif line.startswith(":"):
                        self.comments.put(line)
                    else:
                        name, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        if name == "data":
                            event["data"] = json.loads(value)
                        else:
                            event[name] = value
        except OSError:
            pass
        finally:
            self.closed.set()

    def next(self, kind=None, timeout=5):
        """The next event (of kind, skipping others)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {kind or 'event'} within {timeout} s"
            try:
                ev = self.events.get(timeout=left)
            except queue.Empty:
                raise AssertionError(f"no {kind or 'event'} within {timeout} s")
            if kind is None or ev.get("event") == kind:
                return ev

    def quiet(self, seconds):
        """No message event for seconds (the retry advice and status events aside)."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                ev = self.events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return True
            if ev.get("event") == "message":
                raise AssertionError(f"unexpected event {ev}")

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def auth_headers(api):
    """Headers that carry api's identity on a raw socket (token or session cookie)."""
    h = []
    if "Authorization" in api.session.headers:
        h.append(("Authorization", api.session.headers["Authorization"]))
    cookies = "; ".join(f"{c.name}={c.value}" for c in api.session.cookies)
    if cookies:
        h.append(("Cookie", cookies))
    return h


def stream(desk_or_srv, api, chat_id, *extra):
    srv = getattr(desk_or_srv, "srv", desk_or_srv)
    return Stream(srv, chat_id, auth_headers(api) + list(extra))


# ---------------------------------------------------------------- availability and presence


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_availability_follows_the_calendar_and_presence(desk):
    av = availability(desk.anon)
    assert av == {"available": True, "open": True, "agents_online": 1, "opens_at": None,
                  "label": "Eastern"}
    online(desk.agent2)
    assert availability(desk.anon)["agents_online"] == 2
    online(desk.agent2, "away")
    online(desk.agent, "away")
    assert availability(desk.anon) == dict(av, available=False, agents_online=0)
    assert_error(start(desk.rita), 409, "chat_unavailable", "chat")
    online(desk.agent)
    # Closed now: open for one hour, two hours from now (UTC), every day.
    now = datetime.datetime.now(datetime.timezone.utc)
    h = (now.hour + 2) % 24
    if h == 23:
        h = 1
    cal = {"timezone": "UTC", "label": "UTC", "hours": {d: [f"{h:02d}:00-{h + 1:02d}:00"]
                                                         for d in DAYS},
           "holidays": {"presets": []}}
    assert desk.admin.put("/api/v2/calendar", {"calendar": cal}).status_code == 200
    try:
        av = availability(desk.anon)
        opens = now.replace(hour=h, minute=0, second=0, microsecond=0)
        if opens <= now:
            opens += datetime.timedelta(days=1)
        assert av == {"available": False, "open": False, "agents_online": 1,
                      "opens_at": opens.strftime("%Y-%m-%dT%H:%M:%SZ"), "label": "UTC"}
        before = counts(desk.srv.db)
        err = assert_error(start(desk.rita), 409, "chat_unavailable", "chat")
        assert "closed" in err["message"]
        assert counts(desk.srv.db) == before
        # Never open: no opening to show.
        desk.admin.put("/api/v2/calendar", {"calendar": {"hours": {}}})
        assert availability(desk.anon)["opens_at"] is None
    finally:
        assert desk.admin.put("/api/v2/calendar", {"calendar": ALWAYS}).status_code == 200
    assert availability(desk.anon)["available"] is True


def test_presence_is_for_staff(desk):
    assert_error(desk.rita.put("/api/v2/chat/presence", {"status": "online"}), 403, "forbidden")
    assert_error(desk.anon.get("/api/v2/chat/presence"), 401, "unauthorized")
    assert_error(desk.agent.put("/api/v2/chat/presence", {"status": "busy"}), 422, "invalid",
                 "presence.status")
    got = desk.agent.get("/api/v2/chat/presence").json()["presence"]
    assert got["user_id"] == desk.agent_id and got["status"] == "online"
    row = db_query(desk.srv.db, f"SELECT status FROM agent_presence WHERE user_id = {desk.agent_id}")
    assert row == [("online",)]


# ---------------------------------------------------------------- a chat end to end


def test_a_chat_end_to_end_over_streams(desk):
    outbox_before = int(db_scalar(desk.srv.db, "SELECT count(*) FROM outbox"))
    chat = started(desk.rita, "Hello, my export is stuck")
    assert chat["status"] == "waiting" and chat["requester_id"] == desk.rita_id
    assert chat["requester_name"] == "Rita Requester" and chat["accepted_by"] is None
    ticket = desk.agent.get(f"/api/v2/tickets/{chat['ticket_id']}").json()["ticket"]
    assert ticket["via"]["channel"] == "chat" and ticket["requester_id"] == desk.rita_id
    assert ticket["status"] == "new"

    # The waiting list, with how long each has waited (server-side).
    time.sleep(1.1)
    waiting = desk.agent.get("/api/v2/chat/sessions", params={"status": "waiting"}).json()
    mine = [c for c in waiting["chat_sessions"] if c["id"] == chat["id"]]
    assert len(mine) == 1 and mine[0]["waited_seconds"] >= 1
    assert mine[0]["requester_name"] == "Rita Requester"
    assert_error(desk.rita.post(f"/api/v2/chat/sessions/{chat['id']}/accept"), 403, "forbidden")

    r = stream(desk, desk.rita, chat["id"])
    a = stream(desk, desk.agent, chat["id"])
    assert r.status == 200 and r.headers["content-type"] == "text/event-stream; charset=utf-8"
    first = r.next("message")
    assert first["data"]["body"] == "Hello, my export is stuck"
    assert first["data"]["author_role"] == "requester" and int(first["id"]) == first["data"]["id"]
    assert a.next("message")["id"] == first["id"]

    resp = desk.agent.post(f"/api/v2/chat/sessions/{chat['id']}/accept")
    assert resp.status_code == 200, resp.text
    accepted = resp.json()["chat_session"]
    assert accepted["status"] == "active" and accepted["accepted_by"] == desk.agent_id
    assert accepted["accepted_by_name"] == "Agnes Agent" and accepted["waited_seconds"] >= 1
    ticket = desk.agent.get(f"/api/v2/tickets/{chat['ticket_id']}").json()["ticket"]
    assert ticket["assignee_id"] == desk.agent_id  # the agent takes the chat's ticket
    for s in (r, a):
        ev = s.next("status")
        assert ev["data"]["status"] == "active" and "id" not in ev
    assert_error(desk.agent2.post(f"/api/v2/chat/sessions/{chat['id']}/accept"), 409, "conflict")
    assert chat["id"] not in [c["id"] for c in desk.agent.get("/api/v2/chat/sessions").json()[
        "chat_sessions"]]

    t0 = time.monotonic()
    resp = post(desk.agent, chat["id"], "Hi Rita, let me look.")
    assert resp.status_code == 201, resp.text
    msg = resp.json()["message"]
    assert msg["author_role"] == "agent" and msg["author_name"] == "Agnes Agent"
    assert msg["chat_session_id"] == chat["id"]
    for s in (r, a):
        ev = s.next("message")
        assert ev["data"] == msg and int(ev["id"]) == msg["id"]
        assert ev["at"] - t0 < 1.0
    resp = post(desk.rita, chat["id"], "Thanks!")
    assert resp.status_code == 201, resp.text
    reply = resp.json()["message"]
    assert reply["author_role"] == "requester"
    assert a.next("message")["data"] == reply and r.next("message")["data"] == reply

    # The transcript is the ticket's conversation: public chat comments, no mail for them.
    comments = desk.agent.get(f"/api/v2/tickets/{chat['ticket_id']}/comments").json()["comments"]
    assert [(c["body"], c["public"], c["author_id"]) for c in comments] == [
        ("Hello, my export is stuck", True, desk.rita_id), ("Hi Rita, let me look.", True,
                                                            desk.agent_id),
        ("Thanks!", True, desk.rita_id)]
    assert int(db_scalar(desk.srv.db, "SELECT count(*) FROM outbox")) == outbox_before
    assert db_query(desk.srv.db, "SELECT DISTINCT channel FROM ticket_comments WHERE ticket_id = "
                                 f"{chat['ticket_id']}") == [("chat",)]

    # Ending: both streams get "end" and close; no more messages.
    resp = desk.rita.post(f"/api/v2/chat/sessions/{chat['id']}/end")
    assert resp.status_code == 200 and resp.json()["chat_session"]["status"] == "ended"
    for s in (r, a):
        assert s.next("end")["data"]["status"] == "ended"
        assert s.closed.wait(3)
    assert_error(post(desk.agent, chat["id"], "still there?"), 409, "conflict", "chat.status")
    assert_error(desk.agent.post(f"/api/v2/chat/sessions/{chat['id']}/end"), 409, "conflict")
    # An ended chat's stream sends the transcript and ends.
    late = stream(desk, desk.rita, chat["id"])
    assert [late.next("message")["data"]["id"] for _ in range(3)] == [first["data"]["id"],
                                                                      msg["id"], reply["id"]]
    assert late.next("end") and late.closed.wait(3)


def test_last_event_id_resends_only_what_was_missed(desk):
    chat = started(desk.rita, "one")
    ids = [post(desk.agent, chat["id"], text).json()["message"]["id"] for text in ("two", "three")]
    s = stream(desk, desk.rita, chat["id"], ("Last-Event-ID", str(ids[0])))
    ev = s.next("message")
    assert ev["data"]["body"] == "three" and int(ev["id"]) == ids[1]
    s.quiet(0.5)
    s.close()
    q = Stream(desk.srv, chat["id"], auth_headers(desk.rita),
               path=f"/api/v2/chat/sessions/{chat['id']}/stream?last_event_id={ids[1]}")
    q.quiet(0.5)
    post(desk.rita, chat["id"], "four")
    assert q.next("message")["data"]["body"] == "four"
    q.close()
    desk.agent.post(f"/api/v2/chat/sessions/{chat['id']}/end")


def test_an_agents_first_chat_message_is_the_first_touch(desk):
    chat = started(desk.rita, "Is anyone there?")
    sla = desk.agent.get(f"/api/v2/tickets/{chat['ticket_id']}/sla").json()["sla"]
    assert sla["first_touch"]["state"] == "running"
    # An agent answering a waiting chat accepts it.
    msg = post(desk.agent2, chat["id"], "Yes, Bert here.").json()["message"]
    got = desk.agent2.get(f"/api/v2/chat/sessions/{chat['id']}").json()["chat_session"]
    assert got["status"] == "active" and got["accepted_by"] == desk.agent2_id
    ticket = desk.agent.get(f"/api/v2/tickets/{chat['ticket_id']}").json()["ticket"]
    assert ticket["assignee_id"] == desk.agent2_id
    sla = desk.agent.get(f"/api/v2/tickets/{chat['ticket_id']}/sla").json()["sla"]
    assert sla["first_touch"]["state"] == "met"
    assert sla["first_touch"]["stopped_at"] == msg["created_at"]
    desk.agent.post(f"/api/v2/chat/sessions/{chat['id']}/end")


# ---------------------------------------------------------------- who may see what


def test_another_requester_cannot_read_or_write_the_chat(desk):
    chat = started(desk.rita, "private matter")
    path = f"/api/v2/chat/sessions/{chat['id']}"
    assert_error(desk.mike.get(path), 404, "not_found")
    assert_error(post(desk.mike, chat["id"], "hi"), 404, "not_found")
    assert_error(desk.mike.post(path + "/end"), 404, "not_found")
    assert_error(desk.anon.get(path), 404, "not_found")
    s = stream(desk, desk.mike, chat["id"])
    assert s.status == 404
    assert chat["id"] not in [c["id"] for c in
                              desk.mike.get("/api/v2/chat/sessions").json()["chat_sessions"]]
    assert [c["id"] for c in desk.rita.get("/api/v2/chat/sessions").json()["chat_sessions"]
            if c["id"] == chat["id"]] == [chat["id"]]
    # A session cookie write without the CSRF header is refused.
    bare = Api(desk.srv)
    bare.session.cookies.update(desk.rita.session.cookies)
    assert_error(post(bare, chat["id"], "no csrf"), 403, "forbidden", "X-CSRF-Token")
    desk.agent.post(path + "/end")


def test_a_visitor_chats_with_a_token_for_that_chat_only(desk):
    visitor = Api(desk.srv)
    resp = start(visitor, "Pre-sales question", name="Vera Visitor", email="Vera@Visitor.example")
    assert resp.status_code == 201, resp.text
    body = resp.json()
    chat, csrf = body["chat_session"], body["csrf_token"]
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("fd_chat=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/api/v2/chat" in cookie
    token = visitor.session.cookies.get("fd_chat")
    assert len(token) == 43
    user = db_query(desk.srv.db, "SELECT name, role FROM users WHERE lower(email) = "
                                 "'vera@visitor.example'")
    assert user == [("Vera Visitor", "end-user")]
    stored = db_scalar(desk.srv.db, f"SELECT visitor_token_hash FROM chat_sessions WHERE id = "
                                    f"{chat['id']}")
    assert len(stored) == 64 and token not in stored
    # Reads need the cookie only; writes also the CSRF token.
    assert visitor.get(f"/api/v2/chat/sessions/{chat['id']}").status_code == 200
    assert_error(post(visitor, chat["id"], "hello?"), 403, "forbidden", "X-CSRF-Token")
    resp = post(visitor, chat["id"], "hello?", headers={"X-CSRF-Token": csrf})
    assert resp.status_code == 201, resp.text
    assert resp.json()["message"]["author_name"] == "Vera Visitor"
    s = stream(desk, visitor, chat["id"])
    assert [s.next("message")["data"]["body"] for _ in range(2)] == ["Pre-sales question",
                                                                     "hello?"]
    post(desk.agent, chat["id"], "Welcome Vera")
    assert s.next("message")["data"]["body"] == "Welcome Vera"
    # Coming back (a reload): the list finds the chat and hands the CSRF token again.
    again = visitor.get("/api/v2/chat/sessions").json()
    assert [c["id"] for c in again["chat_sessions"]] == [chat["id"]]
    assert again["csrf_token"] == csrf
    # The token opens nothing else.
    other = started(desk.rita, "rita's")
    assert_error(visitor.get(f"/api/v2/chat/sessions/{other['id']}"), 404, "not_found")
    assert_error(post(visitor, other["id"], "x", headers={"X-CSRF-Token": csrf}), 404,
                 "not_found")
    assert_error(visitor.get(f"/api/v2/tickets/{chat['ticket_id']}"), 401, "unauthorized")
    assert stream(desk, visitor, other["id"]).status == 404
    # Staff addresses need a sign-in; bad input names the field.
    assert_error(start(Api(desk.srv), "hi", name="X", email="agent@example.com"), 422,
                 "invalid", "chat.email")
    assert_error(start(Api(desk.srv), "hi", name="X", email="not-an-address"), 422, "invalid",
                 "chat.email")
    assert_error(start(Api(desk.srv), "hi", email="a@b.example"), 422, "invalid", "chat.name")
    assert_error(start(Api(desk.srv), "  ", name="X", email="a@b.example"), 422, "invalid",
                 "chat.message")
    assert_error(start(desk.agent, "hi"), 403, "forbidden")
    s.close()
    for c in (chat, other):
        desk.agent.post(f"/api/v2/chat/sessions/{c['id']}/end")
    # After the end the old cookie still reads the transcript; a new chat from the same browser
    # is a cookie write (CSRF) and replaces the cookie.
    assert visitor.get(f"/api/v2/chat/sessions/{chat['id']}").status_code == 200
    assert visitor.get("/api/v2/chat/sessions").json()["chat_sessions"] == []
    assert_error(start(visitor, "one more thing", name="Vera Visitor",
                       email="vera@visitor.example"), 403, "forbidden", "X-CSRF-Token")
    resp = visitor.post("/api/v2/chat/sessions", {"chat": {"message": "one more thing",
                        "name": "Vera Visitor", "email": "vera@visitor.example"}},
                        headers={"X-CSRF-Token": csrf})
    assert resp.status_code == 201, resp.text
    again = resp.json()["chat_session"]
    assert again["requester_id"] == chat["requester_id"] and visitor.session.cookies.get("fd_chat") != token
    assert [c["id"] for c in visitor.get("/api/v2/chat/sessions").json()["chat_sessions"]] == [again["id"]]
    assert_error(visitor.get(f"/api/v2/chat/sessions/{chat['id']}"), 404, "not_found")
    desk.agent.post(f"/api/v2/chat/sessions/{again['id']}/end")


def test_a_banned_requester_is_refused_before_anything_is_written(desk):
    resp = desk.admin.post(f"/api/v2/users/{desk.mike_id}/ban", {"reason": "abusive language"})
    assert resp.status_code in (200, 201), resp.text
    try:
        before = counts(desk.srv.db)
        visitor = Api(desk.srv)
        err = assert_error(start(visitor, "let me in", name="Mike", email="MIKE@example.com"),
                           403, "requester_banned")
        assert "abusive" in err["message"]
        assert "Set-Cookie" not in visitor.get("/api/v2/chat/availability").headers
        # A new visitor address under the same ban key ("+tag" dropped) is refused too.
        assert_error(start(Api(desk.srv), "again", name="Mike", email="mike+x@example.com"), 403,
                     "requester_banned")
        assert counts(desk.srv.db) == before
    finally:
        desk.srv.db.execute("UPDATE bans SET lifted_at = 1, lift_reason = 'test' "
                            "WHERE lifted_at IS NULL")


def test_a_refused_account_is_refused_before_anything_is_written(desk):
    desk.srv.db.execute(f"UPDATE organizations SET service_refused = 1 WHERE id = {desk.org_id}")
    try:
        before = counts(desk.srv.db)
        err = assert_error(start(desk.rita, "help"), 403, "service_refused")
        assert err["message"]
        assert counts(desk.srv.db) == before
    finally:
        desk.srv.db.execute(f"UPDATE organizations SET service_refused = 0 WHERE id = "
                            f"{desk.org_id}")


# ---------------------------------------------------------------- processes and shutdown


def test_a_message_through_a_second_process_reaches_a_stream_at_once(pool):
    # On PostgreSQL the writer's transaction sends NOTIFY frontdesk_chat and the first process's
    # hub, LISTENing on its own connection, resumes the stream at once: well under the 1 s poll
    # that brought such messages before (the median of 5 posts must stay under 300 ms). On SQLite
    # the hub's poll (one query a second) still brings them, within 2 s.
    srv = pool.start()
    create_admin(srv)
    staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
    add_requester(srv, "rita@example.com", "Rita Requester")
    admin = Api(srv, token_create(srv, ADMIN["email"]))
    assert admin.put("/api/v2/calendar", {"calendar": ALWAYS}).status_code == 200
    agent_token = token_create(srv, "agent@example.com")
    online(Api(srv, agent_token))
    chat = started(sign_in(srv, "rita@example.com"), "across processes")
    second = pool.start(db=srv.db, init=False)
    agent2 = Api(second, agent_token)
    s = stream(srv, Api(srv, agent_token), chat["id"])
    s.next("message")
    time.sleep(0.5)  # parked, and the hub is listening
    took = []
    for i in range(5):
        text = f"from the second process, {i}"
        t0 = time.monotonic()
        resp = post(agent2, chat["id"], text)
        assert resp.status_code == 201, resp.text
        ev = s.next("message", timeout=3)
        assert ev["data"]["body"] == text
        took.append(ev["at"] - t0)
        time.sleep(0.2)
    took.sort()
    print("cross-process delivery (s): " + " ".join(f"{t:.3f}" for t in took))
    assert took[-1] < 2.0, took
    if DB_KIND == "postgres":
        assert took[2] < 0.3, f"median {took[2]:.3f} s: not notified, polled? {took}"
    # Ended through the second process: the first one's stream ends too.
    assert agent2.post(f"/api/v2/chat/sessions/{chat['id']}/end").status_code == 200
    assert s.next("end", timeout=3) and s.closed.wait(3)


@pytest.mark.skipif(DB_KIND != "postgres", reason="LISTEN/NOTIFY is PostgreSQL's")
def test_a_stream_survives_the_loss_of_the_listening_connection(pool):
    # The hub's LISTEN connection is killed (a database restart, a proxy): it reconnects at once
    # and re-reads the chats, so a message posted meanwhile is late at most, never lost, and the
    # next one is notified again.
    srv = pool.start()
    create_admin(srv)
    staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
    add_requester(srv, "rita@example.com", "Rita Requester")
    admin = Api(srv, token_create(srv, ADMIN["email"]))
    assert admin.put("/api/v2/calendar", {"calendar": ALWAYS}).status_code == 200
    agent_token = token_create(srv, "agent@example.com")
    online(Api(srv, agent_token))
    chat = started(sign_in(srv, "rita@example.com"), "a lost connection")
    second = pool.start(db=srv.db, init=False)
    agent2 = Api(second, agent_token)
    s = stream(srv, Api(srv, agent_token), chat["id"])
    s.next("message")
    time.sleep(0.5)
    listening = ("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                 "AND query = 'LISTEN \"frontdesk_chat\"'")
    pids = db_query(srv.db, listening)
    assert len(pids) == 1, pids  # the first process's hub; the second has no stream
    srv.db.execute(f"SELECT pg_terminate_backend({pids[0][0]})")
    t0 = time.monotonic()
    assert post(agent2, chat["id"], "while it was away").status_code == 201
    ev = s.next("message", timeout=3)
    assert ev["data"]["body"] == "while it was away" and ev["at"] - t0 < 2.0
    time.sleep(0.3)
    again = db_query(srv.db, listening)
    assert len(again) == 1 and again != pids, again
    t0 = time.monotonic()
    assert post(agent2, chat["id"], "and heard again").status_code == 201
    ev = s.next("message", timeout=3)
    assert ev["data"]["body"] == "and heard again" and ev["at"] - t0 < 0.5
    events = [e.get("event") for e in srv.log_entries()]
    assert "db_listen_lost" in events and "db_listen_reconnected" in events, events
    s.close()


def test_shutdown_ends_open_streams_promptly(pool):
    srv = pool.start(shutdown_timeout=8)
    create_admin(srv)
    staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
    add_requester(srv, "rita@example.com", "Rita Requester")
    admin = Api(srv, token_create(srv, ADMIN["email"]))
    admin.put("/api/v2/calendar", {"calendar": ALWAYS})
    agent = Api(srv, token_create(srv, "agent@example.com"))
    online(agent)
    chat = started(sign_in(srv, "rita@example.com"), "shutting down soon")
    streams = [stream(srv, agent, chat["id"]) for _ in range(5)]
    for s in streams:
        s.next("message")
    time.sleep(0.3)  # all parked
    t0 = time.monotonic()
    assert srv.stop(timeout=10) == 0
    assert time.monotonic() - t0 < 3, "an open stream held up the shutdown"
    for s in streams:
        assert s.closed.wait(2)


def test_heartbeats_keep_a_parked_stream_open_past_the_idle_timeout(pool):
    # --idle-timeout 4: a parked stream is not timed out, and pings come every 2 s (half of it;
    # 25 s with the default 30) so the connection never sits idle for the timeout once resumed.
    srv = pool.start(idle_timeout=4)
    create_admin(srv)
    staff_add(srv, "agent@example.com", "Agnes Agent", "agent")
    add_requester(srv, "rita@example.com", "Rita Requester")
    Api(srv, token_create(srv, ADMIN["email"])).put("/api/v2/calendar", {"calendar": ALWAYS})
    agent = Api(srv, token_create(srv, "agent@example.com"))
    online(agent)
    chat = started(sign_in(srv, "rita@example.com"), "still there after a while?")
    s = stream(srv, agent, chat["id"])
    s.next("message")
    gone = stream(srv, agent, chat["id"])
    gone.next("message")
    gone.close()  # while parked: found at its next heartbeat, and its request completes
    time.sleep(9)
    done = [e for e in srv.log_entries() if e.get("event") == "request"
            and e.get("route") == "/api/v2/chat/sessions/{id}/stream"]
    assert len(done) == 1 and done[0]["status"] == 200, done
    pings = []
    while not s.comments.empty():
        pings.append(s.comments.get())
    assert len(pings) >= 2 and set(pings) == {": ping"}, pings
    assert not s.closed.is_set(), "the stream was closed while parked"
    assert post(agent, chat["id"], "yes").status_code == 201
    assert s.next("message")["data"]["body"] == "yes"
    s.close()


def test_at_most_three_open_chats_per_person(desk):
    ids = [started(Api(desk.srv), f"question {i}", name="Flo Flood",
                   email="flo@flood.example")["id"] for i in range(3)]
    before = counts(desk.srv.db)
    assert_error(start(Api(desk.srv), "one more", name="Flo Flood", email="FLO@flood.example"),
                 409, "conflict", "chat")
    assert counts(desk.srv.db) == before
    desk.agent.post(f"/api/v2/chat/sessions/{ids[0]}/end")
    ids.append(started(Api(desk.srv), "now it fits", name="Flo Flood",
                       email="flo@flood.example")["id"])
    for i in ids[1:]:
        desk.agent.post(f"/api/v2/chat/sessions/{i}/end")
