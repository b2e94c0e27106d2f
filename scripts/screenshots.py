"""Makes the screenshots in README.md and docs/ from a real running desk with the demo data.

    .venv/bin/python scripts/screenshots.py

Starts gunicorn on a free loopback port against a temporary data folder, signs in as the demo admin in Debian's
Chromium, and writes PNGs to docs/screenshots/.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
PORTAL_LOGIN = "jaroslav.dvorak@strojirny-vysocina.example"  # the demo's customer manager (demo/people.py)
OUT = ROOT / "docs" / "screenshots"
BIN = Path(sys.executable).parent
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    data = tempfile.mkdtemp(prefix="servicedesk-shots-")
    env = {**os.environ, "SERVICEDESK_DATA_DIR": data, "DJANGO_SETTINGS_MODULE": "servicedesk.settings"}
    manage = [str(BIN / "servicedesk")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run([*manage, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "servicedesk.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login/", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            for language in ("en", "cs"):
                context = browser.new_context(viewport={"width": 1360, "height": 860}, device_scale_factor=1)
                context.add_cookies([{"name": "django_language", "value": language, "url": base}])
                page = context.new_page()
                page.goto(f"{base}/login/")
                page.fill("#id_login", "admin")
                page.fill("#id_password", "servicedesk-demo")
                page.click("button[type=submit].primary")
                # The account's language wins over the cookie: switch it the way a person does.
                page.click(f".langswitch button[value={language}]")
                page.wait_for_load_state()
                page.goto(f"{base}/?queue=open")
                page.screenshot(path=OUT / f"queue-{language}.png")
                first = page.locator("table a[href*='/tickets/']").first
                first.click()
                page.wait_for_load_state()
                page.screenshot(path=OUT / f"ticket-{language}.png", full_page=False)
                page.goto(f"{base}/hotline/")
                page.screenshot(path=OUT / f"hotline-{language}.png")
                # The SLA: the breaching-soon queue, a plan with its preview, the notifications under the bell.
                page.goto(f"{base}/?queue=breaching")
                page.screenshot(path=OUT / f"breaching-{language}.png")
                page.goto(f"{base}/desk/sla/plans/")
                page.locator("table a[href*='/desk/sla/plans/']").first.click()
                page.wait_for_load_state()
                page.screenshot(path=OUT / f"sla-plan-{language}.png", full_page=True)
                page.goto(f"{base}/notifications/")
                page.screenshot(path=OUT / f"notifications-{language}.png")
                page.set_viewport_size({"width": 390, "height": 800})
                page.goto(f"{base}/?queue=open")
                page.screenshot(path=OUT / f"queue-phone-{language}.png")
                context.close()
            context = browser.new_context(viewport={"width": 900, "height": 900})
            page = context.new_page()
            # A customer's ticket in the portal, with its SLA targets and due times.
            page.goto(f"{base}/login/")
            page.fill("#id_login", PORTAL_LOGIN)
            page.fill("#id_password", "servicedesk-demo")
            page.click("button[type=submit].primary")
            page.wait_for_load_state()
            page.goto(f"{base}/portal/")
            page.locator("a[href*='/portal/tickets/']").first.click()
            page.wait_for_load_state()
            page.screenshot(path=OUT / "portal-ticket-cs.png", full_page=True)
            context.close()
            context = browser.new_context(viewport={"width": 900, "height": 900})
            page = context.new_page()
            page.goto(f"{base}/ask/")  # the public "Ask us" form, as a visitor sees it (Czech by default)
            page.screenshot(path=OUT / "ask-cs.png", full_page=True)
            context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()
