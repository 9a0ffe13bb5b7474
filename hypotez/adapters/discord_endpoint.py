"""Where the bot's Discord traffic goes: to Discord, or (for tests) to a local Discord test server.

discord.py builds every URL from constants: ``https://discord.com/api/v10`` (``Route.BASE``, a class
attribute shared by every client in the process), ``wss://gateway.discord.gg`` (``DiscordWebSocket.
DEFAULT_GATEWAY``, used without asking ``/gateway/bot``) and ``https://cdn.discordapp.com`` for
attachments. Changing those would be global monkeypatching, and would leave TLS out of the picture.
Instead, one client is handed its own aiohttp connector (``discord.Client(connector=...)``, a public
option) whose resolver sends Discord's host names to the test server's address and whose TLS context
trusts only the test server's certificate authority. discord.py, its URLs, its rate-limit handling
and certificate checking run exactly as they do against Discord.

The test server is chosen by two settings meant for tests only (nothing changes when they are unset):

* ``HYPOTEZ_DISCORD_TEST_SERVER`` — ``IP:PORT`` of the test server, e.g. ``127.0.0.1:8443``;
* ``HYPOTEZ_DISCORD_TEST_CA`` — a PEM file with the certificate authority that signed its certificate.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from hypotez.errors import ConfigError

TEST_SERVER_ENV = "HYPOTEZ_DISCORD_TEST_SERVER"
TEST_CA_ENV = "HYPOTEZ_DISCORD_TEST_CA"

# Every host discord.py talks to for a text bot: API, gateway (and resume gateways), CDN, media proxy.
DISCORD_DOMAINS = ("discord.com", "discord.gg", "discordapp.com", "discordapp.net")


def is_discord_host(host: str) -> bool:
    host = host.rstrip(".").lower()
    return any(host == domain or host.endswith("." + domain) for domain in DISCORD_DOMAINS)


@dataclass(frozen=True, slots=True)
class TestServer:
    """A local Discord test server standing in for Discord's hosts."""

    __test__ = False  # not a pytest test class, despite the name

    host: str
    port: int
    ca_file: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "TestServer | None":
        """The test server named by the environment, or None (the real Discord). Raises ConfigError
        when the settings are present but unusable."""
        environ = os.environ if environ is None else environ
        address = environ.get(TEST_SERVER_ENV, "").strip()
        if not address:
            return None
        host, sep, port = address.rpartition(":")
        host = host.strip("[]")
        try:
            ipaddress.ip_address(host)
            port_number = int(port)
            if not sep or not 0 < port_number < 65536:
                raise ValueError
        except ValueError:
            raise ConfigError(f"{TEST_SERVER_ENV}={address!r} is not an IP:PORT address",
                              f"use the test server's address, e.g. {TEST_SERVER_ENV}=127.0.0.1:8443") from None
        ca = environ.get(TEST_CA_ENV, "").strip()
        if not ca or not Path(ca).is_file():
            raise ConfigError(f"{TEST_SERVER_ENV} is set but {TEST_CA_ENV} does not name a readable PEM file "
                              f"({ca or 'unset'})",
                              f"set {TEST_CA_ENV} to the certificate authority of the test server, or unset "
                              f"{TEST_SERVER_ENV} to connect to Discord")
        return cls(host=host, port=port_number, ca_file=Path(ca))

    @property
    def address(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def connector(self) -> aiohttp.TCPConnector:
        """An aiohttp connector for ``discord.Client(connector=...)``. Call it inside the event loop."""
        try:
            context = ssl.create_default_context(cafile=str(self.ca_file))
        except (OSError, ssl.SSLError) as error:
            raise ConfigError(f"{TEST_CA_ENV}={self.ca_file}: not a usable PEM certificate ({error})",
                              "give the test server's CA certificate in PEM format") from None
        # limit=0: discord.py's own default (it creates TCPConnector(limit=0) when given none).
        return aiohttp.TCPConnector(resolver=_TestServerResolver(self), ssl=context, limit=0)


class _TestServerResolver(AbstractResolver):
    """Resolves Discord's host names to the test server; refuses every other host, so nothing the bot
    sends through this client can leave for the internet."""

    def __init__(self, server: TestServer):
        self.server = server

    async def resolve(self, host: str, port: int = 0,
                      family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        if not is_discord_host(host):
            # (errno, text): aiohttp shows the text in its "Cannot connect to host" error.
            raise OSError(errno.EHOSTUNREACH, f"{host} is not a Discord host: with {TEST_SERVER_ENV} set, "
                                              f"only the test server is reachable")
        is_ipv6 = ":" in self.server.host
        return [{"hostname": host, "host": self.server.host, "port": self.server.port,
                 "family": socket.AF_INET6 if is_ipv6 else socket.AF_INET, "proto": 0,
                 "flags": socket.AI_NUMERICHOST}]

    async def close(self) -> None:
        return None
