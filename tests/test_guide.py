"""docs/guide.md, step by step, as a new user would follow it: every file it shows is written, every
command it shows is run in a fresh folder, and the output must be exactly what the guide says."""

import os
import re
import subprocess
import sys
from pathlib import Path

from support import ROOT

GUIDE = ROOT / "docs" / "guide.md"
BLOCK = re.compile(r"^```(?P<lang>\w*)(?P<attrs>[^\n]*)\n(?P<body>.*?)^```$", re.M | re.S)
ATTR = re.compile(r'(\w+)="([^"]*)"')


def steps(text: str):
    """('file', path, body, mode) and ('run', command, expected output) in the guide's order."""
    for block in BLOCK.finditer(text):
        attrs = dict(ATTR.findall(block["attrs"]))
        body = block["body"]
        if "title" in attrs:
            yield ("file", attrs["title"], body, attrs.get("mode", "write"))
        elif block["lang"] == "console":
            command, output = None, []
            for line in body.splitlines():
                if line.startswith("$ "):
                    if command is not None:
                        yield ("run", command, "\n".join(output))
                    command, output = line[2:], []
                else:
                    output.append(line)
            if command is not None:
                yield ("run", command, "\n".join(output))


def test_the_guide_has_files_and_commands_to_try():
    kinds = [step[0] for step in steps(GUIDE.read_text(encoding="utf-8"))]
    assert kinds.count("file") >= 8 and kinds.count("run") >= 8


def test_every_step_of_the_guide_works_as_shown(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HYPOTEZ_", "DISCORD_"))}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}", PYTHONUNBUFFERED="1",
               PYTHONIOENCODING="utf-8", REPO=str(ROOT))  # $REPO: the reader's copy of the repository
    for number, step in enumerate(steps(GUIDE.read_text(encoding="utf-8")), 1):
        if step[0] == "file":
            _, name, body, mode = step
            target = tmp_path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("a" if mode == "append" else "w", encoding="utf-8") as handle:
                handle.write(body)
            continue
        _, command, expected = step
        result = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=180)
        assert result.stdout.rstrip("\n") == expected, f"step {number}: $ {command}"
