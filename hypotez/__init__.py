"""hypotez: a declarative Discord bot framework driven by YAML."""

from hypotez.errors import HypotezError, SpecError, UserInputError, ConfigError
from hypotez.invocation import Invocation, Response

__all__ = ["HypotezError", "SpecError", "UserInputError", "ConfigError", "Invocation", "Response"]
__version__ = "0.1.0"
