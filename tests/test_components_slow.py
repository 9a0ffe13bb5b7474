"""A button whose command takes longer than Discord waits for an answer: the press is deferred
("thinking…") and the answer follows up, as for slash commands."""

import textwrap

SPEC = '''
bot: {name: slow, language: en}
commands:
  start:
    description: Offers slow work
    text: "Ready"
    components:
      - {id: go, label: Go, action: {run: work, ephemeral: false}}
  work:
    description: Slow work
    handler: slow_button_work:work
    text: "done after {{ seconds }} s"
'''

HANDLERS = '''
import asyncio

async def work(invocation):
    await asyncio.sleep(0.3)
    return {"seconds": 0.3}
'''


async def test_a_slow_action_is_deferred_then_followed_up(hypotez_bot):
    async with hypotez_bot(spec=SPEC, files={"slow_button_work.py": textwrap.dedent(HANDLERS)}, model=False,
                           voice=False) as bot:
        bot.bot.defer_after = 0.05
        ready = await bot.send("!start")
        press = await bot.press(ready, "Go")
        callbacks = [r.json.get("type") for r in bot.http.requests if r.path.endswith("/callback")]
    assert callbacks == [5]  # "thinking…" first
    assert [(m.kind, m.text) for m in press.messages] == [("followup", "done after 0.3 s")]
