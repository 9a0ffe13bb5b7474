"""The registry's checks of the interactive parts: every text an action renders is a valid template
(compiled by the sandbox that will render it)."""

from __future__ import annotations

from typing import Any, Callable

import jinja2


def check_action_texts(interactions: Any, environment: jinja2.Environment, add: Callable[..., None]) -> None:
    for path, text in (interactions.sources if interactions is not None else ()):
        try:
            environment.parse(text)
        except jinja2.TemplateSyntaxError as error:
            add(path, f"the text is not a valid template: {error.message}", "check the {{ }} and {% %} pairs",
                at_key=False)
