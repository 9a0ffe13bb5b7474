"""Voice messages for the voice benchmarks: phrases spoken by espeak-ng (US English), with a short
pause between them, encoded as Discord voice messages are (ogg/opus, 32 kbit/s) in one pipe.

The offline model recognises espeak-ng's speech well once it has been through opus at this bit rate
(as the voice tests found); its raw output much less so."""

from __future__ import annotations

import subprocess
from pathlib import Path

# Phrases the offline model recognises exactly one by one; longer messages repeat them.
PHRASES = ("hello world", "what time is it", "stop the music", "yes please", "play some music")
PAUSE_MS = 300


def phrases(count: int) -> list[str]:
    return [PHRASES[index % len(PHRASES)] for index in range(count)]


def spoken_message(words: list[str], target: Path) -> Path:
    """``words``: the phrases, spoken in order with a pause between them (espeak-ng's SSML breaks)."""
    ssml = "<speak>" + f'<break time="{PAUSE_MS}ms"/>'.join(words) + "</speak>"
    speech = subprocess.run(["espeak-ng", "-m", "-v", "en-us", "-s", "140", "--stdout", ssml],
                            check=True, capture_output=True, timeout=60).stdout
    subprocess.run(["ffmpeg", "-y", "-loglevel", "error", "-f", "wav", "-i", "-", "-c:a", "libopus", "-b:a", "32k",
                    str(target)], input=speech, check=True, capture_output=True, timeout=60)
    return target


def word_errors(reference: str, heard: str) -> int:
    """Word-level edit distance (substitutions + insertions + deletions)."""
    ref, hyp = reference.split(), heard.split()
    previous = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        current = [i]
        for j, other in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other)))
        previous = current
    return previous[-1]


def word_accuracy(reference: str, heard: str) -> float:
    """1 - word error rate, floored at 0."""
    words = len(reference.split())
    return max(0.0, 1 - word_errors(reference, heard) / words)
