"""What a slash-command sync would do, before it does it: the spec's commands (as discord.py would send
them) compared with what Discord has, globally and on each server the spec syncs to (``bot.slash_servers``)
or that is asked about. A plan lists the commands to create, change (and which of their fields) and
delete, and how much of Discord's daily budget of command creations (200 a day per scope) it uses;
applying it overwrites only the scopes that differ, with Discord's bulk overwrite."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

DAILY_CREATIONS = 200
# What Discord assumes when a command does not say (so a command sent without them is not "changed").
_DEFAULT_CONTEXTS = [0, 1, 2]
_DEFAULT_INSTALLS = [0]
_COMMAND_FIELDS = ("description", "options", "default_member_permissions", "nsfw", "contexts",
                   "integration_types", "name_localizations", "description_localizations")
_OPTION_FIELDS = ("type", "name", "description", "required", "choices", "min_value", "max_value", "min_length",
                  "max_length", "autocomplete", "channel_types", "options", "name_localizations",
                  "description_localizations")


def _localizations(value: Any) -> dict[str, str]:
    return dict(value or {})


def _option(option: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {key: option.get(key) for key in _OPTION_FIELDS}
    out["required"] = bool(out["required"])
    out["autocomplete"] = bool(out["autocomplete"])
    out["choices"] = [{"name": c["name"], "value": c["value"], "name_localizations": _localizations(
        c.get("name_localizations"))} for c in option.get("choices") or []]
    out["channel_types"] = sorted(option.get("channel_types") or [])
    out["options"] = [_option(o) for o in option.get("options") or []]
    out["name_localizations"] = _localizations(out["name_localizations"])
    out["description_localizations"] = _localizations(out["description_localizations"])
    return out


def normalised(command: Mapping[str, Any]) -> dict[str, Any]:
    """A command as sent or as Discord returns it, with only what a sync can change, defaults made
    explicit (Discord adds ids, versions and defaults of its own)."""
    permissions = command.get("default_member_permissions")
    return {
        "description": command.get("description", ""),
        "options": [_option(o) for o in command.get("options") or []],
        "default_member_permissions": str(permissions) if permissions is not None else None,
        "nsfw": bool(command.get("nsfw", False)),
        "contexts": sorted(command.get("contexts") or _DEFAULT_CONTEXTS),
        "integration_types": sorted(command.get("integration_types") or _DEFAULT_INSTALLS),
        "name_localizations": _localizations(command.get("name_localizations")),
        "description_localizations": _localizations(command.get("description_localizations")),
    }


def _key(command: Mapping[str, Any]) -> tuple[int, str]:
    return int(command.get("type", 1) or 1), str(command["name"])


def _label(key: tuple[int, str]) -> str:
    kind, name = key
    return f"/{name}" if kind == 1 else f"{name!r} ({'user' if kind == 2 else 'message'} menu)"


@dataclass(frozen=True, slots=True)
class ScopePlan:
    """One scope: ``server`` None for the global commands, else a server's id."""

    server: str | None
    desired: list[dict[str, Any]]
    create: tuple[str, ...] = ()
    change: tuple[tuple[str, tuple[str, ...]], ...] = ()
    delete: tuple[str, ...] = ()
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.create or self.change or self.delete)

    @property
    def where(self) -> str:
        return "global" if self.server is None else f"server {self.server}"


def compare(server: str | None, desired: Sequence[Mapping[str, Any]],
            current: Iterable[Mapping[str, Any]]) -> ScopePlan:
    have = {_key(c): normalised(c) for c in current}
    want = {_key(c): normalised(c) for c in desired}
    create = tuple(_label(k) for k in want if k not in have)
    delete = tuple(_label(k) for k in have if k not in want)
    change = tuple((_label(k), tuple(f for f in _COMMAND_FIELDS if want[k][f] != have[k][f]))
                   for k in want if k in have and want[k] != have[k])
    unchanged = sum(1 for k in want if k in have and want[k] == have[k])
    return ScopePlan(server, [dict(c) for c in desired], create, change, delete, unchanged)


def describe(plans: Sequence[ScopePlan]) -> list[str]:
    """The plan in words, one scope after another."""
    lines: list[str] = []
    for plan in plans:
        if not plan.differs:
            lines.append(f"{plan.where}: nothing to change ({plan.unchanged} commands as they are)")
            continue
        lines.append(f"{plan.where}: {len(plan.create)} to create, {len(plan.change)} to change, "
                     f"{len(plan.delete)} to delete, {plan.unchanged} unchanged")
        lines += [f"  + {name}" for name in plan.create]
        lines += [f"  ~ {name}: {', '.join(fields)}" for name, fields in plan.change]
        lines += [f"  - {name}" for name in plan.delete]
        used = len(plan.create)
        lines.append(f"  uses {used} of Discord's {DAILY_CREATIONS} command creations a day for this scope"
                     + (" — more than Discord allows: Discord will refuse the sync; create fewer commands a day"
                        if used > DAILY_CREATIONS else ""))
    return lines


async def fetch_plans(http: Any, application_id: int, desired: Sequence[Mapping[str, Any]],
                      slash_servers: Sequence[str], servers: Sequence[str] = ()) -> list[ScopePlan]:
    """Compare with what Discord has, through discord.py's HTTP client (logged in). The spec's commands
    go to ``slash_servers`` when it names any (instant updates, e.g. while developing), else globally;
    ``servers`` are more servers to look at (commands left there by an earlier sync are deleted)."""
    plans = [compare(None, [] if slash_servers else desired, await http.get_global_commands(application_id))]
    for server in dict.fromkeys([*slash_servers, *servers]):
        wanted = desired if server in slash_servers else []
        plans.append(compare(server, wanted, await http.get_guild_commands(application_id, int(server))))
    return plans


async def apply_plans(http: Any, application_id: int, plans: Sequence[ScopePlan]) -> list[ScopePlan]:
    """Overwrite the scopes that differ; those applied."""
    applied = []
    for plan in plans:
        if not plan.differs:
            continue
        if plan.server is None:
            await http.bulk_upsert_global_commands(application_id, payload=plan.desired)
        else:
            await http.bulk_upsert_guild_commands(application_id, int(plan.server), payload=plan.desired)
        applied.append(plan)
    return applied
