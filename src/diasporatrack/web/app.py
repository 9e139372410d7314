"""The Starlette app: routes in one list, the request's session, and the headers every answer carries.

One :class:`~diasporatrack.tracker.Tracker` serves every request, behind a
lock: before each request it folds in what others appended to the journal
(the CLI, another server), and it is opened again when an authored file
changed. Changes go through the Tracker like the CLI's, so they land in the
journal with the signed-in account as ``by``.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..errors import DiasporatrackError
from ..publish.labels import labels
from ..publish.profile import Profile
from ..publish.site import ICON
from .auth import COOKIE, Limiter, Session, Sessions, csrf_ok
from .pages import Pages
from .users import Users

# No script at all, nothing from another host, no framing: text that slipped past escaping could not run.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'; object-src 'none'")
MAX_FORM = 256 * 1024  # bytes of a posted form: notes and links, never a document
ASSETS = {"site.css": ("publish", "text/css"), "web.css": ("web", "text/css")}
Handler = Callable[[Request, Session, "FormData | None"], Response]


class SecurityHeaders:
    """ASGI middleware: the same strict headers on every answer, errors included."""

    def __init__(self, app: Any, secure: Callable[[dict], bool]) -> None:
        self.app, self.secure = app, secure

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                headers["Cache-Control"] = "no-store"  # pages hold private notes: no shared or disk cache
                if self.secure(scope):
                    headers["Strict-Transport-Security"] = "max-age=31536000"
            await send(message)

        await self.app(scope, receive, send_with_headers)


class WebApp:
    """The app's state: the workspace, the accounts, the sign-in limits and the templates."""

    def __init__(self, root: str | Path, users: Users, *, trusted_proxies: tuple[str, ...] = (),
                 read_only: bool = False, account_limit: int = 5, address_limit: int = 20,
                 window: float = 900.0) -> None:
        self.root = Path(root)
        self.users = users
        self.sessions = Sessions(users)
        self.pages = Pages()
        self.trusted_proxies = frozenset(trusted_proxies)
        self.read_only = read_only
        self.per_account = Limiter(account_limit, window)
        self.per_address = Limiter(address_limit, window)
        self.lock = threading.RLock()
        self._tracker: Any = None
        self._fingerprint: Any = None

    # --- the workspace ----------------------------------------------------------------

    def tracker(self) -> Any:
        """The tracker, current with the files and the journal (call holding :attr:`lock`)."""
        from ..cache import fingerprint
        from ..tracker import Tracker

        now = fingerprint(self.root)
        if self._tracker is None or now != self._fingerprint:
            self._tracker, self._fingerprint = Tracker.open(self.root), now
        else:
            self._tracker.refresh()
        return self._tracker

    # --- where a request comes from -----------------------------------------------------

    def _via_proxy(self, scope: dict) -> bool:
        client = scope.get("client")
        return bool(client) and client[0] in self.trusted_proxies

    def _header(self, scope: dict, name: bytes) -> str | None:
        for key, value in scope.get("headers", ()):
            if key == name:
                return value.decode("latin-1")
        return None

    def is_https(self, scope: dict) -> bool:
        """Served over HTTPS: directly, or as a trusted proxy says (X-Forwarded-Proto)."""
        if scope.get("scheme") == "https":
            return True
        return self._via_proxy(scope) and (self._header(scope, b"x-forwarded-proto") or "").strip() == "https"

    def address(self, request: Request) -> str:
        """The client's address: the trusted proxy's last X-Forwarded-For entry, else the peer's."""
        peer = request.client.host if request.client else "unknown"
        if self._via_proxy(request.scope):
            forwarded = [p.strip() for p in (request.headers.get("x-forwarded-for") or "").split(",") if p.strip()]
            if forwarded:
                return forwarded[-1]
        return peer

    # --- answering ----------------------------------------------------------------------

    def finish(self, request: Request, session: Session, response: Response) -> Response:
        if session.dirty:
            response.set_cookie(COOKIE, self.sessions.dump(session), max_age=self.sessions.max_age, path="/",
                                httponly=True, samesite="strict", secure=self.is_https(request.scope))
        return response

    def account(self, session: Session) -> dict[str, Any]:
        return {"user": session.user, "csrf": session.csrf}

    def message(self, session: Session, status: int, text: str, tracker: Any = None) -> HTMLResponse:
        """A page that says one thing (403, 404, 429...), with the account bar."""
        profile = Profile.from_config(tracker.config if tracker is not None else {})
        site = _Bare(profile)
        html = self.pages.render("message.html", site=site, account=self.account(session), heading=text)
        return HTMLResponse(html, status_code=status)

    def render(self, session: Session, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.pages.render(template, account=self.account(session), **context),
                            status_code=status)

    def endpoint(self, work: Handler, *, role: str | None = "viewer") -> Callable[[Request], Awaitable[Response]]:
        """A route: the session, the CSRF check of a form, the role check, then ``work`` in a worker thread."""

        async def handle(request: Request) -> Response:
            session = await run_in_threadpool(self.sessions.load, request.cookies.get(COOKIE))
            form = None
            if request.method == "POST":
                form = await read_form(request)
                if isinstance(form, Response):
                    return self.finish(request, session, form)
                if not csrf_ok(session, form.get("csrf")):
                    return self.finish(request, session, self.message(
                        session, 403, "This form has expired or did not come from this site: reload the page "
                                      "and try again."))
            if role is not None:
                if session.user is None:
                    if request.method == "GET":
                        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                        return self.finish(request, session, RedirectResponse(
                            f"/signin?next={quote(target, safe='')}", status_code=303))
                    return self.finish(request, session, self.message(session, 403, "Sign in first."))
                if not session.user.at_least(role):
                    return self.finish(request, session, self.message(
                        session, 403, f"Your account ({session.user.role}) may not do this."))
            try:
                response = await run_in_threadpool(work, request, session, form)
            except DiasporatrackError as err:  # the files broke under us (an edit half-saved): say so, change nothing
                response = self.message(session, 503, f"The workspace cannot be read just now: {err}")
            return self.finish(request, session, response)

        return handle

    def asset(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name == "icon.png":
            return Response(ICON, media_type="image/png")
        if name == "theme.css":
            with self.lock:
                accent = Profile.from_config(self.tracker().config).accent
            import re

            accent = accent if re.fullmatch(r"#[0-9a-fA-F]{6}", accent or "") else "#1f6f78"
            return Response(f":root {{ --accent: {accent}; }}\n", media_type="text/css")
        if name not in ASSETS:  # only the app's own files, named one by one: no path reaches anything else
            return Response("not found", status_code=404, media_type="text/plain")
        package, media = ASSETS[name]
        data = resources.files(f"diasporatrack.{package}").joinpath("static", name).read_bytes()
        return Response(data, media_type=media)


class _Bare:
    """What the base template needs of a site, for pages about no recommendation."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.words = labels(profile.language)


async def read_form(request: Request) -> FormData | Response:
    """A URL-encoded form of at most :data:`MAX_FORM` bytes (no file uploads: nothing here takes one)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return Response("forms are sent URL-encoded", status_code=415, media_type="text/plain")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            return Response("form too large", status_code=413, media_type="text/plain")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                          max_num_fields=1000)
    except (UnicodeDecodeError, ValueError):
        return Response("malformed form", status_code=400, media_type="text/plain")
    return FormData(pairs)


def create_app(root: str | Path, users: Users | str | Path | None = None, **options: Any) -> Starlette:
    """The ASGI app serving the workspace at ``root`` with the accounts of ``users`` (default: config folder)."""
    from . import routes

    state = WebApp(root, users if isinstance(users, Users) else Users(users), **options)
    wrapped = SecurityHeaders(Starlette(routes=routes.routes(state)), state.is_https)
    wrapped.web = state  # type: ignore[attr-defined]  # for tests and embedding
    return wrapped  # type: ignore[return-value]
