"""docs/web.md, followed word for word on a copy of the demo workspace, then the site it sets up, run.

The page's ``console`` blocks make the workspace and the accounts; its
``serve`` command (a ``norun`` block: it does not end) is then started as
the page shows it, on a free loopback port, and the two members it made sign
in over HTTP and act: Bilal (the association) on a recommendation of its
expert group, Amina (the expert group) refused on the ministry's.
"""

from __future__ import annotations

import http.cookiejar
import re
import shlex
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from docs_harness import DOCS, REPO, Reader, blocks, check_parses, commands

PAGE = DOCS / "web.md"
pytest.importorskip("starlette", reason="the web app needs the [web] extra")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A cookie-keeping HTTP client that does not follow redirects (so a 303 can be checked)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class Keep(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), Keep)

    def open(self, path: str, form: dict | None = None) -> tuple[int, str, dict]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(self.base + path, data=data, timeout=10) as answer:
                return answer.status, answer.read().decode(), dict(answer.headers)
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(), dict(err.headers)

    def token(self, path: str) -> tuple[str, str | None]:
        page = self.open(path)[1]
        version = re.search(r'name="version" value="([^"]+)"', page)
        return re.search(r'name="csrf" value="([^"]+)"', page).group(1), version.group(1) if version else None

    def sign_in(self, name: str, password: str) -> int:
        csrf, _ = self.token("/signin")
        return self.open("/signin", {"csrf": csrf, "name": name, "password": password, "next": "/"})[0]


def test_web_page(tmp_path: Path) -> None:
    shutil.copytree(REPO / "examples" / "demo", tmp_path / "examples" / "demo")  # the clone's top folder
    passwords = {b.options["file"].split(".")[0]: b.body.strip()
                 for b in blocks(PAGE.read_text(encoding="utf-8")) if b.options.get("file", "").endswith(".password")}
    reader = Reader(tmp_path).follow(PAGE)
    assert (reader.ran, reader.written, reader.not_run) == (8, 3, 4)
    assert not list(reader.cwd.glob("*.password")) and not list(reader.cwd.glob("users*"))
    serve = next(command for b in blocks(PAGE.read_text(encoding="utf-8")) if b.language == "console"
                 for command, _ in commands(b.body) if command.strip() == "diasporatrack serve")
    port = _free_port()
    process = subprocess.Popen([*shlex.split(serve), "--port", str(port)], cwd=reader.cwd, env=reader.env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/signin", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None and time.monotonic() < deadline, process.stderr.read()
                time.sleep(0.1)
        bilal, amina = Browser(base), Browser(base)
        assert bilal.sign_in("bilal", passwords["bilal"]) == 303
        assert amina.sign_in("amina", passwords["amina"]) == 303
        csrf, version = bilal.token("/r/demo-upr-ratify.html")  # held by the expert group, under Bilal's
        status, _, headers = bilal.open("/r/demo-upr-ratify/update", {
            "csrf": csrf, "version": version, "note": "The bill passed its first reading", "links": "https://example.org/c"})
        assert status == 303, headers
        csrf, version = amina.token("/r/demo-upr-women-judges.html")  # the ministry's
        assert version is None  # no form offered
        assert amina.open("/r/demo-upr-women-judges/update", {"csrf": csrf, "version": "x", "note": "n"})[0] == 403
    finally:
        process.terminate()
        process.wait(timeout=10)
    log = subprocess.run(["diasporatrack", "history", "demo-upr-ratify"], cwd=reader.cwd, env=reader.env,
                         capture_output=True, text=True)
    assert "bilal" in log.stdout and "The bill passed its first reading" in log.stdout, log


def test_web_page_deployment_commands_parse() -> None:
    text = PAGE.read_text(encoding="utf-8")
    unit = next(b.body for b in blocks(text) if b.language == "ini")
    check_parses(re.search(r"^ExecStart=\S+/(diasporatrack .*)$", unit, re.MULTILINE).group(1))
    assert "proxy_set_header X-Forwarded-Proto" in next(b.body for b in blocks(text) if b.language == "nginx")
