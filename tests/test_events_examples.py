"""Executable examples: a command's or a trigger's examples may carry the expected reply; `hypotez test`
runs them against the real bot offline (exit 1 with a diff when one fails) and `hypotez docs` shows them."""

import subprocess
import sys

SPEC = '''
bot:
  name: exbot
  language: en
commands:
  roll:
    description: Roll dice
    arguments:
      count: {type: integer}
      sides: {type: text}
    text: "rolls {{ count }} {{ sides }}"
    examples:
      - say: "!roll 2 d20"
        expect: "rolls 2"
      - "!roll 1 d6"
state:
  greetings: {scope: member, type: counter}
triggers:
  hello:
    contains: hello
    actions: [{increment: greetings}]
    text: "Hello, {{ user }}! ({{ state.member.greetings }})"
    examples:
      - say: "hello bot"
        expect: "Hello, you! (1)"
      - say: "HELLO again"
        expect: "(2)"
      - say: "nothing to see"
        expect_nothing: true
'''


def hypotez(*args, cwd):
    return subprocess.run([sys.executable, "-m", "hypotez", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_passing_examples_exit_0(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    result = hypotez("test", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        "ok   commands.yaml:13:9: command roll: '!roll 2 d20'",
        "ok   commands.yaml:24:9: trigger hello: 'hello bot'",
        "ok   commands.yaml:26:9: trigger hello: 'HELLO again'",
        "ok   commands.yaml:28:9: trigger hello: 'nothing to see'",
        "commands.yaml: 4 examples, 4 passed, 0 failed",
    ]


def test_a_failing_example_exits_1_with_a_diff(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC.replace('expect: "(2)"', 'expect: "(3)"')
                                            .replace("text: \"rolls", "text: \"throws"), encoding="utf-8")
    result = hypotez("test", cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout
    assert "FAIL commands.yaml:13:9: command roll: '!roll 2 d20'\n    -a reply containing: rolls 2\n" \
           "    +throws 2 d20\n" in out
    assert "FAIL commands.yaml:26:9: trigger hello: 'HELLO again'\n    -a reply containing: (3)\n" \
           "    +Hello, you! (2)\n" in out
    assert out.endswith("commands.yaml: 4 examples, 2 passed, 2 failed\n")


def test_docs_show_the_expected_replies(tmp_path):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    out = hypotez("docs", cwd=tmp_path).stdout
    assert "    !roll 2 d20  → rolls 2\n    !roll 1 d6\n" in out
    assert "| `hello` | contains “hello”: “Hello, {{ user }}! ({{ state.member.greetings }})”; increment " \
           "greetings; examples: “hello bot” → Hello, you! (1), “HELLO again” → (2) |" in out
    assert "| `greetings` | counter per member, leaderboard top 10 |" in out
    page = hypotez("docs", "--html", cwd=tmp_path).stdout
    assert "!roll 2 d20  → rolls 2" in page and "<h2>Message triggers (in priority order)</h2>" in page
