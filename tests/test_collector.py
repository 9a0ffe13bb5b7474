"""The bot process's tuned garbage collector (hypotez.collector): what it changes while entered and
puts back after, what settling freezes, and that the running bot settles once ready and after a reload."""

import gc
import weakref

from hypotez.collector import Collector

SPEC = """bot:
  language: en
commands:
  hello:
    description: Say hello
    text: "Hello, version one"
"""


def test_the_young_generation_is_collected_less_often_while_entered_and_as_before_after():
    before = gc.get_threshold()
    with Collector(young_threshold=12_345):
        assert gc.get_threshold() == (12_345, *before[1:])
    assert gc.get_threshold() == before


def test_settling_freezes_what_is_alive_and_leaving_unfreezes_it():
    kept = [object() for _ in range(10)]
    with Collector() as collector:
        collector.settle()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        collector.settle()  # again (after a reload): unfrozen, collected, frozen anew
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    assert len(kept) == 10


def test_garbage_frozen_by_an_earlier_settle_is_collected_by_the_next():
    class Node:
        pass

    with Collector() as collector:
        cycle = Node()
        cycle.self = cycle  # garbage only the cyclic collector frees
        gone = weakref.ref(cycle)
        collector.settle()  # the cycle is alive, so frozen
        del cycle
        assert gone() is not None, "a frozen cycle stays until unfrozen"
        collector.settle()
        assert gone() is None


class RecordingCollector(Collector):
    def __init__(self):
        super().__init__()
        self.settled = 0

    def settle(self) -> None:  # counted only: the test process's collector is left alone
        self.settled += 1


async def test_the_running_bot_settles_once_ready_and_after_each_reload(tmp_path, hypotez_bot):
    from hypotez.adapters.discord_reload import WatchingBot

    spec = tmp_path / "commands.yaml"
    spec.write_text(SPEC)
    (tmp_path / "templates").mkdir()
    harness = hypotez_bot(spec=spec, model=False, voice=False)
    collector = RecordingCollector()
    harness.bot = WatchingBot(harness.app, spec_path=spec, interval=0.05, collector=collector)
    async with harness as bot:
        await bot.bot.on_ready()
        assert collector.settled == 1
        spec.write_text(SPEC.replace("version one", "version two"))
        result = await bot.bot.reloader.reload()
        assert result.ok, result.report()
        assert collector.settled == 2
        assert (await bot.send("!hello")).content == "Hello, version two"
