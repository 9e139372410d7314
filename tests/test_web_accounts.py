"""The accounts file and the `user` and `serve` commands; reminders that link to the web app."""

from __future__ import annotations

import io
import json
import shutil
import stat
from pathlib import Path

import pytest

from conftest import SHIPPED
from web_harness import PASSWORD  # noqa: F401 - also makes hashing cheap for these tests
from diasporatrack.errors import InputError
from diasporatrack.web import is_shipped
from diasporatrack.web.users import Users, verify_password


def _with_stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def test_user_commands_keep_accounts_outside_the_workspace(ws, cli, monkeypatch, tmp_path):
    monkeypatch.setenv("DIASPORATRACK_ROOT", str(ws))
    _with_stdin(monkeypatch, PASSWORD + "\n")
    result = cli("user", "add", "amina", "--role", "member", "--owner", "edu")
    assert result.code == 0, result.err
    config = Path(__import__("os").environ["XDG_CONFIG_HOME"]) / "diasporatrack" / "users.json"
    assert str(config) in result.out and not list(ws.glob("users*"))
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    data = json.loads(config.read_text())
    assert PASSWORD not in config.read_text() and data["users"]["amina"]["password"].startswith("$argon2id$")
    assert verify_password(Users(config).get("amina"), PASSWORD)
    listed = json.loads(cli("user", "list", "--format", "json").out)
    assert listed == [{"name": "amina", "role": "member", "owners": ["edu"], "created": listed[0]["created"]}]
    generation = Users(config).get("amina").generation
    assert cli("user", "set-role", "amina", "coordinator").code == 0
    changed = Users(config).get("amina")
    assert (changed.role, changed.owners, changed.generation) == ("coordinator", ("edu",), generation + 1)
    assert cli("user", "remove", "amina").code == 0
    assert Users(config).all() == []


def test_user_add_refuses_bad_input_in_one_line(ws, cli, monkeypatch, tmp_path):
    monkeypatch.setenv("DIASPORATRACK_ROOT", str(ws))
    users = tmp_path / "elsewhere" / "users.json"
    cases = [
        (("user", "add", "x", "--role", "member", "--owner", "nobody"), PASSWORD, "no owner 'nobody'"),
        (("user", "add", "x", "--role", "member"), PASSWORD, "acts for one or more owners"),
        (("user", "add", "x", "--role", "viewer"), "short", "at least 10 characters"),
        (("user", "add", "../x", "--role", "viewer"), PASSWORD, "is not an account name"),
        (("user", "remove", "ghost"), "", "no account 'ghost'"),
    ]
    for argv, password, message in cases:
        _with_stdin(monkeypatch, password + "\n")
        result = cli(*argv, "--users", str(users))
        assert result.code == 2 and message in result.err and len(result.err.strip().splitlines()) == 1, result
    _with_stdin(monkeypatch, PASSWORD + "\n")
    assert cli("user", "add", "x", "--role", "viewer", "--users", str(users)).code == 0
    _with_stdin(monkeypatch, PASSWORD + "\n")
    assert "already is an account" in cli("user", "add", "x", "--role", "viewer", "--users", str(users)).err


def test_users_file_is_replaced_atomically_and_stays_private(tmp_path):
    path = tmp_path / "users.json"
    users = Users(path)
    users.add("a", "viewer", PASSWORD)
    before = path.stat().st_ino
    users.end_sessions("a")
    assert path.stat().st_ino != before  # a new file put in place, never a half-written one
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.json", "users.json.lock"]
    path.write_text("{not json")
    with pytest.raises(InputError, match="not a users file"):
        Users(path).all()


def test_the_shipped_workspace_is_known_and_a_copy_is_not(tmp_path, cli):
    assert is_shipped(SHIPPED)
    copy = tmp_path / "recommendations"
    shutil.copytree(SHIPPED, copy)
    assert not is_shipped(copy)
    result = cli("--root", str(SHIPPED), "serve", "--users", str(tmp_path / "u.json"))
    assert result.code == 2 and "is the shipped workspace" in result.err


def test_serve_without_the_extra_says_which_extra(ws, cli, monkeypatch):
    monkeypatch.setenv("DIASPORATRACK_ROOT", str(ws))
    import diasporatrack.web as web

    monkeypatch.setattr(web, "find_spec", lambda name: None if name == "starlette" else object())
    result = cli("serve")
    assert result.code == 2
    assert result.err.strip() == ("diasporatrack: error: the web app needs the [web] extra (starlette is not "
                                  "installed): pip install 'diasporatrack[web]'")


# --- reminders link to the web app ----------------------------------------------------------------------------------

def test_reminder_mails_link_to_the_recommendations_page(ws):
    import datetime as dt
    import email
    import email.policy

    from conftest import write
    from diasporatrack import validate
    from diasporatrack.builtin.email_channel import build_digest, smtp_settings
    from diasporatrack import Reminder

    config = smtp_settings({"email": {"host": "smtp.example.org", "sender": "t@example.org",
                                      "base_url": "https://tracker.example.org/team"}})
    assert config["base_url"] == "https://tracker.example.org/team/"
    reminder = Reminder(rule="overdue", recommendation="rep-education", title="Invest", reason="overdue",
                        since=dt.date(2025, 1, 1), period="p", owner="edu", owner_name="Edu", contact="e@example.org")
    message = build_digest("e@example.org", [reminder], config["sender"], dt.date(2025, 2, 1), config["base_url"])
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    page = "https://tracker.example.org/team/r/rep-education.html"
    assert page in parsed.get_body(("plain",)).get_content()
    assert f'<a href="{page}">' in parsed.get_body(("html",)).get_content()
    plain = build_digest("e@example.org", [reminder], config["sender"], dt.date(2025, 2, 1))
    assert "http" not in plain.get_body(("plain",)).get_content()
    write(ws / "diasporatrack.yaml", """\
        reminders:
          email: {host: smtp.example.org, sender: t@example.org, base_url: "javascript:alert(1)"}
        """)
    problems = [str(p) for p in validate(ws)]
    assert any("reminders.email.base_url: expected the web app's address" in p for p in problems), problems


def test_serve_binds_loopback_and_warns_when_exposed(ws, cli, monkeypatch, tmp_path):
    import uvicorn

    monkeypatch.setenv("DIASPORATRACK_ROOT", str(ws))
    calls = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    users = str(tmp_path / "u.json")
    result = cli("serve", "--users", users)
    assert result.code == 0 and calls[-1]["host"] == "127.0.0.1" and calls[-1]["proxy_headers"] is False
    assert "without TLS" not in result.err and "no accounts" in result.err
    result = cli("serve", "--host", "0.0.0.0", "--users", users)
    assert result.code == 0 and "listening on 0.0.0.0 without TLS" in result.err
    result = cli("serve", "--host", "0.0.0.0", "--trusted-proxy", "127.0.0.1", "--users", users)
    assert result.code == 0 and "without TLS" not in result.err
    assert cli("serve", "--trusted-proxy", "proxy.example", "--users", users).code == 2
