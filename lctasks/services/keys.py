"""The office's chain key: an HMAC over each event's hash, kept outside the database.

Why: anyone who can write the database file (SQLite) or owns the database
(PostgreSQL) can change an event and recompute every hash after it; the plain
chain then verifies. Each event also carries ``mac`` = ``<key id>:<HMAC-SHA256(key,
hash)>``; without the key nobody can make a ``mac`` that verifies, so a history
re-hashed by someone without the key fails ``log --verify`` at the first event
they changed. (With the key too, only anchors kept elsewhere catch it.)

Where the key is (never in the database, a snapshot or a backup):

* ``LCTASKS_CHAIN_KEY`` — the secret itself (at least 16 characters), or
* ``LCTASKS_CHAIN_KEY_FILE`` — a file of secrets, one a line (``#`` comments), or
* ``chain.key`` in the user's lctasks config folder (``~/.config/lctasks``).

A key file may hold several keys: the **last** one signs new events; the others
still verify older events. Rotating is appending a new line (``lctasks log
--rotate-key`` does it and records the rotation): the first event signed with a
new key is preceded by a ``key`` event recording the old and new key id (ids are
``sha256`` prefixes that reveal nothing of the secret).

Policy (``LCTASKS_CHAIN_KEYED``): ``auto`` (default) keys the chain whenever a key
is found and, on PostgreSQL, refuses to write without one — keyed is the default
there; ``off`` never keys; ``on`` refuses to write without a key on any back end.

Standard library only: the CLI fast path appends events with it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from lctasks.domain import InvalidInputError
from lctasks.i18n import SERVICES as MESSAGES
from lctasks.i18n import services_t as t

KEY_ENV = "LCTASKS_CHAIN_KEY"
KEY_FILE_ENV = "LCTASKS_CHAIN_KEY_FILE"
POLICY_ENV = "LCTASKS_CHAIN_KEYED"
POLICIES = ("auto", "on", "off")
MIN_SECRET = 16

MESSAGES.add(
    {
        "key.short": (
            "{where} 中的密钥太短（至少 16 个字符）",
            "a key in {where} is too short (at least 16 characters)",
        ),
        "key.unreadable": ("无法读取密钥文件 {where}", "cannot read the key file {where}"),
        "key.policy": (
            "LCTASKS_CHAIN_KEYED 须为 auto、on 或 off，而不是“{where}”",
            "LCTASKS_CHAIN_KEYED must be auto, on or off, not '{where}'",
        ),
        "key.missing": (
            "历史须用密钥签名（{where}），但没有找到密钥",
            "the history must be keyed ({where}) but no key was found",
        ),
        "key.keyed_history": (
            "这份历史已用密钥签名，但没有找到密钥：不能写入未签名的事件",
            "this history is keyed, but no key was found: unkeyed events cannot be added",
        ),
        "key.hint": (
            "设置 LCTASKS_CHAIN_KEY_FILE（密钥文件）或 LCTASKS_CHAIN_KEY；"
            "新建密钥：lctasks log --rotate-key；见 README“带密钥的历史”",
            "set LCTASKS_CHAIN_KEY_FILE (a key file) or LCTASKS_CHAIN_KEY; "
            "make one with `lctasks log --rotate-key`; see README, 'A keyed history'",
        ),
    }
)


class KeyError_(InvalidInputError):
    """The key file or variable cannot be used, or a key is needed and missing (exit 4)."""

    def __init__(self, what: str, where: str = "") -> None:
        super().__init__(t(f"key.{what}", where=where), hint=t("key.hint"))
        self.what = what
        self.where = where


def key_id(secret: bytes) -> str:
    return hashlib.sha256(b"lctasks-chain-key:" + secret).hexdigest()[:8]


def mac_of(secret: bytes, digest: str) -> str:
    """HMAC-SHA256 of an event's hash (hex); the one-shot C path: a million per verify."""
    return hmac.digest(secret, digest.encode("ascii"), "sha256").hex()


@dataclass(frozen=True)
class Keyring:
    """Secrets by key id; ``current`` signs new events (None: no key at all)."""

    keys: dict[str, bytes] = field(default_factory=dict)
    current: str | None = None
    source: str = ""  # where they came from (for messages; never the secret)

    def sign(self, digest: str) -> str:
        """``<key id>:<hmac>`` for a new event ("" when there is no key)."""
        if self.current is None:
            return ""
        return f"{self.current}:{mac_of(self.keys[self.current], digest)}"

    def check(self, digest: str, mac: str) -> bool | None:
        """True/False when the key of ``mac`` is here; None when it is not."""
        kid, _, value = mac.partition(":")
        secret = self.keys.get(kid)
        if secret is None:
            return None
        return hmac.compare_digest(mac_of(secret, digest), value)

    def __bool__(self) -> bool:
        return self.current is not None


def _secrets_in(text: str, where: str) -> list[bytes]:
    out = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if len(line) < MIN_SECRET:
            raise KeyError_("short", where)
        out.append(line.encode("utf-8"))
    return out


def default_key_file() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "lctasks" / "chain.key"


def key_file() -> Path | None:
    """The key file in use: $LCTASKS_CHAIN_KEY_FILE, else the default when it exists."""
    named = os.environ.get(KEY_FILE_ENV)
    if named:
        return Path(named)
    default = default_key_file()
    return default if default.exists() else None


def load_keyring() -> Keyring:
    """The keys from the environment / key file (an empty ring when there are none)."""
    found: list[bytes] = []
    source = ""
    path = key_file()
    if path is not None:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise KeyError_("unreadable", f"{path}: {exc.strerror or exc}") from exc
        found += _secrets_in(text, str(path))
        source = str(path)
    env = os.environ.get(KEY_ENV, "")
    if env:
        found += _secrets_in(env, KEY_ENV)  # the variable's key signs (it comes last)
        source = f"{source} + {KEY_ENV}" if source else KEY_ENV
    if not found:
        return Keyring()
    keys = {key_id(s): s for s in found}
    return Keyring(keys, key_id(found[-1]), source)


def policy() -> str:
    value = os.environ.get(POLICY_ENV, "auto").strip().lower() or "auto"
    if value not in POLICIES:
        raise KeyError_("policy", value)
    return value


def required(dialect: str) -> bool:
    """Must new events be keyed on this back end (no key: refuse to write)?"""
    p = policy()
    return p == "on" or (p == "auto" and dialect == "postgresql")


def writing_keyring(dialect: str) -> Keyring:
    """The ring new events are signed with; KeyError_("missing") when one is required."""
    if policy() == "off":
        return Keyring()
    ring = load_keyring()
    if not ring and required(dialect):
        raise KeyError_("missing", "PostgreSQL" if dialect == "postgresql" else POLICY_ENV)
    return ring


__all__ = ["Keyring", "chain_keys", "load_keyring"]


def chain_keys(dialect: str, head_mac: str) -> tuple[Keyring, tuple[str | None, str] | None]:
    """The ring to sign new events with, and the rotation to record first (old, new id).

    The first keyed event needs no rotation event (its ``mac`` names the key);
    a history once keyed refuses unkeyed events unless the policy is ``off``.
    """
    ring = writing_keyring(dialect)
    head_kid = head_mac.partition(":")[0] if head_mac else None
    if not ring:
        if head_kid and policy() != "off":
            raise KeyError_("keyed_history")
        return ring, None
    assert ring.current is not None
    if head_kid and head_kid != ring.current:
        return ring, (head_kid, ring.current)
    return ring, None


def new_secret() -> str:
    return secrets.token_hex(32)


def append_secret(path: Path, secret: str) -> None:
    """Add a key line to a key file (created private: 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (secret + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
