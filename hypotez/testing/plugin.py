"""The pytest plugin of hypotez (registered through the ``pytest11`` entry point, so any project with
hypotez installed has it): the ``hypotez_bot`` fixture, a factory of offline bots.

    async def test_hi(hypotez_bot):
        async with hypotez_bot(spec="commands.yaml", model=False, voice=False) as bot:
            assert "Привет" in (await bot.send("!hi")).content
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

ServiceChoice = bool | Callable[..., Any]


def no_service(*_: Any) -> None:
    """A service factory that gives no service (the bot runs without a model or without voice)."""
    return None


def _factory(choice: ServiceChoice) -> Callable[..., Any] | None:
    if choice is True:
        return None  # the default service of the spec
    if choice is False:
        return no_service
    return choice


@pytest.fixture
def hypotez_bot(tmp_path: Path) -> Callable[..., Any]:
    """Make a :class:`~hypotez.testing.BotHarness` (use it as ``async with``), its data in the test's
    temporary folder.

    ``spec``: the path of a spec, or a spec's YAML text (text with a line break), written to
    ``commands.yaml`` in the temporary folder so that its handler modules and templates are found
    next to it. ``files``: more files to write there first (relative path → text), such as
    ``{"templates/en/hi.j2": "hi", "handlers.py": "..."}``. ``templates_dir``: where the templates are
    when not next to the spec. ``data_dir``: the data folder (default ``data`` in the temporary
    folder; two bots made in one test share it, as a restarted bot does). ``model`` and ``voice``:
    True for the spec's own service, False for none, or a service factory ``(spec, data, storage)``."""

    def make(spec: str | Path = "commands.yaml", *, files: dict[str, str] | None = None,
             templates_dir: str | Path | None = None, data_dir: str | Path | None = None,
             model: ServiceChoice = True, voice: ServiceChoice = True) -> Any:
        from hypotez.testing import BotHarness

        for name, text in (files or {}).items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        if isinstance(spec, str) and "\n" in spec:
            (tmp_path / "commands.yaml").write_text(spec, encoding="utf-8")
            spec = tmp_path / "commands.yaml"
        return BotHarness.from_spec(spec, data_dir=data_dir if data_dir is not None else tmp_path / "data",
                                    templates_dir=templates_dir, model_factory=_factory(model),
                                    voice_factory=_factory(voice))

    return make
