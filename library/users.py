"""People (roles, scrypt-hashed passwords) and delivery tokens (sha256-hashed, channel-scoped).

Logins are throttled here, so every face gets it: `LoginThrottle` failures per name and per
client within a window lock that name (or client) for a while, even for the right password.
Tries live in the database (`login_attempts`), so all processes on one library share them.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import os
import re
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from contentgen.kernel import vocab
from contentgen.kernel.errors import UsageError, check_identifier
from library._db import dumps, immediate, loads, now
from library.errors import ConflictError, NotFoundError, PermissionDenied
from library.models import ROLES, Token, User

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
# scrypt cost: ~50 ms and 16 MiB per check on a laptop (OWASP's minimum is N=2**17 with r=8
# for interactive logins; 2**14 keeps the test suite fast while staying a memory-hard KDF).
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1
_BAD_LOGIN = "unknown user or wrong password"
_BAD_TOKEN = "invalid or revoked token"


def hash_password(password: str, *, n: int = _SCRYPT_N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    return f"scrypt${n}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algo != "scrypt":
        return False
    got = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                         p=int(p), dklen=len(digest) // 2)
    return hmac.compare_digest(got.hex(), digest)


@functools.cache
def _dummy_hash() -> str:
    """Verified against for unknown users, so a login takes as long whether or not the name exists.

    Made on first use, not at import: `import library` must not spend a scrypt (~50 ms, 16 MiB).
    """
    return hash_password(secrets.token_hex(8))


@dataclass(frozen=True)
class LoginThrottle:
    """How many failed logins lock a name or a client, within which window, and for how long.

        LoginThrottle(max_failures=5, window_s=300, lockout_s=900)

    Defaults come from CONTENTGEN_LOGIN_MAX_FAILURES, CONTENTGEN_LOGIN_WINDOW_S and
    CONTENTGEN_LOGIN_LOCKOUT_S when set (`LoginThrottle.from_env()`), else the values above.
    """

    max_failures: int = 5
    window_s: float = 300.0
    lockout_s: float = 900.0

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.window_s <= 0 or self.lockout_s <= 0:
            raise UsageError("login throttle: max_failures >= 1, window and lockout > 0 seconds")

    @classmethod
    def from_env(cls) -> LoginThrottle:
        def num(var: str, default: float) -> float:
            raw = os.environ.get(var)
            try:
                return float(raw) if raw else default
            except ValueError:
                raise UsageError(f"{var}={raw!r} is not a number") from None

        return cls(int(num("CONTENTGEN_LOGIN_MAX_FAILURES", cls.max_failures)),
                   num("CONTENTGEN_LOGIN_WINDOW_S", cls.window_s),
                   num("CONTENTGEN_LOGIN_LOCKOUT_S", cls.lockout_s))


class LoginLocked(PermissionDenied):
    """Too many failed logins: refused without checking the password until retry_after_s passes."""

    def __init__(self, message: str, retry_after_s: float):
        super().__init__(message)
        self.retry_after_s = retry_after_s


_KEEP_ATTEMPTS_S = 7 * 86400  # tries older than this cannot affect any lock; pruned
_MAX_KEY = 128  # a name or client key longer than this is cut (it is only a throttle key)


def _minutes(seconds: float) -> str:
    n = max(1, math.ceil(seconds / 60))
    return f"{n} minute{'s' * (n != 1)}"


def check_name(kind: str, name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise UsageError(
            f"{kind} name {name!r} is not valid: use 1-64 letters, digits, '_', '.', '@' or '-'"
        )
    return name


class Users:
    def __init__(self, db: Callable[[], sqlite_utils.Database], *,
                 throttle: LoginThrottle | None = None, clock: Callable[[], float] = time.time):
        self._db = db
        self.throttle = throttle or LoginThrottle.from_env()
        self.clock = clock  # injectable so tests step over a lockout without waiting

    def add(self, name: str, role: str, password: str | None = None) -> User:
        check_name("user", name)
        check_identifier("role", role, ROLES)
        if password is not None and len(password) < 8:
            raise UsageError("password too short: use at least 8 characters")
        hashed = hash_password(password) if password else None
        at = now()
        try:
            with immediate(self._db()) as conn:
                conn.execute(
                    "INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                    [name, role, hashed, at],
                )
        except sqlite3.IntegrityError:
            raise ConflictError(f"user {name!r} already exists; pick another name") from None
        return User(name=name, role=role, created_at=at, has_password=hashed is not None)

    def get(self, name: str) -> User:
        row = self._db().execute(
            "SELECT name, role, created_at, password_hash FROM users WHERE name = ?", [name]
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"unknown user {name!r}; add one with: contentgen users add {name} --role operator"
            )
        return User(name=row[0], role=row[1], created_at=row[2], has_password=row[3] is not None)

    def list(self) -> list[User]:
        rows = self._db().execute(
            "SELECT name, role, created_at, password_hash FROM users ORDER BY name"
        ).fetchall()
        return [User(name=r[0], role=r[1], created_at=r[2], has_password=r[3] is not None)
                for r in rows]

    def authenticate(self, name: str, password: str, *, client: str | None = None) -> User:
        """The user for a right password; PermissionDenied otherwise, LoginLocked when throttled.

        `client` says where the try comes from (an IP, a UI session); failures are counted per
        name and per client. A try is reserved before the password check (the slow part), so
        parallel guesses cannot exceed the limit, and settled after it.
        """
        key, where = str(name)[:_MAX_KEY], None if client is None else str(client)[:_MAX_KEY]
        at = self.clock()
        with immediate(self._db()) as conn:
            locked = self._lock(conn, key, where, at)
            attempt = conn.execute(
                "INSERT INTO login_attempts (at, name, client, outcome) VALUES (?, ?, ?, ?)"
                " RETURNING id", [at, key, where, "refused" if locked else "pending"]).fetchone()[0]
        if locked:
            raise locked
        row = self._db().execute(
            "SELECT password_hash, role FROM users WHERE name = ?", [name]
        ).fetchone()
        stored = row[0] if row and row[0] else None
        ok = verify_password(password, stored or _dummy_hash()) and stored is not None
        with immediate(self._db()) as conn:
            conn.execute("UPDATE login_attempts SET outcome = ? WHERE id = ?",
                         ["ok" if ok else "failed", attempt])
            if not ok:
                self._failed(conn, key, where, row[1] if row else None, at)
        if not ok:
            raise PermissionDenied(_BAD_LOGIN)
        return self.get(name)

    def _lock(self, conn: sqlite3.Connection, name: str, client: str | None,
              at: float) -> LoginLocked | None:
        """The LoginLocked to raise when the name or the client is locked now, else None."""
        until = self._locked_until(conn, "name", name, at)
        if until is not None:
            return LoginLocked(f"too many failed logins for {name}; try again in "
                               f"{_minutes(until - at)}", until - at)
        until = self._locked_until(conn, "client", client, at) if client else None
        if until is not None:
            return LoginLocked("too many failed logins from this client; try again in "
                               f"{_minutes(until - at)}", until - at)
        return None

    def _locked_until(self, conn: sqlite3.Connection, column: str, value: str | None,
                      at: float) -> float | None:
        """When the lock on this name/client ends, if one holds at `at`.

        Locked when its last max_failures failures (pending tries count) fit in the window, until
        lockout_s after the newest. Tries refused during a lock are not failures: a lock ends on
        time. For a name, a good login since then clears its failures.
        """
        th = self.throttle
        since = at - th.window_s - th.lockout_s  # older failures cannot hold a lock now
        if column == "name":
            last_ok = conn.execute("SELECT MAX(at) FROM login_attempts WHERE name = ? AND outcome"
                                   " = 'ok'", [value]).fetchone()[0]
            since = max(since, last_ok or since)
        if column not in ("name", "client"):  # spliced into the SQL: only these two, ever
            raise ValueError(column)
        rows = conn.execute(
            f"SELECT at FROM login_attempts WHERE {column} = ? AND at > ? AND outcome IN"
            " ('pending', 'failed') ORDER BY at DESC, id DESC LIMIT ?",
            [value, since, th.max_failures],
        ).fetchall()
        if len(rows) < th.max_failures or rows[0][0] - rows[-1][0] > th.window_s:
            return None
        until = float(rows[0][0]) + th.lockout_s
        return until if until > at else None

    def _failed(self, conn: sqlite3.Connection, name: str, client: str | None, role: str | None,
                at: float) -> None:
        """Audit a failed login, and the lockout it completes; prune tries nobody needs."""
        # The audit names the user when the name is one (with their role), else "system": an
        # unknown or malformed name is data, kept in the reason, never an actor.
        actor, actor_role = (name, role) if role else ("system", "system")
        origin = f" from client {client}" if client else ""
        stamp = now()
        _audit_login(conn, stamp, actor, actor_role, "login_failed",
                     f"failed login for {name!r}{origin}")
        th = self.throttle
        for column, value in (("name", name), ("client", client)):
            if value and self._locked_until(conn, column, value, at) is not None:
                what = name if column == "name" else f"client {client}"
                _audit_login(conn, stamp, actor, actor_role, "login_locked",
                             f"{what} locked for {_minutes(th.lockout_s)} after {th.max_failures}"
                             f" failed logins within {_minutes(th.window_s)}")
        conn.execute("DELETE FROM login_attempts WHERE at < ?", [at - _KEEP_ATTEMPTS_S])


def _audit_login(conn: sqlite3.Connection, at: str, actor: str, role: str, action: str,
                 reason: str) -> None:
    conn.execute("INSERT INTO audit (at, actor, role, action, reason) VALUES (?, ?, ?, ?, ?)",
                 [at, actor, role, action, reason])


def _token_hash(token: str) -> str:
    # The token is 32 random bytes: a fast hash is enough, there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def parse_channels(channels: list[str] | str) -> list[str]:
    items = channels.split(",") if isinstance(channels, str) else list(channels)
    out = [c.strip() for c in items if c.strip()]
    if not out:
        raise UsageError("a token needs at least one channel, e.g. --channels sms,app_push")
    for c in out:
        check_identifier("channel", c, vocab.CHANNELS)
    return sorted(set(out), key=out.index)


class Tokens:
    def __init__(self, db: Callable[[], sqlite_utils.Database]):
        self._db = db

    def create(self, name: str, channels: list[str]) -> str:
        """Create a token for a delivery client; returns the plaintext, which is never stored."""
        check_name("token", name)
        scoped = parse_channels(channels)
        token = "cgt_" + secrets.token_urlsafe(32)
        with immediate(self._db()) as conn:
            row = conn.execute("SELECT revoked_at FROM tokens WHERE name = ?", [name]).fetchone()
            if row is not None and row[0] is None:
                raise ConflictError(
                    f"token {name!r} already exists; revoke it first: contentgen tokens revoke {name}"
                )
            conn.execute(
                "INSERT INTO tokens (name, token_hash, channels, created_at, revoked_at)"
                " VALUES (?, ?, ?, ?, NULL) ON CONFLICT (name) DO UPDATE SET token_hash ="
                " excluded.token_hash, channels = excluded.channels, created_at ="
                " excluded.created_at, revoked_at = NULL",
                [name, _token_hash(token), dumps(scoped), now()],
            )
        return token

    def authenticate(self, token: str) -> Token:
        row = self._db().execute(
            "SELECT name, channels, created_at, revoked_at FROM tokens WHERE token_hash = ?",
            [_token_hash(token or "")],
        ).fetchone()
        if row is None or row[3] is not None:
            raise PermissionDenied(_BAD_TOKEN)
        return Token(name=row[0], channels=loads(row[1]), created_at=row[2])

    def list(self) -> list[Token]:
        rows = self._db().execute(
            "SELECT name, channels, created_at, revoked_at FROM tokens ORDER BY name"
        ).fetchall()
        return [Token(name=r[0], channels=loads(r[1]), created_at=r[2], revoked_at=r[3])
                for r in rows]

    def revoke(self, name: str) -> Token:
        with immediate(self._db()) as conn:
            row = conn.execute(
                "SELECT channels, created_at, revoked_at FROM tokens WHERE name = ?", [name]
            ).fetchone()
            if row is None:
                raise NotFoundError(f"no token named {name!r}; see: contentgen tokens list")
            at = row[2] or now()
            conn.execute("UPDATE tokens SET revoked_at = ? WHERE name = ?", [at, name])
        return Token(name=name, channels=loads(row[0]), created_at=row[1], revoked_at=at)
