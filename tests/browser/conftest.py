"""The browser tests' harness: Debian's Chromium driven by Playwright for Python (its own browser download
is not reachable here, so no `playwright install`), through the worker's local server (`local_server` of
tests/conftest.py, shared with the integration tests), which serves the built app at its root.

`make test` installs Chromium in the background where it is missing (the Makefile's CHROMIUM_INSTALL); the
`browser` fixture waits for that install to finish. Every browser test module is marked
`pytest.mark.xdist_group("browser")`: one worker runs them all, with one browser.

Screenshots go to `screenshots/` at the repository's root (git-ignored): laptop 1280x800, phone 390x844.
`accessibility_violations` runs axe-core (web/node_modules, the npm package) in the page: served to the
page from its own origin by a Playwright route, so the deployed content security policy stays in force."""

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.integration.conftest import LocalServer
from tests.integration.portal import PASSWORD, Person, mails_to

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_INSTALL = ROOT / ".venv" / "chromium-install"  # .log while installing, .status when done
INSTALL_WAIT_SECONDS = 300
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIME_ZONE = "Europe/Stockholm"  # not the server's UTC: times must be shown in the browser's zone
WIDTHS = {"laptop": LAPTOP, "phone": PHONE}
LINK = re.compile(r"https?://\S+\?\S+")  # a link with a secret in its query
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__axe-core.js"  # answered by the test's route, never by the server
SERIOUS = ("serious", "critical")

expect.set_options(timeout=15_000)  # a loaded 2-core machine; the request log waits longer where it must


def _chromium() -> Path:
    """Debian's Chromium, once `make test`'s background install (if it started one) has finished."""
    log, status = CHROMIUM_INSTALL.with_suffix(".log"), CHROMIUM_INSTALL.with_suffix(".status")
    deadline = time.monotonic() + INSTALL_WAIT_SECONDS
    while log.exists() and not status.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    if not CHROMIUM.exists():
        said = log.read_text()[-2000:] if log.exists() else "no install was started"
        pytest.fail(f"{CHROMIUM} is missing (`make test` installs it: apt-get install chromium): {said}")
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(executable_path=str(_chromium()), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@dataclass
class Portal:
    """The Portal on the worker's local server."""

    url: str  # http://127.0.0.1:<port>, the app's root
    api_url: str  # .../v1
    outbox: Path

    def person(self) -> Person:
        """A new person who has not registered yet (register through the page, or `.signed_up()`)."""
        return Person(self.url, self.outbox)

    def account(self) -> Person:
        """A new account, registered and verified through the admin API, with its own session there."""
        return self.person().signed_up()

    def mailed_link(self, email: str) -> str:
        """The link of the latest mail to `email`, as the person would click it."""
        mails = mails_to(self.outbox, email)
        assert mails, f"no mail to {email}"
        found = LINK.search(mails[-1])
        assert found, mails[-1]
        return found.group(0)


@pytest.fixture(scope="session")
def portal(local_server: LocalServer) -> Portal:
    root = local_server.base_url.removesuffix("/v1")
    return Portal(root, local_server.base_url, local_server.data_dir / "outbox")


def new_context(browser: Browser, portal: Portal) -> BrowserContext:
    """A browser of its own (cookies, storage): a laptop in Stockholm, allowed to use the clipboard."""
    made = browser.new_context(viewport=LAPTOP, locale="en-US", timezone_id=TIME_ZONE, base_url=portal.url)
    made.grant_permissions(["clipboard-read", "clipboard-write"], origin=portal.url)
    return made


@pytest.fixture
def context(browser: Browser, portal: Portal) -> Iterator[BrowserContext]:
    made = new_context(browser, portal)
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


LogIn = Callable[[Person], None]


@pytest.fixture
def log_in(page: Page) -> LogIn:
    """Logs a person in through the log-in screen and waits for the app's top bar."""

    def run(person: Person) -> None:
        page.goto("/login")
        page.get_by_label("Email").fill(person.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()

    return run


def _save(page: Page, name: str) -> None:
    """screenshots/<name>.png of the whole page."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky top bar stays at the top of a full-page shot
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def screenshot(page: Page, name: str, *, phone: bool = False) -> None:
    """screenshots/<name>.png of the whole page; with `phone`, also <name>-phone.png at 390x844."""
    _save(page, name)
    if phone:
        size = page.viewport_size
        page.set_viewport_size(PHONE)
        _save(page, f"{name}-phone")
        if size:
            page.set_viewport_size(size)


def register_verify_and_log_in(page: Page, portal: Portal, dev: Person, *, screenshots: bool = False) -> None:
    """The account screens as a new person goes through them: register, open the mailed verification link
    in the same browser, which logs in (`screenshots`: one of each screen)."""

    def shoot(name: str) -> None:
        if screenshots:
            screenshot(page, name)

    page.goto("/register")
    expect(page).to_have_title("Create your account · Kairos Portal")
    page.get_by_label("Name").fill(dev.name)
    page.get_by_label("Email").fill(dev.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    shoot("register")
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    expect(page.get_by_text(dev.email)).to_be_visible()
    shoot("check-email")
    page.goto(portal.mailed_link(dev.email))
    page.get_by_label("Password").fill(PASSWORD)  # the link verifies with the registration's password
    shoot("verify")
    page.get_by_role("button", name="Verify my email").click()
    expect(page).not_to_have_url(re.compile("/verify"))  # on to "/" or the invitation opened first
    assert page.evaluate("sessionStorage.getItem('kairos.session')")  # verified means logged in
    shoot("verified")


def shoot(page: Page, screen: str, width: str) -> None:
    """screenshots/<screen>-<width>.png of the whole page (`width`: laptop or phone)."""
    _save(page, f"{screen}-{width}")


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the window: above 0, the screen scrolls sideways."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def past_the_edge(page: Page) -> list[str]:
    """The elements reaching past the window's right edge (tag.class left-right), to say what overflows."""
    found = page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .map((e) => [e, e.getBoundingClientRect()])
            .filter(([, box]) => box.right > window.innerWidth)
            .slice(0, 8)
            .map(([e, box]) =>
                `${e.tagName}.${e.className} ${Math.round(box.left)}-${Math.round(box.right)}`)"""
    )
    return [str(line) for line in found]


def accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page as it is, one line each (rule: elements)."""
    if not page.evaluate("'axe' in window"):
        page.route(
            f"**{AXE_PATH}", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript")
        )
        page.add_script_tag(url=AXE_PATH)
    found = page.evaluate(
        """async (serious) => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter((v) => serious.includes(v.impact))
            .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)""",
        list(SERIOUS),
    )
    return [str(line) for line in found]
