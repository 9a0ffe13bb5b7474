"""Building the interactive parts of a spec (hypotez.declaration.model_components) from the YAML the
schema accepted, with the checks that need only the declaration: Discord's limits (5 rows of 5
buttons, 25 select options, 5 modal inputs, custom ids of 100 characters, labels of 80), and that every
command, modal and argument an action names exists."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any, Callable

from hypotez.declaration.building import _build_argument, _permissions, refused
from hypotez.declaration.events_building import build_action
from hypotez.declaration.events_model import ACTION_KINDS as STEP_KINDS
from hypotez.declaration.inline import _localized
from hypotez.declaration.model import CommandSpec, Location, frozen_mapping
from hypotez.declaration.model_components import (MESSAGES_OWNER, ONLY_ACTIONS, SELECT_TYPES, ActionSpec,
                                                  ComponentSpec, ContextMenuSpec, InputSpec, Interactions, ModalSpec,
                                                  OptionSpec, ReplyInteractions, StepSpec)
from hypotez.declaration.yamlload import Locations

ROWS_MAX = 5
BUTTONS_PER_ROW = 5
OPTIONS_MAX = 25
INPUTS_MAX = 5
CUSTOM_ID_MAX = 100
LABEL_MAX = 80
OPTION_LABEL_MAX = 100
PLACEHOLDER_MAX = 150
TITLE_MAX = 45
INPUT_TEXT_MAX = 4000
CONTEXT_MENUS_MAX = 5  # of each target, per bot
# A custom id is "hz1:<kind>:<owner>:<item>:<expiry>:<carried>"; the expiry takes up to 7 characters and
# what is carried (the reply's arguments, or a reference to them) at least 17.
ID_OVERHEAD = len("hz1:c:::") + 7 + 1 + 17

Path_ = tuple[Any, ...]
Add = Callable[..., None]


def _texts_of(value: Any) -> list[str]:
    return [] if value is None else list(value.values())


class InteractionsBuilder:
    def __init__(self, locations: Locations, commands: dict[str, CommandSpec], add: Add):
        self.locations = locations
        self.commands = commands
        self.add = add  # add(path, message, hint=None, at_key=True)
        self.modal_refs: list[tuple[Path_, str]] = []  # where an action opens a modal, and which
        self.texts: list[tuple[Path_, str]] = []  # every action's Jinja text, with where it is

    def loc(self, path: Path_) -> Location:
        line, column = self.locations.of_key(path)
        return Location(self.locations.file, line, column)

    # -- actions ----------------------------------------------------------------------------

    def action(self, raw: dict[str, Any], path: Path_, *, allowed: tuple[str, ...], what: str) -> ActionSpec | None:
        kinds = [k for k in ("reply", "edit", "run", "toggle_role", "modal") if k in raw]
        steps = self.steps(raw, path, what=what, allowed=ONLY_ACTIONS in allowed, kinds=kinds)
        if steps is None:
            return None
        if steps and not kinds:
            kinds = [ONLY_ACTIONS]
        if len(kinds) != 1:
            self.add(path, f"the action of {what} must do one thing: reply, edit, run, toggle_role or modal "
                           f"({'it has ' + ', '.join(kinds) if kinds else 'it has none'})",
                     "keep exactly one of them" + (" (or only 'actions:')" if ONLY_ACTIONS in allowed else ""))
            return None
        kind = kinds[0]
        if kind not in allowed:
            self.add(path + (kind,), f"{what} cannot '{kind}'",
                     f"use one of: {', '.join(k for k in allowed if k != ONLY_ACTIONS)}")
            return None
        if "arguments" in raw and kind != "run":
            self.add(path + ("arguments",), "'arguments' only goes with 'run'")
        self.syntax(raw, path)
        arguments = None
        if kind == "modal":
            self.modal_refs.append((path + ("modal",), raw["modal"]))
        if kind == "run":
            command = self.commands.get(raw["run"])
            if command is None:
                close = get_close_matches(raw["run"], list(self.commands), n=1)
                self.add(path + ("run",), f"{what} runs command '{raw['run']}', which the spec does not have",
                         f"did you mean '{close[0]}'?" if close else "name one of the spec's commands",
                         at_key=False)
                return None
            arguments = {str(k): str(v) for k, v in (raw.get("arguments") or {}).items()}
            known = [a.name for a in command.arguments]
            for name in arguments:
                if name not in known:
                    close = get_close_matches(name, known, n=1)
                    self.add(path + ("arguments", name), f"command '{command.name}' has no argument '{name}'",
                             f"did you mean '{close[0]}'?" if close else
                             f"its arguments: {', '.join(known) or 'none'}")
        return ActionSpec(kind=kind, text=_localized(raw.get(kind)) if kind in ("reply", "edit") else None,
                          command=raw.get("run"), arguments=frozen_mapping(arguments) if arguments is not None
                          else None, role=raw.get("toggle_role"), modal=raw.get("modal"),
                          ephemeral=bool(raw.get("ephemeral", True)), steps=steps,
                          permissions=tuple(raw.get("permissions") or ()), location=self.loc(path))

    def steps(self, raw: dict[str, Any], path: Path_, *, what: str, allowed: bool,
              kinds: list[str]) -> tuple[StepSpec, ...] | None:
        """The actions (those of triggers and events) a button or a select menu takes first; None when
        the action cannot be built at all."""
        if "actions" not in raw:
            if "permissions" in raw:
                self.add(path + ("permissions",), "'permissions' only goes with 'actions'",
                         "they are the bot's permissions the actions may use")
            return ()
        if not allowed:
            self.add(path + ("actions",), f"{what} cannot take actions",
                     "only buttons and select menus can; let a button open the form instead")
            return None
        for kind in ("toggle_role", "modal"):
            if kind in kinds:
                self.add(path + (kind,), f"{what} cannot both take actions and '{kind}'",
                         "use {add_role: ...} or {remove_role: ...} in 'actions:'" if kind == "toggle_role" else
                         "a form opens at once, before any action: let the form's answer say what was done")
                return None
        steps = []
        for index, item in enumerate(raw.get("actions") or ()):
            if not isinstance(item, dict) or len(item) != 1 or next(iter(item)) not in STEP_KINDS:
                continue  # the schema check has said what is wrong with it
            try:
                step = build_action(item, path + ("actions", index))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
            steps.append(step)
            for text in (step.target.values() if step.kind == "dm" else
                         [step.value] if step.kind == "set" and isinstance(step.value, str) else []):
                self.texts.append((step.path, str(text)))
        if "edit" in kinds and any(s.kind == "delete_message" for s in steps):
            self.add(path + ("edit",), f"{what} deletes its message: it cannot also edit it",
                     "use 'reply:' to answer, or remove the delete_message action")
        return tuple(steps)

    def syntax(self, raw: dict[str, Any], path: Path_) -> None:
        """Keep the action's texts with where they are: the registry checks them as templates."""
        for key in ("reply", "edit"):
            value = raw.get(key)
            if isinstance(value, str):
                self.texts.append((path + (key,), value))
            elif isinstance(value, dict):
                self.texts.extend((path + (key, k), str(v)) for k, v in value.items())
        self.texts.extend((path + ("arguments", k), str(v)) for k, v in (raw.get("arguments") or {}).items())

    # -- components -------------------------------------------------------------------------

    def component(self, raw: dict[str, Any], path: Path_, owner: str) -> ComponentSpec | None:
        kind = raw.get("type") or ("link" if "url" in raw else "select" if "options" in raw else "button")
        what = f"component '{raw['id']}'"
        for key, limit in (("label", LABEL_MAX), ("placeholder", PLACEHOLDER_MAX)):
            for text in _texts_of(_localized(raw.get(key))):
                if len(text) > limit:
                    self.add(path + (key,), f"the {key} of {what} is {len(text)} characters; Discord allows {limit}",
                             "shorten it", at_key=False)
        if kind in ("button", "link") and not raw.get("label") and not raw.get("emoji"):
            self.add(path, f"button '{raw['id']}' has neither a label nor an emoji", "add 'label:' or 'emoji:'")
        if kind == "link":
            if "url" not in raw:
                self.add(path, f"link button '{raw['id']}' has no url", "add 'url: https://...'")
            if "action" in raw:
                self.add(path + ("action",), f"link button '{raw['id']}' opens its url: it cannot have an action",
                         "remove 'action:', or remove 'url:' to make it a button")
        elif "url" in raw:
            self.add(path + ("url",), f"'url' only applies to link buttons ({what} is a {kind})")
        if kind == "select" and not raw.get("options"):
            self.add(path, f"select menu '{raw['id']}' lists no options", "add 'options: [{label: ..., value: ...}]'")
        if "options" in raw and kind != "select":
            self.add(path + ("options",), f"'options' only applies to 'type: select' ({what} is a {kind})")
        options = tuple(self.option(o, path + ("options", i)) for i, o in enumerate(raw.get("options") or ()))
        if len(options) > OPTIONS_MAX:
            self.add(path + ("options",), f"select menu '{raw['id']}' has {len(options)} options; Discord allows "
                                          f"{OPTIONS_MAX}", "keep 25 or fewer")
        values = [str(o.value) for o in options]
        if len(set(values)) != len(values):
            self.add(path + ("options",), f"two options of '{raw['id']}' have the same value",
                     "give each option its own value")
        low, high = raw.get("min_values", 1), raw.get("max_values", 1)
        if kind not in SELECT_TYPES and ("min_values" in raw or "max_values" in raw):
            self.add(path, f"'min_values'/'max_values' only apply to select menus ({what} is a {kind})")
        if low > high or (options and high > len(options)):
            self.add(path + ("max_values",), f"select menu '{raw['id']}' allows {low} to {high} choices out of "
                                             f"{len(options) if options else 'its'} options",
                     "min_values ≤ max_values ≤ the number of options")
        if kind in SELECT_TYPES and "style" in raw:
            self.add(path + ("style",), f"'style' only applies to buttons ({what} is a {kind})")
        action = None
        if kind != "link":
            if "action" not in raw:
                self.add(path, f"{what} does nothing when used", "add 'action:' (reply, edit, run, toggle_role, "
                                                                  "modal, or actions)")
            else:
                action = self.action(raw["action"], path + ("action",), what=what,
                                     allowed=("reply", "edit", "run", "toggle_role", "modal", ONLY_ACTIONS))
        custom_id = ID_OVERHEAD + len(owner) + len(raw["id"])
        if custom_id > CUSTOM_ID_MAX:
            self.add(path + ("id",), f"the custom id of {what} would be {custom_id} characters; Discord allows "
                                     f"{CUSTOM_ID_MAX}", "shorten the command's name or the component's id",
                     at_key=False)
        return ComponentSpec(
            id=raw["id"], type=kind, label=_localized(raw.get("label")), style=raw.get("style", "secondary"),
            emoji=raw.get("emoji"), url=_localized(raw.get("url")), row=raw.get("row"),
            placeholder=_localized(raw.get("placeholder")), options=options, min_values=low, max_values=high,
            action=action, permissions=_permissions(raw.get("permissions") or {}), expires=raw.get("expires"),
            location=self.loc(path))

    def option(self, raw: dict[str, Any], path: Path_) -> OptionSpec:
        for text in _texts_of(_localized(raw["label"])):
            if len(text) > OPTION_LABEL_MAX:
                self.add(path + ("label",), f"an option's label is {len(text)} characters; Discord allows "
                                            f"{OPTION_LABEL_MAX}", "shorten it", at_key=False)
        return OptionSpec(label=_localized(raw["label"]), value=str(raw["value"]),  # type: ignore[arg-type]
                          description=_localized(raw.get("description")), emoji=raw.get("emoji"))

    def layout(self, components: list[ComponentSpec], path: Path_) -> None:
        """Discord's grid: at most 5 rows; a row holds 5 buttons or one select menu."""
        rows: list[list[ComponentSpec]] = [[] for _ in range(ROWS_MAX)]
        auto = 0
        for index, component in enumerate(components):
            if component.row is not None:
                row = component.row
            else:
                while auto < ROWS_MAX and (rows[auto] and (component.is_select or rows[auto][0].is_select
                                                           or len(rows[auto]) >= BUTTONS_PER_ROW)):
                    auto += 1
                row = auto
            if row >= ROWS_MAX:
                self.add(path + (index,), f"component '{component.id}' does not fit: Discord shows at most "
                                          f"{ROWS_MAX} rows of {BUTTONS_PER_ROW} buttons (a select menu takes a "
                                          "whole row)", "remove some components, or put more buttons in a row")
                return
            if rows[row] and (component.is_select or rows[row][0].is_select):
                self.add(path + (index, "row"), f"row {row} already has a component; a select menu needs a row "
                                                f"of its own", "give it another 'row:'")
            elif len(rows[row]) >= BUTTONS_PER_ROW:
                self.add(path + (index, "row"), f"row {row} already has {BUTTONS_PER_ROW} buttons; Discord "
                                                f"allows {BUTTONS_PER_ROW} per row", "put it in another row")
            rows[row].append(component)

    def replies(self, raw: list[dict[str, Any]], ephemeral: Any, path: Path_, owner: str,
                outcomes: list[str]) -> ReplyInteractions:
        components: list[ComponentSpec] = []
        seen: set[str] = set()
        for index, item in enumerate(raw or ()):
            if item["id"] in seen:
                self.add(path + ("components", index, "id"), f"two components are called '{item['id']}'",
                         "give each component its own id", at_key=False)
            seen.add(item["id"])
            built = self.component(item, path + ("components", index), owner)
            if built is not None:
                components.append(built)
        self.layout(components, path + ("components",))
        if isinstance(ephemeral, list):
            for index, outcome in enumerate(ephemeral):
                if outcome not in outcomes:
                    close = get_close_matches(outcome, outcomes, n=1)
                    self.add(path + ("ephemeral", index), f"'{outcome}' is not an outcome of this command",
                             f"did you mean '{close[0]}'?" if close else f"its outcomes: {', '.join(outcomes)}",
                             at_key=False)
            ephemeral = frozenset(ephemeral)
        return ReplyInteractions(components=tuple(components), ephemeral=ephemeral or False)

    # -- modals and context menus -----------------------------------------------------------

    def modal(self, name: str, raw: dict[str, Any], path: Path_) -> ModalSpec | None:
        for text in _texts_of(_localized(raw["title"])):
            if len(text) > TITLE_MAX:
                self.add(path + ("title",), f"the title of modal '{name}' is {len(text)} characters; Discord allows "
                                            f"{TITLE_MAX}", "shorten it", at_key=False)
        if len(raw["inputs"]) > INPUTS_MAX:
            self.add(path + ("inputs",), f"modal '{name}' has {len(raw['inputs'])} inputs; Discord allows "
                                         f"{INPUTS_MAX}", "keep 5 or fewer")
        inputs = []
        for input_name, item in raw["inputs"].items():
            ipath = path + ("inputs", input_name)
            for text in _texts_of(_localized(item["label"])):
                if len(text) > TITLE_MAX:
                    self.add(ipath + ("label",), f"the label of input '{input_name}' is {len(text)} characters; "
                                                 f"Discord allows {TITLE_MAX}", "shorten it", at_key=False)
            if item.get("maxLength", 0) > INPUT_TEXT_MAX:
                self.add(ipath + ("maxLength",), f"a text input holds at most {INPUT_TEXT_MAX} characters",
                         f"set maxLength to {INPUT_TEXT_MAX} or less", at_key=False)
            argument = _build_argument(input_name, {k: v for k, v in item.items()
                                                    if k not in ("label", "style", "placeholder")}, self.loc(ipath))
            inputs.append(InputSpec(argument, _localized(item["label"]), item.get("style", "short"),  # type: ignore[arg-type]
                                    _localized(item.get("placeholder"))))
        action = self.action(raw["action"], path + ("action",), what=f"modal '{name}'", allowed=("reply", "run"))
        if ID_OVERHEAD + len(name) > CUSTOM_ID_MAX:
            self.add(path, f"the custom id of modal '{name}' would be too long", "shorten its name")
        return ModalSpec(name, _localized(raw["title"]), tuple(inputs), action,  # type: ignore[arg-type]
                         self.loc(path)) if action else None

    def context_menu(self, name: str, raw: dict[str, Any], path: Path_) -> ContextMenuSpec | None:
        action = self.action(raw["action"], path + ("action",), what=f"context menu '{name}'",
                             allowed=("reply", "run", "modal"))
        if action is None:
            return None
        return ContextMenuSpec(name, raw["target"], action, _permissions(raw.get("permissions") or {}),
                               raw.get("where", "guild"), self.loc(path))


def build_interactions(raw: dict[str, Any], commands: list[CommandSpec], bad_paths: set[Path_],
                       locations: Locations, add: Add) -> Interactions:
    """The interactive parts of the spec ``raw`` (the whole YAML), checked; ``commands`` are those built."""
    by_name = {c.name: c for c in commands}
    builder = InteractionsBuilder(locations, by_name, add)
    modals: dict[str, ModalSpec] = {}
    for name, item in (raw.get("modals") or {}).items() if isinstance(raw.get("modals"), dict) else ():
        if not refused(bad_paths, ("modals", name)) and isinstance(item, dict):
            built = builder.modal(name, item, ("modals", name))
            if built is not None:
                modals[name] = built
    replies: dict[str, ReplyInteractions] = {}
    for name, item in (raw.get("commands") or {}).items() if isinstance(raw.get("commands"), dict) else ():
        command = by_name.get(name)
        if command is None or not isinstance(item, dict) or not (item.get("components") or "ephemeral" in item):
            continue
        replies[name] = builder.replies(item.get("components") or [], item.get("ephemeral"), ("commands", name),
                                        name, list(command.reply_templates) or ["default"])
    messages = (raw.get("bot") or {}).get("messages") if isinstance(raw.get("bot"), dict) else None
    if isinstance(messages, dict) and messages.get("components") and not refused(bad_paths, ("bot",)):
        replies[MESSAGES_OWNER] = builder.replies(messages["components"], None, ("bot", "messages"),
                                                  MESSAGES_OWNER, [])
    menus: list[ContextMenuSpec] = []
    for name, item in (raw.get("context_menus") or {}).items() if isinstance(raw.get("context_menus"), dict) else ():
        if not refused(bad_paths, ("context_menus", name)) and isinstance(item, dict):
            built = builder.context_menu(name, item, ("context_menus", name))
            if built is not None:
                menus.append(built)
    for target in ("message", "user"):
        count = sum(1 for m in menus if m.target == target)
        if count > CONTEXT_MENUS_MAX:
            add(("context_menus",), f"{count} context menus on a {target}; Discord allows {CONTEXT_MENUS_MAX}",
                "remove some")
    declared = set(raw["modals"]) if isinstance(raw.get("modals"), dict) else set()
    for path, modal in builder.modal_refs:
        if modal not in declared:  # one declared with problems of its own has had them reported
            close = get_close_matches(modal, list(declared), n=1)
            add(path, f"there is no modal '{modal}'", f"did you mean '{close[0]}'?" if close else
                "declare it under 'modals:' at the top of the file", at_key=False)
    return Interactions(replies=frozen_mapping(replies), modals=frozen_mapping(modals), context_menus=tuple(menus),
                        sources=tuple(builder.texts))

