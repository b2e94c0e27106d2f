"""What the "Ask us" tests share: a filled-in form with a captcha answered from its store."""

from __future__ import annotations

import re
from typing import Any

from captcha.models import CaptchaStore

from servicedesk.tickets.models import Category

HASHKEY = re.compile(r'name="captcha_0" value="([0-9a-f]{40})"')
VERSION = re.compile(r'name="consent_version" value="(\d+)"')


def make_category() -> Category:
    return Category.objects.create(
        slug="ask-servers", name_cs="Správa serverů pro dotazy", name_en="Server administration questions"
    )


def fresh_form(client: Any, url: str = "/ask/", lang: str = "en") -> tuple[str, str, str]:
    """Render the form as a visitor would: (captcha key, its right answer, consent version shown)."""
    html = client.get(f"{url}?lang={lang}").content.decode()
    hashkey = HASHKEY.search(html).group(1)  # type: ignore[union-attr]
    version = VERSION.search(html).group(1)  # type: ignore[union-attr]
    return hashkey, CaptchaStore.objects.get(hashkey=hashkey).response, version


def answers(client: Any, category: Category, url: str = "/ask/", lang: str = "en", **overrides: Any) -> dict:
    hashkey, response, version = fresh_form(client, url, lang)
    data = {
        "lang": lang,
        "category": str(category.pk),
        "question": "How do I get a VPN account?\nWe need it for two new colleagues.",
        "name": "Karel Nový",
        "email": "karel@example.org",
        "consent": "on",
        "consent_version": version,
        "captcha_0": hashkey,
        "captcha_1": response,
        "website": "",
    }
    data.update(overrides)
    return data
