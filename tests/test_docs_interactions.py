"""`hypotez docs` for the slash features: subcommands get their own sections and anchors, suggestions and
Discord's settings are listed, in Markdown and HTML alike."""

from support import ROOT

from hypotez.docs import html_reference, markdown_reference
from hypotez.registry import load_spec

EXAMPLE = ROOT / "commands.example.yaml"


def test_the_reference_lists_subcommands_suggestions_and_discords_settings():
    spec = load_spec(EXAMPLE)
    markdown = markdown_reference(spec)
    assert "| [`!tag add`](#tag-add) | Add a tag |" in markdown
    assert "## tag show file" in markdown and "Usage: `!tag show file <path>` (also `/tag show file`)" in markdown
    assert "suggests red, green, blue" in markdown and "suggests values given before" in markdown
    assert "suggests file names in the data folder" in markdown
    assert "Discord shows it to members with send_messages; offered in servers; installs: guild" in markdown
    assert "the bot needs attach_files" in markdown
    page = html_reference(spec)
    assert '<a href="#tag-show-file">' in page and '<section id="tag-show-file">' in page
    assert "suggests red, green, blue" in page
