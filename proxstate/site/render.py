"""The one Jinja2 environment of the site (Jinja2 is used only inside proxstate/site/).

Autoescaping is on for every template: the record is untrusted input (a guest's name or
description may hold `<script>`), and every value reaches the page escaped unless a template says
otherwise, which none does. An undefined name is an error, never an empty string.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2

from proxstate.errors import SiteError


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("proxstate.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["day"] = lambda iso: str(iso)[:10]
    env.filters["minute"] = lambda iso: str(iso)[:16].replace("T", " ")
    return env


def render(template_name: str, **context: Any) -> str:
    """The page `template_name` (under proxstate/site/templates/) rendered with `context`."""
    try:
        return environment().get_template(template_name).render(**context)
    except jinja2.TemplateError as error:
        raise SiteError(f"the site's template {template_name} failed: {error}") from error
