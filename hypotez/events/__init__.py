"""What the bot does besides answering commands: message triggers, member events, reactions and
schedules (the spec's ``triggers``, ``events``, ``reactions``, ``schedules``), on the bot's memory
(:mod:`hypotez.services.state_store`) and its actions (:mod:`hypotez.actions`)."""
