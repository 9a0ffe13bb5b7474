"""Short voice messages decoded with a shortened audio window: the same Whisper model, 3-5x less work.

Whisper's encoder always reads a 30 s window; faster-whisper pads every piece of audio to it, so a
2 s voice message costs as much encoder time as 30 s of speech (about 1 s of CPU on 2 cores, most of
the time of a short message: real-time factors of 0.5-1.4 were measured). CTranslate2's encoder takes
shorter inputs, and its cost falls with the length (0.07 s for 5 s of input against 1.1 s for 30 s).
Whisper was trained on full windows, though: with the speech and too little silence after it, it
tends to say the text twice; with 3 s of silence after the speech, the transcripts on the
benchmark's phrases were as good as with the full window (benchmarks/bench_voice_whisper.py).

So speech found by voice activity detection, when it is short, is decoded here in one pass (beam
search, no timestamps); when that decode looks unsure (Whisper's own checks fail, or it repeats
itself), the caller decodes the whole message the standard way, with temperature fallback.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

from hypotez.services.voice.whisper_guards import COMPRESSION_RATIO, LOG_PROB, NO_SPEECH_PROB, Heard, looping

SAMPLE_RATE = 16000
HOP = 160  # samples per mel frame (10 ms)
MAX_FRAMES = 3000  # the full 30 s window
# Speech up to this long (after voice activity detection) is decoded with a shortened window.
SHORT_MAX_SECONDS = 20.0
# Silence after the speech, in frames: with 1 s Whisper often repeated the text; 3 s and 5 s gave
# the same accuracy as the full window.
MARGIN_FRAMES = 300
FRAME_STEP = 100  # windows in whole seconds: fewer distinct shapes for the encoder


def speech_only(model, samples: np.ndarray) -> np.ndarray:
    """The speech in ``samples``, joined (Silero VAD with faster-whisper's defaults); empty if none."""
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    chunks = get_speech_timestamps(samples, VadOptions())
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    pieces, _metadata = collect_chunks(samples, chunks)
    return np.concatenate(pieces).astype(np.float32)


def window_frames(speech_samples: int) -> int:
    frames = speech_samples / HOP + MARGIN_FRAMES
    return min(MAX_FRAMES, int(math.ceil(frames / FRAME_STEP)) * FRAME_STEP)


def compression_ratio(text: str) -> float:
    """Whisper's measure of repetition: the text's size over its zlib-compressed size."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def decode_short(model, speech: np.ndarray, language: str, beam_size: int, max_new_tokens: int) -> Heard | None:
    """One beam-search decode of short ``speech`` with a window just long enough for it; None when
    the result looks unsure (then the standard decode should be used). A decode Whisper takes for no
    speech at all is returned as such, for the guards to drop."""
    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_suppressed_tokens

    frames = window_frames(len(speech))
    padded = np.zeros(frames * HOP, dtype=np.float32)
    padded[: min(len(speech), padded.size)] = speech[: padded.size]
    features = model.feature_extractor(padded)[:, :frames]  # log-mel of speech + silence, as Whisper pads
    encoded = model.encode(np.ascontiguousarray(features))
    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe", language=language)
    prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
    result = model.model.generate(encoded, [prompt], beam_size=beam_size, max_length=len(prompt) + max_new_tokens,
                                  return_scores=True, return_no_speech_prob=True, suppress_blank=True,
                                  suppress_tokens=list(get_suppressed_tokens(tokenizer, [-1])))[0]
    tokens = result.sequences_ids[0]
    text = tokenizer.decode(tokens).strip()
    # The score is the cumulative log-probability over the length (length penalty 1), as faster-whisper reads it.
    avg_logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
    ratio = compression_ratio(text)
    heard = Heard(text, 0.0, len(speech) / SAMPLE_RATE, result.no_speech_prob, avg_logprob, ratio)
    if result.no_speech_prob > NO_SPEECH_PROB and avg_logprob < LOG_PROB:
        # Whisper's own verdict "not speech" (the guards drop it): not unsure. A standard decode would
        # retry at higher temperatures, and sampling sometimes draws words out of music (CTranslate2
        # seeds its sampler per thread, so the result changed with the test order).
        return heard
    if avg_logprob < LOG_PROB or ratio > COMPRESSION_RATIO or looping(text, times=2):
        return None
    return heard
