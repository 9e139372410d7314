"""What each address of the web app does; the list of routes is at the end.

Every handler runs in a worker thread holding the app's lock (one tracker,
one change at a time), after :meth:`WebApp.endpoint` checked the session,
the form's CSRF token and the role. Permission to act on one recommendation
(a member's owners) is checked here, against the tracker as it stands.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..errors import DiasporatrackError, StaleVersion
from ..publish.site import Site, page_name
from . import forms, pages
from .auth import Session, may_act, sees_private
from .users import ROLES

SAVED = "saved"


def _local(target: str | None) -> str:
    """A redirect target on this site only: a path, never ``//host`` or ``scheme:``."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


class Handlers:
    """The handlers, sharing the app's state."""

    def __init__(self, web: Any) -> None:
        self.web = web

    # --- reading ------------------------------------------------------------------------

    def home(self, request: Request, session: Session, form: Any) -> Response:
        with self.web.lock:
            view = pages.view_for(self.web.tracker(), session.user)
            return self.web.render(session, "home.html", **pages.home(view))

    def everything(self, request: Request, session: Session, form: Any) -> Response:
        with self.web.lock:
            view = pages.view_for(self.web.tracker(), session.user)
            words = pages.labels_of(view)
            return self.web.render(session, "list.html", **pages.listing(
                view, list(view), request.query_params, heading=words["recommendations"]))

    def recommendation(self, request: Request, session: Session, form: Any, *, status: int = 200,
                       error: str | None = None, notice: str | None = None) -> Response:
        with self.web.lock:
            tracker = self.web.tracker()
            view = pages.view_for(tracker, session.user)
            rec = pages.find(view, request.path_params["name"])
            if rec is None:
                return self.web.message(session, 404, "No such recommendation.", tracker)
            site = Site(view, [rec])
            context: dict[str, Any] = {"site": site, "rec": rec, "source": view.sources.get(rec.source)}
            if sees_private(session.user):
                context["actions"] = pages.actions_context(
                    tracker, session.user, rec, read_only=self.web.read_only, error=error,
                    form=form if status != 409 else None)
            if notice is None and request.query_params.get(SAVED):
                notice = site.words["saved"]
            return self.web.render(session, "recommendation.html", status=status, notice=notice, **context)

    def source(self, request: Request, session: Session, form: Any) -> Response:
        with self.web.lock:
            tracker = self.web.tracker()
            view = pages.view_for(tracker, session.user)
            name = request.path_params["name"]
            source = next((s for s in view.sources.values() if page_name(s.id) == name), None)
            if source is None:
                return self.web.message(session, 404, "No such source.", tracker)
            recs = [r for r in view if r.source == source.id]
            return self.web.render(session, "source.html", **pages.listing(
                view, recs, request.query_params, heading=source.title, source=source,
                archived=()))  # the app links a source's document by its address; the site may copy it

    def owner(self, request: Request, session: Session, form: Any) -> Response:
        with self.web.lock:
            tracker = self.web.tracker()
            view = pages.view_for(tracker, session.user)
            name = request.path_params["name"]
            owner = next((o for o in view.owners.values() if page_name(o.id) == name), None)
            if owner is None:
                return self.web.message(session, 404, "No such owner.", tracker)
            under = tracker.owner_and_descendants(owner.id)
            recs = [r for r in view if under & set(r.owners)]
            words = pages.labels_of(view)
            contacts = [o for o in (tracker.owners[i] for i in sorted(under)) if o.email or o.note] \
                if sees_private(session.user) else []
            return self.web.render(session, "list.html", **pages.listing(
                view, recs, request.query_params, heading=owner.name, kind=words["owner"], parent=owner.parent,
                contacts=contacts))

    def theme(self, request: Request, session: Session, form: Any) -> Response:
        with self.web.lock:
            tracker = self.web.tracker()
            view = pages.view_for(tracker, session.user)
            theme = pages.theme_named(view, request.path_params["name"])
            if theme is None:
                return self.web.message(session, 404, "No such theme.", tracker)
            recs = [r for r in view if theme in r.themes]
            return self.web.render(session, "list.html", **pages.listing(
                view, recs, request.query_params, heading=theme, kind=pages.labels_of(view)["theme"]))

    def search(self, request: Request, session: Session, form: Any) -> Response:
        with self.web.lock:
            tracker = self.web.tracker()
            view = pages.view_for(tracker, session.user)
            return self.web.render(session, "find.html", **pages.search(tracker, view, request.query_params))

    def data(self, name: str):
        """The data beside the pages (the site's data.json, data.csv, data.db, feed.xml), as this account sees it."""
        def work(request: Request, session: Session, form: Any) -> Response:
            with self.web.lock:
                view = pages.view_for(self.web.tracker(), session.user)
                body, media = pages.data_file(view, name)
            return Response(body, media_type=media)
        return work

    # --- signing in and out -------------------------------------------------------------

    def signin_page(self, request: Request, session: Session, form: Any, *, status: int = 200,
                    error: str | None = None, name: str = "") -> Response:
        next_ = _local(form.get("next") if form is not None else request.query_params.get("next"))
        return self.web.render(session, "signin.html", status=status, site=pages.bare(self.web), error=error,
                               next=next_, name=name)

    def signin(self, request: Request, session: Session, form: Any) -> Response:
        name = (form.get("name") or "").strip()[:64]  # never an error: a sign-in form only ever says "wrong"
        password = form.get("password") or ""
        address = self.web.address(request)
        wait = max(self.web.per_account.retry_after(f"user:{name}"), self.web.per_address.retry_after(address))
        if wait:
            response = self.signin_page(request, session, form, status=429, name=name,
                                        error=f"Too many failed attempts: try again in {wait} seconds.")
            response.headers["Retry-After"] = str(wait)
            return response
        from .users import verify_password

        user = self.web.users.get(name)
        if not verify_password(user, password if isinstance(password, str) else ""):
            self.web.per_account.fail(f"user:{name}")
            self.web.per_address.fail(address)
            return self.signin_page(request, session, form, status=401, name=name,
                                    error="Wrong account name or password.")
        self.web.per_account.clear(f"user:{name}")
        self.web.sessions.sign_in(session, user)
        return RedirectResponse(_local(form.get("next")), status_code=303)

    def signout(self, request: Request, session: Session, form: Any) -> Response:
        self.web.sessions.sign_out(session)
        return RedirectResponse("/signin", status_code=303)

    # --- changing -----------------------------------------------------------------------

    def change(self, kind: str):
        def work(request: Request, session: Session, form: Any) -> Response:
            if self.web.read_only:
                return self.web.message(session, 403, "This workspace is served read-only.")
            with self.web.lock:
                tracker = self.web.tracker()
                rec = pages.find(tracker, request.path_params["name"])
                if rec is None:
                    return self.web.message(session, 404, "No such recommendation.", tracker)
                if not may_act(session.user, rec.owners, tracker) or (
                        kind == "owners" and not session.user.at_least("coordinator")):
                    return self.web.message(session, 403, f"Your account may not change {rec.id}.", tracker)
                try:
                    getattr(forms, {"update": "update", "respond": "respond", "owners": "assign"}[kind])(
                        tracker, session.user, rec, form)
                except StaleVersion:
                    return self.recommendation(request, session, form, status=409,
                                               error=pages.labels_of(tracker.published())["stale"])
                except DiasporatrackError as err:  # a refused transition without the command line's --force hint
                    return self.recommendation(request, session, form, status=400,
                                               error=getattr(err, "reason", str(err)))
            return RedirectResponse(f"/r/{page_name(rec.id)}.html?{SAVED}=1#members", status_code=303)
        return work

    def indicator(self, request: Request, session: Session, form: Any) -> Response:
        if self.web.read_only:
            return self.web.message(session, 403, "This workspace is served read-only.")
        ref = f"{request.path_params['action']}/{request.path_params['indicator']}"
        with self.web.lock:
            tracker = self.web.tracker()
            try:
                action = tracker.plan().get(request.path_params["action"])
            except DiasporatrackError:
                return self.web.message(session, 404, "No such action.", tracker)
            indicator = next((i for i in action.indicators if i.id == request.path_params["indicator"]), None)
            if indicator is None:
                return self.web.message(session, 404, "No such indicator.", tracker)
            holders = [indicator.owner] if indicator.owner else list(action.owners)
            if not may_act(session.user, holders, tracker):
                return self.web.message(session, 403, f"Your account may not report on {ref}.", tracker)
            try:
                forms.report(tracker, session.user, ref, holders, form)
            except DiasporatrackError as err:
                return self.web.message(session, 400, str(err), tracker)
            back = forms.field(form, "back")
            target = f"/r/{page_name(back)}.html?{SAVED}=1#members" if back in tracker else "/"
        return RedirectResponse(target, status_code=303)

    # --- accounts (admins) ----------------------------------------------------------------

    def users_page(self, request: Request, session: Session, form: Any, *, status: int = 200,
                   error: str | None = None) -> Response:
        return self.web.render(session, "users.html", status=status, site=pages.bare(self.web),
                               users=self.web.users.all(), roles=ROLES, error=error)

    def users_change(self, kind: str):
        def work(request: Request, session: Session, form: Any) -> Response:
            name = forms.field(form, "name")
            try:
                if kind == "remove":
                    if name == session.user.name:
                        raise forms.InputError("you cannot remove your own account here")
                    self.web.users.remove(name)
                else:
                    owners = forms.field(form, "owners").replace(",", " ").split()
                    with self.web.lock:
                        known = self.web.tracker().owners
                    unknown = [o for o in owners if o not in known]
                    if unknown:
                        raise forms.InputError(f"no owner {unknown[0]!r} in the workspace")
                    if kind == "add":
                        self.web.users.add(name, forms.field(form, "role"), form.get("password") or "", owners)
                    else:
                        self.web.users.set_role(name, forms.field(form, "role"), owners)
            except DiasporatrackError as err:
                return self.users_page(request, session, form, status=400, error=str(err))
            return RedirectResponse("/users", status_code=303)
        return work


def routes(web: Any) -> list[Route]:
    h = Handlers(web)
    e = web.endpoint
    return [
        Route("/", e(h.home)),
        Route("/index.html", e(h.home)),
        Route("/recommendations/index.html", e(h.everything)),
        Route("/r/{name}.html", e(h.recommendation)),
        Route("/r/{name}/update", e(h.change("update"), role="member"), methods=["POST"]),
        Route("/r/{name}/respond", e(h.change("respond"), role="member"), methods=["POST"]),
        Route("/r/{name}/owners", e(h.change("owners"), role="coordinator"), methods=["POST"]),
        Route("/indicator/{action}/{indicator}", e(h.indicator, role="member"), methods=["POST"]),
        Route("/s/{name}.html", e(h.source)),
        Route("/o/{name}.html", e(h.owner)),
        Route("/t/{name}.html", e(h.theme)),
        Route("/search.html", e(h.search)),
        *(Route(f"/{name}", e(h.data(name))) for name in pages.DATA_FILES),
        Route("/signin", e(h.signin_page, role=None), methods=["GET"]),
        Route("/signin", e(h.signin, role=None), methods=["POST"]),
        Route("/signout", e(h.signout, role=None), methods=["POST"]),
        Route("/users", e(h.users_page, role="admin")),
        Route("/users/add", e(h.users_change("add"), role="admin"), methods=["POST"]),
        Route("/users/remove", e(h.users_change("remove"), role="admin"), methods=["POST"]),
        Route("/users/role", e(h.users_change("role"), role="admin"), methods=["POST"]),
        Route("/assets/{name}", web.asset),
    ]
