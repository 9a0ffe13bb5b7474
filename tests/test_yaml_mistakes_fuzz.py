"""Any small mistake typed into a valid spec is reported as located problems, never a crash: the YAML
mistake finder (hypotez.declaration.yamlmistakes) and the silent-trap notes see every kind of line."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hypotez.declaration.loader import load_declaration_text
from hypotez.errors import SpecError

VALID = """bot:
  name: modbot
  language: en
commands:
  rules:
    description: "Rules: be kind"
    aliases: [правила, r]
    text: |
      1. Be kind.
      2. No spam.
  poll:
    description: Start a poll
    arguments:
      question: {type: text}
      options: {type: list, minItems: 2, items: {maxLength: 30}}
    text: '{{ question }}: {{ options | join(", ") }}'
    embed:
      color: "#2ECC71"
      fields:
        - name: One
          value: "1"
"""

MISTAKES = ['"', "'", ":", ": ", " #", "#", "[", "]", "{", "}", "\t", "!", "&", "*", "\\", "“", "- ", "\n", "  ",
            "|", ">", "%", "@", "`", ",", "?"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.integers(0, len(VALID)), st.sampled_from(MISTAKES), st.booleans()),
                      min_size=1, max_size=3))
def test_a_typo_anywhere_gives_located_problems_not_a_crash(edits):
    text = VALID
    for position, mistake, replace in edits:
        position = min(position, len(text))
        text = text[:position] + mistake + text[position + (1 if replace else 0):]
    lines = text.count("\n") + 1
    try:
        declaration = load_declaration_text(text, path=Path("commands.yaml"))
        problems = declaration.problems
    except SpecError as error:
        problems = error.problems
    for problem in problems:
        assert 1 <= problem.line <= lines + 1, problem
        assert problem.column >= 1 and problem.message
