"""The services know nothing of Discord, the adapters or the pipeline: importing every service (its
backends included) loads none of them."""

import subprocess
import sys

SERVICES = ["hypotez.services", "hypotez.services.voice", "hypotez.services.model",
            "hypotez.services.model.backends.local", "hypotez.services.model.backends.openai"]
OUTSIDE = ("discord", "hypotez.adapters", "hypotez.pipeline")


def test_the_services_import_nothing_of_discord_the_adapters_or_the_pipeline():
    code = ("import sys\n" + "".join(f"import {name}\n" for name in SERVICES) +
            f"print('\\n'.join(sorted(m for m in sys.modules if m.startswith({OUTSIDE!r}))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == []


def test_the_model_base_imports_no_backend():
    code = ("import sys, hypotez.services.model.base\n"
            "print([m for m in sys.modules if m.startswith('hypotez.services.model.backends')])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
