"""Templates of text and ``{{ name }}``s alone are rendered by joining (hypotez.interpolation), the way
Jinja renders them with hypotez's settings: the same text for any value, the same error for a name
nobody gave, and everything else still goes through Jinja."""

import jinja2
import pytest

from hypotez.interpolation import Interpolation
from hypotez.rendering import Renderer, TemplateFailed

SOURCES = ["Привет, {{ user }}! 👋 Я {{ bot }}.", "{{user}}{{bot}}", "  {{ user }}  \n\n", "{{ n }} шт.",
           "line one\n{{ user }}\n  line three {{ n }}", "{{ user }} {{ user }}"]
VALUES = [{"user": "ann", "bot": "hypotez", "n": 3}, {"user": "", "bot": None, "n": 1.5},
          {"user": "<b>&amp;</b>", "bot": ["a", 1], "n": {"k": "v"}}, {"user": "{{ bot }}", "bot": "x", "n": -0}]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("values", VALUES)
def test_an_interpolation_renders_what_jinja_renders(tmp_path, source, values):
    renderer = Renderer(tmp_path, "ru")
    env = renderer.environment("ru")
    assert Interpolation.of(env.parse(source), env.globals, None) is not None
    assert renderer.render_source(source, values, "ru") == env.from_string(source).render(**values).strip()


def test_a_template_file_of_names_is_an_interpolation_and_a_global_is_found(tmp_path):
    (tmp_path / "ru").mkdir()
    (tmp_path / "ru" / "hi.j2").write_text("Привет, {{ name }}! {{ plural }}", encoding="utf-8")
    renderer = Renderer(tmp_path, "ru")
    jinja = renderer.environment("ru").get_template("hi.j2").render(name="Аня").strip()
    assert renderer.render("hi", {"name": "Аня"}, "ru") == jinja and jinja.startswith("Привет, Аня! ")
    assert renderer.reads("hi", "ru") == frozenset({"name"})


@pytest.mark.parametrize("source", ["{{ user | upper }}", "{{ user.name }}", "{% if user %}{{ user }}{% endif %}",
                                    "{{ 'x' }}", "{{ n + 1 }}", "{% set n = 2 %}{{ n }}"])
def test_anything_more_stays_a_jinja_template(tmp_path, source):
    env = Renderer(tmp_path, "en").environment("en")
    assert Interpolation.of(env.parse(source), env.globals, None) is None


def test_a_name_nobody_gave_fails_as_jinja_says_it(tmp_path):
    renderer = Renderer(tmp_path, "en")
    with pytest.raises(TemplateFailed) as failed:
        renderer.render_source("Hi {{ who }}", {"user": "ann"}, "en")
    with pytest.raises(jinja2.UndefinedError) as jinja_says:
        renderer.environment("en").from_string("Hi {{ who }}").render(user="ann")
    assert str(jinja_says.value) in str(failed.value)
