"""People (roles, scrypt-hashed passwords) and delivery tokens (sha256-hashed, channel-scoped)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import sqlite3
from collections.abc import Callable

import sqlite_utils

from contentgen import vocab
from contentgen.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    UsageError,
    check_identifier,
)
from library._db import dumps, immediate, loads, now
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


# Verified against for unknown users, so a login takes as long whether or not the name exists.
_DUMMY_HASH = hash_password(secrets.token_hex(8))


def check_name(kind: str, name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise UsageError(
            f"{kind} name {name!r} is not valid: use 1-64 letters, digits, '_', '.', '@' or '-'"
        )
    return name


class Users:
    def __init__(self, db: Callable[[], sqlite_utils.Database]):
        self._db = db

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

    def authenticate(self, name: str, password: str) -> User:
        row = self._db().execute(
            "SELECT password_hash FROM users WHERE name = ?", [name]
        ).fetchone()
        stored = row[0] if row and row[0] else None
        ok = verify_password(password, stored or _DUMMY_HASH)
        if not (ok and stored):
            raise PermissionDenied(_BAD_LOGIN)
        return self.get(name)


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
                "INSERT OR REPLACE INTO tokens (name, token_hash, channels, created_at, revoked_at)"
                " VALUES (?, ?, ?, ?, NULL)",
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
