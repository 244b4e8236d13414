"""Nothing lost (issue 3): `kill -9` the server while several clients create tickets and reply
through the API, restart it on the same database, and find every write that was answered 2xx,
whole, and nothing half-written.

1,000 writes in all from several client threads, each with its own API token: ticket creations
(a unique subject and first comment, some naming a new requester inline) and replies to tickets
the client saw created (some also setting the status). The server is killed twice, each time
while requests are in flight: once at a random moment after a few hundred writes, and once as
the 1,000th write goes out. It is restarted each time with the same flags on the same database,
and the acknowledged writes are checked after each restart; the final check also looks at every
row the run could have left behind. A write in flight at a kill may or may not exist afterwards,
but if it does, it must be whole.
"""

import random
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field

import requests

from conftest import (ADMIN, DB_KIND, Api, create_admin, db_query, db_scalar, staff_add,
                      token_create)

TOTAL_WRITES = 1000
CLIENTS = 6
AGENTS = 3
CREATION_EVENTS = {"subject", "status", "priority", "via", "requester_id", "submitter_id",
                   "comment"}


@dataclass
class Write:
    kind: str              # "create" or "reply"
    body: str              # the comment's body, unique in the run
    subject: str = ""      # create: unique in the run
    email: str = ""        # create: the inline requester's address, or ""
    ticket_id: int = 0     # reply: the ticket; create: the id answered
    status: str = ""       # reply: the status it sets, or ""
    acked: bool = False    # answered 2xx (with the id, for a create)
    answer: str = ""       # what came back instead: an HTTP status or an exception's name


@dataclass
class Run:
    """The shared state of the client threads."""
    tag: str
    tokens: list
    limit: int = TOTAL_WRITES
    issued: int = 0
    writes: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self):
        """The next write's number, or None once the run's writes are all issued."""
        with self.lock:
            if self.issued >= self.limit:
                return None
            self.issued += 1
            return self.issued

    def record(self, w):
        with self.lock:
            self.writes.append(w)

    def acked(self, kind):
        with self.lock:
            return [w for w in self.writes if w.acked and w.kind == kind]


def client(srv, run, n, down, rng, known):
    """One client thread: writes until the run's writes are issued or the server is down.
    known: tickets created before this server started, which it replies to as well."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {run.tokens[n % len(run.tokens)]}"
    base = srv.url.rstrip("/")
    mine = list(known)  # tickets this client knows exist: replies go there
    while not down.is_set():
        seq = run.take()
        if seq is None:
            return
        unique = f"{run.tag}-{n}-{seq}-{uuid.uuid4().hex[:8]}"
        if not mine or rng.random() < 0.4:
            w = Write("create", body=f"first comment {unique}", subject=f"crash {unique}")
            ticket = {"subject": w.subject, "comment": {"body": w.body}}
            if rng.random() < 0.3:
                w.email = f"r-{unique}@example.com"
                ticket["requester"] = {"name": f"Requester {unique}", "email": w.email}
            method, url, payload = "POST", f"{base}/api/v2/tickets", {"ticket": ticket}
        else:
            w = Write("reply", body=f"reply {unique}", ticket_id=rng.choice(mine))
            ticket = {"comment": {"body": w.body, "public": True}}
            if rng.random() < 0.25:
                w.status = rng.choice(["open", "pending", "hold"])
                ticket["status"] = w.status
            method, url = "PUT", f"{base}/api/v2/tickets/{w.ticket_id}"
            payload = {"ticket": ticket}
        try:
            resp = session.request(method, url, json=payload, timeout=10)
            w.answer = str(resp.status_code)
            if 200 <= resp.status_code < 300:
                got = resp.json()["ticket"]
                if w.kind == "create":
                    w.ticket_id = got["id"]
                    mine.append(w.ticket_id)
                w.acked = True
        except (requests.RequestException, ValueError) as exc:
            w.answer = type(exc).__name__  # in flight when the server died
        run.record(w)


def write_until(srv, run, kill_at):
    """Run the clients against srv and SIGKILL it once kill_at writes are issued (while the
    clients are still writing); returns when every client has stopped."""
    down = threading.Event()
    seed = random.randrange(1 << 30)
    known = [w.ticket_id for w in run.acked("create")]
    threads = [threading.Thread(target=client, daemon=True,
                                args=(srv, run, n, down, random.Random(seed + n), known))
               for n in range(CLIENTS)]
    for t in threads:
        t.start()
    while run.issued < kill_at and any(t.is_alive() for t in threads):
        time.sleep(0.001)
    # No new writes from here on; those already sent are in flight when the kill lands.
    down.set()
    srv.proc.send_signal(signal.SIGKILL)
    srv.proc.wait(10)
    for t in threads:
        t.join(30)
        assert not t.is_alive(), "a client is stuck"
    assert srv.proc.returncode == -signal.SIGKILL


def restart(server, srv):
    """The same database, the same flags, a new process."""
    again = server(db=srv.db, init=False)
    assert again.get("/healthz").status_code == 200
    return again


def rows(db, sql):
    return db_query(db, sql)


def snapshot(db, tag):
    """What the run left in the database: tickets, comments, events, inline requesters."""
    like = f"'%{tag}%'"
    tickets = {int(i): (s, int(r)) for i, s, r in rows(
        db, f"SELECT id, subject, requester_id FROM tickets WHERE subject LIKE {like}")}
    comments = {}
    for cid, tid, body in rows(db, "SELECT id, ticket_id, body FROM ticket_comments ORDER BY id"):
        comments.setdefault(int(tid), []).append((int(cid), body))
    events = {}
    for tid, fld, old, new in rows(db, "SELECT ticket_id, field, old_value, new_value "
                                       "FROM ticket_events ORDER BY id"):
        events.setdefault(int(tid), []).append((fld, old, new))
    users = {e.lower(): int(i) for i, e in rows(
        db, f"SELECT id, email FROM users WHERE email LIKE {like}")}
    return tickets, comments, events, users


def check_acked(srv, api, run):
    """Every acknowledged write is there, whole, through the API and in the database."""
    tickets, comments, events, users = snapshot(srv.db, run.tag)
    creates, replies = run.acked("create"), run.acked("reply")
    problems = []
    for w in creates:
        if w.ticket_id not in tickets:
            problems.append(f"acknowledged ticket {w.ticket_id} ({w.subject}) is missing")
            continue
        subject, requester = tickets[w.ticket_id]
        first = comments.get(w.ticket_id, [(0, None)])[0]
        fields = {f for f, old, new in events.get(w.ticket_id, []) if old is None}
        if subject != w.subject or first[1] != w.body:
            problems.append(f"ticket {w.ticket_id}: subject {subject!r}, first comment "
                            f"{first[1]!r}; want {w.subject!r}, {w.body!r}")
        if not CREATION_EVENTS <= fields:
            problems.append(f"ticket {w.ticket_id}: creation events {sorted(fields)}")
        if w.email and users.get(w.email) != requester:
            problems.append(f"ticket {w.ticket_id}: requester {requester}, inline requester "
                            f"{w.email} is user {users.get(w.email)}")
    for w in replies:
        found = [cid for cid, body in comments.get(w.ticket_id, []) if body == w.body]
        if len(found) != 1:
            problems.append(f"acknowledged reply {w.body!r} on ticket {w.ticket_id} found "
                            f"{len(found)} times")
            continue
        if ("comment", None, str(found[0])) not in events.get(w.ticket_id, []):
            problems.append(f"reply {found[0]} on ticket {w.ticket_id} has no comment event")
    assert not problems, f"{len(problems)} acknowledged writes lost or damaged:\n" + \
        "\n".join(problems[:30])

    # The same through the API, for a sample: what a client reads back.
    for w in random.sample(creates, min(40, len(creates))):
        resp = api.get(f"/api/v2/tickets/{w.ticket_id}")
        assert resp.status_code == 200, resp.text
        t = resp.json()["ticket"]
        assert (t["subject"], t["description"]) == (w.subject, w.body), t
    by_ticket = {}
    for w in replies:
        by_ticket.setdefault(w.ticket_id, set()).add(w.body)
    for tid in random.sample(sorted(by_ticket), min(20, len(by_ticket))):
        bodies, path = [], f"/api/v2/tickets/{tid}/comments?page[size]=100"
        while path:
            resp = api.get(path)
            assert resp.status_code == 200, resp.text
            page = resp.json()
            bodies += [c["body"] for c in page["comments"]]
            path = page["links"]["next"]
            path = path and path[path.index("/api/"):]
        missing = [b for b in by_ticket[tid] if bodies.count(b) != 1]
        assert not missing, f"ticket {tid}: replies not shown exactly once: {missing}"


def check_nothing_half_written(srv, run):
    """Every row the run could have written belongs to a whole write."""
    tickets, comments, events, users = snapshot(srv.db, run.tag)
    with run.lock:
        attempted = {w.subject: w for w in run.writes if w.kind == "create"}
        bodies = {w.body: w for w in run.writes}
    problems = []
    seen_subjects = {}
    for tid, (subject, requester) in tickets.items():
        seen_subjects[subject] = seen_subjects.get(subject, 0) + 1
        w = attempted.get(subject)
        conv = comments.get(tid, [])
        fields = {f for f, old, new in events.get(tid, []) if old is None}
        if w is None:
            problems.append(f"ticket {tid} ({subject}) was never asked for")
        elif not conv or conv[0][1] != w.body:
            problems.append(f"ticket {tid} ({subject}) without its first comment: {conv[:1]}")
        elif not CREATION_EVENTS <= fields:
            problems.append(f"ticket {tid}: creation events {sorted(fields)}")
        elif w.email and users.get(w.email) != requester:
            problems.append(f"ticket {tid}: requester {requester} is not {w.email}")
    problems += [f"{n} tickets with subject {s}" for s, n in seen_subjects.items() if n > 1]
    for tid in tickets:
        for cid, body in comments.get(tid, []):
            if body not in bodies:
                problems.append(f"comment {cid} on ticket {tid}: unknown body {body!r}")
            elif ("comment", None, str(cid)) not in events.get(tid, []):
                problems.append(f"comment {cid} on ticket {tid} has no comment event")
        ids_here = {str(cid) for cid, _ in comments.get(tid, [])}
        problems += [f"ticket {tid}: comment event for comment {new}, which is not there"
                     for fld, _, new in events.get(tid, []) if fld == "comment" and
                     new not in ids_here]
        bodies_here = [b for _, b in comments.get(tid, [])]
        problems += [f"ticket {tid}: {b!r} stored {bodies_here.count(b)} times"
                     for b in set(bodies_here) if bodies_here.count(b) > 1]
    # A requester created inline exists only with the ticket that named them.
    by_requester = {r for _, r in tickets.values()}
    problems += [f"user {uid} ({email}) exists without the ticket that created them"
                 for email, uid in users.items() if uid not in by_requester]
    assert not problems, f"{len(problems)} half-written or stray writes:\n" + \
        "\n".join(problems[:30])

    # Comments whose ticket is not ours, or events without a ticket, cannot be ours either;
    # but nothing at all may dangle.
    orphans = db_scalar(srv.db, "SELECT count(*) FROM ticket_comments c WHERE NOT EXISTS "
                                "(SELECT 1 FROM tickets t WHERE t.id = c.ticket_id)")
    assert orphans == "0", f"{orphans} comments without a ticket"
    if DB_KIND == "sqlite":
        assert db_scalar(srv.db, "PRAGMA integrity_check") == "ok"
    # How many writes in flight at a kill had committed all the same (whole, as checked above).
    stored = {s for s, _ in tickets.values()} | {b for c in comments.values() for _, b in c}
    return sum(1 for w in bodies.values() if not w.acked and w.body in stored)


def test_kill_9_loses_no_acknowledged_write(server):
    srv = server()
    create_admin(srv)
    tokens = [token_create(srv, ADMIN["email"])]
    for i in range(AGENTS):
        email = f"crash-agent{i}@example.com"
        staff_add(srv, email, f"Crash Agent {i}")
        tokens.append(token_create(srv, email))
    run = Run(tag=uuid.uuid4().hex[:10], tokens=tokens)
    t0 = time.monotonic()

    # First kill: at a random moment after a few hundred writes.
    first_kill = random.randint(250, 450)
    write_until(srv, run, first_kill)
    srv = restart(server, srv)
    api = Api(srv, tokens[0])
    check_acked(srv, api, run)
    check_nothing_half_written(srv, run)

    # Second kill: the rest of the 1,000 writes, killed as the last ones are in flight.
    write_until(srv, run, TOTAL_WRITES)
    srv = restart(server, srv)
    api = Api(srv, tokens[0])
    check_acked(srv, api, run)
    committed_in_flight = check_nothing_half_written(srv, run)

    acked = sum(w.acked for w in run.writes)
    unanswered = [w for w in run.writes if not w.acked]
    print(f"{DB_KIND}: {len(run.writes)} writes, {acked} acknowledged, first kill after "
          f"{first_kill}; not acknowledged: {len(unanswered)} "
          f"({', '.join(sorted(set(w.answer for w in unanswered)))}), of which "
          f"{committed_in_flight} committed; {time.monotonic() - t0:.1f} s")
    assert len(run.writes) == TOTAL_WRITES
    # The server answered every request it read with 2xx: the only failures are connections
    # cut by the kills (a few per kill: the requests in flight and those racing the kill).
    refused = [w.answer for w in unanswered if not w.answer.isdigit()]
    assert len(refused) == len(unanswered), f"error answers: {[w.answer for w in unanswered]}"
    assert acked >= TOTAL_WRITES - 4 * CLIENTS, f"only {acked} acknowledged"
