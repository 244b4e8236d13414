#!/usr/bin/python3
"""bench/gen_tickets.py: fill a frontdesk database with tickets, fast (used by bench/tickets).

Writes rows consistent with migrations/*/0003_ticketing.sql: one `tickets` row and its first
comment (`ticket_comments`, public, by the submitter) per ticket. It writes no `ticket_events`
(the lists and the queue do not read them; the SLA clocks will, and this generator must grow them
when a benchmark needs them). Ids follow the ones already in the database, instants are spread
over the two years before now, ascending with the id, and about 30% of the tickets are new, open
or pending:

    new 5%, open 15%, pending 10%, hold 3%, solved 17%, closed 50%

Usage:
  gen_tickets.py sqlite PATH --total N --requester ID --submitter ID
      Adds tickets until the table holds N of them, with Python's sqlite3 module: executemany
      in transactions of 50,000 tickets, `PRAGMA synchronous=OFF` for this connection only (the
      server's own connections keep theirs). The server should not be running.
  gen_tickets.py postgres --start-id ID --count N --requester ID --submitter ID
      Prints a psql script to standard output: `COPY tickets ... FROM stdin` and `COPY
      ticket_comments ...`, in one transaction, then moves the identity sequences past the new ids
      and runs ANALYZE. Pipe it into `psql -v ON_ERROR_STOP=1 -q URL`. It sets
      `session_replication_role = replica` for that transaction, which skips the per-row foreign
      key triggers (every reference it writes exists: that is why --requester and --submitter are
      given); this needs a superuser, as the throwaway cluster of bench/tickets has.
Both print a line `gen_tickets: ...` with the counts and the time taken on standard error.
Standard library only.
"""

import argparse
import random
import sqlite3
import sys
import time

STATUSES = (("new", 5), ("open", 15), ("pending", 10), ("hold", 3), ("solved", 17), ("closed", 50))
PRIORITIES = (("low", 20), ("normal", 60), ("high", 15), ("urgent", 5))
CHANNELS = (("email", 55), ("web", 25), ("api", 15), ("chat", 5))
TWO_YEARS = 2 * 365 * 86400
BATCH = 50_000

SUBJECTS = (
    "Printer on floor {n} jams again",
    "Cannot sign in to the portal since {n} o'clock",
    "Invoice {n} shows the wrong amount",
    "VPN drops every {n} minutes",
    "Request for a new laptop ({n})",
    "Email to customer {n} bounced",
    "Password reset link expired (case {n})",
    "Export of report {n} is empty",
)
BODY = ("Hello, since this morning {what}. We tried restarting it and clearing the cache. "
        "It affects about {n} people in our team. Could you have a look? Thanks.")


def weighted(pairs):
    """A list of 100 values in which each value appears as often as its weight says."""
    out = []
    for v, w in pairs:
        out += [v] * w
    assert len(out) == 100
    return out


def rows(start_id, count, requester, submitter, seed=1):
    """Yields (ticket tuple, comment tuple) for ids start_id .. start_id + count - 1."""
    rnd = random.Random(seed)
    statuses, priorities, channels = weighted(STATUSES), weighted(PRIORITIES), weighted(CHANNELS)
    now = int(time.time())
    t0 = now - TWO_YEARS
    step = TWO_YEARS / max(count, 1)
    for i in range(count):
        tid = start_id + i
        created = t0 + int(i * step)
        status = statuses[rnd.randrange(100)]
        channel = channels[rnd.randrange(100)]
        n = rnd.randrange(1, 1000)
        if status in ("new",):
            updated = created
        else:
            updated = min(now, created + rnd.randrange(60, 14 * 86400))
        solved = updated if status in ("solved", "closed") else None
        subject = SUBJECTS[n % len(SUBJECTS)].format(n=n)
        body = BODY.format(what=subject.lower(), n=n % 40 + 1)
        yield ((tid, subject, channel, requester, submitter, status,
                priorities[rnd.randrange(100)], created, updated, solved),
               (tid, submitter, body, 1, channel, created))


TICKET_COLS = ("id, subject, channel, requester_id, submitter_id, status, priority, created_at, "
               "updated_at, solved_at")
COMMENT_COLS = "ticket_id, author_id, body, public, channel, created_at"


def gen_sqlite(a):
    db = sqlite3.connect(a.path, isolation_level=None)
    db.execute("PRAGMA foreign_keys = ON")  # as the server has it: every reference is checked
    db.execute("PRAGMA synchronous = OFF")  # this connection only; WAL mode stays
    db.execute("PRAGMA cache_size = -262144")  # 256 MiB of page cache while filling
    for uid in (a.requester, a.submitter):
        if db.execute("SELECT 1 FROM users WHERE id = ?", (uid,)).fetchone() is None:
            sys.exit(f"gen_tickets: user {uid} does not exist in {a.path}")
    have, last = db.execute("SELECT count(*), coalesce(max(id), 0) FROM tickets").fetchone()
    want = max(0, a.total - have)
    started = time.monotonic()
    it = rows(last + 1, want, a.requester, a.submitter)
    done = 0
    while done < want:
        chunk = [next(it) for _ in range(min(BATCH, want - done))]
        db.execute("BEGIN")
        db.executemany(f"INSERT INTO tickets ({TICKET_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       [t for t, _ in chunk])
        db.executemany(f"INSERT INTO ticket_comments ({COMMENT_COLS}) VALUES (?,?,?,?,?,?)",
                       [c for _, c in chunk])
        db.execute("COMMIT")
        done += len(chunk)
    db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
    db.close()
    print(f"gen_tickets: sqlite: added {want} tickets (and a comment each) in "
          f"{time.monotonic() - started:.1f} s; the table holds {total}", file=sys.stderr)


def copy_text(v):
    """A value in COPY's text format (tab-separated, \\N for NULL)."""
    if v is None:
        return "\\N"
    s = str(v)
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def gen_postgres(a):
    started = time.monotonic()
    w = sys.stdout.write
    w("BEGIN;\nSET LOCAL session_replication_role = replica;\n")
    # Two passes over the same seeded sequence, so nothing is held in memory.
    for table, cols, which in (("tickets", TICKET_COLS, 0), ("ticket_comments", COMMENT_COLS, 1)):
        w(f"COPY {table} ({cols}) FROM stdin;\n")
        lines = []
        for pair in rows(a.start_id, a.count, a.requester, a.submitter):
            lines.append("\t".join(map(copy_text, pair[which])))
            if len(lines) == BATCH:
                w("\n".join(lines) + "\n")
                lines = []
        if lines:
            w("\n".join(lines) + "\n")
        w("\\.\n")
    w("SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets));\n")
    w("SELECT setval(pg_get_serial_sequence('ticket_comments', 'id'), "
      "(SELECT max(id) FROM ticket_comments));\n")
    w("COMMIT;\nANALYZE tickets;\nANALYZE ticket_comments;\n")
    sys.stdout.flush()
    print(f"gen_tickets: postgres: wrote {a.count} tickets (and a comment each) from id "
          f"{a.start_id} in {time.monotonic() - started:.1f} s", file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="engine", required=True)
    s = sub.add_parser("sqlite")
    s.add_argument("path")
    s.add_argument("--total", type=int, required=True)
    q = sub.add_parser("postgres")
    q.add_argument("--start-id", type=int, required=True)
    q.add_argument("--count", type=int, required=True)
    for x in (s, q):
        x.add_argument("--requester", type=int, required=True)
        x.add_argument("--submitter", type=int, required=True)
    a = p.parse_args()
    if a.engine == "sqlite":
        gen_sqlite(a)
    else:
        gen_postgres(a)


if __name__ == "__main__":
    main()
