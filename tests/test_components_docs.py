"""`hypotez docs` shows the interactive parts: who sees an answer, the buttons and select menus under it
and what they do, the forms and the context menus — in Markdown and in HTML alike."""

import textwrap

from support import ROOT

from hypotez.cli import main

SPEC = textwrap.dedent('''
    bot: {name: docbot, language: en}
    modals:
      ask:
        title: Ask us
        inputs:
          question: {type: text, label: Question}
          times: {type: integer, label: Times, required: false}
        action: {run: echo, arguments: {words: "{{ question }}"}}
    context_menus:
      Quote this:
        target: message
        action: {reply: "> {{ target.content }}"}
        permissions: {roles: [Mod]}
    commands:
      echo:
        description: Say it back
        arguments:
          words: {type: text}
        text: "{{ words }}"
        ephemeral: true
        components:
          - {id: again, label: Again, emoji: "🔁", action: {run: echo, arguments: {words: "{{ words }}"}}}
          - {id: close, label: Close, action: {edit: closed}, permissions: {roles: [Mod]}, expires: 60}
          - {id: ask, label: Ask, action: {modal: ask}}
          - {id: colour, type: select, placeholder: Colour, options: [{label: Red, value: red}], action: {reply: "{{ value }}"}}
          - {id: role, label: Gamer, action: {toggle_role: Gamer}}
          - {id: docs, label: Docs, url: "https://example.com"}
          - {id: count, label: Count me, action: {actions: [{increment: presses}], reply: "{{ state.member.presses }}"}}
          - {id: thumbs, label: Thumbs, action: {actions: [{react: "👍"}, {add_role: Member}],
             permissions: [add_reactions, manage_roles]}}
    state:
      presses: {scope: member, type: counter}
''')


def test_docs_describe_components_forms_and_context_menus(tmp_path, capsys):
    spec = tmp_path / "commands.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    assert main(["docs", "--spec", str(spec)]) == 0
    markdown = capsys.readouterr().out
    for line in ["* Only the person who asked sees the answer (slash command).",
                 "* Under the answer: button “🔁 Again”: runs `echo`",
                 "* Under the answer: button “Close”: changes the message, for roles Mod, for 60 s",
                 "* Under the answer: button “Ask”: opens the form `ask`",
                 "* Under the answer: select “Colour”: answers (only to whoever used it)",
                 "* Under the answer: button “Gamer”: gives or takes the role Gamer",
                 "* Under the answer: link “Docs”: opens a link",
                 "* Under the answer: button “Count me”: does increment presses, then answers (only to whoever used it)",
                 "* Under the answer: button “Thumbs”: does react 👍, add_role Member",
                 "* “Quote this” (on a message): answers (only to whoever used it), for roles Mod",
                 "* `ask` “Ask us”: question (text), times (whole number, optional); then runs `echo`"]:
        assert line in markdown.splitlines(), line
    assert main(["docs", "--spec", str(spec), "--html"]) == 0
    page = capsys.readouterr().out
    assert "<li>“Quote this” (on a message): answers (only to whoever used it), for roles Mod</li>" in page
    assert "<p>Under the answer: button “🔁 Again”: runs `echo`</p>" in page


def test_the_shipped_bots_docs_list_its_thumbs_and_context_menus(capsys):
    assert main(["docs", "--spec", str(ROOT / "commands.yaml")]) == 0
    markdown = capsys.readouterr().out
    # The shipped bot speaks Russian: so does its reference.
    assert "* Под каждым ответом в разговоре: кнопка “👍 up”: выполняет `rate`" in markdown
    assert "* «Correct this answer» (на сообщении): открывает форму `correction`, для: роли Trainer, Тренер или " \
           "права manage_guild" in markdown
    assert "Context menus" not in markdown and "the bot needs" not in markdown
