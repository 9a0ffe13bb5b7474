"""Components and modals as an adapter shows them: texts rendered in the reply's language, custom ids
made, laid out in Discord's rows. Plain data (the Discord adapter makes discord.ui items of them, the
console draws them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RenderedOption:
    label: str
    value: str
    description: str = ""
    emoji: str | None = None


@dataclass(frozen=True, slots=True)
class RenderedComponent:
    id: str  # the spec's id of the component
    custom_id: str  # "" for link buttons
    type: str
    label: str = ""
    style: str = "secondary"
    emoji: str | None = None
    url: str = ""
    placeholder: str = ""
    options: tuple[RenderedOption, ...] = ()
    min_values: int = 1
    max_values: int = 1

    @property
    def is_select(self) -> bool:
        return self.type.endswith("select")

    def as_text(self) -> str:
        """How a terminal shows it: ``[👍 Yes]``, ``[select: a | b]``."""
        if self.is_select:
            kind = self.type.replace("_select", "")
            choices = " | ".join(o.value for o in self.options) if self.options else f"a {kind}"
            return f"[{self.placeholder or self.id}: {choices}]"
        text = " ".join(p for p in (self.emoji, self.label) if p)
        return f"[{text} → {self.url}]" if self.url else f"[{text}]"


@dataclass(frozen=True, slots=True)
class RenderedInput:
    name: str
    label: str
    style: str = "short"
    placeholder: str = ""
    required: bool = True
    min_length: int | None = None
    max_length: int | None = None
    default: str = ""


@dataclass(frozen=True, slots=True)
class RenderedModal:
    custom_id: str
    title: str
    inputs: tuple[RenderedInput, ...]


Rows = list[list[RenderedComponent]]


def lay_out(items: list[tuple[int | None, RenderedComponent]]) -> Rows:
    """Discord's rows from (row asked for, component): a row holds 5 buttons or one select menu (the
    checks made sure they fit)."""
    rows: list[list[RenderedComponent]] = [[] for _ in range(5)]
    auto = 0
    for row, component in items:
        if row is None:
            while auto < 4 and rows[auto] and (component.is_select or rows[auto][0].is_select
                                               or len(rows[auto]) >= 5):
                auto += 1
            row = auto
        rows[row].append(component)
    return [row for row in rows if row]
