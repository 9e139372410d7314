"""Sessions, CSRF tokens, sign-in limits and who may do what.

A session is a signed cookie (itsdangerous) holding the account name, the
session generation it was issued under (see :mod:`.users`) and the CSRF
token every form of that session carries. Nothing else is kept on the
server, so a restart signs nobody out, and a change of the accounts file
(an account removed, a role changed, a sign-out) ends sessions on the next
request. The cookie is HttpOnly and SameSite=Strict, and Secure whenever the
page was asked for over HTTPS (directly, or through a trusted proxy).
"""

from __future__ import annotations

import collections
import hmac
import secrets
import threading
import time
from collections.abc import Iterable
from typing import Any

import attrs

from .users import User, Users

COOKIE = "diasporatrack_session"
MAX_AGE = 12 * 3600  # seconds: a working day; then sign in again
SALT = "diasporatrack-session"


@attrs.define
class Session:
    """The session of one request: the signed-in account (or None) and the CSRF token of its forms."""

    user: User | None
    csrf: str
    issued: int
    dirty: bool = False  # the cookie must be (re)sent with the response


class Sessions:
    """Reads and writes session cookies signed with the accounts file's key."""

    def __init__(self, users: Users, max_age: int = MAX_AGE) -> None:
        from itsdangerous import URLSafeTimedSerializer

        self.users = users
        self.max_age = max_age
        self._serializer = URLSafeTimedSerializer(users.secret(), salt=SALT)

    def load(self, cookie: str | None) -> Session:
        """The session a cookie names; a fresh anonymous one for no cookie, a forged, old or ended one."""
        from itsdangerous import BadSignature

        if cookie:
            try:
                data = self._serializer.loads(cookie, max_age=self.max_age)
            except BadSignature:  # also: expired
                data = None
            if isinstance(data, dict) and isinstance(data.get("c"), str) and isinstance(data.get("t"), int):
                name = data.get("u")
                if name is None:
                    return Session(None, data["c"], data["t"])
                user = self.users.get(name) if isinstance(name, str) else None
                if user is not None and user.generation == data.get("g"):
                    return Session(user, data["c"], data["t"])
        return Session(None, secrets.token_urlsafe(24), int(time.time()), dirty=True)

    def dump(self, session: Session) -> str:
        data: dict[str, Any] = {"c": session.csrf, "t": session.issued, "u": None}
        if session.user is not None:
            data.update(u=session.user.name, g=session.user.generation)
        return self._serializer.dumps(data)

    def sign_in(self, session: Session, user: User) -> None:
        """Start a signed-in session: a new CSRF token, so one seen before signing in is worth nothing."""
        session.user, session.csrf, session.issued, session.dirty = user, secrets.token_urlsafe(24), int(
            time.time()), True

    def sign_out(self, session: Session) -> None:
        """End this account's sessions everywhere (the cookie alone could be copied) and go anonymous."""
        if session.user is not None:
            self.users.end_sessions(session.user.name)
        session.user, session.csrf, session.issued, session.dirty = None, secrets.token_urlsafe(24), int(
            time.time()), True


def csrf_ok(session: Session, given: Any) -> bool:
    """Whether a form's token is its session's (compared in constant time)."""
    return isinstance(given, str) and bool(given) and hmac.compare_digest(given.encode(), session.csrf.encode())


class Limiter:
    """Failed sign-ins per key (an account, an address) within a window; too many lock the key out."""

    def __init__(self, limit: int, window: float = 900.0, clock=time.monotonic) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, collections.deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> collections.deque[float]:
        now = self.clock()
        found = self._failures.setdefault(key, collections.deque())
        while found and now - found[0] > self.window:
            found.popleft()
        return found

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 if it may now."""
        with self._lock:
            found = self._recent(key)
            if len(found) < self.limit:
                return 0
            return max(1, int(self.window - (self.clock() - found[0])) + 1)

    def fail(self, key: str) -> None:
        with self._lock:
            self._recent(key).append(self.clock())
            if len(self._failures) > 100_000:  # keys of addresses that went quiet: forget them
                for stale in [k for k, v in self._failures.items() if not v]:
                    del self._failures[stale]

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


# --- who may do what -------------------------------------------------------------------


def sees_private(user: User | None) -> bool:
    """Members and above see notes, contacts and drafts; a viewer sees what the public site shows."""
    return user is not None and user.at_least("member")


def acting_owners(user: User, tracker: Any) -> set[str]:
    """The owners a member acts for: their own and every owner under them (expert groups)."""
    found: set[str] = set()
    for owner in user.owners:
        if owner in tracker.owners:
            found |= tracker.owner_and_descendants(owner)
    return found


def may_act(user: User | None, owners: Iterable[str], tracker: Any) -> bool:
    """Whether ``user`` may change something held by ``owners``: coordinators anything, members their own."""
    if user is None or not user.at_least("member"):
        return False
    if user.at_least("coordinator"):
        return True
    return bool(acting_owners(user, tracker) & set(owners))


def done_for(user: User, owners: Iterable[str], tracker: Any) -> str | None:
    """The owner a change is done for: the user's owner that holds (or is above one that holds) it."""
    owners = set(owners)
    for owner in user.owners:
        if owner in tracker.owners and tracker.owner_and_descendants(owner) & owners:
            return owner
    return next((o for o in user.owners if o in tracker.owners), None) if user.at_least("coordinator") else None
