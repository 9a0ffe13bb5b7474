"""Template files that trip people up: one saved with a byte-order mark (some Windows editors add it)
answers without it, and its columns are counted as the editor shows them."""

from hypotez.cli import main

SPEC = "bot: {language: en}\ncommands:\n  rules:\n    description: The rules\n    reply: rules\n"


async def test_a_template_starting_with_a_bom_answers_without_it(hypotez_bot):
    files = {"templates/en/rules.j2": "\ufeffBe kind, {{ user }}."}
    async with hypotez_bot(spec=SPEC, files=files, model=False, voice=False) as bot:
        assert (await bot.send("!rules")).content == "Be kind, ann."
        assert (await bot.slash("rules")).content == "Be kind, ann."


async def test_a_plain_template_with_a_bom_is_sent_without_it_too(hypotez_bot):
    files = {"templates/en/rules.j2": "\ufeffBe kind."}  # no {{ }}: sent as it was read
    async with hypotez_bot(spec=SPEC, files=files, model=False, voice=False) as bot:
        assert (await bot.send("!rules")).content == "Be kind."


def test_columns_in_a_template_with_a_bom_are_those_the_editor_shows(tmp_path, capsys):
    (tmp_path / "templates" / "en").mkdir(parents=True)
    (tmp_path / "templates" / "en" / "rules.j2").write_bytes("\ufeffBe kind, {{ usr }}.".encode())
    (tmp_path / "commands.yaml").write_text(SPEC)
    assert main(["validate", str(tmp_path / "commands.yaml")]) == 1
    out = capsys.readouterr().out
    assert out.startswith("templates/en/rules.j2:1:13: unknown name 'usr' in template 'rules' of command 'rules'\n")
