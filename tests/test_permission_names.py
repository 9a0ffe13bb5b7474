"""Every permission name discord.py accepts is accepted in ``permissions: discord:`` and works on a real
member; every synonym from Discord's settings screens is refused with discord.py's name as the hint."""

import discord
import pytest

from hypotez.cli import main
from hypotez.declaration.schema import PERMISSION_SYNONYMS
from hypotez.testing import BotHarness

ALL_NAMES = sorted(discord.Permissions.VALID_FLAGS)
# discord.py's aliases (two names, one flag) that a plain member of the test server does not have.
PRIVILEGED_ALIASES = ["manage_emojis", "manage_emojis_and_stickers", "manage_permissions"]


def spec_requiring(tmp_path, names):
    lines = ["commands:"]
    for index, name in enumerate(names):
        lines += [f"  p{index}:", f"    description: needs {name}", f"    text: ok {name}",
                  "    permissions:", f"      discord: [{name}]"]
    path = tmp_path / "commands.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_discord_py_permission_name_validates(tmp_path, capsys):
    assert main(["validate", str(spec_requiring(tmp_path, ALL_NAMES))]) == 0
    assert "not a Discord permission name" not in capsys.readouterr().out


@pytest.mark.parametrize("synonym", sorted(PERMISSION_SYNONYMS))
def test_a_synonym_is_refused_with_the_discord_py_name_and_that_name_validates(synonym, tmp_path, capsys):
    target = PERMISSION_SYNONYMS[synonym]
    assert main(["validate", str(spec_requiring(tmp_path, [synonym]))]) == 1
    out = capsys.readouterr().out
    assert f"'{synonym}' in 'permissions' of command 'p0' is not a Discord permission name" in out
    assert f"hint: did you mean '{target}'?" in out
    assert main(["validate", str(spec_requiring(tmp_path, [target]))]) == 0


async def test_every_name_lets_in_a_member_who_has_that_permission(tmp_path):
    spec = spec_requiring(tmp_path, ALL_NAMES)
    async with BotHarness.from_spec(spec, data_dir=tmp_path / "data", voice_factory=lambda *a: None) as bot:
        for index, name in enumerate(ALL_NAMES):
            reply = await bot.send(f"!p{index}", permissions=[name])
            assert reply.content == f"ok {name}", name
        for name in PRIVILEGED_ALIASES:
            reply = await bot.send(f"!p{ALL_NAMES.index(name)}")
            assert reply.content != f"ok {name}" and "p" in reply.content, name


def test_the_declarations_list_is_exactly_discord_pys():
    """The declaration stage keeps its own copy (it imports nothing of Discord); discord.py decides."""
    from hypotez.declaration.permissions import DISCORD_PERMISSIONS

    assert list(DISCORD_PERMISSIONS) == ALL_NAMES
