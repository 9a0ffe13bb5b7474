"""Arguments: tokenizing, binding (key=value and positional), conversion and rules."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hypotez.arguments import ConversionContext, bind_text, convert, finish, tokenize
from hypotez.errors import BadArgument, MissingArgument, UserInputError
from hypotez.declaration.model import ArgumentSpec, CommandSpec, frozen_mapping


def arg(name, type_="text", **kw):
    rules = {k: kw.pop(k) for k in list(kw) if k in ("minimum", "maximum", "maxLength", "minLength", "pattern",
                                                       "enum", "minItems", "maxItems")}
    return ArgumentSpec(name=name, type=type_, rules=frozen_mapping(rules), **kw)


def command(*arguments):
    return CommandSpec(name="cmd", description="d", arguments=tuple(arguments))


def parse(cmd, text):
    return finish(cmd, bind_text(cmd, text), ConversionContext())


def test_quotes_group_words_including_russian_quotes():
    assert [t.text for t in tokenize('a "b c" «д е» \'f g\'')] == ["a", "b c", "д е", "f g"]


def test_backslash_escapes_a_quote_inside_quotes():
    assert [t.text for t in tokenize(r'"say \"hi\""')] == ['say "hi"']


def test_unclosed_quote_is_a_clear_error():
    with pytest.raises(BadArgument, match=r"opened at character 3 is never closed"):
        tokenize('a "b c')


def test_key_value_and_positional_bind_the_same():
    cmd = command(arg("data", "text"), arg("positive", "boolean", required=False, default=True))
    assert bind_text(cmd, "set.jsonl positive=no") == {"data": "set.jsonl", "positive": "no"}
    assert bind_text(cmd, "positive=no data=set.jsonl") == {"data": "set.jsonl", "positive": "no"}
    assert bind_text(cmd, 'data="my set.jsonl"') == {"data": "my set.jsonl"}


def test_text_before_optional_arguments_takes_the_rest_of_the_line():
    cmd = command(arg("words"), arg("times", "integer", required=False))
    assert parse(cmd, "hello   there times=2") == {"words": "hello there", "times": 2}
    assert parse(cmd, "hello   there") == {"words": "hello   there", "times": None}


def test_required_text_before_another_required_takes_one_word():
    cmd = command(arg("message_id"), arg("correction"))
    assert parse(cmd, "123 the right   answer") == {"message_id": "123", "correction": "the right   answer"}


def test_a_quoted_key_value_is_a_plain_value():
    cmd = command(arg("text"))
    assert parse(cmd, '"text=literal"') == {"text": "text=literal"}


def test_unknown_key_is_just_text():
    cmd = command(arg("words"))
    assert parse(cmd, "a=b c") == {"words": "a=b c"}


def test_the_same_key_twice_is_refused():
    cmd = command(arg("n", "integer"))
    with pytest.raises(BadArgument, match="given twice"):
        parse(cmd, "n=1 n=2")


def test_too_many_values():
    cmd = command(arg("n", "integer"))
    with pytest.raises(BadArgument, match="too many values: '2 3'"):
        parse(cmd, "1 2 3")


def test_missing_required_argument():
    with pytest.raises(MissingArgument) as error:
        parse(command(arg("n", "integer")), "")
    assert error.value.argument == "n"


@pytest.mark.parametrize("word, value", [
    ("yes", True), ("Y", True), ("true", True), ("1", True), ("on", True), ("да", True),
    ("no", False), ("N", False), ("false", False), ("0", False), ("off", False), ("нет", False),
])
def test_boolean_words(word, value):
    assert convert(arg("b", "boolean"), word, ConversionContext()) is value


def test_boolean_nonsense():
    with pytest.raises(BadArgument, match="'maybe' is not yes or no"):
        convert(arg("b", "boolean"), "maybe", ConversionContext())


@pytest.mark.parametrize("text, value", [("42", 42), ("-7", -7), ("1_000", 1000), (" 5 ", 5)])
def test_integers(text, value):
    assert convert(arg("n", "integer"), text, ConversionContext()) == value


@pytest.mark.parametrize("text", ["4.5", "four", "", "1e3"])
def test_not_integers(text):
    with pytest.raises(BadArgument, match="not a whole number"):
        convert(arg("n", "integer"), text, ConversionContext())


def test_numbers_accept_a_decimal_comma_and_refuse_infinity():
    assert convert(arg("x", "number"), "2,5", ConversionContext()) == 2.5
    with pytest.raises(BadArgument, match="not a finite number"):
        convert(arg("x", "number"), "inf", ConversionContext())


def test_choice_is_case_insensitive_and_lists_the_options():
    color = arg("color", "choice", choices=("red", "green"))
    assert convert(color, "RED", ConversionContext()) == "red"
    with pytest.raises(BadArgument, match="'blue' is not one of: red, green"):
        convert(color, "blue", ConversionContext())


def test_json_with_code_fences_and_errors_with_position():
    cases = arg("cases", "json")
    assert convert(cases, '```json\n[{"input": "hi"}]\n```', ConversionContext()) == [{"input": "hi"}]
    with pytest.raises(BadArgument, match=r"not valid JSON: Expecting value at line 1, column 2"):
        convert(cases, "[}", ConversionContext())


def test_json_schema_rules():
    cases = ArgumentSpec(name="cases", type="json", schema=frozen_mapping({"type": "array", "minItems": 1}))
    with pytest.raises(BadArgument, match="needs at least 1 items"):
        convert(cases, "[]", ConversionContext())


@pytest.mark.parametrize("argument, value, message", [
    (arg("n", "integer", minimum=1), "0", "must be at least 1 (got 0)"),
    (arg("n", "integer", maximum=3), "9", "must be at most 3 (got 9)"),
    (arg("t", maxLength=3), "abcd", "must be at most 3 characters long (got 4)"),
    (arg("t", minLength=2), "a", "must be at least 2 characters long"),
    (arg("t", pattern="^[0-9]+$"), "12a", "'12a' does not have the expected form (^[0-9]+$)"),
    (arg("t", enum=["a", "b"]), "c", "must be one of: a, b (got 'c')"),
])
def test_rules_have_clear_messages(argument, value, message):
    with pytest.raises(BadArgument) as error:
        convert(argument, value, ConversionContext())
    assert message in error.value.message


def test_member_without_a_resolver_is_refused_clearly():
    with pytest.raises(BadArgument, match="no member called 'bob' here"):
        convert(arg("who", "member"), "bob", ConversionContext())


ALL_TYPES = command(arg("a", "integer", required=False), arg("b", "boolean", required=False),
                    arg("c", "number", required=False), arg("d", "json", required=False),
                    arg("e", "choice", required=False, choices=("x", "y")), arg("f", required=False))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_argument_text_gives_values_or_a_user_error(text):
    try:
        parse(ALL_TYPES, text)
    except UserInputError:
        pass
