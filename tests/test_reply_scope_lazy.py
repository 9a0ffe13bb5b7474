"""A reply gathers only what its text reads: a server's facts for ``server``, a member's roles,
permissions and voice channel for what reads them (``caller.roles``, a permission check), nothing for a
text that reads neither. On Discord these cost more than the rest of a message's data."""

import pytest

from hypotez.adapters import discord_inbound
from hypotez.incoming import Author, MemberFacts

SPEC = '''
bot: {language: en}
commands:
  hello:
    description: reads the user only
    text: "Hi {{ user }} in {{ channel }}"
  roles:
    description: reads the roles
    text: "{{ caller.roles | join(',') }}"
  members:
    description: reads the server
    text: "{{ server.member_count }} members"
  card:
    description: an embed whose field reads the server
    embed:
      title: "{{ user }}"
      fields: [{name: members, value: "{{ server.member_count }}"}]
  mods:
    description: for moderators
    permissions: {discord: [manage_messages]}
    text: "hello, moderator"
'''


@pytest.fixture
def counted(monkeypatch):
    calls = {"member": 0, "server": 0}

    def counting(name, real):
        def wrapper(*args):
            calls[name] += 1
            return real(*args)
        return wrapper

    monkeypatch.setattr(discord_inbound, "member_facts", counting("member", discord_inbound.member_facts))
    monkeypatch.setattr(discord_inbound, "server_facts", counting("server", discord_inbound.server_facts))
    return calls


async def test_each_reply_gathers_what_its_text_reads(hypotez_bot, counted):
    async with hypotez_bot(spec=SPEC, model=False, voice=False) as bot:
        assert (await bot.send("!hello")).content == "Hi ann in general"
        assert counted == {"member": 0, "server": 0}
        assert (await bot.send("!roles", roles=["Mod", "Art"])).content == "Art,Mod"
        assert counted == {"member": 1, "server": 0}
        assert (await bot.send("!members")).content == "2 members"
        assert counted == {"member": 1, "server": 1}
        await bot.send("!card")
        assert counted == {"member": 1, "server": 2}, "an embed's texts count"
        assert "permission" in (await bot.send("!mods")).content.lower()  # checked: the facts are read
        assert counted["member"] == 2


def test_an_authors_facts_are_worked_out_once_when_first_read():
    calls = []

    def facts():
        calls.append(1)
        return MemberFacts(frozenset({"Mod"}), frozenset({"administrator"}), "7", "voice")

    author = Author(id="1", name="ann", display_name="Ann", facts=facts)
    assert author.shown_name == "Ann" and not calls
    assert (author.roles, author.permissions, author.voice_channel_id) == (frozenset({"Mod"}),
                                                                           frozenset({"administrator"}), "7")
    assert author.voice_channel_name == "voice" and calls == [1]
    given = Author(id="1", name="ann", display_name="Ann", roles=frozenset({"Mod"}),
                   permissions=frozenset({"administrator"}), voice_channel_id="7", voice_channel_name="voice")
    assert author == given and repr(author) == repr(given)
    changed = author.replace(roles=frozenset())
    assert changed.roles == frozenset() and changed.permissions == frozenset({"administrator"})
    assert author.roles == frozenset({"Mod"}), "replace makes a copy"
