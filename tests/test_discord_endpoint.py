"""The test-only Discord endpoint setting: parsing, refusals, and the resolver that keeps traffic local."""

import socket

import pytest

from hypotez.adapters.discord_endpoint import TEST_CA_ENV, TEST_SERVER_ENV, TestServer, is_discord_host
from hypotez.cli import main
from hypotez.errors import ConfigError


def test_unset_means_discord_itself():
    assert TestServer.from_env({}) is None
    assert TestServer.from_env({TEST_SERVER_ENV: "  "}) is None


def test_an_address_and_a_ca_make_a_test_server(tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\n")
    server = TestServer.from_env({TEST_SERVER_ENV: "127.0.0.1:8443", TEST_CA_ENV: str(ca)})
    assert (server.host, server.port, server.ca_file, server.address) == ("127.0.0.1", 8443, ca, "127.0.0.1:8443")
    v6 = TestServer.from_env({TEST_SERVER_ENV: "[::1]:8443", TEST_CA_ENV: str(ca)})
    assert (v6.host, v6.address) == ("::1", "[::1]:8443")


@pytest.mark.parametrize("address", ["localhost:8443", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:port", ":8443"])
def test_a_bad_address_is_refused_with_an_example(tmp_path, address):
    with pytest.raises(ConfigError) as caught:
        TestServer.from_env({TEST_SERVER_ENV: address, TEST_CA_ENV: str(tmp_path)})
    assert "is not an IP:PORT address" in caught.value.message
    assert "127.0.0.1:8443" in caught.value.hint


def test_a_missing_ca_is_refused(tmp_path):
    with pytest.raises(ConfigError) as caught:
        TestServer.from_env({TEST_SERVER_ENV: "127.0.0.1:8443", TEST_CA_ENV: str(tmp_path / "nope.pem")})
    assert TEST_CA_ENV in caught.value.message and "unset" in caught.value.hint


def test_only_discords_hosts_are_sent_to_the_test_server():
    for host in ("discord.com", "gateway.discord.gg", "gateway-us-east1-b.discord.gg", "cdn.discordapp.com",
                 "media.discordapp.net", "DISCORD.COM."):
        assert is_discord_host(host), host
    for host in ("example.com", "notdiscord.com", "discord.com.evil.net", "api.openai.com"):
        assert not is_discord_host(host), host


async def test_the_resolver_points_discord_at_the_server_and_refuses_the_rest(tmp_path):
    from hypotez.adapters.discord_endpoint import _TestServerResolver

    resolver = _TestServerResolver(TestServer("127.0.0.1", 8443, tmp_path / "ca.pem"))
    [result] = await resolver.resolve("gateway.discord.gg", 443)
    assert (result["hostname"], result["host"], result["port"], result["family"]) == \
        ("gateway.discord.gg", "127.0.0.1", 8443, socket.AF_INET)
    with pytest.raises(OSError, match="not a Discord host"):
        await resolver.resolve("example.com", 443)


def test_hypotez_run_explains_a_bad_test_server_setting(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", "x")
    monkeypatch.setenv(TEST_SERVER_ENV, "localhost:1")
    assert main(["run", "--spec", str(tmp_path / "missing.yaml")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"hypotez: {TEST_SERVER_ENV}='localhost:1' is not an IP:PORT address")
    assert "Traceback" not in err
