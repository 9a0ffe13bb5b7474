"""hypotez: a declarative Discord bot framework driven by YAML."""

from hypotez.errors import CheckFailure, CommandError, ConfigError, HypotezError, SpecError, UserInputError
from hypotez.invocation import Invocation, Response

__all__ = ["HypotezError", "SpecError", "CommandError", "UserInputError", "CheckFailure", "ConfigError",
           "Invocation", "Response"]
__version__ = "0.1.0"
