"""Misused components, modals and context menus: each file in tests/specs/components/ and exactly what
`hypotez validate` prints for it — Discord's limits (5 rows of 5 buttons, 25 options, 5 inputs,
custom ids of 100 characters, labels of 80, titles of 45) and names that do not exist, located with a
hint."""

from pathlib import Path

import pytest

from hypotez.cli import main

CORPUS = Path(__file__).parent / "specs" / "components"

EXPECTED = {
    # buttons' and select menus' actions (those of triggers and events): names, state keys, permissions
    'action_unknown_name': (
        "{file}:6:55: unknown key 'incremnt' in action 1 of component 1 of command 'count'\n"
        "    hint: did you mean 'increment'?\n"
        # the command is left out (its problem is above), so nothing reads or writes the key
        "{file}:8:3: warning: state 'presses' is never read\n"
        '    hint: show it in a text: {{ state.member.presses }}\n'
        "{file}:8:3: warning: state 'presses' is never written\n"
        "    hint: add a 'set' or 'increment' action that writes it\n"
    ),
    'action_unknown_state': (
        "{file}:6:66: unknown state key 'pressess'\n"
        "    hint: did you mean 'presses'?\n"
        "{file}:7:47: unknown state key 'presess'\n"
        "    hint: did you mean 'presses'?\n"
        "{file}:9:3: warning: state 'presses' is never written\n"
        "    hint: add a 'set' or 'increment' action that writes it\n"
    ),
    'action_permission_not_declared': (
        "{file}:6:57: 'add_role' needs the bot's 'manage_roles' permission, which is not declared\n"
        "    hint: add 'permissions: [manage_roles]' next to 'actions:'\n"
        "{file}:7:79: component 'gone' deletes its message: it cannot also edit it\n"
        "    hint: use 'reply:' to answer, or remove the delete_message action\n"
        "{file}:8:53: 'permissions' only goes with 'actions'\n"
        "    hint: they are the bot's permissions the actions may use\n"
    ),
    'actions_where_they_cannot_be': (
        "{file}:6:39: modal 'ask' cannot take actions\n"
        '    hint: only buttons and select menus can; let a button open the form instead\n'
        "{file}:12:42: component 'both' cannot both take actions and 'toggle_role'\n"
        "    hint: use {add_role: ...} or {remove_role: ...} in 'actions:'\n"
    ),
    'bad_template_in_action': (
        "{file}:6:45: the text is not a valid template: unexpected '}'\n"
        '    hint: check the {{ }} and {% %} pairs\n'
    ),
    'component_without_action': (
        "{file}:6:9: component 'go' does nothing when used\n"
        "    hint: add 'action:' (reply, edit, run, toggle_role, modal, or actions)\n"
        "{file}:7:35: the action of component 'twice' must do one thing: reply, edit, run, toggle_role or modal (it has reply, edit)\n"
        "    hint: keep exactly one of them (or only 'actions:')\n"
        "{file}:8:9: select menu 'menu' lists no options\n"
        "    hint: add 'options: [{label: ..., value: ...}]'\n"
    ),
    'context_menu_unknown_command': (
        "{file}:4:19: context menu 'Quote this' runs command 'quote', which the spec does not have\n"
        "    hint: did you mean 'qoute'?\n"
        "{file}:7:14: context menu 'Greet' cannot 'toggle_role'\n"
        '    hint: use one of: reply, run, modal\n'
    ),
    'custom_id_too_long': (
        "{file}:7:14: the custom id of component 'a_long_component_id' would be 112 characters; Discord allows 100\n"
        "    hint: shorten the command's name or the component's id\n"
    ),
    'duplicate_component_ids': (
        "{file}:7:14: two components are called 'go'\n"
        '    hint: give each component its own id\n'
    ),
    'label_too_long': (
        "{file}:7:16: the label of component 'go' is 86 characters; Discord allows 80\n"
        '    hint: shorten it\n'
    ),
    'link_with_action': (
        "{file}:6:61: link button 'docs' opens its url: it cannot have an action\n"
        "    hint: remove 'action:', or remove 'url:' to make it a button\n"
    ),
    'modal_title_too_long': (
        "{file}:3:12: the title of modal 'survey' is 48 characters; Discord allows 45\n"
        '    hint: shorten it\n'
        '{file}:5:54: a text input holds at most 4000 characters\n'
        '    hint: set maxLength to 4000 or less\n'
        "{file}:6:14: modal 'survey' cannot 'edit'\n"
        '    hint: use one of: reply, run\n'
    ),
    'run_unknown_command': (
        "{file}:11:43: component 'go' runs command 'ecko', which the spec does not have\n"
        "    hint: did you mean 'echo'?\n"
        "{file}:12:67: command 'echo' has no argument 'word'\n"
        "    hint: did you mean 'words'?\n"
    ),
    'select_in_a_full_row': (
        '{file}:7:34: row 1 already has a component; a select menu needs a row of its own\n'
        "    hint: give it another 'row:'\n"
    ),
    'six_buttons_in_a_row': (
        '{file}:11:27: row 0 already has 5 buttons; Discord allows 5 per row\n'
        '    hint: put it in another row\n'
    ),
    'six_modal_inputs': (
        "{file}:4:5: modal 'survey' has 6 inputs; Discord allows 5\n"
        '    hint: keep 5 or fewer\n'
    ),
    'twenty_six_buttons': (
        "{file}:81:7: component 'b25' does not fit: Discord shows at most 5 rows of 5 buttons (a select menu takes a whole row)\n"
        '    hint: remove some components, or put more buttons in a row\n'
    ),
    'twenty_six_options': (
        "{file}:8:7: select menu 'menu' has 26 options; Discord allows 25\n"
        '    hint: keep 25 or fewer\n'
    ),
    'unknown_modal': (
        "{file}:12:45: there is no modal 'servey'\n"
        "    hint: did you mean 'survey'?\n"
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_validate_locates_each_misuse(name, capsys):
    path = CORPUS / f"{name}.yaml"
    assert main(["validate", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == EXPECTED[name].replace("{file}", str(path))
    assert "Traceback" not in out + err


def test_state_a_button_writes_and_reads_gives_no_warning(tmp_path, capsys):
    path = tmp_path / "commands.yaml"
    path.write_text("commands:\n  count:\n    description: Count presses\n    text: Press it\n    components:\n"
                    "      - {id: me, label: Count me, action: {actions: [{increment: presses}],"
                    " reply: '{{ state.member.presses }}'}}\n"
                    "state:\n  presses: {scope: member, type: counter}\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert "warning" not in out and "never" not in out, out


def test_every_file_of_the_corpus_is_checked():
    assert {p.stem for p in CORPUS.glob("*.yaml")} == set(EXPECTED)
