"""The data-folder rule: !getfile, !archive and !select_dataset never read, list or write outside it.

Every case runs through the real pipeline with the real commands.yaml, as a server administrator
(so only the path rule can refuse), with a sentinel file next to the data folder that must never be
touched, shown, or archived."""

import os
import zipfile
from pathlib import Path

import pytest
from support import ROOT, no_service

from hypotez.app import build_app, build_services
from hypotez.invocation import Author, Place
from hypotez.pipeline import Request
from hypotez.registry import load_spec

SECRET = "TOP-SECRET-SENTINEL"

ESCAPES = [
    "..", "../", "../outside", "../outside/secret.txt", "../../etc/passwd", "a/../../outside/secret.txt",
    "./../outside", "notes/../../outside", "/etc/passwd", "/", "//etc/passwd", "~", "~/secret.txt",
    "~root", "..\\outside\\secret.txt", "notes\\..\\..\\outside", "C:\\Windows", "c:/windows",
    "secret.txt\x00.png", "%2e%2e/outside/secret.txt", "%2E%2E%2Foutside", "%252e%252e/outside",
    "..%2foutside", "．．/outside", "link_out/secret.txt", "link_out", "link_file", "loop/x",
    ".hypotez", ".hypotez/hypotez.sqlite3", "a" * 1100, "", "   ",
]


ADMIN = Author(id="1", name="admin", permissions=frozenset({"administrator"}))
SERVER = Place(channel_id="10", channel_name="general", guild_id="100", guild_name="srv")


@pytest.fixture
def world(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text(SECRET)
    os.utime(secret, (1_000_000, 1_000_000))
    root = tmp_path / "data"
    data = root / "servers" / SERVER.guild_id  # the server's own part of the data folder
    (data / "notes").mkdir(parents=True)
    (data / "notes" / "ok.txt").write_text("fine")
    (data / "mixed").mkdir()
    (data / "mixed" / "inside.txt").write_text("inside")
    os.symlink(secret, data / "mixed" / "leak.txt")
    os.symlink(outside, data / "mixed" / "leakdir")
    os.symlink(outside, data / "link_out")
    os.symlink(secret, data / "link_file")
    os.symlink(data / "loop", data / "loop")
    spec = load_spec(ROOT / "commands.yaml")
    app = build_app(spec, build_services(spec, root, model_factory=no_service, voice_factory=no_service))
    yield app, data, outside, secret
    app.services.storage.close()


async def say(app, text):
    return await app.dispatcher.handle_message(Request(author=ADMIN, place=SERVER, content=text))


def snapshot(folder: Path) -> dict[str, tuple[int, float, float]]:
    return {str(p): (p.stat().st_size, p.stat().st_mtime, p.stat().st_atime)
            for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("command", ["getfile", "archive", "select_dataset"])
@pytest.mark.parametrize("path", ESCAPES)
async def test_escapes_are_refused_and_nothing_outside_is_touched(world, command, path):
    app, data, outside, secret = world
    before = snapshot(outside)
    reply = await say(app, f'!{command} "{path}"')
    assert reply.is_error, reply.text
    assert SECRET not in reply.text
    assert reply.files == []
    assert snapshot(outside) == before
    assert secret.read_text() == SECRET
    archives = data / "archives"
    assert not archives.exists() or not any(archives.iterdir())
    assert await app.services.storage.get_setting("active_dataset.positive", tenant=SERVER.guild_id) is None


@pytest.mark.parametrize("path, reason", [
    ("../../etc/passwd", "«..» запрещено"),
    ("/etc/passwd", "абсолютные пути запрещены"),
    ("~/x", "пути от домашней папки (~) запрещены"),
    ("%2e%2e/x", "пути с %-кодированием не принимаются"),
    ("link_file", "путь ведёт за пределы папки данных"),
    (".hypotez/hypotez.sqlite3", "это служебная папка бота"),
    ("nothing-here.txt", "в папке данных нет такого файла или папки"),
    ("notes", "это папка, а не файл"),
])
async def test_refusals_say_why(world, path, reason):
    app, *_ = world
    reply = await say(app, f"!getfile {path}")
    assert reason in reply.text


async def test_a_nul_byte_is_refused_with_its_reason(world):
    app, *_ = world
    reply = await say(app, "!getfile ok.txt\x00.png")
    assert "в пути есть нулевой байт (NUL)" in reply.text


async def test_paths_inside_still_work(world):
    app, data, *_ = world
    reply = await say(app, "!getfile notes/ok.txt")
    [opened] = reply.files  # opened, checked, and handed on as the opened file
    assert not reply.is_error and opened.path == data / "notes" / "ok.txt"
    with opened as stream:
        assert stream.read() == b"fine"
    assert not (await say(app, "!getfile ./notes/ok.txt")).is_error
    assert (await say(app, "!getfile notes/../notes/ok.txt")).is_error  # any ".." is refused, even inside


async def test_archive_leaves_out_links_that_point_outside(world):
    app, data, outside, secret = world
    before = snapshot(outside)
    reply = await say(app, "!archive mixed")
    assert not reply.is_error, reply.text
    [archive] = (data / "archives").glob("mixed-*.zip")
    with zipfile.ZipFile(archive) as zf:
        assert zf.namelist() == ["inside.txt"]
        assert all(SECRET.encode() not in zf.read(n) for n in zf.namelist())
    assert snapshot(outside) == before


async def test_archive_of_the_whole_data_folder_skips_the_bots_state_and_old_archives(world):
    app, data, *_ = world
    assert not (await say(app, "!archive .")).is_error
    assert not (await say(app, "!archive .")).is_error
    newest = sorted((data / "archives").glob("data-*.zip"))[-1]
    names = zipfile.ZipFile(newest).namelist()
    assert "notes/ok.txt" in names
    assert not any(n.startswith((".hypotez", "archives")) for n in names)
    assert not list(data.rglob("*.partial"))


async def test_select_dataset_counts_only_files_inside(world):
    app, data, *_ = world
    reply = await say(app, "!select_dataset mixed")
    assert not reply.is_error
    assert "(1 файл)" in reply.text
