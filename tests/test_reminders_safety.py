"""Reminders under stress: concurrent runs, a bad address, plugin channels and --dry-run, plugin rules.

Real SMTP on loopback (aiosmtpd) and, for the race, real processes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import SOURCE_YAML, trust, write
from diasporatrack import Delivery, LockTimeout, Reminder, Tracker, hookimpl
from diasporatrack.plugins import PluginError
from diasporatrack import reminders as reminders_module
from diasporatrack.contacts import contact_problem
from diasporatrack.reminders import remind
from test_reminders import CONTACTS_YAML, Inbox, configure, free_port, mail_ws, smtp  # noqa: F401 (fixtures)


def plugin(**hooks) -> types.SimpleNamespace:
    """A plugin object whose hooks are the given functions, marked @hookimpl."""
    namespace = types.SimpleNamespace(**{name: hookimpl(fn) for name, fn in hooks.items()})
    namespace.__name__ = "test-plugin"
    return namespace


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under the workspace."""
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def recipients(inbox: Inbox) -> list[str]:
    return sorted(m["To"].addresses[0].addr_spec for m in inbox.messages)


def reminded(root: Path) -> list[dict]:
    path = root / "journal.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return [e for e in map(json.loads, lines) if e["kind"] == "reminded"]


# --- two runs at once ------------------------------------------------------------------------


class GatedInbox(Inbox):
    """Holds every message in DATA until the test opens the gate: a session as long as the test needs."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()
        self.gate = threading.Event()
        self.free = 0  # how many messages pass before the gate

    async def handle_DATA(self, server, session, envelope):
        self.arrived.set()
        while len(self.messages) >= self.free and not self.gate.is_set():
            await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def gated_smtp():
    inbox = GatedInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        inbox.gate.set()
        controller.stop()


def start_remind(tmp_path: Path, name: str, *args: str) -> tuple[subprocess.Popen, Path]:
    # The hermetic settings of conftest (no installed plugins, private config) are inherited.
    env = {k: v for k, v in os.environ.items() if k != "DIASPORATRACK_ROOT"}
    env.update(DIASPORATRACK_CACHE_DIR=str(tmp_path / f"cache-{name}"), DIASPORATRACK_USER=name)
    err = tmp_path / f"{name}.err"
    proc = subprocess.Popen(
        [sys.executable, "-m", "diasporatrack", "--root", "ws", "remind", "--channel", "email",
         "--today", "2025-07-02", *args],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=err.open("w"))
    return proc, err


def wait_for(predicate, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_two_runs_at_once_send_each_digest_exactly_once(mail_ws, gated_smtp, tmp_path):
    inbox, port = gated_smtp
    configure(mail_ws, port)
    # The first run (one owner only) is stopped in the middle of its SMTP session...
    first, first_err = start_remind(tmp_path, "first", "--owner", "edu")
    assert inbox.arrived.wait(30), first_err.read_text()
    # ...while a second run for everybody starts, reads the journal, and must wait.
    second, second_err = start_remind(tmp_path, "second")
    waiting = wait_for(lambda: "another remind run is active" in second_err.read_text())
    inbox.gate.set()
    assert first.wait(60) == 0, first_err.read_text()
    assert second.wait(60) == 0, second_err.read_text()
    assert waiting, second_err.read_text()
    assert second_err.read_text().splitlines()[0] == (
        "diasporatrack: another remind run is active (it holds ws/.remind.lock); waiting up to 60 s for it to finish")
    # Each digest once: the second run sent only what the first had not.
    assert recipients(inbox) == ["board@org.example", "edu@org.example"]
    assert "email: delivered 2 reminders" in first_err.read_text()
    assert "email: delivered 1 reminder" in second_err.read_text()
    keys = [e["data"]["key"] for e in reminded(mail_ws)]
    assert len(keys) == len(set(keys)) == 3


def test_each_digest_is_recorded_before_the_next_is_sent(mail_ws, gated_smtp, tmp_path):
    # A run killed between two digests must not send the first one again next time.
    inbox, port = gated_smtp
    inbox.free = 1  # the first message goes through; the second waits at the gate
    configure(mail_ws, port)
    run, err = start_remind(tmp_path, "run")
    recorded_first = wait_for(lambda: len(inbox.messages) == 1 and {
        e["data"]["recipient"] for e in reminded(mail_ws)} == {recipients(inbox)[0]})
    inbox.gate.set()
    assert run.wait(60) == 0, err.read_text()
    assert recorded_first, (recipients(inbox), reminded(mail_ws))
    assert len(reminded(mail_ws)) == 3 and recipients(inbox) == ["board@org.example", "edu@org.example"]


def test_a_channel_that_fails_half_way_keeps_what_it_delivered(ws):
    class HalfWay:
        name = "halfway"
        description = "Delivers two, then breaks"

        def deliver(self, reminders, context, dry_run=False):
            for reminder in reminders[:2]:
                yield Delivery(reminder=reminder, ok=True, recipient="somewhere")
            raise ConnectionError("the line went dead")

    tracker = Tracker.open(ws, plugins=[plugin(register_reminder_channels=lambda: [HalfWay()])])
    with pytest.raises(PluginError, match="failed in reminder channel 'halfway': ConnectionError: the line went dead"):
        remind(tracker, channels=["halfway"], today="2025-07-02")
    assert len(reminded(ws)) == 2  # delivered before the failure: recorded, so not sent again
    # A list is checked whole before anything is recorded.
    class Mixed(HalfWay):
        name = "mixed"

        def deliver(self, reminders, context, dry_run=False):
            return [Delivery(reminder=reminders[0], ok=True), "junk"]

    tracker = Tracker.open(ws, plugins=[plugin(register_reminder_channels=lambda: [Mixed()])])
    with pytest.raises(PluginError, match="returned str from reminder channel 'mixed'"):
        remind(tracker, channels=["mixed"], today="2025-07-02")
    assert len(reminded(ws)) == 2


def test_a_run_that_cannot_get_the_lock_gives_up_cleanly(mail_ws, smtp, cli, monkeypatch):
    inbox, port = smtp
    configure(mail_ws, port)
    monkeypatch.setattr(reminders_module, "LOCK_TIMEOUT", 0.3)
    with open(mail_ws / ".remind.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another run, as far as this one can tell
        before = snapshot(mail_ws)
        started = time.monotonic()
        result = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
        waited = time.monotonic() - started
    assert (result.code, result.out) == (2, "")
    assert result.err.splitlines() == [
        "diasporatrack: another remind run is active (it holds ws/.remind.lock); waiting up to 0.3 s for it to finish",
        "diasporatrack: error: another remind run still holds ws/.remind.lock after 0.3 s; nothing was sent "
        "(run again when it has finished)",
    ]
    assert waited >= 0.3
    assert snapshot(mail_ws) == before and inbox.messages == []
    # Released: the next run sends, and the console (which records nothing) never waited for a lock.
    assert cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02").code == 0
    assert recipients(inbox) == ["board@org.example", "edu@org.example"]


def test_the_library_raises_lock_timeout(mail_ws, smtp):
    configure(mail_ws, smtp[1])
    told = []
    with open(mail_ws / ".remind.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(LockTimeout, match="still holds"):
            remind(Tracker.open(mail_ws), channels=["email"], today="2025-07-02", lock_timeout=0, on_wait=told.append)
        # Showing never takes the lock, nor does a dry run.
        quiet = open(os.devnull, "w")
        assert remind(Tracker.open(mail_ws), channels=["console"], today="2025-07-02", stdout=quiet).reminders
        remind(Tracker.open(mail_ws), channels=["email"], today="2025-07-02", dry_run=True, stdout=quiet)
    assert told == [] and smtp[0].messages == []  # lock_timeout=0: one try, no waiting


@pytest.mark.parametrize("kind", ["symlink", "directory"])
def test_a_lock_that_is_not_a_plain_file_is_refused(mail_ws, smtp, cli, tmp_path, kind):
    inbox, port = smtp
    configure(mail_ws, port)
    outside = tmp_path / "outside.txt"
    outside.write_text("secret: do not print or change\n")
    if kind == "symlink":
        (mail_ws / ".remind.lock").symlink_to(outside)
        message = "is a symbolic link: the reminder lock must be a plain file; remove the link"
    else:
        (mail_ws / ".remind.lock").mkdir()
        message = "cannot open the reminder lock: Is a directory"
    before, outside_before = snapshot(mail_ws), hashlib.sha256(outside.read_bytes()).hexdigest()
    result = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
    assert (result.code, result.out, result.err) == (2, "", f"diasporatrack: ws/.remind.lock: {message}\n")
    assert snapshot(mail_ws) == before and inbox.messages == []
    assert hashlib.sha256(outside.read_bytes()).hexdigest() == outside_before


# --- one bad address -------------------------------------------------------------------------

THREE_OWNERS = """\
owners:
  - id: alpha
    name: Alpha Group
    email: alpha@org.example
  - id: beta
    name: Beta Group
    email: beta@@org.example
  - id: gamma
    name: Gamma Group
    email: gamma@org.example
"""
THREE_RECS = """\
source:
  id: s1
  title: A source
  date: 2025-06-01
recommendations:
""" + "".join(f"""\
  - id: rec-{name}
    title: Work of {name}
    text: Something for {name} to do.
    owners: [{name}]
    due: 2025-06-30
""" for name in ("alpha", "beta", "gamma"))


def test_one_bad_address_fails_only_its_digest(ws, smtp, cli):
    inbox, port = smtp
    write(ws / "owners.yaml", THREE_OWNERS)
    write(ws / "report.yaml", THREE_RECS)
    configure(ws, port)
    authored = {name: digest for name, digest in snapshot(ws).items() if name.endswith(".yaml")}
    result = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
    assert result.code == 1
    assert recipients(inbox) == ["alpha@org.example", "gamma@org.example"]
    errors = [line for line in result.err.splitlines() if line.startswith("diasporatrack: error:")]
    assert errors == ["diasporatrack: error: digest for owner 'beta' not sent: email: 'beta@@org.example' is not "
                      "an e-mail address (expected atom but found '@org.example'); fix it in owners.yaml "
                      "[not delivered: rec-beta (overdue)]"]
    assert "email: delivered 2 reminders" in result.err
    assert sorted(e["recommendation"] for e in reminded(ws)) == ["rec-alpha", "rec-gamma"]
    # Nothing authored changed; the next run sends nothing twice and fails beta again.
    again = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
    assert again.code == 1 and len(inbox.messages) == 2 and again.err.count("error:") == 1
    assert {n: d for n, d in snapshot(ws).items() if n.endswith(".yaml")} == authored
    # validate says where; every other command keeps working.
    checked = cli("--root", "ws", "validate")
    assert (checked.code, checked.err) == (1, "1 problem found\n")
    assert checked.out == ("ws/owners.yaml:7: owner 'beta': email: 'beta@@org.example' is not an e-mail address "
                           "(expected atom but found '@org.example')\n")
    assert cli("--root", "ws", "list", "--owner", "beta").code == 0


@pytest.mark.parametrize("address", [
    "amina@org.example", "a.b+tag@sub.org.example", '"amina khan"@org.example', "root@localhost",
    "amina@bücher.example", "amina@[192.0.2.1]",
])
def test_plain_addresses_pass(address):
    assert contact_problem(address) is None


@pytest.mark.parametrize(("address", "why"), [
    ("", "no domain after the @"),
    ("amina@", "no domain after the @"),
    ("amina", "addr-spec local part with no domain"),
    ("amina@@org.example", "expected atom but found '@org.example'"),
    ("amina@org..example", "expected atom but found '.example'"),
    ("Amina <amina@org.example>", "write only 'amina@org.example'"),
    (" amina@org.example", "write only 'amina@org.example'"),
    ("amina@org.example\r\nBcc: victim@evil.example", "write only 'amina@org.example'"),
    ("amina@org.example, b@org.example", "an owner has one contact"),
    ("a" * 300 + "@org.example", "longer than 254 characters"),
])
def test_unusable_addresses_say_why(address, why):
    problem = contact_problem(address)
    assert problem is not None and why in problem
    assert len(problem) < 200  # a long value is quoted by its beginning only


@settings(max_examples=300, deadline=None)
@given(st.emails())
def test_what_validate_accepts_is_what_the_digest_is_sent_to(address):
    from diasporatrack.builtin.email_channel import build_digest

    assert contact_problem(address) is None
    reminder = Reminder(rule="r", recommendation="x", title="t", reason="why", since=dt.date(2025, 1, 1),
                        period="p", owner="o", owner_name="O", contact=address)
    message = build_digest(address, [reminder], "tracker@org.example", dt.date(2025, 1, 1))
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert parsed["To"].addresses[0].addr_spec == address


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
@example("0@[")  # the standard library's parser once failed on it with an AttributeError
def test_any_text_gets_an_answer_of_bounded_length(text):
    problem = contact_problem(text)  # never raises, whatever the owners.yaml says
    assert problem is None or (len(problem) < 260 and problem.isprintable())  # no raw control character


# --- channels and --dry-run ------------------------------------------------------------------

LEGACY_CHANNEL = """\
from pathlib import Path

from diasporatrack import Delivery, hookimpl


class Pigeon:
    name = "pigeon"
    description = "Written before deliver() had dry_run"

    def deliver(self, reminders, context):
        with open(Path(__file__).with_name("SENT"), "a") as sent:
            sent.writelines(r.key + "\\n" for r in reminders)
        return [Delivery(reminder=r, ok=True, recipient="loft") for r in reminders]


@hookimpl
def register_reminder_channels():
    return [Pigeon()]
"""


def test_a_channel_without_dry_run_is_never_called_under_dry_run(ws, cli):
    trust(write(ws / "pigeon.py", LEGACY_CHANNEL))
    write(ws / "diasporatrack.yaml", "plugins: [pigeon.py]\n")
    before = snapshot(ws)
    result = cli("--root", "ws", "remind", "--channel", "pigeon", "--dry-run", "--today", "2025-07-02")
    assert (result.code, result.out) == (0, "")
    assert result.err.splitlines() == [
        "diasporatrack: warning: channel 'pigeon' not run: its deliver() takes no dry_run argument, so nothing says "
        "it would send nothing (a channel that ignores dry_run must not be used with --dry-run)"]
    assert snapshot(ws) == before and not (ws / "SENT").exists()
    # Without --dry-run it keeps working as it always did, and what it delivered is recorded.
    real = cli("--root", "ws", "remind", "--channel", "pigeon", "--today", "2025-07-02")
    assert real.code == 0 and real.err.splitlines() == ["pigeon: delivered 5 reminders"]
    assert len((ws / "SENT").read_text().splitlines()) == 5 and len(reminded(ws)) == 5


class Recorder:
    """A channel with dry_run: says what it got, delivers nothing when told."""

    name = "recorder"
    description = "Remembers how it was called"

    def __init__(self) -> None:
        self.calls: list[bool] = []

    def deliver(self, reminders, context, *, dry_run):
        self.calls.append(dry_run)
        return [Delivery(reminder=r, ok=True, recipient="memory") for r in reminders]


def test_a_channel_with_dry_run_is_told_and_nothing_is_recorded(ws):
    channel = Recorder()
    tracker = Tracker.open(ws, plugins=[plugin(register_reminder_channels=lambda: [channel])])
    preview = remind(tracker, channels=["recorder"], today="2025-07-02", dry_run=True)
    assert channel.calls == [True] and preview.not_run == {} and len(preview.deliveries["recorder"]) == 5
    assert reminded(ws) == []
    sent = remind(tracker, channels=["recorder"], today="2025-07-02")
    assert channel.calls == [True, False] and len(reminded(ws)) == 5
    assert all(isinstance(d, Delivery) for d in sent.deliveries["recorder"])


def test_context_settings_no_longer_carry_dry_run(mail_ws, smtp):
    seen = []

    class Peek:
        name = "peek"
        description = "Looks at the settings"

        def deliver(self, reminders, context, dry_run=False):
            seen.append(dict(context.settings))
            return []

    peek = plugin(register_reminder_channels=lambda: [Peek()])
    remind(Tracker.open(mail_ws, plugins=[peek]), channels=["peek"], today="2025-07-02", dry_run=True)
    assert seen and all("dry_run" not in settings for settings in seen)


# --- plugin rules reach the same people ------------------------------------------------------


class Quarterly:
    """A plugin rule that names owners only: no names, no contacts."""

    name = "quarterly"
    description = "Every recommendation, once a quarter"

    def check(self, recommendation, context):
        quarter = f"{context.today.year}-Q{(context.today.month - 1) // 3 + 1}"
        return [Reminder(rule=self.name, recommendation=recommendation.id, title=recommendation.title,
                         reason="quarterly look", since=context.today, period=quarter, owner=owner)
                for owner in recommendation.owners]


def test_a_plugin_rules_reminders_fall_back_to_the_parent_contact(ws, smtp):
    inbox, port = smtp
    # health has no e-mail of its own; its parent org has one.
    write(ws / "owners.yaml", CONTACTS_YAML)
    write(ws / "report.yaml", SOURCE_YAML.replace("owners: [org]", "owners: [health]"))
    configure(ws, port)
    tracker = Tracker.open(ws, plugins=[plugin(register_reminder_rules=lambda: [Quarterly()])])
    result = remind(tracker, channels=["email"], today=dt.date(2025, 2, 1))
    ours = [r for r in result.reminders if r.rule == "quarterly"]
    assert {(r.owner, r.owner_name, r.contact) for r in ours} == {
        ("health", "Healthcare Expert Group", "board@org.example"),
        ("edu", "Education Expert Group", "edu@org.example"),
    }
    sent = {m["To"].addresses[0].addr_spec: m.get_body(("plain",)).get_content() for m in inbox.messages}
    assert "rep-health: Form a healthcare group" in sent["board@org.example"]
    assert "quarterly look" in sent["board@org.example"]
    assert not result.failures


def test_a_plugin_rule_that_returns_something_else_is_named(ws, cli):
    write(ws / "odd.py", "from diasporatrack import hookimpl\n\nclass Odd:\n    name = 'odd'\n"
                         "    description = 'returns text'\n\n    def check(self, recommendation, context):\n"
                         "        return ['remember me']\n\n\n@hookimpl\ndef register_reminder_rules():\n"
                         "    return [Odd()]\n")
    trust(ws / "odd.py")
    write(ws / "diasporatrack.yaml", "plugins: [odd.py]\n")
    before = snapshot(ws)
    result = cli("--root", "ws", "remind", "--today", "2025-07-02")
    assert (result.code, result.out) == (2, "")
    assert result.err == ("diasporatrack: error: plugin 'odd' returned str from reminder rule 'odd' "
                          "(check() must return diasporatrack.Reminder values)\n")
    assert snapshot(ws) == before


def test_a_bad_sender_stops_before_anything_is_sent(mail_ws, smtp, cli):
    inbox, port = smtp
    write(mail_ws / "diasporatrack.yaml",
          f"reminders:\n  email: {{host: 127.0.0.1, port: {port}, sender: Tracker <tracker@org.example>, "
          "security: none}\n")
    before = snapshot(mail_ws)
    result = cli("--root", "ws", "remind", "--channel", "email", "--today", "2025-07-02")
    assert (result.code, result.out) == (2, "")
    assert result.err == ("diasporatrack: error: diasporatrack.yaml: reminders.email.sender: 'Tracker "
                          "<tracker@org.example>' is not a plain e-mail address (write only 'tracker@org.example')\n")
    # Only the (empty) lock file is new: the run had taken the lock before the channel read its settings.
    after = snapshot(mail_ws)
    assert after.pop(".remind.lock") == hashlib.sha256(b"").hexdigest()
    assert inbox.messages == [] and after == before


@pytest.mark.parametrize(("answer", "message"), [
    (lambda: 1 / 0, "plugin 'test-plugin' failed in plan rule 'bad' for act-1: ZeroDivisionError"),
    (lambda: ["remember me"], "plugin 'test-plugin' returned str from plan rule 'bad' "
                              "(check_action() must return diasporatrack.Reminder values)"),
])
def test_a_plan_rule_that_fails_or_answers_something_else_is_named(ws, answer, message):
    write(ws / "actions.yaml", "actions:\n  - id: act-1\n    title: Start\n    implements: [rep-health]\n")

    class Bad:
        name, description = "bad", "misbehaves"

        def check_action(self, action, plan, context):
            return answer()

    tracker = Tracker.open(ws, plugins=[plugin(register_plan_rules=lambda: [Bad()])])
    before = snapshot(ws)
    with pytest.raises(PluginError) as raised:
        remind(tracker, today="2025-07-02")
    assert str(raised.value).startswith(message)
    assert snapshot(ws) == before
