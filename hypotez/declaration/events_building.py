"""Building an :class:`~hypotez.declaration.events_model.EventsSpec` from the YAML sections the schema
check accepted (triggers, events, reactions, schedules, state, state_limits) and the commands'
examples with expected replies. A section the schema refused is left out: its problems are reported."""

from __future__ import annotations

from typing import Any, Callable

from hypotez.declaration.events_model import (ActionSpec, CooldownRule, EventsSpec, ExampleSpec, ReactionSpec,
                                              ResponseSpec, ScheduleSpec, StateKeySpec, StateLimits, TriggerSpec)
from hypotez.declaration.building import refused
from hypotez.declaration.inline import _localized
from hypotez.declaration.model import Location, frozen_mapping
from hypotez.declaration.yamlload import Locations

MATCH_MODES = ("contains", "starts_with", "exact", "regex")
Path_ = tuple[Any, ...]


def _loc(locations: Locations, path: Path_) -> Location:
    line, column = locations.of_key(path)
    return Location(locations.file, line, column)


def _names(raw: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in raw or ())


def build_action(raw: dict[str, Any], path: Path_) -> ActionSpec:
    [(kind, argument)] = raw.items()
    if kind == "increment":
        key, by = (argument, 1) if isinstance(argument, str) else (argument["key"], int(argument.get("by", 1)))
        return ActionSpec("increment", key, by=by, path=path + (kind,))
    if kind == "set":
        return ActionSpec("set", argument["key"], value=argument["value"], path=path + (kind,))
    if kind == "dm":
        return ActionSpec("dm", _localized(argument), path=path + (kind,))
    return ActionSpec(kind, None if kind == "delete_message" else str(argument), path=path + (kind,))


def build_response(raw: dict[str, Any], path: Path_) -> ResponseSpec:
    actions = tuple(build_action(a, path + ("actions", i)) for i, a in enumerate(raw.get("actions") or ()))
    return ResponseSpec(texts=_localized(raw.get("text")) or frozen_mapping(), template=raw.get("reply"),
                        channel=str(raw["channel"]) if raw.get("channel") is not None else None,
                        dm=bool(raw.get("dm", False)), actions=actions,
                        permissions=tuple(raw.get("permissions") or ()), path=path)


def _examples(raw: Any, owner: str, path: Path_, locations: Locations) -> list[ExampleSpec]:
    out = []
    for index, item in enumerate(raw or ()):
        if isinstance(item, dict):
            out.append(ExampleSpec(item["say"], item.get("expect"), bool(item.get("expect_nothing")), owner,
                                   _loc(locations, path + (index,))))
    return out


def _trigger(name: str, raw: dict[str, Any], path: Path_, locations: Locations) -> TriggerSpec:
    modes = [m for m in MATCH_MODES if m in raw]
    mode = modes[0] if modes else "contains"
    cooldown = raw.get("cooldown")
    return TriggerSpec(
        name=name, mode=mode, pattern=str(raw.get(mode, "")), response=build_response(raw, path),
        ignore_case=bool(raw.get("ignore_case", True)), ignore_accents=bool(raw.get("ignore_accents", True)),
        channels=_names(raw.get("channels")), roles=_names(raw.get("roles")), priority=int(raw.get("priority", 0)),
        stop=bool(raw.get("stop", True)),
        cooldown=CooldownRule(cooldown["rate"], float(cooldown["per"]), cooldown.get("scope", "user"))
        if cooldown else None,
        location=_loc(locations, path), modes=tuple(modes))


def _reaction(name: str, raw: dict[str, Any], path: Path_, locations: Locations) -> ReactionSpec:
    return ReactionSpec(
        name=name, emoji=raw["emoji"], message=str(raw["message"]) if raw.get("message") is not None else None,
        channel=str(raw["channel"]) if raw.get("channel") is not None else None, role=raw.get("role"),
        added=build_response(raw["added"], path + ("added",)) if raw.get("added") else None,
        removed=build_response(raw["removed"], path + ("removed",)) if raw.get("removed") else None,
        permissions=tuple(raw.get("permissions") or ()), location=_loc(locations, path))


def _schedule(name: str, raw: dict[str, Any], path: Path_, locations: Locations) -> ScheduleSpec:
    return ScheduleSpec(name=name, response=build_response(raw, path), cron=raw.get("cron"),
                        every=float(raw["every"]) if raw.get("every") is not None else None,
                        timezone=raw.get("timezone", "UTC"), missed=raw.get("missed", "skip"),
                        command=raw.get("command"), location=_loc(locations, path))


def _state(key: str, raw: dict[str, Any]) -> StateKeySpec:
    return StateKeySpec(key=key, scope=raw["scope"], counter=raw.get("type", "value") == "counter",
                        default=raw.get("default"), leaderboard=int(raw.get("leaderboard", 10)),
                        max_length=raw.get("max_length"))


def _each(raw: Any, section: str, bad: set[Path_], build: Callable[..., Any], locations: Locations) -> list[Any]:
    if not isinstance(raw, dict):
        return []
    out = []
    for name, entry in raw.items():
        if refused(bad, (section, name)) or not isinstance(entry, dict):
            continue
        try:
            out.append(build(str(name), entry, (section, name), locations))
        except (KeyError, TypeError, ValueError, AttributeError):
            continue  # the schema check has said what is wrong with it
    return out


def build_events(raw: dict[str, Any], locations: Locations, bad: set[Path_]) -> EventsSpec:
    """The events part of a spec; ``bad``: the paths the schema check refused (left out)."""
    triggers = _each(raw.get("triggers"), "triggers", bad, _trigger, locations)
    events_raw = raw.get("events") if isinstance(raw.get("events"), dict) else {}
    members = {kind: build_response(events_raw[kind], ("events", kind))
               for kind in ("member_join", "member_leave")
               if isinstance(events_raw.get(kind), dict) and not refused(bad, ("events", kind))}
    roles = {kind: tuple((str(item["role"]), build_response(item, ("events", kind, index)))
                         for index, item in enumerate(events_raw[kind]) if isinstance(item, dict))
             for kind in ("role_added", "role_removed")
             if isinstance(events_raw.get(kind), list) and not refused(bad, ("events", kind))}
    state = {}
    if isinstance(raw.get("state"), dict):
        for key, entry in raw["state"].items():
            if not refused(bad, ("state", key)) and isinstance(entry, dict):
                state[str(key)] = _state(str(key), entry)
    limits_raw = raw.get("state_limits") if isinstance(raw.get("state_limits"), dict) else {}
    examples: list[ExampleSpec] = []
    for name, command in (raw.get("commands") or {}).items() if isinstance(raw.get("commands"), dict) else ():
        if isinstance(command, dict) and not refused(bad, ("commands", name)):
            examples += _examples(command.get("examples"), f"command {name}", ("commands", name, "examples"),
                                  locations)
    for trigger in triggers:
        examples += _examples(raw["triggers"][trigger.name].get("examples"), f"trigger {trigger.name}",
                              ("triggers", trigger.name, "examples"), locations)
    return EventsSpec(
        triggers=tuple(sorted(triggers, key=lambda t: -t.priority)),  # stable: same priority, spec order
        member_join=members.get("member_join"), member_leave=members.get("member_leave"),
        role_added=roles.get("role_added", ()), role_removed=roles.get("role_removed", ()),
        reactions=tuple(_each(raw.get("reactions"), "reactions", bad, _reaction, locations)),
        schedules=tuple(_each(raw.get("schedules"), "schedules", bad, _schedule, locations)),
        state=frozen_mapping(state),
        limits=StateLimits(**{k: int(v) for k, v in (limits_raw or {}).items()})
        if not refused(bad, ("state_limits",)) else StateLimits(),
        examples=tuple(examples))
