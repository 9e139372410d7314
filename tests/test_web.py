"""The web app through Starlette's TestClient: sign-in, sessions, CSRF, headers, roles, versions, escaping."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write
from web_harness import (PASSWORD, client, csrf_of, journal, make_app, sign_in, signed_in, users,  # noqa: F401
                         accounts_file, version_of_page)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CHANGES = ("update", "respond", "owners")


def _form(c, rec: str) -> tuple[str, str]:
    page = c.get(f"/r/{rec}.html")
    assert page.status_code == 200
    return csrf_of(page.text), version_of_page(page.text)


def _post(c, rec: str, kind: str, csrf: str, version: str, **fields: str):
    data = {"csrf": csrf, "version": version, **fields}
    if kind == "update":
        data.setdefault("note", "A note")
    elif kind == "respond":
        data.setdefault("response", "supported")
    else:
        data.setdefault("add_owner", "health")
    return c.post(f"/r/{rec}/{kind}", data=data)


# --- signing in --------------------------------------------------------------------------------------------------

def test_pages_need_an_account_and_assets_do_not(ws, users):
    c = client(make_app(ws, users))
    for path in ("/", "/recommendations/index.html", "/r/rep-forum.html", "/search.html?q=x", "/data.json"):
        answer = c.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/signin?next="), path
    assert c.get("/assets/site.css").status_code == 200


def test_cookie_flags_over_http_https_and_through_a_trusted_proxy(ws, users):
    answer = sign_in(client(make_app(ws, users)), "viewer")
    cookie = answer.headers["set-cookie"]
    assert answer.status_code == 303
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict") and "Secure" not in cookie
    assert "Secure" in sign_in(client(make_app(ws, users), https=True), "viewer").headers["set-cookie"]
    # Behind a proxy: believed only from the proxy named.
    proxied = make_app(ws, users, trusted_proxies=("testclient",))
    assert "Secure" in sign_in(client(proxied), "viewer", **{"x-forwarded-proto": "https"}).headers["set-cookie"]
    untrusted = make_app(ws, users, trusted_proxies=("10.0.0.1",))
    assert "Secure" not in sign_in(client(untrusted), "viewer", **{"x-forwarded-proto": "https"}).headers["set-cookie"]


def test_wrong_password_and_unknown_account_say_the_same(ws, users):
    c = client(make_app(ws, users))
    wrong = sign_in(c, "viewer", "not the password")
    unknown = sign_in(c, "nobody", "not the password")
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong account name or password." in wrong.text and "Wrong account name or password." in unknown.text
    assert c.get("/").status_code == 303


def test_sign_in_is_rate_limited_per_account_and_per_address(ws, users):
    app = make_app(ws, users, account_limit=3, address_limit=5)
    c = client(app)
    for _ in range(3):
        assert sign_in(c, "viewer", "guess guess guess").status_code == 401
    locked = sign_in(c, "viewer")  # even the right password, while locked out
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert c.get("/").status_code == 303
    # Another account from the same address: two more failures reach the address's limit.
    for _ in range(2):
        assert sign_in(c, "coord", "guess guess guess").status_code == 401
    assert sign_in(c, "admin").status_code == 429
    # From another address (through a trusted proxy), the account that was not guessed at signs in.
    proxied = make_app(ws, users, trusted_proxies=("testclient",))
    assert sign_in(client(proxied), "admin", **{"x-forwarded-for": "192.0.2.7"}).status_code == 303


def test_next_never_leads_off_the_site(ws, users):
    c = client(make_app(ws, users))
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        page = c.get("/signin")  # each sign-in makes a new token
        answer = c.post("/signin", data={"csrf": csrf_of(page.text), "name": "viewer", "password": PASSWORD,
                                         "next": target})
        assert answer.status_code == 303 and answer.headers["location"] == "/"


# --- headers and CSRF --------------------------------------------------------------------------------------------

def test_every_page_has_a_strict_policy_and_no_inline_script(ws, users):
    c = signed_in(make_app(ws, users), "coord")
    for path in ("/", "/recommendations/index.html", "/r/rep-forum.html", "/s/report-2025.html", "/o/org.html",
                 "/t/healthcare.html", "/search.html?q=forum", "/signin", "/nothing-here"):
        answer = c.get(path)
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert answer.headers["x-frame-options"] == "DENY" and answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["cache-control"] == "no-store"
        assert not re.search(r"<script(?![^>]*\bsrc=)", answer.text), path
        assert not re.search(r"\son[a-z]+\s*=", answer.text), path


@pytest.mark.parametrize("kind", CHANGES)
def test_a_form_without_its_token_is_refused(ws, users, kind):
    c = signed_in(make_app(ws, users), "coord")
    csrf, version = _form(c, "rep-forum")
    assert _post(c, "rep-forum", kind, "", version).status_code == 403
    assert _post(c, "rep-forum", kind, csrf[:-2] + "xx", version).status_code == 403
    data = {"version": version, "note": "x"}
    assert c.post(f"/r/rep-forum/{kind}", data=data).status_code == 403
    assert journal(ws) == []


def test_every_other_form_needs_its_token_too(ws, users):
    c = signed_in(make_app(ws, users), "admin")
    for path in ("/signout", "/users/add", "/users/remove", "/users/role", "/indicator/a/b", "/signin"):
        assert c.post(path, data={"name": "viewer", "csrf": "forged"}).status_code == 403, path
    assert c.get("/").status_code == 200  # still signed in: the forged sign-out did nothing
    assert [u.name for u in users.all()] == sorted(["viewer", "edu-member", "org-member", "coord", "admin"])


def test_a_token_from_before_sign_in_is_worth_nothing_after(ws, users):
    c = client(make_app(ws, users))
    before = csrf_of(c.get("/signin").text)
    sign_in(c, "coord")
    version = _form(c, "rep-forum")[1]
    assert _post(c, "rep-forum", "update", before, version).status_code == 403


# --- roles --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", CHANGES)
def test_a_member_acting_on_another_owners_recommendation_gets_403(ws, users, kind):
    app = make_app(ws, users)
    coord = signed_in(app, "coord")
    _, version = _form(coord, "rep-health")  # held by org: not edu's
    c = signed_in(app, "edu-member")
    csrf = csrf_of(c.get("/").text)
    for rec in ("rep-health", "rep-forum"):  # another owner's; nobody's
        assert _post(c, rec, kind, csrf, version).status_code == 403, rec
    assert journal(ws) == []


def test_a_viewer_changes_nothing_and_sees_no_form(ws, users):
    app = make_app(ws, users)
    _, version = _form(signed_in(app, "coord"), "rep-forum")
    c = signed_in(app, "viewer")
    page = c.get("/r/rep-forum.html")
    assert page.status_code == 200 and 'name="version"' not in page.text
    csrf = csrf_of(page.text)
    for kind in CHANGES:
        assert _post(c, "rep-forum", kind, csrf, version).status_code == 403
    assert c.post("/indicator/x/y", data={"csrf": csrf, "value": "1"}).status_code == 403
    assert c.get("/users").status_code == 403
    assert journal(ws) == []


def test_a_member_acts_for_its_owner_and_the_journal_says_who(ws, users):
    app = make_app(ws, users)
    c = signed_in(app, "org-member")
    csrf, version = _form(c, "rep-education")  # held by edu, an expert group under org
    answer = _post(c, "rep-education", "update", csrf, version, status="accepted", note="Agreed at the meeting",
                   links="https://example.org/minutes", evidence="the minutes", progress="10")
    assert answer.status_code == 303
    event = journal(ws)[-1]
    assert (event["by"], event["for"], event["status"], event["progress"]) == ("org-member", "org", "accepted", 10)
    assert event["links"] == ["https://example.org/minutes"] and event["evidence"] == "the minutes"
    page = c.get(answer.headers["location"])
    assert "Saved." in page.text and "Agreed at the meeting" in page.text and "(org-member)" in page.text
    # Owners are the coordinator's to assign.
    csrf, version = _form(c, "rep-education")
    assert _post(c, "rep-education", "owners", csrf, version).status_code == 403


def test_a_coordinator_acts_on_everything_and_assigns_owners(ws, users):
    c = signed_in(make_app(ws, users), "coord")
    csrf, version = _form(c, "rep-forum")
    assert _post(c, "rep-forum", "owners", csrf, version, add_owner="health").status_code == 303
    csrf, version = _form(c, "rep-forum")
    assert _post(c, "rep-forum", "respond", csrf, version, response="supported").status_code == 303
    events = journal(ws)
    assert events[0]["owners_added"] == ["health"] and events[1]["response"] == "supported"
    assert {e["by"] for e in events} == {"coord"}


def test_forbidden_transitions_are_explained_and_refused(ws, users):
    c = signed_in(make_app(ws, users), "coord")
    page = c.get("/r/rep-forum.html").text
    offered = re.findall(r'<option value="([a-z-]+)"[^>]*>\1 —', page.split('id="update-form"')[1].split("</select>")[0])
    assert offered == ["accepted", "rejected", "withdrawn"] or "implemented" not in offered
    assert "implemented: not allowed after &#39;proposed&#39;" in page
    csrf, version = csrf_of(page), version_of_page(page)
    refused = _post(c, "rep-forum", "update", csrf, version, status="implemented")
    assert refused.status_code == 400 and "cannot go from" in refused.text
    assert "--force" not in refused.text  # the command line's way round it means nothing in a browser
    assert journal(ws) == []


# --- versions and sessions ------------------------------------------------------------------------------------------

def test_a_stale_form_is_refused_with_the_current_state(ws, users):
    app = make_app(ws, users)
    first, second = signed_in(app, "coord"), signed_in(app, "edu-member")
    csrf1, version = _form(first, "rep-education")
    csrf2, same = _form(second, "rep-education")
    assert version == same
    assert _post(first, "rep-education", "update", csrf1, version, status="accepted").status_code == 303
    late = _post(second, "rep-education", "update", csrf2, same, status="rejected", note="My late note")
    assert late.status_code == 409
    assert "Someone changed this recommendation" in late.text
    assert '<span class="status">accepted</span>' in late.text  # the state as it is now
    assert version_of_page(late.text) != version  # a fresh form, drawn from the current version
    assert [e["by"] for e in journal(ws)] == ["coord"]


def test_removing_an_account_or_changing_its_role_ends_its_sessions(ws, users):
    app = make_app(ws, users)
    member, admin = signed_in(app, "edu-member"), signed_in(app, "admin")
    assert member.get("/").status_code == 200
    users.set_role("edu-member", "viewer")
    assert member.get("/").status_code == 303
    again = signed_in(app, "edu-member")
    assert again.get("/").status_code == 200
    page = admin.get("/users")
    assert admin.post("/users/remove", data={"csrf": csrf_of(page.text), "name": "edu-member"}).status_code == 303
    assert again.get("/").status_code == 303
    assert sign_in(client(app), "edu-member").status_code == 401


def test_a_cookie_reused_after_sign_out_is_signed_out(ws, users):
    app = make_app(ws, users)
    c = signed_in(app, "coord")
    kept = dict(c.cookies)
    assert c.post("/signout", data={"csrf": csrf_of(c.get("/").text)}).status_code == 303
    thief = client(app)
    thief.cookies.update(kept)
    assert thief.get("/").status_code == 303


def test_admins_manage_accounts_in_the_browser(ws, users):
    c = signed_in(make_app(ws, users), "admin")
    csrf = csrf_of(c.get("/users").text)
    made = c.post("/users/add", data={"csrf": csrf, "name": "newbie", "role": "member", "owners": "health",
                                      "password": PASSWORD})
    assert made.status_code == 303 and users.get("newbie").owners == ("health",)
    bad = c.post("/users/add", data={"csrf": csrf, "name": "other", "role": "member", "owners": "nobody",
                                     "password": PASSWORD})
    assert bad.status_code == 400 and "no owner &#39;nobody&#39;" in bad.text
    assert c.post("/users/remove", data={"csrf": csrf, "name": "admin"}).status_code == 400


# --- what is shown --------------------------------------------------------------------------------------------------

XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_workspace_text_is_escaped_everywhere(ws, users):
    from diasporatrack import Tracker

    write(ws / "hostile.yaml", f"""\
        source:
          id: hostile
          title: '{XSS}'
          kind: report
        recommendations:
          - id: hostile-one
            title: '{XSS}'
            text: '{XSS}'
            owners: [org]
            themes: ['{XSS}']
            links: ['javascript:alert(3)']
        """)
    Tracker.open(ws).update("hostile-one", note=XSS, by="x")
    c = signed_in(make_app(ws, users), "coord")
    for path in ("/", "/r/hostile-one.html", "/s/hostile.html", "/o/org.html", "/search.html?q=alert",
                 "/recommendations/index.html"):
        page = c.get(path)
        assert page.status_code == 200, path
        assert "<script>" not in page.text and "<img" not in page.text and 'href="javascript:' not in page.text, path


def test_viewers_see_the_public_view_members_the_private_notes(ws, users):
    from diasporatrack import Tracker

    Tracker.open(ws).update("rep-forum", note="A private word", by="someone")
    app = make_app(ws, users)
    assert "A private word" not in signed_in(app, "viewer").get("/r/rep-forum.html").text
    member = signed_in(app, "edu-member").get("/r/rep-forum.html").text
    assert "A private word" in member and "(someone)" in member


def test_no_route_serves_a_file_outside_the_apps_own(ws, users, tmp_path: Path):
    c = signed_in(make_app(ws, users), "admin")
    for path in ("/users.json", "/assets/../users.json", "/assets/..%2f..%2fpyproject.toml", "/assets/search.js",
                 "/owners.yaml", "/journal.jsonl", "/assets/%2e%2e/web/users.py", "/r/..%2fowners.yaml.html"):
        answer = c.get(path)
        assert answer.status_code == 404, path
        assert "secret" not in answer.text and "owners:" not in answer.text


def test_search_and_lists_answer_from_the_tracker(ws, users):
    c = signed_in(make_app(ws, users), "viewer")
    found = c.get("/search.html?q=forum").text
    assert "Create a forum" in found and "Invest in education" not in found
    listed = c.get("/o/org.html").text  # org's own and its expert groups'
    assert "Form a healthcare group" in listed and "Invest in education" in listed
    assert c.get("/r/no-such-thing.html").status_code == 404


def test_a_broken_workspace_is_said_not_crashed_on(ws, users):
    c = signed_in(make_app(ws, users), "coord")
    (ws / "report.yaml").write_text("source: [\n")
    answer = c.get("/r/rep-forum.html")
    assert answer.status_code == 503 and "cannot be read just now" in answer.text and "report.yaml" in answer.text


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80)
       .filter(lambda t: t.strip() == t and t))
def test_any_note_stays_text_on_the_page(ws, users, note):
    import html

    from diasporatrack import Tracker

    app = make_app(ws, users)
    Tracker.open(ws).update("rep-forum", note=note + " <b>x</b>", by="someone")
    page = signed_in(app, "coord").get("/r/rep-forum.html").text
    timeline = page.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert "<b>" not in timeline
    assert html.escape(note + " <b>x</b>", quote=False) in timeline.replace("&#39;", "'").replace("&#34;", '"')


def test_read_only_offers_no_form_and_takes_no_change(ws, users):
    app = make_app(ws, users, read_only=True)
    c = signed_in(app, "coord")
    page = c.get("/r/rep-forum.html").text
    assert 'id="update-form"' not in page and "served read-only" in page
    answer = c.post("/r/rep-forum/update", data={"csrf": csrf_of(page), "version": "x", "note": "n"})
    assert answer.status_code == 403 and journal(ws) == []


def test_indicators_are_reported_by_the_owners_that_hold_them(ws, users):
    write(ws / "actions.yaml", """\
        actions:
          - id: edu-courses
            title: Run courses
            owners: [edu]
            implements: [rep-education]
            indicators:
              - id: trained
                title: People trained
                kind: numeric
                unit: people
                target: 60
              - id: clinics
                title: Clinics visited
                kind: numeric
                owner: health
        """)
    app = make_app(ws, users)
    c = signed_in(app, "edu-member")
    page = c.get("/r/rep-education.html").text
    assert 'action="/indicator/edu-courses/trained"' in page and "/indicator/edu-courses/clinics" not in page
    csrf = csrf_of(page)
    answer = c.post("/indicator/edu-courses/trained", data={"csrf": csrf, "value": "12", "on": "2025-03-01",
                                                           "back": "rep-education"})
    assert answer.status_code == 303 and answer.headers["location"].startswith("/r/rep-education.html")
    event = journal(ws)[-1]
    assert (event["kind"], event["indicator"], event["value"], event["by"], event["for"]) == \
        ("report", "trained", 12, "edu-member", "edu")
    assert c.post("/indicator/edu-courses/clinics", data={"csrf": csrf, "value": "3"}).status_code == 403
    bad = c.post("/indicator/edu-courses/trained", data={"csrf": csrf, "value": "many"})
    assert bad.status_code == 400 and "is not a number" in bad.text
    assert c.post("/indicator/nothing/here", data={"csrf": csrf, "value": "1"}).status_code == 404
    assert len(journal(ws)) == 1


def test_an_indicator_is_reported_by_its_holder_on_a_recommendation_held_by_others(ws, users):
    write(ws / "actions.yaml", """\
        actions:
          - id: forum-visits
            title: Visit the forum's members
            owners: [edu]
            implements: [rep-forum, rep-health]
            indicators:
              - id: visits
                title: Visits made
                kind: numeric
        """)
    app = make_app(ws, users)
    edu = signed_in(app, "edu-member")
    for name in ("rep-forum", "rep-health"):  # held by nobody, and by org: edu may not change either
        page = edu.get(f"/r/{name}.html").text
        assert 'action="/indicator/forum-visits/visits"' in page and 'id="update-form"' not in page
    answer = edu.post("/indicator/forum-visits/visits", data={"csrf": csrf_of(page), "value": "4",
                                                            "back": "rep-health"})
    assert answer.status_code == 303 and journal(ws)[-1]["for"] == "edu"
    # org's members act for its expert group edu; a viewer reports nothing
    assert "/indicator/forum-visits/visits" in signed_in(app, "org-member").get("/r/rep-forum.html").text
    assert "/indicator/forum-visits/visits" not in signed_in(app, "viewer").get("/r/rep-health.html").text
