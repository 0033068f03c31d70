"""Login throttling in the library and passwords kept out of the process list (issue 10, items 6, 20)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from contentgen.cli import cli
from contentgen.testing import cli_main
from contentgen.usecases import open_library
from library import Library
from library.errors import PermissionDenied
from library.users import LoginLocked, LoginThrottle

PASSWORD = "right-password"


class Clock:
    """A hand-driven time source, so a 15-minute lockout takes no time."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def people(lib: Library, clock: Clock) -> Library:
    lib.users.add("pat", "reviewer", password=PASSWORD)
    lib.users.add("quinn", "operator", password=PASSWORD)
    lib.users.clock = clock
    return lib


def fail(lib: Library, name: str = "pat", n: int = 1, client: str | None = None) -> None:
    for _ in range(n):
        with pytest.raises(PermissionDenied, match="^unknown user or wrong password$"):
            lib.users.authenticate(name, "wrong-password", client=client)


def test_five_failures_lock_the_name_even_for_the_right_password(people: Library, clock: Clock) -> None:
    fail(people, n=5)
    with pytest.raises(LoginLocked, match="^too many failed logins for pat; try again in 15 minutes$"):
        people.users.authenticate("pat", PASSWORD)
    clock.now += 14 * 60
    with pytest.raises(LoginLocked, match="try again in 1 minute$"):
        people.users.authenticate("pat", PASSWORD)
    # Others are not affected, and the lock ends on its own.
    assert people.users.authenticate("quinn", PASSWORD).name == "quinn"
    clock.now += 61
    assert people.users.authenticate("pat", PASSWORD).name == "pat"


def test_failures_spread_over_more_than_the_window_do_not_lock(people: Library, clock: Clock) -> None:
    for _ in range(8):
        fail(people)
        clock.now += 100  # 5 failures span 400 s > the 300 s window
    assert people.users.authenticate("pat", PASSWORD).name == "pat"


def test_a_good_login_resets_the_count(people: Library) -> None:
    fail(people, n=4)
    people.users.authenticate("pat", PASSWORD)
    fail(people, n=4)
    assert people.users.authenticate("pat", PASSWORD).name == "pat"


def test_unknown_names_are_throttled_like_known_ones(people: Library) -> None:
    fail(people, "ghost", n=5)
    with pytest.raises(LoginLocked, match="too many failed logins for ghost"):
        people.users.authenticate("ghost", "whatever-pass")


def test_one_client_trying_many_names_is_locked(people: Library) -> None:
    for name in ("pat", "quinn", "ghost1", "ghost2", "ghost3"):
        fail(people, name, client="ip:203.0.113.9")
    with pytest.raises(LoginLocked, match="^too many failed logins from this client; try again in 15 minutes$"):
        people.users.authenticate("quinn", PASSWORD, client="ip:203.0.113.9")
    # The same person from elsewhere still gets in: the name itself was not locked.
    assert people.users.authenticate("quinn", PASSWORD, client="ip:198.51.100.1").name == "quinn"


def test_the_lock_is_in_the_database_shared_by_every_process(people: Library, lib_path: Path,
                                                              clock: Clock) -> None:
    fail(people, n=5)
    other = open_library(lib_path)
    other.users.clock = clock
    try:
        with pytest.raises(LoginLocked):
            other.users.authenticate("pat", PASSWORD)
    finally:
        other.close()


def test_failures_and_the_lockout_are_in_the_audit_trail(people: Library) -> None:
    fail(people, n=5, client="ip:203.0.113.9")
    with pytest.raises(LoginLocked):
        people.users.authenticate("pat", PASSWORD)
    events = [e for e in people.audit_log(limit=50) if e.action.startswith("login")]
    assert [e.action for e in events].count("login_failed") == 5
    # Five failures of one name from one client lock both, each said once.
    locked = sorted((e.reason or "") for e in events if e.action == "login_locked")
    assert [r.split(" locked")[0] for r in locked] == ["client ip:203.0.113.9", "pat"]
    assert all("after 5 failed logins" in r and "for 15 minutes" in r for r in locked)
    assert {(e.actor, e.role) for e in events} == {("pat", "reviewer")}
    assert all(PASSWORD not in (e.reason or "") and "wrong-password" not in (e.reason or "")
               for e in events)


def test_concurrent_guesses_get_no_more_tries_than_the_limit(people: Library) -> None:
    """Tries are reserved before the slow password check, so 20 parallel guesses get 5 checks."""
    outcomes: list[str] = []

    def guess() -> None:
        try:
            people.users.authenticate("pat", "wrong-password")
        except LoginLocked:
            outcomes.append("locked")
        except PermissionDenied:
            outcomes.append("checked")

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("checked") == 5 and outcomes.count("locked") == 15


def test_throttle_is_configurable(people: Library) -> None:
    people.users.throttle = LoginThrottle(max_failures=2, window_s=60, lockout_s=120)
    fail(people, n=2)
    with pytest.raises(LoginLocked, match="try again in 2 minutes"):
        people.users.authenticate("pat", PASSWORD)


def test_importing_the_library_hashes_nothing() -> None:
    code = ("import hashlib\ncalls = []\nreal = hashlib.scrypt\n"
            "hashlib.scrypt = lambda *a, **k: calls.append(1) or real(*a, **k)\n"
            "import library, library.users, library.store\nprint(len(calls))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0"


# ---- item 20: `users add` keeps the password out of the process list ----------------------


def _login(db: Path, name: str, password: str) -> str:
    lib = open_library(db)
    try:
        return str(lib.users.authenticate(name, password).role)
    finally:
        lib.close()


def test_password_from_stdin(lib_path: Path) -> None:
    res = CliRunner().invoke(cli, ["users", "add", "rita", "--role", "reviewer", "--password-stdin",
                                   "--db", str(lib_path)], input="stdin-secret-1\n")
    assert res.exit_code == 0, res.output
    assert "stdin-secret-1" not in res.output
    assert _login(lib_path, "rita", "stdin-secret-1") == "reviewer"


def test_password_from_the_environment(lib_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENTGEN_PASSWORD", "env-secret-22")
    res = CliRunner().invoke(cli, ["users", "add", "rita", "--role", "reviewer", "--db", str(lib_path)])
    assert res.exit_code == 0, res.output
    assert _login(lib_path, "rita", "env-secret-22") == "reviewer"


def test_interactive_prompt_is_hidden_and_asked_twice(lib_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from contentgen.cli import users_cmd

    monkeypatch.setattr(users_cmd, "_interactive", lambda: True)
    res = CliRunner().invoke(cli, ["users", "add", "rita", "--role", "reviewer", "--db", str(lib_path)],
                             input="typed-secret-3\ntyped-secret-3\n")
    assert res.exit_code == 0, res.output
    assert "typed-secret-3" not in res.output  # hidden: never echoed
    assert res.output.count("assword") >= 2  # asked, then asked to repeat
    assert _login(lib_path, "rita", "typed-secret-3") == "reviewer"


def test_password_flag_still_works_but_warns(lib_path: Path) -> None:
    res = CliRunner().invoke(cli, ["users", "add", "rita", "--role", "reviewer", "--password",
                                   "flag-secret-4", "--db", str(lib_path)])
    assert res.exit_code == 0, res.output
    assert "process list" in res.stderr and "flag-secret-4" not in res.stderr
    assert _login(lib_path, "rita", "flag-secret-4") == "reviewer"
    help_text = CliRunner().invoke(cli, ["users", "add", "--help"]).output
    assert "process list" in help_text and "--password-stdin" in help_text
    assert "CONTENTGEN_PASSWORD" in help_text


def test_two_password_sources_are_a_usage_error(lib_path: Path) -> None:
    code, _, err = cli_main("users", "add", "rita", "--role", "reviewer", "--password", "aaaaaaaa1",
                            "--password-stdin", "--db", str(lib_path))
    assert code == 2 and "one way" in err


def test_no_password_when_not_interactive_and_none_given(lib_path: Path) -> None:
    res = CliRunner().invoke(cli, ["users", "add", "rita", "--role", "reviewer", "--db", str(lib_path)])
    assert res.exit_code == 0, res.output
    listed = CliRunner().invoke(cli, ["users", "list", "--format", "json", "--db", str(lib_path)])
    assert json.loads(listed.output)[0]["has_password"] is False


def test_real_console_script_reads_stdin(lib_path: Path) -> None:
    exe = Path(sys.executable).parent / "contentgen"
    proc = subprocess.run([str(exe), "users", "add", "rita", "--role", "reviewer", "--password-stdin",
                           "--db", str(lib_path)], input="pipe-secret-55\n", capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert _login(lib_path, "rita", "pipe-secret-55") == "reviewer"
