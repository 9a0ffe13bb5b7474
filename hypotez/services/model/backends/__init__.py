"""The Model service's backends, one module each; :mod:`hypotez.services.model.factory` picks one by
the name in ``bot.model.backend``."""
