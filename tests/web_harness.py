"""Shared by the web app's tests: accounts made once (Argon2 is slow on purpose), a client that signs in."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

try:
    import starlette  # noqa: F401
except ImportError:
    if os.environ.get("CI"):  # the README's test command installs the extra: missing in CI is a defect
        raise
    pytest.skip("the web app needs the [web] extra (pip install -e '.[test]')", allow_module_level=True)

from starlette.testclient import TestClient  # noqa: E402

from diasporatrack.web.app import create_app  # noqa: E402
from diasporatrack.web import users as users_module  # noqa: E402
from diasporatrack.web.users import Users  # noqa: E402

# Argon2 takes half a second a hash on purpose; the tests hash with its cheapest profile (verifying reads the
# parameters from the hash, so the code under test is the same).
from argon2.profiles import CHEAPEST  # noqa: E402

users_module.PARAMETERS = CHEAPEST

PASSWORD = "correct horse battery"
# name: (role, owners). In the small workspace, org holds rep-health, edu (an expert group under org) holds
# rep-education, and nobody holds rep-forum.
ACCOUNTS = {
    "viewer": ("viewer", ()),
    "edu-member": ("member", ("edu",)),
    "org-member": ("member", ("org",)),
    "coord": ("coordinator", ()),
    "admin": ("admin", ()),
}


@pytest.fixture(scope="session")
def accounts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "users.json"
    users = Users(path)
    for name, (role, owners) in ACCOUNTS.items():
        users.add(name, role, PASSWORD, owners)
    return path


@pytest.fixture
def users(accounts_file: Path, tmp_path: Path) -> Users:
    """This test's own copy of the accounts (a test may remove one)."""
    path = tmp_path / "config" / "users.json"
    path.parent.mkdir()
    shutil.copy(accounts_file, path)
    path.chmod(0o600)
    return Users(path)


def client(app, https: bool = False) -> TestClient:
    return TestClient(app, base_url="https://127.0.0.1" if https else "http://127.0.0.1", follow_redirects=False)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def version_of_page(html: str) -> str:
    found = re.search(r'name="version" value="([^"]+)"', html)
    assert found, "no form with a version in the page"
    return found.group(1)


def sign_in(c: TestClient, name: str, password: str = PASSWORD, **headers: str):
    page = c.get("/signin", headers=headers)
    return c.post("/signin", data={"csrf": csrf_of(page.text), "name": name, "password": password, "next": "/"},
                  headers=headers)


def signed_in(app, name: str, https: bool = False) -> TestClient:
    c = client(app, https)
    answer = sign_in(c, name)
    assert answer.status_code == 303, answer.text
    return c


def journal(ws: Path) -> list[dict]:
    path = ws / "journal.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []


def make_app(ws: Path, users: Users, **options):
    return create_app(ws, users, **options)
