"""The registry stage: built once from a spec, it is what serves — each template compiled once (by the
checks, then reused), one validator per argument — and the declaration stage imports nothing after it."""

import subprocess
import sys

import jinja2.parser

from hypotez.arguments import rules
from hypotez.registry import load_registry
from hypotez.testing import BotHarness

SPEC = """
bot: {language: en, languages: [en, ru], slash: false}
commands:
  hi:
    description: Say hi
    reply: hi
  count:
    description: Count to a limit
    reply: count
    arguments:
      limit: {type: integer, minimum: 1, maximum: 5, default: 2}
"""


def write(folder):
    (folder / "templates" / "en").mkdir(parents=True)
    (folder / "templates" / "ru").mkdir(parents=True)
    (folder / "templates" / "en" / "hi.j2").write_text("Hi, {{ user }}!")
    (folder / "templates" / "ru" / "hi.j2").write_text("Привет, {{ user }}!")
    (folder / "templates" / "en" / "count.j2").write_text("{% for i in range(limit) %}{{ i + 1 }} {% endfor %}")
    (folder / "commands.yaml").write_text(SPEC)
    return folder / "commands.yaml"


def test_each_template_is_parsed_once_for_checking_and_serving(tmp_path, monkeypatch):
    parsed = []
    parse = jinja2.parser.Parser.parse

    def counting(self):
        parsed.append(self.name)
        return parse(self)

    monkeypatch.setattr(jinja2.parser.Parser, "parse", counting)
    registry = load_registry(write(tmp_path))
    own = [name for name in parsed if name in ("hi.j2", "count.j2")]
    # hi: its own file in en and in ru; count: en, and its en file again for ru (another environment).
    assert sorted(own) == ["count.j2", "count.j2", "hi.j2", "hi.j2"]
    assert registry.renderer.compiled_constant("hi", "en") is None  # compiled, with an expression
    parsed.clear()
    registry.renderer.render("hi", {"user": "ann"}, "ru")
    assert parsed == []  # serving never parses again


async def test_argument_rules_are_compiled_with_the_registry_not_per_message(tmp_path, monkeypatch):
    spec = write(tmp_path)
    async with BotHarness.from_spec(spec, data_dir=tmp_path / "data", model_factory=lambda *a: None,
                                    voice_factory=lambda *a: None) as bot:
        built = []
        compile_rules = rules.validator_for
        monkeypatch.setattr(rules, "validator_for", lambda argument: built.append(argument) or
                            compile_rules(argument))
        assert (await bot.send("!count 3")).content == "1 2 3"
        assert "at most 5" in (await bot.send("!count 9")).content
        assert (await bot.send("!count")).content == "1 2"
    assert built == []


def loaded_after(imports: str, names: list[str]) -> set[str]:
    code = f"import sys, {imports}; print(' '.join(m for m in {names!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def test_the_declaration_stage_imports_no_later_stage():
    later = ["hypotez.arguments", "hypotez.rendering", "hypotez.embeds", "hypotez.scope", "hypotez.registry",
             "hypotez.pipeline", "hypotez.inline_answers", "jinja2", "discord"]
    # The wording of reasons is a leaf every stage may use: what it brings in is not the declaration's.
    wording = loaded_after("hypotez.reasons", later)
    assert loaded_after("hypotez.declaration, hypotez.declaration.loader", later) - wording == set()
    assert "hypotez.arguments" in loaded_after("hypotez.registry", later)  # the check sees imports
