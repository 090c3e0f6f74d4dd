"""The test of the test: the same app served with deliberately broken templates (placed before
the shipped ones) makes the journey fail, while the healthy app passes the same steps."""
import pytest

from .harness import Journey, JourneyProblems, ServedApp
from .journeys import ADMIN_NO, sign_in

BROKEN = {
    # A page that asks for a static file that does not exist: the browser logs a 404.
    "lms/home/index.html": ('{% extends "lms/base.html" %}{% block main %}<p>home</p>'
                            '<script src="{{ url_for(\'lms.static\', filename=\'no-such-file.js\') }}"></script>'
                            '{% endblock %}'),
    # A template that raises while rendering: the server answers 500.
    "lms/home/profile.html": '{% extends "lms/base.html" %}{% block main %}{{ no_such_macro() }}{% endblock %}',
    # An image from another host (blocked by the CSP) and a link that leaves the app.
    "lms/notifications/index.html": ('{% extends "lms/base.html" %}{% block main %}'
                                     '<img src="https://cdn.example.com/logo.png" alt="">'
                                     '<a id="away" href="https://www.example.com/">away</a>{% endblock %}'),
}
CASES = [
    ("/", None, r"console error: Failed to load resource: .* 404 .*no-such-file\.js"),
    ("/me", None, r"console error: Failed to load resource: .* 500"),
    ("/notifications/", None, r"console error: .*cdn\.example\.com"),
    ("/notifications/", "#away", r"request to another host: GET https://www\.example\.com/"),
]


@pytest.fixture(scope="module")
def broken(served, demo_database, tmp_path_factory):
    """A second server on the demo database whose loader finds the broken templates first."""
    folder = tmp_path_factory.mktemp("broken-templates")
    for name, text in BROKEN.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    app = ServedApp(demo_database, tmp_path_factory.mktemp("broken"), templates=folder)
    yield app
    app.stop()


def _walk(browser, app, path, click, name):
    journey = Journey(browser, app.base_url, name)
    sign_in(journey, ADMIN_NO)
    journey.goto(path)
    if click:
        with journey.page.expect_event("requestfailed"):  # the harness aborts it
            journey.page.click(click)
    return journey


@pytest.mark.parametrize("path, click, expected", CASES)
def test_a_broken_page_fails_the_journey(browser, broken, path, click, expected):
    journey = _walk(browser, broken, path, click, "broken")
    with pytest.raises(JourneyProblems, match=expected):
        journey.finish()


@pytest.mark.parametrize("path", ["/", "/me", "/notifications/"])
def test_the_same_steps_pass_on_the_healthy_app(browser, served, path):
    _walk(browser, served, path, None, "healthy").finish()
