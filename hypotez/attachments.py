"""Which attachments the bot downloads: only from Discord's own file servers, and only up to a size.

An attachment's URL comes from Discord's message payload, never from what a user typed; this policy
makes sure of it anyway, so a forged or proxied payload cannot make the bot fetch an internal
address (``http://169.254.169.254/...``) or a huge file. Hosts and the size limit are settings of the
spec (``bot.attachments``). A host name admits HTTPS on port 443 only; a file server of one's own
(a self-hosted Discord-compatible server) is admitted by an explicit ``scheme://host:port`` entry, and
then exactly that scheme, host and port.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping
from urllib.parse import urlsplit

from hypotez.errors import UserInputError
from hypotez.reasons import Reason, size_reason

DEFAULT_HOSTS = ("cdn.discordapp.com", "media.discordapp.net")
DEFAULT_MAX_BYTES = 25 * 1024 * 1024


class AttachmentRefused(UserInputError):
    """The bot will not download this attachment (not on Discord's file servers, or too big)."""

    kind = "bad_input"
    template_fields = ("message", "filename", "reason")

    def __init__(self, filename: str, reason: str):
        self.filename = filename
        self.reason = reason
        super().__init__(Reason("attachment.refused", filename=filename, reason=reason))


DEFAULT_PORTS = {"https": 443, "http": 80}


def origin_of(entry: str) -> tuple[str, str, int]:
    """(scheme, host, port) of a ``hosts`` entry: a host name is HTTPS on 443; ``scheme://host:port``
    is what it says (the spec's schema has already checked its form)."""
    entry = entry.strip().lower()
    if "://" not in entry:
        return "https", entry, 443
    parts = urlsplit(entry)
    return parts.scheme, parts.hostname or "", parts.port or DEFAULT_PORTS.get(parts.scheme, 0)


@dataclass(frozen=True, slots=True)
class AttachmentPolicy:
    hosts: tuple[str, ...] = DEFAULT_HOSTS
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> "AttachmentPolicy":
        settings = settings or {}
        hosts = tuple(str(h).strip().lower() for h in settings.get("hosts", DEFAULT_HOSTS))
        return cls(hosts=hosts, max_bytes=int(settings.get("max_bytes", DEFAULT_MAX_BYTES)))

    @property
    def origins(self) -> frozenset[tuple[str, str, int]]:
        return frozenset(origin_of(entry) for entry in self.hosts)

    def check_url(self, filename: str, url: str) -> None:
        try:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            host = (parts.hostname or "").lower()
            port = parts.port if parts.port is not None else DEFAULT_PORTS.get(scheme)
        except ValueError:  # a malformed URL (bad port, bad IPv6 literal)
            raise AttachmentRefused(filename, Reason("attachment.bad_url", hosts=list(self.hosts))) from None
        if parts.username or parts.password or port is None or (scheme, host, port) not in self.origins:
            shown: Any = host or Reason("attachment.unknown_place")
            if host and (scheme, port) != ("https", 443):  # say which server, when the host alone would not
                shown = f"{scheme}://{host}:{port}" if port is not None else f"{scheme}://{host}"
            raise AttachmentRefused(filename, Reason("attachment.elsewhere", host=shown, hosts=list(self.hosts)))

    def check_size(self, filename: str, size: int) -> None:
        if size > self.max_bytes:
            raise AttachmentRefused(filename, Reason("attachment.too_big", size=size_reason(size),
                                                     limit=size_reason(self.max_bytes)))

    def guard(self, filename: str, url: str, size: int,
              fetch: Callable[[], Awaitable[bytes]]) -> Callable[[], Awaitable[bytes]]:
        """A ``read`` for :class:`~hypotez.invocation.Attachment` that checks the host and the declared
        size before downloading anything, and the real size after."""

        async def read() -> bytes:
            self.check_url(filename, url)
            self.check_size(filename, size)
            content = await fetch()
            self.check_size(filename, len(content))
            return content

        return read
