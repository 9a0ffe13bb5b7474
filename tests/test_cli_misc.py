"""The other CLI contracts: validate on the shipped spec, schema, docs, and a fuzzed loader."""

import json

import jsonschema
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import ROOT

from hypotez.cli import main
from hypotez.registry import load_spec_text
from hypotez.errors import SpecError


def test_the_shipped_spec_is_valid(capsys):
    assert main(["validate", str(ROOT / "commands.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{ROOT / 'commands.yaml'}: OK — 15 commands")


def test_schema_is_valid_json_schema_and_accepts_the_shipped_spec(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(schema)
    spec = yaml.safe_load((ROOT / "commands.yaml").read_text())
    jsonschema.Draft202012Validator(schema).validate(spec)


def test_the_schema_file_for_editors_is_up_to_date(capsys):
    main(["schema"])
    assert json.loads(capsys.readouterr().out) == json.loads((ROOT / "commands.schema.json").read_text())
    assert "yaml-language-server: $schema=./commands.schema.json" in (ROOT / "commands.yaml").read_text()


def test_docs_describe_every_command(capsys):
    assert main(["docs", "--spec", str(ROOT / "commands.yaml")]) == 0
    out = capsys.readouterr().out
    for name in ("hi", "join", "leave", "instruction", "feedback", "train", "test", "model", "correct", "getfile", "archive",
                 "select_dataset", "help"):
        assert f"## {name}" in out
    # in the shipped bot's language
    assert "Как вызвать: `!select_dataset <path_to_dir_positive> [positive=yes|no]`" in out
    assert "Кто может вызвать: роли Trainer, Тренер или права manage_guild (только на серверах)" in out


def test_no_command_is_a_usage_error(capsys):
    assert main([]) == 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_any_bytes_give_located_problems_never_a_crash(data):
    try:
        load_spec_text(data, path=ROOT / "fuzz.yaml", check_handlers=False)
    except SpecError as error:
        assert all(p.line >= 1 and p.column >= 1 for p in error.problems)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["bot", "commands", "other"]), yaml_values, max_size=3))
def test_any_structure_gives_located_problems_never_a_crash(document):
    text = yaml.safe_dump(document, allow_unicode=True)
    try:
        load_spec_text(text, path=ROOT / "fuzz.yaml", check_handlers=False)
    except SpecError as error:
        assert error.problems


command_fields = st.fixed_dictionaries({}, optional={
    "description": yaml_values, "handler": yaml_values, "reply": yaml_values, "aliases": yaml_values,
    "arguments": st.dictionaries(st.text(max_size=8), st.dictionaries(
        st.sampled_from(["type", "default", "required", "minimum", "maxLength", "pattern", "choices"]),
        yaml_values | st.sampled_from(["text", "integer", "choice", "path"]), max_size=4), max_size=3),
    "permissions": yaml_values, "cooldown": yaml_values, "where": yaml_values, "slash": yaml_values,
})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(min_size=1, max_size=10), command_fields, min_size=1, max_size=3))
def test_any_commands_give_located_problems_never_a_crash(commands):
    text = yaml.safe_dump({"commands": commands}, allow_unicode=True)
    try:
        load_spec_text(text, path=ROOT / "fuzz.yaml", check_handlers=False)
    except SpecError as error:
        assert error.problems
