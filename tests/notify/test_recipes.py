"""The recipes of docs/notifications.md are URLs Apprise takes (instantiated only: nothing is sent)."""

from __future__ import annotations

import re
from pathlib import Path

import apprise

DOC = Path(__file__).resolve().parents[2] / "docs" / "notifications.md"


def test_every_recipe_url_is_one_apprise_can_use() -> None:
    recipes = DOC.read_text(encoding="utf-8").split("## Recipes", 1)[1].split("\n```", 1)[0]
    urls = re.findall(r"`([a-z]+://[^`]+)`", recipes)
    assert len(urls) >= 9
    for url in urls:
        # Slack's webhook URL "as it is" stands for a real one.
        real = url.replace("/services/...", "/services/T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7F")
        assert apprise.Apprise.instantiate(real) is not None, url
