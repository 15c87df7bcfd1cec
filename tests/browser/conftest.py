"""The portal in a real browser: Debian's Chromium driven by Playwright, against a server on a
real socket, seeded as the demo seeds it (reference data, tariff, sanctions lists, control list,
selectivity criteria, a licence, generated declarations, one user per role).

One server and one browser serve the whole session; each test gets a fresh browser context
(its own cookies) and signs in as the users it needs. Screenshots go to ``build/screenshots``
(or ``CLEARWAY_SCREENSHOTS``).
"""

from __future__ import annotations

import json
import os
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LEDGER_ORIGIN, PASSWORD, ROOT, SECRET

CHROMIUM = os.environ.get("CLEARWAY_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(os.environ.get("CLEARWAY_SCREENSHOTS", ROOT / "build" / "screenshots"))
# Flags Chromium needs as root on a machine without a screen or a network beyond loopback.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Users beyond the demo's own (one per role, plus ``broker`` and ``exporter``, the declarants
# of the published examples).
EXTRA_USERS = {"officer2": ("officer", None), "stranger": ("trader", "GB000000000001")}

if not Path(CHROMIUM).exists():  # pragma: no cover - CI installs it (.ci/run)
    pytest.skip(
        f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )


@pytest.fixture(scope="session")
def portal(
    tmp_path_factory: pytest.TempPathFactory, ledger_keys: tuple[Path, Path], screener_full: Any
) -> Iterator[Any]:
    """The seeded server: ``portal.url``, ``portal.runtime`` and ``portal.company[user]``.

    The seed loads the shipped sanctions lists; ``screener_full`` has put its index of them in
    the store's cache, so the portal screens with the index this test process already built
    for the other tests (seconds of building, once)."""
    import uvicorn

    from clearway.bootstrap import build_runtime
    from clearway.config import Settings
    from clearway.domain.access import Role
    from clearway.entrypoints.api.app import create_app
    from clearway.entrypoints.cli.demo import seed_demo

    folder = tmp_path_factory.mktemp("portal")
    settings = Settings(
        database_url=f"sqlite:///{folder / 'portal.db'}",
        secret_key=SECRET,
        ledger_key_file=str(ledger_keys[0]),
        ledger_origin=LEDGER_ORIGIN,
        ledger_interval_seconds=0.5,
    )
    runtime = build_runtime(settings)
    credentials, _ = seed_demo(runtime, count=200)
    companies = {user.username: user.company for user in credentials}
    passwords = {user.username: user.password for user in credentials}
    for username, (role, company) in EXTRA_USERS.items():
        runtime.users.create(username, PASSWORD, Role(role), company)
        companies[username], passwords[username] = company, PASSWORD
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(runtime=runtime), host="127.0.0.1", port=port, lifespan="on", log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        thread.join(0.05)

    class Portal:
        url = f"http://127.0.0.1:{port}"

    Portal.runtime = runtime  # type: ignore[attr-defined]
    Portal.company = companies  # type: ignore[attr-defined]
    Portal.password = passwords  # type: ignore[attr-defined]
    yield Portal
    server.should_exit = True
    thread.join(10)
    runtime.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, one per test file: Playwright's synchronous API keeps an event loop running
    while it is open, which must be closed before another file's tests (NATS's client, say)
    start a loop of their own in the same test process."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, portal: Any) -> Iterator[Any]:
    """A fresh browser tab with no cookies, on a laptop-sized screen, addressed to the portal."""
    context = browser.new_context(base_url=portal.url, viewport={"width": 1366, "height": 768})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    tab.script_errors = errors
    yield tab
    context.close()


@pytest.fixture
def sign_in(portal: Any) -> Callable[[Any, str], None]:
    """Sign in through the sign-in form, as a person does."""

    def _sign_in(tab: Any, username: str) -> None:
        tab.goto("/login")
        tab.get_by_label("Username").fill(username)
        tab.get_by_label("Password").fill(portal.password[username])
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url(re.compile(r"^(?!.*/login).*$"))

    return _sign_in


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def shoot(screenshots: Path) -> Callable[[Any, str], Path]:
    """Write a full-page screenshot, ``NAME.png``, to the screenshots folder."""

    def _shoot(tab: Any, name: str) -> Path:
        path = screenshots / f"{name}.png"
        tab.screenshot(path=str(path), full_page=True)
        return path

    _shoot.folder = screenshots  # type: ignore[attr-defined]
    return _shoot


@pytest.fixture
def accessible(screenshots: Path) -> Callable[[Any, str], list[dict[str, Any]]]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page and fail on any serious or critical
    violation; returns the minor and moderate ones. Every page's result is added to
    ``axe.jsonl`` beside the screenshots (page, rules passed, violations by impact)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def _check(tab: Any, name: str) -> list[dict[str, Any]]:
        results = axe.run(tab, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
        violations: list[dict[str, Any]] = results.response["violations"]
        record = {
            "page": name,
            "passes": len(results.response["passes"]),
            "violations": [
                {"id": v["id"], "impact": v.get("impact"), "nodes": len(v["nodes"])}
                for v in violations
            ],
        }
        with (screenshots / "axe.jsonl").open("a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
        grave = [v for v in violations if v.get("impact") in ("serious", "critical")]
        assert not grave, f"{name}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(str(node["target"]) for node in v["nodes"][:3])
            for v in grave
        )
        return [v for v in violations if v not in grave]

    return _check
