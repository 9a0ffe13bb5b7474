"""Fixtures of this suite. The ``hypotez_bot`` factory comes from hypotez's pytest plugin
(hypotez.testing.plugin); plain helpers are in support.py."""

from __future__ import annotations

import pytest
from support import SHIPPED_SPEC

pytest_plugins = ("postgres_fixture",)  # a real PostgreSQL server: postgres_server, postgres_url


@pytest.fixture
async def shipped_bot(hypotez_bot):
    """The shipped commands.yaml, offline, without voice."""
    async with hypotez_bot(spec=SHIPPED_SPEC, voice=False) as harness:
        yield harness


@pytest.fixture
def bot(shipped_bot):
    """The bot a test drives: the shipped one, unless the test module defines a ``bot`` of its own spec."""
    return shipped_bot
