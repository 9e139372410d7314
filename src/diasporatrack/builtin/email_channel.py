"""``email``: one digest per owner contact, over SMTP.

Host, port, sender and security (``none``, ``starttls``, ``ssl``) come from
``reminders: email:`` in ``diasporatrack.yaml``; the user name and password
only from ``DIASPORATRACK_SMTP_USER`` and ``DIASPORATRACK_SMTP_PASSWORD``.
Each digest has a plain-text and an HTML part. Headers are built with the
standard library's ``email`` package, which refuses line breaks in them, so
a title or an owner name cannot inject a header. An address that package
cannot read fails only the digest it belongs to.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from html import escape

from ..contacts import contact_problem
from ..errors import InputError
from ..hookspecs import hookimpl
from ..protocols import Context
from ..reminders import Delivery, Reminder

SECURITY = ("none", "starttls", "ssl")
USER_ENV = "DIASPORATRACK_SMTP_USER"
PASSWORD_ENV = "DIASPORATRACK_SMTP_PASSWORD"


def smtp_settings(settings: dict) -> dict:
    email = settings.get("email")
    if not isinstance(email, dict) or not email.get("host") or not email.get("sender"):
        raise InputError("the email channel needs reminders: email: {host: ..., sender: ...} in diasporatrack.yaml")
    security = email.get("security", "starttls")
    if security not in SECURITY:
        raise InputError(f"diasporatrack.yaml: reminders.email.security must be one of {', '.join(SECURITY)}, "
                         f"not {security!r}")
    default_port = {"none": 25, "starttls": 587, "ssl": 465}[security]
    port = email.get("port", default_port)
    if isinstance(port, bool) or not isinstance(port, int):
        raise InputError(f"diasporatrack.yaml: reminders.email.port must be a number, not {port!r}")
    unknown = set(email) - {"host", "port", "sender", "security", "base_url"}
    if unknown:
        raise InputError(f"diasporatrack.yaml: reminders.email: unknown setting {sorted(unknown)[0]!r}")
    problem = contact_problem(str(email["sender"]))
    if problem is not None:
        raise InputError(f"diasporatrack.yaml: reminders.email.sender: {problem}")
    link_base = None
    if email.get("base_url") is not None:
        from ..settings import base_url

        try:
            link_base = base_url(email["base_url"])
        except ValueError as err:
            raise InputError(f"diasporatrack.yaml: reminders.email.base_url: {err}") from None
    return {"host": str(email["host"]), "port": port, "sender": str(email["sender"]), "security": security,
            "base_url": link_base}


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def page_of(base_url: str | None, rec_id: str) -> str | None:
    """The address of a recommendation's page in the web app (``serve``), when its address is set."""
    if not base_url:
        return None
    from ..publish.site import page_name

    return f"{base_url}r/{page_name(rec_id)}.html"


def build_digest(contact: str, reminders: Sequence[Reminder], sender: str, today,
                 base_url: str | None = None) -> "EmailMessage":  # noqa: F821
    """One owner contact's digest; with ``base_url`` (the web app's address), each item links to its page."""
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.utils import format_datetime, make_msgid
    import datetime as dt

    names = sorted({r.owner_name or r.owner or "" for r in reminders})
    message = EmailMessage()
    count = len({r.recommendation for r in reminders})
    verb = "needs" if count == 1 else "need"
    message["Subject"] = _one_line(f"{count} recommendation{'s' * (count != 1)} {verb} attention: {', '.join(names)}")
    message["From"] = sender
    display = _one_line(names[0]) if len(names) == 1 else ""
    message["To"] = Address(display_name=display, addr_spec=contact)
    message["Date"] = format_datetime(dt.datetime.now(dt.timezone.utc))
    message["Message-ID"] = make_msgid(domain="diasporatrack")
    lines = [f"Reminders for {', '.join(names)} on {today}:", ""]
    for r in reminders:
        lines += [f"* {r.recommendation}: {_one_line(r.title)}", f"  {r.reason} (since {r.since})"]
        if base_url:
            lines.append(f"  Report on it: {page_of(base_url, r.recommendation)}")
        lines.append("")
    lines.append("Sent by diasporatrack." + (" Each page above takes your report." if base_url else
                                             " Update a recommendation with: diasporatrack update ID --status S "
                                             "--note ..."))
    message.set_content("\n".join(lines))
    items = "".join(
        f"<li><strong>{escape(r.recommendation)}</strong>: {escape(_one_line(r.title))}<br>"
        f"{escape(r.reason)} (since {escape(str(r.since))})"
        + (f'<br><a href="{escape(page_of(base_url, r.recommendation))}">Report on it</a>' if base_url else "")
        + "</li>" for r in reminders
    )
    message.add_alternative(
        f"<!DOCTYPE html><html><body><p>Reminders for {escape(', '.join(names))} on {escape(str(today))}:</p>"
        f"<ul>{items}</ul><p>Sent by diasporatrack.</p></body></html>", subtype="html")
    return message


class EmailChannel:
    name = "email"
    description = "One SMTP digest per owner contact (plain text and HTML)"
    records = True

    def deliver(self, reminders: Sequence[Reminder], context: Context,
                dry_run: bool = False) -> Iterator[Delivery]:
        """Send one digest per contact; with ``dry_run``, print them instead and send nothing.

        A generator: each digest's deliveries are yielded as soon as the
        server has accepted it, so they are recorded before the next one goes.
        """
        if dry_run and not isinstance(context.settings.get("email"), dict):
            # A preview before the server is set up: show the messages, with a placeholder sender.
            config = {"host": "(not set)", "port": 0, "sender": "diasporatrack@localhost", "security": "none"}
        else:
            config = smtp_settings(context.settings)
        digests: dict[str, list[Reminder]] = {}
        for reminder in reminders:
            if reminder.owner is None:
                yield Delivery(reminder=reminder, ok=False, skipped=True,
                               error=f"{reminder.recommendation}: nobody owns it, so nobody to e-mail")
            elif reminder.contact is None:
                yield Delivery(reminder=reminder, ok=False, skipped=True,
                               error=f"owner {reminder.owner!r} has no email in owners.yaml (nor does any owner "
                                     f"above it); {reminder.recommendation} not e-mailed")
            else:
                digests.setdefault(reminder.contact, []).append(reminder)
        messages = {}
        for contact, items in digests.items():
            # One bad address fails its own digest; everyone else's still goes out.
            problem = contact_problem(contact)
            if problem is None:
                try:
                    messages[contact] = build_digest(contact, items, config["sender"], context.today,
                                                     config.get("base_url"))
                except (ValueError, TypeError) as err:
                    problem = f"the digest to {contact!r} cannot be written: {_one_line(str(err))}"
            if problem is not None:
                owners = sorted({repr(r.owner) for r in items})
                reason = (f"digest for owner{'s' * (len(owners) > 1)} {', '.join(owners)} not sent: "
                          f"email: {problem}; fix it in owners.yaml")
                yield from (Delivery(reminder=r, ok=False, error=reason) for r in items)
        if not messages:
            return
        if dry_run:
            out = context.settings.get("stdout") or sys.stdout
            for contact, message in messages.items():
                print(message.as_string(), file=out)
                yield from (Delivery(reminder=r, ok=True, recipient=contact) for r in digests[contact])
            return
        import smtplib

        try:
            smtp = self._connect(config)
        except smtplib.SMTPAuthenticationError as err:
            detail = err.smtp_error.decode(errors="replace") if isinstance(err.smtp_error, bytes) else err.smtp_error
            reason = (f"SMTP server {config['host']}:{config['port']} refused the login of "
                      f"{os.environ.get(USER_ENV)!r}: {err.smtp_code} {_one_line(detail)}")
        except Exception as err:  # connection refused, TLS failure, a server that hangs up
            reason = f"cannot reach SMTP server {config['host']}:{config['port']}: {_one_line(str(err)) or type(err).__name__}"
        else:
            reason = None
        if reason is not None:
            yield from (Delivery(reminder=r, ok=False, recipient=c, error=reason)
                        for c in messages for r in digests[c])
            return
        try:
            for contact, message in messages.items():
                try:
                    smtp.send_message(message)
                except Exception as err:  # refused recipient or data: only this digest fails
                    reason = f"sending to {contact} failed: {_one_line(str(err)) or type(err).__name__}"
                    yield from (Delivery(reminder=r, ok=False, recipient=contact, error=reason)
                                for r in digests[contact])
                else:
                    yield from (Delivery(reminder=r, ok=True, recipient=contact) for r in digests[contact])
        finally:
            try:
                smtp.quit()
            except Exception:
                pass

    @staticmethod
    def _connect(config: dict):
        import smtplib
        import ssl

        if config["security"] == "ssl":
            smtp = smtplib.SMTP_SSL(config["host"], config["port"], timeout=30,
                                    context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(config["host"], config["port"], timeout=30)
            if config["security"] == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        user = os.environ.get(USER_ENV)
        if user:
            smtp.login(user, os.environ.get(PASSWORD_ENV, ""))
        return smtp


@hookimpl
def register_reminder_channels():
    return [EmailChannel()]
