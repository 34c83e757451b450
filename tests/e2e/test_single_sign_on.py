"""Single sign-on (OpenID Connect) end to end in a real Chromium, against a provider on loopback.

The provider is ``oidc-provider-mock`` (a maintained test provider, a Flask app)
served from a thread of this test process on ``127.0.0.1`` and a free port;
nothing leaves the machine. The app gets its own home folder whose
``.streamlit/secrets.toml`` holds an ``[auth]`` section pointing at it
(``redirect_uri`` with Streamlit's ``{port}`` placeholder, since the app's port
is chosen when it starts) and a role mapping that makes the provider's user
``anna-sub`` a moderator through her verified e-mail address.

The test signs in on ``/anmelden`` with the single sign-on button, picks the
user on the provider's page, comes back signed in with her role and opens
``/moderation``; then signs out through the provider's end-session page and is
a resident again. (Before the app installed ``streamlit[auth]``, the button
raised ``StreamlitMissingAuthlibError``.)
"""

from __future__ import annotations

import re
import threading

import pytest

from tests.e2e.conftest import RequestLog
from tests.e2e.streamlit_helpers import TIMEOUT_MS, current, open_app, wait_idle, watch

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIGNIN_HEADING = "Anmeldung für Mitarbeitende"
MODERATION_HEADING = "Moderation: neue und gemeldete Bedarfe"
SSO_BUTTON = "Mit dem Dienstkonto anmelden (Single Sign-on)"
ANNA = "anna.beispiel@ba-mitte.berlin.de"
# The provider's pages load a stylesheet from a CDN; the test answers it locally (see below).
PROVIDER_STYLESHEET = re.compile(r"^https://cdn\.jsdelivr\.net/npm/@picocss/")


@pytest.fixture(scope="module")
def provider():
    """An OpenID Connect provider on 127.0.0.1 and a free port, with the user ``anna-sub``; its base URL."""
    import oidc_provider_mock
    import werkzeug.serving

    app = oidc_provider_mock.app(user_claims=[oidc_provider_mock.User(
        sub="anna-sub", claims={"email": ANNA, "email_verified": True, "name": "Anna Beispiel"})])
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="module")
def sso_server(settings_with_data, start_app, tmp_path_factory, provider):
    """The app with single sign-on through ``provider`` and a database of its own."""
    home = tmp_path_factory.mktemp("home")
    (home / ".streamlit").mkdir()
    (home / ".streamlit" / "secrets.toml").write_text(f'''
[auth]
redirect_uri = "http://127.0.0.1:{{port}}/oauth2callback"
cookie_secret = "e2e-only-a-long-random-cookie-secret-0123456789"
client_id = "bedarfsatlas-e2e"
client_secret = "e2e-client-secret"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[bedarfsatlas.oidc.emails]
"{ANNA}" = ["moderator"]
''', encoding="utf-8")
    return start_app({"DATABASE_URL": start_app.database_url(), "HOME": str(home)})


def test_a_moderator_signs_in_and_out_through_the_identity_provider(sso_server, provider, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="de-DE")
    # Nothing may leave the machine: the provider's CDN stylesheet is answered here, empty.
    context.route(PROVIDER_STYLESHEET, lambda route: route.fulfill(status=200, content_type="text/css", body=""))
    page = context.new_page()
    log = RequestLog()
    log.attach(page)
    watch(page)
    sidebar = page.get_by_test_id("stSidebar")
    try:
        open_app(page, f"{sso_server.url}/anmelden", SIGNIN_HEADING)
        current(page).get_by_role("button", name=SSO_BUTTON).click()
        # The provider's authorisation page: pick the user, as a person would at the real provider.
        expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible(timeout=TIMEOUT_MS)
        assert page.url.startswith(f"{provider}/oauth2/authorize?")
        page.get_by_role("button", name="anna-sub").click()

        # Back in the app (Streamlit's /oauth2callback, then the start page), signed in with her role.
        expect(sidebar.get_by_text(f"Angemeldet als {ANNA} (Rollen: Moderation)")).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        assert page.url.startswith(sso_server.url)
        open_app(page, f"{sso_server.url}/moderation", MODERATION_HEADING)
        expect(sidebar.get_by_text(re.compile(f"Angemeldet als {re.escape(ANNA)}"))).to_be_visible()

        # Sign out: Streamlit ends the session at the provider, which sends the browser back.
        sidebar.get_by_role("button", name="Abmelden").click()
        expect(page.get_by_role("heading", name="End Session")).to_be_visible(timeout=TIMEOUT_MS)
        page.get_by_role("button", name="End session").click()
        expect(page.get_by_test_id("stApp")).to_be_visible(timeout=TIMEOUT_MS)
        expect(sidebar.get_by_role("link", name="Anmelden (Mitarbeitende)")).to_be_visible(timeout=TIMEOUT_MS)
        wait_idle(page)
        expect(sidebar.get_by_text(re.compile("Angemeldet als"))).to_have_count(0)
        open_app(page, f"{sso_server.url}/moderation", SIGNIN_HEADING)
        expect(page.get_by_role("heading", name=MODERATION_HEADING)).to_have_count(0)
        expect(current(page).get_by_role("button", name=SSO_BUTTON)).to_be_visible()
    finally:
        context.close()
    # Only the provider's stylesheet was addressed to another host, and it was answered here.
    log.external = [url for url in log.external if not PROVIDER_STYLESHEET.match(url)]
    # Leaving the app for the provider aborts what the app's page was still loading (script
    # chunks, the start page's map component): not a broken asset.
    log.failed = [f for f in log.failed
                  if not (f.endswith("(net::ERR_ABORTED)") and f.startswith(f"{sso_server.url}/"))]
    log.assert_clean()
