"""The Voice service: speech to text for audio messages, text to speech in voice channels."""

from hypotez.services.voice.audio import AudioLimits, BadAudio
from hypotez.services.voice.playback import (GuildPlayer, Players, VoiceConnectError, VoiceGateway,
                                             VoicePermissionError)
from hypotez.services.voice.service import VoiceService
from hypotez.services.voice.stt import Transcript

__all__ = ["VoiceService", "VoiceGateway", "VoicePermissionError", "VoiceConnectError",
           "Transcript", "BadAudio", "AudioLimits", "GuildPlayer", "Players"]
