"""The accounts of the web app: a JSON file outside the workspace, never in git.

The file (``$XDG_CONFIG_HOME/diasporatrack/users.json`` unless ``--users``
names another) holds each account's role, the owners it acts for, an Argon2
hash of its password and a *session generation*: every session cookie
carries the generation it was issued under, and a request whose cookie
carries an older one is signed out. Removing an account, changing its role
or owners, or signing it out bumps the generation, so those changes end its
sessions at once, on every device. The file also holds the key that signs
the cookies, so sessions outlive a restart of the server.

Writes take a lock beside the file and replace it atomically with mode 0600:
the CLI and a running server may both change it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from ..errors import InputError

ROLES = ("viewer", "member", "coordinator", "admin")
FILE_NAME = "users.json"
FORMAT = 1
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
MIN_PASSWORD = 10  # characters: long enough that the sign-in limits make guessing hopeless
MAX_PASSWORD = 1024  # Argon2 hashes anything, but nobody types more; a bound keeps a request cheap
# argon2-cffi's parameters for new hashes (None: its default, RFC 9106's low-memory profile). Tests use the
# cheapest profile; a verification always uses the parameters stored in the hash itself.
PARAMETERS: Any = None


def default_path() -> Path:
    """Where the accounts live unless ``--users`` says otherwise: the user's config folder."""
    from ..trust import config_dir

    return config_dir() / FILE_NAME


@attrs.frozen(kw_only=True)
class User:
    """One account: ``owners`` are the owner ids a member acts for (coordinators may have one too)."""

    name: str
    role: str = attrs.field(validator=attrs.validators.in_(ROLES))
    owners: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    password_hash: str = attrs.field(default="", repr=False)
    generation: int = 0
    created: str = ""

    def at_least(self, role: str) -> bool:
        """Whether this account's role is ``role`` or a higher one."""
        return ROLES.index(self.role) >= ROLES.index(role)

    def to_json(self) -> dict[str, Any]:
        return {"role": self.role, "owners": list(self.owners), "password": self.password_hash,
                "generation": self.generation, "created": self.created}


def _hasher():
    try:
        from argon2 import PasswordHasher
    except ImportError:
        from . import missing_extra

        raise missing_extra("argon2-cffi") from None
    return PasswordHasher.from_parameters(PARAMETERS) if PARAMETERS is not None else PasswordHasher()


def hash_password(password: str) -> str:
    """An Argon2id hash of a password that meets the length rules."""
    if len(password) < MIN_PASSWORD:
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InputError(f"a password may have at most {MAX_PASSWORD} characters")
    return _hasher().hash(password)


# A hash of nothing anyone can type: an unknown account name costs as much time as a known one.
_DUMMY: list[str] = []


def verify_password(user: User | None, password: str) -> bool:
    """Whether ``password`` is ``user``'s; the same work is done when there is no such user."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    if len(password) > MAX_PASSWORD:
        return False
    if user is None or not user.password_hash:
        if not _DUMMY:
            _DUMMY.append(hasher.hash(secrets.token_hex(16)))
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(_DUMMY[0], password)
        return False
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


class Users:
    """The accounts file: read it with :meth:`read`, change it with :meth:`change` (locked, atomic)."""

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self._seen: tuple[Any, dict[str, Any]] | None = None

    # --- reading ----------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        """The file's content, read again only when it changed (a server asks on every request)."""
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {"format": FORMAT, "secret": None, "users": {}}
        key = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        if self._seen is not None and self._seen[0] == key:
            return self._seen[1]
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise InputError(f"{self.path}: not a users file this program wrote ({err})") from None
        if not isinstance(data, dict) or not isinstance(data.get("users"), dict):
            raise InputError(f"{self.path}: not a users file this program wrote (no users)")
        self._seen = (key, data)
        return data

    def all(self) -> list[User]:
        """Every account, by name."""
        return [self._user(name, raw) for name, raw in sorted(self._load()["users"].items())]

    def get(self, name: str) -> User | None:
        raw = self._load()["users"].get(name)
        return self._user(name, raw) if isinstance(raw, dict) else None

    def __len__(self) -> int:
        return len(self._load()["users"])

    def _user(self, name: str, raw: dict[str, Any]) -> User:
        try:
            return User(name=name, role=raw["role"], owners=tuple(raw.get("owners") or ()),
                        password_hash=raw.get("password", ""), generation=int(raw.get("generation", 0)),
                        created=str(raw.get("created", "")))
        except (KeyError, TypeError, ValueError) as err:
            raise InputError(f"{self.path}: account {name!r} is damaged ({err})") from None

    def secret(self) -> str:
        """The key that signs session cookies, made (and stored) the first time it is needed."""
        found = self._load().get("secret")
        if isinstance(found, str) and len(found) >= 32:
            return found
        with self.change() as data:
            if not (isinstance(data.get("secret"), str) and len(data["secret"]) >= 32):
                data["secret"] = secrets.token_urlsafe(32)
            return data["secret"]

    # --- changing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def change(self) -> Iterator[dict[str, Any]]:
        """The file's content to change in place; written atomically (mode 0600) when the block ends."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._seen = None
            data = json.loads(json.dumps(self._load()))  # a copy: a failed change leaves the cache as it was
            data.setdefault("format", FORMAT)
            if not data.get("secret"):
                data["secret"] = secrets.token_urlsafe(32)
            yield data
            self._write(data)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _write(self, data: dict[str, Any]) -> None:
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".users-", suffix=".tmp", dir=self.path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        os.chmod(self.path, 0o600)
        self._seen = None

    def add(self, name: str, role: str, password: str, owners: Iterable[str] = ()) -> User:
        """A new account; its name must be new and its role one of :data:`ROLES`."""
        check_name(name)
        check_role(role)
        owners = tuple(dict.fromkeys(owners))
        if role == "member" and not owners:
            raise InputError("a member acts for one or more owners: give --owner ID (repeatable)")
        hashed = hash_password(password)
        with self.change() as data:
            if name in data["users"]:
                raise InputError(f"there already is an account {name!r} (user set-role changes it)")
            data["users"][name] = User(name=name, role=role, owners=owners, password_hash=hashed,
                                       created=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
                                       ).to_json()
        return self.get(name)  # type: ignore[return-value]

    def remove(self, name: str) -> None:
        """Remove an account: its sessions end with it."""
        with self.change() as data:
            if data["users"].pop(name, None) is None:
                raise InputError(f"no account {name!r}")

    def set_role(self, name: str, role: str, owners: Iterable[str] | None = None) -> User:
        """Change an account's role (and owners, when given); its sessions end."""
        check_role(role)
        with self.change() as data:
            raw = data["users"].get(name)
            if raw is None:
                raise InputError(f"no account {name!r}")
            new_owners = list(dict.fromkeys(owners)) if owners is not None else list(raw.get("owners") or ())
            if role == "member" and not new_owners:
                raise InputError("a member acts for one or more owners: give --owner ID (repeatable)")
            raw.update(role=role, owners=new_owners, generation=int(raw.get("generation", 0)) + 1)
        return self.get(name)  # type: ignore[return-value]

    def end_sessions(self, name: str) -> None:
        """Sign an account out everywhere (what signing out does)."""
        with self.change() as data:
            raw = data["users"].get(name)
            if raw is not None:
                raw["generation"] = int(raw.get("generation", 0)) + 1


def check_name(name: str) -> None:
    if not NAME.fullmatch(name):
        raise InputError(f"{name!r} is not an account name: letters, digits and . _ @ - (at most 64), "
                         "beginning with a letter or digit")


def check_role(role: str) -> None:
    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
