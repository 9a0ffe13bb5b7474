"""Components in the console (a real `hypotez console` subprocess): buttons and menus shown under
answers, and the directives :press, :pick, :fill and :menu, with clear words for each mistake."""

import subprocess
import sys

SPEC = '''
bot: {name: cbot, language: en}
modals:
  note:
    title: A note
    inputs:
      text: {type: text, label: Text, maxLength: 5}
    action: {run: echo, arguments: {words: "{{ text }} on {{ target.content }}"}}
context_menus:
  Note on this:
    target: message
    action: {modal: note}
commands:
  echo:
    description: Say it back
    arguments:
      words: {type: text}
    text: "echo: {{ words }}"
    components:
      - {id: again, label: Again, action: {run: echo, arguments: {words: "{{ words }}!"}}}
      - {id: pick, type: select, placeholder: Mood, options: [{label: Happy, value: happy}], action: {reply: "{{ value }}"}}
'''


def console(tmp_path, text):
    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "hypotez", "console", "--data", str(tmp_path / "data")],
                          input=text, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stdout + done.stderr, done.stderr
    return done.stdout.splitlines()


def test_press_pick_fill_and_menu(tmp_path):
    assert console(tmp_path, "!echo hi\n:press Again\n:pick Mood happy\n:menu Note on this\n:fill text=toolong\n"
                             ":menu Note on this #2\n:fill text=ok\n") == [
        "echo: hi",
        "[Again]",
        "[Mood: happy]",
        "(only you can see this) echo: hi!",
        "[Again]",
        "[Mood: happy]",
        "(only you can see this) happy",
        "(form) A note: text (Text) — answer with :fill NAME=VALUE ...",
        "(only you can see this) ⚠️ `text`: must be at most 5 characters long (got 7).",
        "(form) A note: text (Text) — answer with :fill NAME=VALUE ...",
        "(only you can see this) echo: ok on echo: hi",
        "[Again]",
        "[Mood: happy]",
    ]


def test_mistakes_with_the_directives_are_explained(tmp_path):
    assert console(tmp_path, ":press Again\n:fill x=1\n:menu Nope\n!echo hi\n:pick Mood\n:press Mood\n"
                             ":press Again\n:fill\n:menu Note on this\n:fill nope=1\n:menu Note on this #99\n") == [
        "(console) no button 'Again' on a recent message",
        "(console) no form is open: press a button that opens one first",
        "(console) no context menu 'Nope'; there are: Note on this",
        "echo: hi",
        "[Again]",
        "[Mood: happy]",
        "(console) usage: :pick MENU VALUE[,VALUE] (no select menu 'Mood' on a recent message)",
        "(console) no button 'Mood' on a recent message",
        "(only you can see this) echo: hi!",
        "[Again]",
        "[Mood: happy]",
        "(console) no form is open: press a button that opens one first",
        "(form) A note: text (Text) — answer with :fill NAME=VALUE ...",
        "(console) the form has no nope; it has text",
        "(console) no such message of the bot's: give #ID (see :ids on) or a text",
    ]


ACTIONS_SPEC = '''
bot: {name: cbot, language: en}
state:
  presses: {scope: member, type: counter}
commands:
  panel:
    description: Buttons that do things
    text: Press something
    components:
      - {id: count, label: Count me, action: {actions: [{increment: presses}],
         reply: "{{ user }} pressed {{ state.member.presses }} times", ephemeral: false}}
      - {id: member, label: Member, action: {actions: [{add_role: Member}, {react: "👍"}],
         permissions: [manage_roles, add_reactions]}}
'''


def test_press_takes_a_buttons_actions(tmp_path):
    (tmp_path / "commands.yaml").write_text(ACTIONS_SPEC, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "hypotez", "console", "--data", str(tmp_path / "data")],
                          input="!panel\n:press Count me\n:press Count me\n:press Member\n", capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stdout + done.stderr, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Press something", "[Count me] [Member]"]
    assert lines[2:4] == ["you pressed 1 times", "you pressed 2 times"]
    assert lines[4:] == ["(console) role Member given to you", "(console) the bot reacted 👍 to message #2",
                         "(only you can see this) ✅ Done."]
