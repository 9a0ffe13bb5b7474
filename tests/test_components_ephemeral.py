"""Ephemeral replies declared in the spec: per command or per outcome, through discord.py's real
slash-command machinery (only the user sees them), in the console (marked), and error replies to slash
commands ephemeral by default."""

import textwrap

SPEC = '''
bot: {name: eph, language: en}
commands:
  secret:
    description: Only you see this
    text: "psst, {{ user }}"
    ephemeral: true
  public:
    description: Everyone sees this
    text: "hello all"
  vote:
    description: Outcomes differ
    handler: votes:vote
    arguments:
      choice: {type: choice, choices: [show, hide]}
    reply: {shown: vote_shown, hidden: vote_hidden}
    ephemeral: [hidden]
'''

HANDLERS = '''
from hypotez import Response

async def vote(invocation, choice):
    return Response(template="shown" if choice == "show" else "hidden")
'''

FILES = {"votes.py": textwrap.dedent(HANDLERS), "templates/en/vote_shown.j2": "everyone sees the vote",
         "templates/en/vote_hidden.j2": "only you see the vote"}


async def test_a_command_declared_ephemeral_is_seen_only_by_the_user(hypotez_bot):
    async with hypotez_bot(spec=SPEC, files=FILES, model=False, voice=False) as bot:
        secret = await bot.slash("secret", author="Ann")
        public = await bot.slash("public")
    assert secret.content == "psst, Ann"
    assert [(m.kind, m.ephemeral) for m in secret.messages] == [("response", True)]
    assert [m.ephemeral for m in public.messages] == [False]


async def test_ephemeral_per_outcome(hypotez_bot):
    async with hypotez_bot(spec=SPEC, files=FILES, model=False, voice=False) as bot:
        hidden = await bot.slash("vote", choice="hide")
        shown = await bot.slash("vote", choice="show")
    assert (hidden.content, hidden.messages[0].ephemeral) == ("only you see the vote", True)
    assert (shown.content, shown.messages[0].ephemeral) == ("everyone sees the vote", False)


async def test_error_replies_to_slash_commands_are_ephemeral_by_default(hypotez_bot):
    async with hypotez_bot(spec=SPEC, files=FILES, model=False, voice=False) as bot:
        bad = await bot.slash("vote", choice="maybe")
    assert "maybe" in bad.content
    assert [m.ephemeral for m in bad.messages] == [True]


async def test_a_prefix_command_declared_ephemeral_still_answers_in_the_channel(hypotez_bot):
    # A channel message cannot be ephemeral on Discord: the prefix form answers as usual.
    async with hypotez_bot(spec=SPEC, files=FILES, model=False, voice=False) as bot:
        reply = await bot.send("!secret", author="Ann")
    assert reply.content == "psst, Ann"
    assert reply.messages[0].flags == 0


def test_validate_locates_an_unknown_outcome(tmp_path, capsys):
    from hypotez.cli import main

    spec = tmp_path / "commands.yaml"
    spec.write_text(SPEC.replace("ephemeral: [hidden]", "ephemeral: [hiden]"), encoding="utf-8")
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert main(["validate", str(spec)]) == 1
    out = capsys.readouterr().out
    assert f"{spec}:17:17: 'hiden' is not an outcome of this command\n    hint: did you mean 'hidden'?" in out


def test_the_console_marks_ephemeral_replies(tmp_path):
    import subprocess
    import sys

    (tmp_path / "commands.yaml").write_text(SPEC, encoding="utf-8")
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "hypotez", "console", "--data", str(tmp_path / "data")],
                          input="!secret\n!public\n", capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert done.stdout.splitlines() == ["(only you can see this) psst, you", "hello all"]
