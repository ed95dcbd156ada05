"""Fixtures of the frontend tests: documents made directly (no privacy detectors involved),
and for browser tests one headless Chromium per session, driven by Playwright."""
import hashlib
import os
import shutil
import time
from pathlib import Path

import pytest

from labeling.models import Document

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls from a
# thread with a running loop unless told that this is fine (it is: the loop only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def make_documents(project, texts, *, spans=None, priorities=None):
    """Pool documents with the given (already masked) texts, served in the order given."""
    documents = []
    for i, text in enumerate(texts):
        documents.append(Document.objects.create(
            project=project, text=text, content_hash=hashlib.sha256(f"{project.id}:{text}".encode()).hexdigest(),
            mask_spans=(spans or {}).get(i, []),
            priority=(priorities[i] if priorities else float(len(texts) - i)),
        ))
    return documents


def chromium_path(wait_seconds=float(os.environ.get("LOOPLABEL_CHROMIUM_WAIT", "0"))):
    deadline = time.monotonic() + wait_seconds
    while True:
        found = shutil.which("chromium") or shutil.which("chromium-browser")
        if found or time.monotonic() >= deadline:
            return found
        time.sleep(2)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """A page plus the console errors and uncaught exceptions it produced."""

    def __init__(self, context):
        self.context = context
        self.page = context.new_page()
        self.errors = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))


@pytest.fixture
def open_page(browser):
    """open_page() -> PageWatch in a fresh 1280x800 browser context; all closed after the test.

    The pages send a strict Content-Security-Policy, which would also stop Playwright's
    wait_for_function (it evaluates strings); tests bypass it, which also makes the XSS
    checks test the escaping itself rather than the policy.
    """
    contexts = []

    def make(bypass_csp=True):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=bypass_csp)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return PageWatch(context)

    yield make
    for context in contexts:
        context.close()


def log_in(watch, base_url, username, password):
    page = watch.page
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def screenshot(page, name, full_page=False):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)
