"""What Whisper heard, and whether to believe it.

Whisper was trained on subtitles: on noise, music or speech it cannot make out it *invents* fluent
text ("Продолжение следует...", "ДИНАМИЧНАЯ МУЗЫКА", one phrase over and over to the end of the
window). A bot that answers what it heard must not answer invented words, so besides the voice
activity detection the recogniser runs first, a decoded segment is dropped when

* it is probably not speech (no-speech probability above 0.6 with a log-probability below -1:
  Whisper's own rule, whose verdict faster-whisper would otherwise only use to skip ahead);
* it repeats itself: a gzip compression ratio above 2.4 (Whisper's measure, which misses short
  loops), or a run of two or more words said three times in a row;
* its text could not have been said in its time (7 words or 30 characters a second);

and the whole transcript is bounded by the audio's duration in the same way. The decoder is also
given a token budget for the audio's length, so a loop stops early instead of filling the window.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

log = logging.getLogger("hypotez.voice.whisper")

# Whisper's own thresholds (openai/whisper's transcribe defaults).
NO_SPEECH_PROB = 0.6
LOG_PROB = -1.0
COMPRESSION_RATIO = 2.4
# The fastest natural speech is about 5 words (Russian) and 20 characters a second; above these
# bounds a segment's text cannot have been said in its time.
MAX_WORDS_PER_SECOND = 6.0
MAX_CHARS_PER_SECOND = 30.0
SLACK_WORDS = 2
SLACK_CHARS = 12
# A run of this many words or more, repeated, is a loop (a single word repeated is speech: "да, да, да").
LOOP_SHORTEST = 2
LOOP_LONGEST = 12
# Tokens per second of audio the decoder may write (Russian takes about 7 for fast speech), within
# the 448 tokens Whisper's decoder holds for a 30 s window.
TOKENS_PER_SECOND = 12
WINDOW_SECONDS = 30
MAX_TOKENS = 440


@dataclass(frozen=True, slots=True)
class Heard:
    """One decoded segment and the facts the guards judge it by."""

    text: str
    start: float
    end: float
    no_speech_prob: float
    avg_logprob: float
    compression_ratio: float


def plain_words(text: str) -> list[str]:
    return "".join(ch if ch.isalnum() else " " for ch in text.lower()).split()


def looping(text: str, times: int = 3) -> bool:
    """Some run of LOOP_SHORTEST..LOOP_LONGEST words comes ``times`` times in a row."""
    words = plain_words(text)
    for size in range(LOOP_SHORTEST, min(LOOP_LONGEST, len(words) // times) + 1):
        for start in range(len(words) - size * times + 1):
            run = words[start:start + size]
            if all(words[start + k * size:start + (k + 1) * size] == run for k in range(1, times)):
                return True
    return False


def rejection(segment: Heard) -> str | None:
    """Why a segment is taken for a hallucination, or None when it is believable."""
    if segment.no_speech_prob > NO_SPEECH_PROB and segment.avg_logprob < LOG_PROB:
        return f"probably not speech (no-speech probability {segment.no_speech_prob:.2f})"
    if segment.compression_ratio > COMPRESSION_RATIO:
        return f"repetitive (compression ratio {segment.compression_ratio:.2f})"
    if looping(segment.text):
        return "repetitive (a phrase repeated)"
    if too_long(segment.text, segment.end - segment.start):
        return f"too long for {segment.end - segment.start:.1f} s of audio"
    return None


def too_long(text: str, seconds: float) -> bool:
    seconds = max(seconds, 0.0)
    return (len(text.split()) > MAX_WORDS_PER_SECOND * seconds + SLACK_WORDS
            or len(text) > MAX_CHARS_PER_SECOND * seconds + SLACK_CHARS)


def believable_text(segments: list[Heard], seconds: float) -> str:
    """The text of the segments that pass the guards, or "" when nothing believable was heard."""
    kept = []
    for segment in segments:
        if (why := rejection(segment)) is not None:
            log.info("dropped a recognised segment, %s: %r", why, segment.text[:120])
        else:
            kept.append(segment.text.strip())
    text = " ".join(" ".join(kept).split())
    if too_long(text, seconds):  # the segments' times lie outside the audio: a broken decode
        log.info("dropped a transcript too long for %.1f s of audio: %r", seconds, text[:120])
        return ""
    return text


def token_budget(seconds: float) -> int:
    """New tokens the decoder may write for ``seconds`` of audio, per 30 s window."""
    return min(MAX_TOKENS, 10 + math.ceil(TOKENS_PER_SECOND * min(seconds, WINDOW_SECONDS)))
