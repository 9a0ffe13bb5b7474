"""The shipped bot's handlers, named from commands.yaml by dotted path (handlers.general:hi)."""
