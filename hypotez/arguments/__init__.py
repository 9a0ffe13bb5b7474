"""Arguments: split the text after a command into tokens (tokens), bind them to the declared arguments
(binding), convert each to its type (converters) and check it against its rules (rules).

``!train data=set.jsonl positive=no`` (key=value), ``!train set.jsonl no`` (positional) and
``!feedback "it works" `` (quoted) all bind the same way. A text argument followed only by optional
arguments takes the rest of the line, so ``!feedback it works well`` needs no quotes (the optional
arguments after it are then given by name).
"""

from hypotez.arguments.binding import bind_text
from hypotez.arguments.converters import CONVERTERS, ConversionContext, Converter, convert, finish
from hypotez.arguments.rules import Validator, check_rules, describe_rule_failure, validator_for
from hypotez.arguments.tokens import Token, tokenize

__all__ = ["bind_text", "CONVERTERS", "ConversionContext", "Converter", "convert", "finish", "Validator",
           "check_rules", "describe_rule_failure", "validator_for", "Token", "tokenize"]
