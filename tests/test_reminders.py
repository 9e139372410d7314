"""Reminders against a real SMTP server on loopback (aiosmtpd) and a real calendar parser."""

from __future__ import annotations

import datetime as dt
import email
import json
import email.policy
import socket

import icalendar
import pytest
from aiosmtpd.controller import Controller
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import OWNERS_YAML, SOURCE_YAML, write
from diasporatrack import Tracker
from diasporatrack.reminders import remind

CONTACTS_YAML = OWNERS_YAML.replace(
    "    kind: organisation\n", "    kind: organisation\n    email: board@org.example\n"
).replace(
    "  - id: edu\n    name: Education Expert Group\n",
    "  - id: edu\n    name: Education Expert Group\n    email: edu@org.example\n",
)


class Inbox:
    """An aiosmtpd handler that keeps messages, or refuses them when told to."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mail_ws(ws):
    write(ws / "owners.yaml", CONTACTS_YAML)
    return ws


def configure(ws, port: int) -> None:
    write(ws / "diasporatrack.yaml",
          f"reminders:\n  email: {{host: 127.0.0.1, port: {port}, sender: tracker@org.example, security: none}}\n")


def test_console_shows_unowned_and_records_nothing(ws, cli):
    result = cli("--root", "ws", "remind", "--today", "2025-02-01")
    assert result.code == 0
    assert "Nobody (unowned): 1 reminder" in result.out
    assert "rep-forum" in result.out and "nobody owns it" in result.out
    assert not (ws / "journal.jsonl").exists()
    assert cli("--root", "ws", "remind", "--today", "2025-02-01").out == result.out


def test_rules_say_why_for_whom_and_since(ws):
    tracker = Tracker.open(ws)
    tracker.update("rep-health", due="2025-03-10")
    found = {(r.rule, r.recommendation, r.owner): r for r in remind(
        tracker, today="2025-03-01", stdout=open("/dev/null", "w")).reminders}
    due_soon = found[("due-soon", "rep-health", "org")]
    assert due_soon.reason == "due 2025-03-10 (in 9 days)" and due_soon.since == dt.date(2025, 2, 24)
    assert ("unowned", "rep-forum", None) in found
    later = {(r.rule, r.recommendation, r.owner): r for r in remind(
        tracker, today="2025-07-01", stdout=open("/dev/null", "w")).reminders}
    overdue = later[("overdue", "rep-education", "edu")]
    assert overdue.reason == "overdue: was due 2025-06-30 (1 day ago)" and overdue.since == dt.date(2025, 7, 1)
    stale = later[("stale", "rep-forum", None)]
    assert stale.reason == "nothing recorded since 2025-01-15 (167 days)" and stale.period == "2025-01-15"


def test_email_digest_per_contact_sent_once(mail_ws, smtp, cli):
    inbox, port = smtp
    configure(mail_ws, port)
    result = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
    assert result.code == 0, result.err
    by_rcpt = {m["To"].addresses[0].addr_spec: m for m in inbox.messages}
    assert set(by_rcpt) == {"board@org.example", "edu@org.example"}
    edu = by_rcpt["edu@org.example"]
    assert edu["Subject"] == "1 recommendation needs attention: Education Expert Group"
    assert edu["From"] == "tracker@org.example"
    plain = edu.get_body(("plain",)).get_content()
    html = edu.get_body(("html",)).get_content()
    assert "rep-education: Invest in education" in plain and "overdue: was due 2025-06-30" in plain
    assert "<strong>rep-education</strong>" in html
    assert "rep-health" in by_rcpt["board@org.example"].get_body(("plain",)).get_content()
    assert "nobody owns it, so nobody to e-mail" in result.err  # rep-forum: reported, not silently skipped
    # A second run the same day sends nothing new.
    again = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
    assert again.code == 0 and len(inbox.messages) == 2
    history = Tracker.open(mail_ws).history("rep-education")
    assert [(e.kind, e.data["rule"]) for e in history] == [("reminded", "overdue"), ("reminded", "stale")]
    assert history[0].data["recipient"] == "edu@org.example"


def test_owner_without_contact_is_reported(ws, smtp, cli):
    inbox, port = smtp
    configure(ws, port)
    result = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
    assert result.code == 0
    assert "owner 'edu' has no email in owners.yaml (nor does any owner above it); rep-education not e-mailed" in result.err
    assert inbox.messages == []


def test_server_down_gives_exit_1_and_records_nothing(mail_ws, cli):
    configure(mail_ws, free_port())
    result = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if line.startswith("diasporatrack: error:")]
    assert len(errors) == 1  # one line per cause, naming every reminder it held back
    assert errors[0].startswith("diasporatrack: error: cannot reach SMTP server 127.0.0.1")
    assert errors[0].endswith("[not delivered: rep-education (overdue), rep-education (stale), rep-health (stale)]")
    assert not (mail_ws / "journal.jsonl").exists() or (mail_ws / "journal.jsonl").read_text() == ""


def test_refused_recipient_fails_only_that_digest_and_is_retried(mail_ws, smtp, cli):
    inbox, port = smtp
    configure(mail_ws, port)
    inbox.refuse.add("edu@org.example")
    result = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
    assert result.code == 1
    assert "sending to edu@org.example failed" in result.err
    assert [m["To"].addresses[0].addr_spec for m in inbox.messages] == ["board@org.example"]
    inbox.refuse.clear()
    retry = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
    assert retry.code == 0
    assert [m["To"].addresses[0].addr_spec for m in inbox.messages] == ["board@org.example", "edu@org.example"]


def test_dry_run_prints_and_records_nothing(mail_ws, smtp, cli):
    inbox, port = smtp
    configure(mail_ws, port)
    result = cli("--root", "ws", "remind", "--channel", "email", "--dry-run", "--today", "2025-07-02")
    assert result.code == 0
    assert "Subject: 1 recommendation needs attention: Education Expert Group" in result.out
    assert inbox.messages == []
    assert not (mail_ws / "journal.jsonl").exists() or (mail_ws / "journal.jsonl").read_text() == ""


def test_header_injection_through_names_is_impossible(mail_ws, smtp, cli):
    inbox, port = smtp
    configure(mail_ws, port)
    owners = (mail_ws / "owners.yaml").read_text().replace(
        "name: Education Expert Group", 'name: "Edu\\nBcc: victim@evil.example"')  # "\\r" is refused on reading
    (mail_ws / "owners.yaml").write_text(owners)
    result = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
    assert result.code == 0, result.err
    for message in inbox.messages:
        assert message["Bcc"] is None
        assert "victim@evil.example" not in str(message["To"]) or "\n" not in str(message["To"])


def test_calendar_channel_read_back(mail_ws, cli, tmp_path):
    path = tmp_path / "reminders.ics"
    result = cli("--root", "ws", "remind", "--channel", "calendar", "--calendar-file", str(path),
                 "--today", "2025-07-02")
    assert result.code == 0
    events = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    summaries = sorted(str(e["summary"]) for e in events)
    assert summaries == ["[overdue] Invest in education", "[stale] Create a forum", "[stale] Form a healthcare group",
                         "[stale] Invest in education", "[unowned] Create a forum"]
    assert all(e.decoded("dtstart") == dt.date(2025, 7, 2) for e in events)
    # Next week: the overdue reminder comes again, the others were sent; old entries stay.
    cli("--root", "ws", "remind", "--channel", "calendar", "--calendar-file", str(path), "--today", "2025-07-09")
    events = icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT")
    assert len(events) == 6


def test_unknown_channel_sends_nothing(mail_ws, smtp, cli):
    inbox, port = smtp
    configure(mail_ws, port)
    result = cli("--root", "ws", "remind", "--channel", "email", "--channel", "pigeon")
    assert result.code == 2 and "unknown reminder channel 'pigeon'" in result.err
    assert inbox.messages == []


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days=st.lists(st.integers(0, 400), min_size=1, max_size=6),
    due_offsets=st.lists(st.one_of(st.none(), st.integers(-30, 200)), min_size=3, max_size=3),
)
def test_no_reminder_is_ever_sent_twice(tmp_path_factory, days, due_offsets):
    root = tmp_path_factory.mktemp("remind")
    write(root / "owners.yaml", CONTACTS_YAML)
    write(root / "report.yaml", SOURCE_YAML.replace("    due: 2025-06-30\n", ""))
    (root / "diasporatrack.yaml").write_text(f"reminders: {{calendar_file: {root / 'r.ics'}}}\n")
    tracker = Tracker.open(root)
    start = dt.date(2025, 1, 1)
    for rec, offset in zip(("rep-health", "rep-education", "rep-forum"), due_offsets):
        if offset is not None:
            tracker.update(rec, due=start + dt.timedelta(days=offset))
    sent: list[str] = []
    for day in sorted(days) + sorted(days):  # every day twice, in order
        result = remind(Tracker.open(root), channels=["calendar"], today=start + dt.timedelta(days=day))
        sent += [d.reminder.key for d in result.deliveries["calendar"] if d.ok]
    assert len(sent) == len(set(sent))
    recorded = [e.data["key"] for r in Tracker.open(root) for e in r.history if e.kind == "reminded"]
    assert sorted(recorded) == sorted(sent)


@pytest.fixture
def tls(tmp_path, monkeypatch):
    """A certificate authority the test trusts, and a certificate for 127.0.0.1."""
    import ssl

    import trustme

    ca = trustme.CA()
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # what ssl.create_default_context() trusts
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    return server


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_email_over_tls_with_login_from_the_environment(mail_ws, cli, tls, monkeypatch, security):
    from aiosmtpd.smtp import AuthResult, LoginPassword

    inbox = Inbox()
    logins = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"amina", b"s3cret")
        logins.append(ok)
        return AuthResult(success=ok)

    port = free_port()
    # With implicit TLS (ssl) aiosmtpd does not see the session as TLS; it is, from the first byte.
    options = dict(hostname="127.0.0.1", port=port, authenticator=authenticate,
                   auth_require_tls=security == "starttls")
    if security == "ssl":
        controller = Controller(inbox, ssl_context=tls, **options)
    else:
        controller = Controller(inbox, tls_context=tls, require_starttls=True, **options)
    controller.start()
    try:
        write(mail_ws / "diasporatrack.yaml",
              f"reminders:\n  email: {{host: 127.0.0.1, port: {port}, sender: t@org.example, security: {security}}}\n")
        monkeypatch.setenv("DIASPORATRACK_SMTP_USER", "amina")
        monkeypatch.setenv("DIASPORATRACK_SMTP_PASSWORD", "s3cret")
        result = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
        assert result.code == 0, result.err
        assert len(inbox.messages) == 2 and logins == [True]
        assert all(m["From"] == "t@org.example" for m in inbox.messages)
    finally:
        controller.stop()


def test_email_dry_run_works_before_the_server_is_set_up(mail_ws, cli):
    result = cli("--root", "ws", "remind", "--channel", "email", "--dry-run", "--today", "2025-07-02")
    assert result.code == 0, result.err
    assert "From: diasporatrack@localhost" in result.out and "To: Education Expert Group <edu@org.example>" in result.out
    assert "email: would deliver" in result.err


def test_remind_as_json_for_scripts(ws, cli):
    result = cli("--root", "ws", "remind", "--format", "json", "--today", "2025-07-02")
    assert result.code == 0
    found = {(r["rule"], r["recommendation"], r["owner"]) for r in json.loads(result.out)}
    assert ("overdue", "rep-education", "edu") in found and ("unowned", "rep-forum", None) in found
    assert not (ws / "journal.jsonl").exists()
