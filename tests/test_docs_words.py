"""`hypotez docs` in the bot's language: labels from the reasons catalogs, defaults written as a user
types them, problems on stderr (never in the page being written), counted in words ("1 problem")."""

import subprocess
import sys

from hypotez.cli import main

SPEC = """bot:
  name: модбот
  language: {language}
commands:
  ban_word:
    description: Запретить слово
    arguments:
      word: {{type: text}}
      silent: {{type: boolean, default: false}}
      tags: {{type: list, default: [spam, ads], items: {{maxLength: 10}}}}
      times: {{type: number, default: 2.0}}
    text: ok
    permissions: {{roles: [Moderator]}}
    cooldown: {{rate: 1, per: 30}}
    where: guild
"""


def _docs(tmp_path, capsys, language, *flags):
    spec = tmp_path / "commands.yaml"
    spec.write_text(SPEC.format(language=language), encoding="utf-8")
    assert main(["docs", "--spec", str(spec), *flags]) == 0
    return capsys.readouterr().out


def test_labels_are_in_the_bots_language(tmp_path, capsys):
    page = _docs(tmp_path, capsys, "ru")
    assert page.startswith("# модбот — команды\n")
    assert "Префикс: `!` · язык: `ru` · слэш-команды: да по умолчанию" in page
    assert "| аргумент | тип | обязателен | по умолчанию | правила | описание |" in page
    assert "| `silent` | да/нет | нет | `нет` |" in page
    assert "Кто может вызвать: роли Moderator (только на серверах)" in page
    assert "Ограничение: 1 за 30 с на пользователя" in page
    for english in ("Usage", "Who may use it", "Cooldown", "required", "False", "True"):
        assert english not in page


def test_defaults_are_written_as_a_user_types_them(tmp_path, capsys):
    page = _docs(tmp_path, capsys, "en")
    assert "| `silent` | yes/no | no | `no` |" in page
    assert "| `tags` | list | no | `spam, ads` | each item: maxLength: 10 |" in page
    assert "| `times` | number | no | `2` |" in page
    assert "False" not in page and "True" not in page


def test_the_html_page_is_in_the_bots_language_too(tmp_path, capsys):
    page = _docs(tmp_path, capsys, "ru", "--html")
    assert '<html lang="ru">' in page and "<th>обязателен</th>" in page and "<td>нет</td>" in page


def test_problems_go_to_stderr_not_into_the_page(tmp_path):
    spec = tmp_path / "commands.yaml"
    spec.write_text('commands:\n  hi:\n    description: "Say hi\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "hypotez", "docs", "--spec", str(spec), "--html"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.endswith(f"{spec}:3:18: the quote (\") opened here is not closed\n"
                                  "    hint: add the closing \" at the end of the text, on the same line (for a "
                                  "text over several lines, write '|' and the lines below it, indented)\n"
                                  "1 problem: fix the spec, then try again (hypotez validate)\n")
    assert "Traceback" not in result.stderr
