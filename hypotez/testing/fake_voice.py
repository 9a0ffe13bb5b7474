"""A voice connection for the offline harness: plays without a voice server."""

from __future__ import annotations

import threading
from typing import Any

import discord

class FakeVoiceClient(discord.VoiceProtocol):
    """A voice connection at discord.py's boundary (its ``VoiceProtocol`` extension point, which
    ``channel.connect(cls=...)`` takes): no voice server, but a played source is read to its end, 20 ms
    packet by packet, in a thread as discord.py's AudioPlayer does, and recorded in :attr:`played`.
    Set :attr:`packet_seconds` to 0.02 to play in real time as Discord does (a test that must catch
    something still playing); by default packets are read as fast as they decode."""

    packet_seconds = 0.0

    def __init__(self, client: Any, channel: Any):
        super().__init__(client, channel)
        self.connected = False
        self.self_deaf: bool | None = None
        self.played: list[int] = []  # packets read from each source, in the order they were played
        self._source: discord.AudioSource | None = None
        self._stop = threading.Event()

    async def connect(self, *, timeout: float, reconnect: bool, self_deaf: bool = False,
                      self_mute: bool = False) -> None:
        self.connected, self.self_deaf = True, self_deaf

    async def disconnect(self, *, force: bool = False) -> None:
        self.stop()
        if self.channel is not None and self.client is not None:
            self.cleanup()  # forgets this connection in discord.py's state, as VoiceClient does
        self.connected = False

    async def move_to(self, channel: Any, *, timeout: float | None = 30.0) -> None:
        self.channel = channel

    def is_connected(self) -> bool:
        return self.connected

    def is_playing(self) -> bool:
        return self._source is not None

    def stop(self) -> None:
        self._stop.set()

    def play(self, source: discord.AudioSource, *, after: Any = None, **options: Any) -> None:
        if self._source is not None:
            raise discord.ClientException("Already playing audio.")  # what VoiceClient.play raises
        self._source = source
        self._stop.clear()

        def run() -> None:
            packets = 0
            while not self._stop.is_set() and source.read():
                packets += 1
                if self.packet_seconds:
                    self._stop.wait(self.packet_seconds)
            source.cleanup()
            self.played.append(packets)
            self._source = None
            if after is not None:
                after(None)

        threading.Thread(target=run, name="fake-voice-player", daemon=True).start()

