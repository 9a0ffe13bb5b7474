"""The data folder under attack from inside it, through the real commands (BotHarness on the shipped
commands.yaml): concurrent archives, links planted where the bot writes, a file swapped for a link while
the bot opens it, hard links and special files. Nothing outside the folder is ever read or written."""

import asyncio
import os
import threading
import time
import zipfile
from pathlib import Path

import pytest
from support import ROOT

from hypotez.errors import PathRefused
from hypotez.services.datafolder import DataFolder

SPEC = ROOT / "commands.yaml"
TRAINER = {"roles": ["Trainer"]}
SECRET = b"TOP-SECRET-OUTSIDE"


@pytest.fixture
def world(bot, tmp_path):
    data = bot.data_folder()
    (data / "files").mkdir(parents=True)
    (data / "files" / "a.jsonl").write_text('{"prompt": "a", "completion": "b"}\n')
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_bytes(SECRET)
    return data, outside, secret


def user(number: int) -> dict:
    """A distinct trainer (each has their own cooldown)."""
    return {"roles": ["Trainer"], "user_id": 4_100_000_000_000_000 + number, "author": f"trainer{number}"}


# --- archives: unique names, never through a link --------------------------------------------


@pytest.mark.parametrize("command", ["archive", "select_dataset"])
async def test_concurrent_archives_of_one_folder_all_succeed_with_their_own_names(bot, world, command):
    data, _, _ = world
    replies = await asyncio.gather(*(bot.send(f"!{command} files", **user(n)) for n in range(15)))
    for reply in replies:
        assert "💥" not in reply.content and ("упакована" in reply.content or "📚" in reply.content), reply.content
    names = {reply.content.split("archives/")[1].split("`")[0] for reply in replies}
    assert len(names) == 15
    archives = data / "archives"
    assert sorted(p.name for p in archives.iterdir()) == sorted(names)  # nothing half-written left over
    for name in names:
        assert zipfile.ZipFile(archives / name).namelist() == ["a.jsonl"]


async def test_a_link_planted_at_the_next_archive_names_is_never_written_through(bot, world):
    data, outside, secret = world
    archives = data / "archives"
    archives.mkdir()
    now = time.time()
    for second in range(-1, 5):  # every name the archive could get in the next few seconds
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now + second))
        os.symlink(outside / "planted.zip", archives / f"files-{stamp}.zip")  # dangling: would make a file
        for name in (f"files-{stamp}.zip.partial", f"files-{stamp}-2.zip.partial"):
            os.symlink(secret, archives / name)
    reply = await bot.send("!archive files", **TRAINER)
    assert "упакована" in reply.content, reply.content
    assert secret.read_bytes() == SECRET
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    made = archives / reply.content.split("archives/")[1].split("`")[0]
    assert not made.is_symlink() and zipfile.ZipFile(made).namelist() == ["a.jsonl"]


async def test_an_archives_folder_that_is_a_link_out_is_refused(bot, world):
    data, outside, _ = world
    os.symlink(outside, data / "archives")
    before = sorted(outside.iterdir())
    for text in ("!archive files", "!select_dataset files"):
        reply = await bot.send(text, **user(len(text)))
        assert "Папка `archives` — символическая ссылка" in reply.content, reply.content
    assert sorted(outside.iterdir()) == before
    assert await bot.app.services.storage.get_setting("active_dataset.positive") is None


# --- a file swapped for a link while it is opened ------------------------------------------


def swap_forever(path: Path, target: Path, stop: threading.Event) -> None:
    """Make ``path`` a real file and a link to ``target`` by turns, each switch atomic (rename)."""
    real, link = path.with_name("real.tmp"), path.with_name("link.tmp")
    while not stop.is_set():
        real.write_bytes(b"inside")
        os.replace(real, path)
        os.symlink(target, link)
        os.replace(link, path)


async def test_getfile_never_attaches_an_outside_file_while_a_file_is_swapped_for_a_link(bot, world):
    data, _, secret = world
    path = data / "files" / "swap.txt"
    path.write_bytes(b"inside")
    stop = threading.Event()
    swapper = threading.Thread(target=swap_forever, args=(path, secret, stop), daemon=True)
    swapper.start()
    try:
        replies = [await bot.send("!getfile files/swap.txt", **user(n)) for n in range(150)]
    finally:
        stop.set()
        swapper.join()
    attached = [f.data for reply in replies for f in reply.files]
    assert SECRET not in attached
    assert set(attached) <= {b"inside"}
    for reply in replies:  # refused when the path was checked, or when the file was opened
        assert reply.files or reply.content.startswith("🚫 Путь `files/swap.txt` нельзя использовать"), reply.content
    path.unlink()
    path.write_bytes(b"inside")  # once nothing swaps it, the file is sent as it is
    settled = await bot.send("!getfile files/swap.txt", **user(150))
    assert [f.data for f in settled.files] == [b"inside"]


def test_open_file_never_follows_a_link_swapped_in_at_any_component(tmp_path):
    """The same race at the data folder itself, many more times, on a file and on a folder above it."""
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "swap.txt").write_bytes(SECRET)
    folder = DataFolder(tmp_path / "data").ensure()
    (folder.root / "sub").mkdir()
    (folder.root / "sub" / "swap.txt").write_bytes(b"inside")
    stop = threading.Event()

    def swap_folder() -> None:
        real, link, aside = folder.root / "sub", folder.root / "link.tmp", folder.root / "aside"
        os.rename(real, aside)
        while not stop.is_set():
            os.symlink(outside / "sub", link)
            os.replace(link, real)  # sub is now a link out
            os.unlink(real)
            os.rename(aside, real)  # sub is the real folder again
            os.rename(real, aside)

    swapper = threading.Thread(target=swap_folder, daemon=True)
    swapper.start()
    seen: set[bytes] = set()
    try:
        for _ in range(3000):
            try:
                with folder.open_file(folder.root / "sub" / "swap.txt", max_bytes=100) as stream:
                    seen.add(stream.read())
            except PathRefused:
                pass
    finally:
        stop.set()
        swapper.join()
    assert SECRET not in seen


# --- hard links and special files ----------------------------------------------------------


async def test_a_hard_linked_file_is_refused_by_every_command_that_reads(bot, world):
    data, _, secret = world
    os.link(secret, data / "files" / "hard.jsonl")
    for text in ("!getfile files/hard.jsonl", "!train data=files/hard.jsonl", "!test file=files/hard.jsonl"):
        reply = await bot.send(text, **user(len(text)))
        assert not reply.files and SECRET.decode() not in reply.content
        assert "у файла есть другие имена (жёсткие ссылки)" in reply.content, reply.content
    training = await bot.send("!train data_dir=files", **TRAINER)
    assert "files/hard.jsonl: у файла есть другие имена (жёсткие ссылки)" in training.content, training.content
    archived = await bot.send("!archive files", **TRAINER)
    assert "1 файл" in archived.content and "Пропущено: 1" in archived.content, archived.content
    [archive] = (data / "archives").glob("*.zip")
    assert zipfile.ZipFile(archive).namelist() == ["a.jsonl"]


async def test_a_fifo_in_the_data_folder_never_makes_a_command_wait(bot, world):
    data, _, _ = world
    os.mkfifo(data / "files" / "pipe.jsonl")
    for text in ("!getfile files/pipe.jsonl", "!train data=files/pipe.jsonl", "!test file=files/pipe.jsonl"):
        reply = await asyncio.wait_for(bot.send(text, **user(len(text))), 10)
        assert "это не обычный файл" in reply.content, reply.content
    archived = await asyncio.wait_for(bot.send("!archive files", **TRAINER), 10)
    assert "1 файл" in archived.content, archived.content


async def test_a_link_inside_the_data_folder_is_refused_too(bot, world):
    data, _, _ = world
    os.symlink(data / "files" / "a.jsonl", data / "files" / "alias.jsonl")
    reply = await bot.send("!getfile files/alias.jsonl", **TRAINER)
    assert not reply.files and "символическая ссылка" in reply.content, reply.content
