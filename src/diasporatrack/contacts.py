"""Who a reminder goes to: an owner's contact, and whether mail can be sent to it.

Kept apart from the reminders so ``validate`` can check addresses without
loading the reminder machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .tracker import Tracker


MAX_ADDRESS = 254  # the longest address SMTP can carry (RFC 5321)


def contact_of(tracker: Tracker, owner_id: str) -> str | None:
    """An owner's e-mail, else the nearest parent's (an expert group's organisation)."""
    seen = set()
    current = tracker.owners.get(owner_id)
    while current is not None and current.id not in seen:
        if current.email:
            return current.email
        seen.add(current.id)
        current = tracker.owners.get(current.parent) if current.parent else None
    return None


def contact_problem(address: str) -> str | None:
    """Why no mail can be sent to ``address``, or None when it is one plain ``name@domain``.

    The standard library's parser decides (the one that writes the ``To:``
    header); an address it reads differently from how it is written (a
    display name, a comment, spaces) is refused too, so what is checked is
    what would be sent to.
    """
    from email.errors import HeaderParseError
    from email.headerregistry import Address
    from email.utils import parseaddr

    def parse(text: str) -> str:
        return Address(addr_spec=text).addr_spec

    shown = _bounded(address)
    if len(address) > MAX_ADDRESS:
        return f"{shown} is not an e-mail address (longer than {MAX_ADDRESS} characters)"
    try:
        if parse(address) == address:
            return None
    except IndexError:  # the parser's way of saying it ran out of text ("", "name@")
        reason = "no domain after the @"
    except AttributeError:  # the parser's own slip on some broken domains ("0@[", Python 3.11)
        reason = "its domain cannot be read"
    except (ValueError, HeaderParseError) as err:
        reason = _bounded(" ".join(str(err).split()), quote=False)
    else:
        reason = "spaces or a comment around it"
    if "," in address or ";" in address:
        return f"{shown} is not one e-mail address (an owner has one contact; give a group address)"
    bare = parseaddr(address)[1]  # "Name <name@domain>": say which part to keep
    try:
        if bare and bare != address and parse(bare) == bare:
            return f"{shown} is not a plain e-mail address (write only {bare!r})"
    except (ValueError, IndexError, AttributeError, HeaderParseError):
        pass
    return f"{shown} is not an e-mail address ({reason})"


def _bounded(value: str, limit: int = 80, *, quote: bool = True) -> str:
    # Messages show at most ``limit`` characters of a value, however long it is,
    # with control characters escaped, never raw (they would reach the terminal).
    text = repr(value[:limit]) if quote else "".join(c if c.isprintable() else repr(c)[1:-1] for c in value)
    if len(text) > limit or len(value) > limit:
        return text[:limit] + "..."
    return text
