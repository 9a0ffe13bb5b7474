"""Embeds as plain data: what a reply carries, checked against Discord's limits, shown as text.

The Discord adapter turns :class:`EmbedData` into ``discord.Embed``; the console prints
:meth:`EmbedData.as_text`. Nothing here imports discord.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELDS_MAX = 25
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FOOTER_MAX = 2048
TOTAL_MAX = 6000

# Colour names a spec may use, with the values of discord.py's Colour class methods.
COLORS = {
    "default": 0x000000, "teal": 0x1ABC9C, "dark_teal": 0x11806A, "green": 0x2ECC71, "dark_green": 0x1F8B4C,
    "blue": 0x3498DB, "dark_blue": 0x206694, "purple": 0x9B59B6, "dark_purple": 0x71368A,
    "magenta": 0xE91E63, "dark_magenta": 0xAD1457, "gold": 0xF1C40F, "dark_gold": 0xC27C0E,
    "orange": 0xE67E22, "dark_orange": 0xA84300, "red": 0xE74C3C, "dark_red": 0x992D22,
    "grey": 0x95A5A6, "gray": 0x95A5A6, "dark_grey": 0x607D8B, "blurple": 0x5865F2, "yellow": 0xFEE75C,
    "pink": 0xEB459F, "white": 0xFFFFFF, "black": 0x000000,
}


def parse_color(value: object) -> int | None:
    """'#5865F2', '5865F2', 'blurple' or a number → an integer colour; None when it is none of these."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= 0xFFFFFF else None
    text = str(value).strip().lower().replace(" ", "_")
    if text in COLORS:
        return COLORS[text]
    digits = text.removeprefix("#").removeprefix("0x")
    if len(digits) == 6 and all(c in "0123456789abcdef" for c in digits):
        return int(digits, 16)
    return None


@dataclass(frozen=True, slots=True)
class EmbedField:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class EmbedData:
    title: str = ""
    description: str = ""
    url: str = ""
    color: int | None = None
    fields: tuple[EmbedField, ...] = field(default_factory=tuple)
    footer: str = ""
    image: str = ""
    thumbnail: str = ""

    def map_text(self, change: Callable[[str], str]) -> "EmbedData":
        """The same embed with ``change`` applied to every text (e.g. taking a secret out)."""
        return replace(self, title=change(self.title), description=change(self.description),
                       footer=change(self.footer),
                       fields=tuple(replace(f, name=change(f.name), value=change(f.value)) for f in self.fields))

    def total(self) -> int:
        """The characters Discord counts towards the 6,000 limit."""
        return len(self.title) + len(self.description) + len(self.footer) + \
            sum(len(f.name) + len(f.value) for f in self.fields)

    def problems(self) -> list[str]:
        """Every Discord limit this embed breaks, in words."""
        out = [f"the {what} is {len(text):,} characters; Discord allows {limit:,}"
               for what, text, limit in (("title", self.title, TITLE_MAX),
                                         ("description", self.description, DESCRIPTION_MAX),
                                         ("footer", self.footer, FOOTER_MAX)) if len(text) > limit]
        if len(self.fields) > FIELDS_MAX:
            out.append(f"it has {len(self.fields)} fields; Discord allows {FIELDS_MAX}")
        for number, item in enumerate(self.fields, 1):
            if len(item.name) > FIELD_NAME_MAX:
                out.append(f"the name of field {number} is {len(item.name):,} characters; Discord allows "
                           f"{FIELD_NAME_MAX}")
            if len(item.value) > FIELD_VALUE_MAX:
                out.append(f"the value of field {number} is {len(item.value):,} characters; Discord allows "
                           f"{FIELD_VALUE_MAX:,}")
            if not item.name.strip() or not item.value.strip():
                out.append(f"field {number} has an empty {'name' if not item.name.strip() else 'value'}; "
                           "Discord refuses empty fields")
        if self.total() > TOTAL_MAX:
            out.append(f"all its texts together are {self.total():,} characters; Discord allows {TOTAL_MAX:,}")
        for what, link in (("url", self.url), ("image", self.image), ("thumbnail", self.thumbnail)):
            if link and not link.startswith(("http://", "https://")):
                out.append(f"the {what} {link!r} is not an http(s) link")
        if not (self.title or self.description or self.fields or self.image or self.thumbnail or self.footer):
            out.append("it is empty (no title, description, fields, footer or image)")
        return out

    def as_text(self) -> str:
        """The embed drawn with text, for the console: a bar down the left like Discord's card."""
        lines: list[str] = []
        if self.title:
            lines.append(f"**{self.title}**" + (f" <{self.url}>" if self.url else ""))
        if self.description:
            lines += self.description.splitlines()
        for item in self.fields:
            lines.append(f"{item.name}: {item.value}" if "\n" not in item.value else item.name)
            if "\n" in item.value:
                lines += ["  " + line for line in item.value.splitlines()]
        if self.image:
            lines.append(f"[image: {self.image}]")
        if self.thumbnail:
            lines.append(f"[thumbnail: {self.thumbnail}]")
        if self.footer:
            lines.append(f"— {self.footer}")
        colour = f" #{self.color:06X}" if self.color is not None else ""
        return "\n".join([f"┌─ embed{colour}"] + [f"│ {line}" for line in lines] + ["└─"])
