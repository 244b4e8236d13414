"""The command line: help, version, flag and env-var validation, migrate and init."""

import re

import pytest

from conftest import DB_KIND, init_db, post_setup, run_cli, setup_body

SERVE_FLAGS = ["--db", "--sqlite-sync", "--listen", "--threads", "--max-connections",
               "--max-connections-per-ip", "--trusted-proxies", "--idle-timeout",
               "--max-body-size", "--connection-memory", "--shutdown-timeout", "--log-level"]
COMMAND_FLAGS = {
    "serve": SERVE_FLAGS,
    "init": ["--db", "--sqlite-sync", "--demo"],
    "migrate": ["--db", "--sqlite-sync"],
    "version": [],
}
SCHEMA_RE = re.compile(r"schema version (\d+)")


def assert_usage_error(res, command, *needles):
    """Exit 2 and exactly one line on stderr, `frontdesk COMMAND: ...`, naming each needle."""
    assert res.returncode == 2, f"exit {res.returncode}, stderr {res.stderr!r}"
    lines = res.stderr.splitlines()
    assert len(lines) == 1, f"expected one stderr line, got {res.stderr!r}"
    assert lines[0].startswith(f"frontdesk {command}: "), lines[0]
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not named in {lines[0]!r}"


def test_top_level_help_lists_the_commands():
    res = run_cli("--help")
    assert res.returncode == 0, res.stderr
    assert "usage" in res.stdout.lower()
    for command in COMMAND_FLAGS:
        assert command in res.stdout, f"{command} missing from --help"


@pytest.mark.parametrize("command", sorted(COMMAND_FLAGS))
def test_command_help_lists_its_flags(command):
    res = run_cli(command, "--help")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip(), "help printed nothing on stdout"
    for flag in COMMAND_FLAGS[command]:
        assert flag in res.stdout, f"{flag} missing from `frontdesk {command} --help`"


def test_version():
    res = run_cli("version")
    assert res.returncode == 0, res.stderr
    assert re.fullmatch(r"frontdesk \S+", res.stdout.splitlines()[0]), res.stdout


def test_unknown_command_is_a_usage_error():
    res = run_cli("frobnicate")
    assert res.returncode == 2, res
    assert "frobnicate" in res.stderr


@pytest.mark.parametrize("command", ["serve", "init", "migrate", "version"])
def test_unknown_flag(command):
    assert_usage_error(run_cli(command, "--bogus"), command, "unknown flag", "--bogus")


BAD_SERVE_VALUES = [
    ("--threads", "abc"), ("--threads", "0"), ("--threads", "257"), ("--threads", "4x"),
    ("--max-connections", "abc"), ("--max-connections", "-1"),
    ("--max-connections-per-ip", "many"), ("--max-connections-per-ip", "-1"),
    ("--idle-timeout", "soon"), ("--idle-timeout", "-1"),
    ("--shutdown-timeout", "later"),
    ("--max-body-size", "abc"), ("--max-body-size", "1X"), ("--max-body-size", "-1"),
    ("--max-body-size", ""),
    ("--connection-memory", "lots"), ("--connection-memory", "1T"),
    ("--log-level", "verbose"),
    ("--sqlite-sync", "sometimes"),
    ("--listen", "127.0.0.1"), ("--listen", "127.0.0.1:99999"), ("--listen", "127.0.0.1:http"),
    ("--trusted-proxies", "not-an-ip"), ("--trusted-proxies", "10.0.0.0/33"),
    ("--trusted-proxies", "300.1.1.1"),
    ("--db", "mysql://localhost/fd"),
]


@pytest.mark.parametrize("flag,value", BAD_SERVE_VALUES)
def test_serve_rejects_bad_value(flag, value, fresh_db):
    args = ["serve", flag, value]
    if flag != "--db":
        args += ["--db", fresh_db.url]
    if flag != "--listen":
        args += ["--listen", "127.0.0.1:0"]
    assert_usage_error(run_cli(*args, timeout=5), "serve", flag)


@pytest.mark.parametrize("command", ["init", "migrate"])
def test_sqlite_sync_is_checked_by(command, fresh_db):
    res = run_cli(command, "--db", fresh_db.url, "--sqlite-sync", "sometimes")
    assert_usage_error(res, command, "--sqlite-sync")


def test_flag_without_value():
    assert_usage_error(run_cli("serve", "--threads"), "serve", "--threads")


@pytest.mark.parametrize("var,value", [
    ("FRONTDESK_THREADS", "abc"),
    ("FRONTDESK_MAX_BODY_SIZE", "lots"),
    ("FRONTDESK_LOG_LEVEL", "loud"),
    ("FRONTDESK_IDLE_TIMEOUT", "soon"),
    ("FRONTDESK_TRUSTED_PROXIES", "bogus"),
    ("FRONTDESK_MAX_CONNECTIONS_PER_IP", "x"),
])
def test_serve_rejects_bad_env_value(var, value, fresh_db):
    res = run_cli("serve", "--db", fresh_db.url, "--listen", "127.0.0.1:0", env={var: value},
                  timeout=5)
    assert_usage_error(res, "serve", var)


def test_init_rejects_bad_env_value(fresh_db):
    res = run_cli("init", "--db", fresh_db.url, env={"FRONTDESK_SQLITE_SYNC": "bogus"})
    assert_usage_error(res, "init", "FRONTDESK_SQLITE_SYNC")


def test_serve_takes_db_and_listen_from_env(server, fresh_db):
    init_db(fresh_db)
    srv = server(db=fresh_db, init=False, bare=True,
                 env={"FRONTDESK_DB": fresh_db.url, "FRONTDESK_LISTEN": "127.0.0.1:0"})
    assert srv.get("/healthz").status_code == 200


def test_env_limit_applies(server):
    srv = server(env={"FRONTDESK_MAX_BODY_SIZE": "1K"})
    resp = post_setup(srv, setup_body("x" * 16, name="n" * 2000))
    assert resp.status_code == 413, resp.text


def test_flag_wins_over_env(server):
    srv = server(env={"FRONTDESK_MAX_BODY_SIZE": "1K"}, max_body_size="1M")
    resp = post_setup(srv, setup_body("x" * 16, name="n" * 2000))
    assert resp.status_code in (403, 422), resp.text  # read and judged, not refused as too large


def test_serve_with_debug_log_level_and_one_thread(server):
    srv = server(log_level="debug", threads=1)
    assert srv.get("/healthz").status_code == 200
    assert srv.log_entries()


def migrate(db):
    res = run_cli("migrate", "--db", db.url)
    assert res.returncode == 0, f"exit {res.returncode}: {res.stderr}"
    m = SCHEMA_RE.search(res.stdout)
    assert m, f"no 'schema version N' in {res.stdout!r}"
    return int(m.group(1)), res.stdout


def test_migrate_is_idempotent(fresh_db):
    first, _ = migrate(fresh_db)
    second, out = migrate(fresh_db)
    assert first >= 1
    assert second == first
    assert re.search(r"\b(applied 0|0 migrations? applied|no migrations?|up to date)\b", out,
                     re.I), f"second migrate should apply nothing: {out!r}"


def test_readyz_reports_the_migrated_version(server, fresh_db):
    version, _ = migrate(fresh_db)
    srv = server(db=fresh_db)
    assert srv.get("/readyz").json() == {"status": "ready", "schema_version": version}


def test_migrate_refuses_a_newer_database(fresh_db):
    migrate(fresh_db)
    fresh_db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 0)")
    res = run_cli("migrate", "--db", fresh_db.url)
    assert res.returncode == 1, f"exit {res.returncode}: {res.stdout} {res.stderr}"
    assert "newer" in res.stdout + res.stderr


def test_migrate_reports_an_unreachable_database(tmp_path):
    url = ("sqlite:" + str(tmp_path / "no" / "such" / "dir" / "fd.db") if DB_KIND == "sqlite"
           else "postgres://postgres@127.0.0.1:1/nowhere")
    res = run_cli("migrate", "--db", url)
    assert res.returncode == 1, f"exit {res.returncode}: {res.stderr}"
    assert res.stderr.strip()


def test_init_prints_a_setup_token(fresh_db):
    res = run_cli("init", "--db", fresh_db.url)
    assert res.returncode == 0, res.stderr
    tokens = re.findall(r"^setup token: (\S+)$", res.stdout, re.M)
    assert len(tokens) == 1, res.stdout
    assert len(tokens[0]) >= 16, f"setup token {tokens[0]!r} is short"


def test_init_is_idempotent_and_the_newest_token_works(server, fresh_db):
    init_db(fresh_db)
    token = init_db(fresh_db)
    assert token
    srv = server(db=fresh_db, init=False)
    assert post_setup(srv, setup_body(token)).status_code == 201


def test_init_prints_no_token_once_an_admin_exists(server):
    srv = server()
    assert post_setup(srv, setup_body(srv.setup_token)).status_code == 201
    res = run_cli("init", "--db", srv.db_url)
    assert res.returncode == 0, res.stderr
    assert "setup token" not in res.stdout


def test_init_demo(fresh_db):
    res = run_cli("init", "--db", fresh_db.url, "--demo")
    assert res.returncode == 0, res.stderr


def test_second_server_on_a_taken_port_fails(server):
    # Two servers must never share a port silently (SO_REUSEPORT would let them).
    srv = server()
    res = run_cli("serve", "--db", srv.db_url, "--listen", f"127.0.0.1:{srv.port}", timeout=10)
    assert res.returncode == 1, (res.returncode, res.stdout, res.stderr)
    assert "cannot listen" in res.stderr and "--listen" not in res.stdout, res.stderr
    assert srv.get("/healthz").status_code == 200
