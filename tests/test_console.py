"""The console adapter driven by stdin in a real subprocess: `printf '!hi\\n' | hypotez console`."""

import subprocess
import sys
from pathlib import Path

from support import FAQ, ROOT


def console(lines: str, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "hypotez", "console", "--spec", str(ROOT / "commands.yaml"),
         "--data", str(tmp_path / "data"), *extra],
        input=lines, capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )


def test_answers_hi_help_feedback_getfile_and_refuses_passwd(tmp_path):
    server_files = tmp_path / "data" / "servers" / "console"  # the console's server's part of the data folder
    server_files.mkdir(parents=True)
    (server_files / "readme.txt").write_text("hello")
    result = console("!hi\n!help\n!feedback консоль работает\n!feedback\n!getfile readme.txt\n"
                     "!getfile ../../etc/passwd\n", tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Привет, you!" in out
    assert "`!getfile <file_path>`" in out
    assert "Записал его под номером 1" in out and "#1 you: консоль работает" in out
    assert f"[file: {server_files / 'readme.txt'}]" in out
    assert "Путь `../../etc/passwd` нельзя использовать: «..» запрещено" in out
    assert "root:" not in out
    assert "Traceback" not in result.stderr


def test_end_of_input_and_quit_end_the_session(tmp_path):
    assert console("", tmp_path).returncode == 0
    result = console("!hi\n:quit\n!feedback never sent\n", tmp_path)
    assert result.returncode == 0 and "never sent" not in result.stdout
    assert "Записал" not in result.stdout


def test_roles_directive_makes_a_plain_member(tmp_path):
    (tmp_path / "data" / "servers" / "console").mkdir(parents=True)
    (tmp_path / "data" / "servers" / "console" / "f.txt").write_text("x")
    result = console(":roles\n!getfile f.txt\n:roles Trainer\n!getfile f.txt\n", tmp_path)
    assert "Вам нельзя использовать `!getfile`" in result.stdout
    assert "[file:" in result.stdout


def test_attach_directive_and_unknown_directive(tmp_path):
    (tmp_path / "a.txt").write_text("attached")
    result = console(f":attach {tmp_path / 'a.txt'}\n:attach /no/such/file\n:bogus\n", tmp_path)
    assert "a.txt will be attached to your next message" in result.stdout
    assert "no such file: /no/such/file" in result.stdout
    assert "unknown directive ':bogus'" in result.stdout




def test_train_then_ask_then_correct(tmp_path):
    first = console(f":attach {FAQ}\n!train\n:wait\n:ids on\nкак тебя зовут\nкакая погода на марсе\n", tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Обучение `job-" in first.stdout and "завершено" in first.stdout
    answer = next(line for line in first.stdout.splitlines() if "Меня зовут hypotez." in line)
    assert answer.startswith("[#")
    assert "Я пока не знаю, что ответить" in first.stdout  # far from every example: the fallback
    answer_id = answer[2:answer.index("]")]
    # A new session on the same data folder: the model and the answers are still there.
    second = console(f"!correct {answer_id} Я — hypotez, бот-ученик.\n!train corrections=yes\n:wait\n"
                     "как тебя зовут\n", tmp_path)
    assert "Вопрос: как тебя зовут" in second.stdout and "Было: Меня зовут hypotez." in second.stdout
    # The answer, then its 👍/👎 buttons (hypotez.components).
    assert second.stdout.strip().endswith("Я — hypotez, бот-ученик.\n[👍] [👎]")


def test_a_broken_spec_is_reported_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("commands:\n  hi:\n    descripton: x\n")
    result = subprocess.run([sys.executable, "-m", "hypotez", "console", "--spec", str(bad)], input="!hi\n",
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 1
    assert f"{bad}:3:5: unknown key 'descripton' in command 'hi'" in result.stderr  # stdout is the bot's
    assert "Traceback" not in result.stderr


def test_attach_a_voice_message_then_voice_on_writes_spoken_answers(tmp_path):
    # The shipped Russian bot as it is, offline: the voice message is recognised by Whisper.
    from audio import russian_voice_message, words

    spec = tmp_path / "commands.yaml"
    spec.write_text((ROOT / "commands.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "templates").symlink_to(ROOT / "templates")
    (tmp_path / "handlers").symlink_to(ROOT / "handlers")
    dataset = tmp_path / "weather.jsonl"
    dataset.write_text('{"prompt": "какая сегодня погода", "completion": "Погода для тренировки!"}\n',
                       encoding="utf-8")
    audio = russian_voice_message("Какая сегодня погода в Москве?", tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "hypotez", "console", "--spec", str(spec), "--data", str(tmp_path / "data")],
        input=f":attach {dataset}\n!train\n:wait\n:attach {audio}\n\n:voice on\nкакая сегодня погода\n",
        capture_output=True, text=True, timeout=180, cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    heard = out.split("🎙️ «", 1)[1].split("»", 1)[0]  # the transcript is shown, then answered
    assert words(heard) == ["какая", "сегодня", "погода", "в", "москве"]
    assert out.count("Погода для тренировки!") == 2
    spoken = [line.split("🔊", 1)[1].strip() for line in out.splitlines() if "🔊" in line]
    assert len(spoken) == 1, out  # only with :voice on
    path = Path(spoken[0])
    assert path.is_file() and path.read_bytes()[:4] == b"OggS" and path.stat().st_size > 2000


def test_join_and_leave_in_the_console(tmp_path):
    result = console(":voice on\n!join\n!join\n!leave\n!leave\n:voice off\n!join\n", tmp_path)
    assert result.returncode == 0, result.stderr
    replies = [line for line in result.stdout.splitlines() if not line.startswith("(console)")]
    assert replies == [
        "🔊 Зашёл в канал «voice». Буду озвучивать ответы здесь.",
        "🔊 Я уже в канале «voice».",
        "👋 Вышел из голосового канала.",
        "🔇 Я не в голосовом канале.",
        "🔇 Вы не в голосовом канале: зайдите в канал и повторите `!join`.",
    ]


def test_each_console_server_keeps_its_own_data_and_direct_messages_have_none(tmp_path):
    other = tmp_path / "data" / "servers" / "club"
    other.mkdir(parents=True)
    (other / "rules.txt").write_text("club rules")
    result = console("!feedback отзыв с консоли\n!getfile rules.txt\n"
                     ":server club\n!feedback\n!getfile rules.txt\n"
                     ":server\n!feedback\n"
                     ":dm\n!test file=rules.json\n", tmp_path)
    assert result.returncode == 0, result.stderr
    home, club, back, direct = result.stdout.split("(console) you are ")
    assert "нет такого файла" in home  # the club's file is not the console server's
    assert f"on server 'club'; its files are in {other.resolve()}" in club
    assert "отзыв с консоли" not in club and f"[file: {other.resolve() / 'rules.txt'}]" in club
    assert "отзыв с консоли" in back
    assert "бывают только на сервере" in direct and "club rules" not in direct
