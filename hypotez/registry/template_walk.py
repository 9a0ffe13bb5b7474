"""Following every name a template reads through Jinja's syntax tree: ``{{ nmae }}``, ``{{ caller.nmae }}``,
``{% for f in entries %}{{ f.usr }}{% endfor %}`` — each step of a ``{{ a.b[0].c }}`` looked up in the
shape of what comes before it (hypotez.shapes), with Jinja's own scoping: ``{% set %}``, loop variables
and ``loop``, macros and their parameters, ``{% with %}``, imports. A step whose shape is unknown (``Any``)
lets everything after it through, so only what is certainly missing is reported. An ``{% include %}``d
file is walked where it is included, with the names it is given there (what it reads is reported in
its own file); the ``state.<scope>.<key>`` a template reads are listed for the state checks.
"""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any, Iterable, Mapping

from jinja2 import nodes
from jinja2.runtime import LoopContext

from hypotez import shapes
from hypotez.i18n import DATE_FORMATS, date_format_problem
from hypotez.registry.template_findings import IncludeLoader, Misused, StateRead, Unknown
from hypotez.shapes import ANY, MISSING

# Filters whose result has a shape known from their input: the same value, one of its items, a text, a number.
_SAME = {"default", "d", "sort", "reverse", "unique", "list", "selectattr", "rejectattr", "reject", "select",
         "batch", "slice"}
_ITEM = {"first", "last", "random", "min", "max"}
_TEXT = {"string", "upper", "lower", "title", "capitalize", "trim", "truncate", "join", "replace", "format",
         "escape", "e", "striptags", "center", "indent", "wordwrap", "urlize", "urlencode", "tojson", "code",
         "sentence", "filesize", "number", "seconds", "listing", "datetime", "date", "plural", "forceescape"}
_NUMBER = {"length": int, "count": int, "wordcount": int, "int": int, "float": float, "round": float,
           "abs": ANY, "sum": ANY}
# Tests and filters that are asked about a value that may be missing: reading it there is not a mistake.
_LENIENT_TESTS = {"defined", "undefined", "none"}
_LENIENT_FILTERS = {"default", "d"}


class TemplateWalker:
    """Walks one template's tree; :attr:`found` lists what it reads that cannot exist.

    ``scope``: name → shape of what the template is given. ``strict``: whether a name missing from
    ``scope`` is a mistake (not when a handler may give data it does not declare)."""

    def __init__(self, scope: Mapping[str, Any], globals_: Iterable[str], *, strict: bool = True,
                 include: IncludeLoader = None):
        self.scope = dict(scope)
        self.globals = set(globals_)
        self.strict = strict
        self.include = include
        self.frames: list[dict[str, Any]] = []
        self.found: list[Unknown] = []
        self.misused: list[Misused] = []
        self.state_reads: list[StateRead] = []
        self.file: str | None = None  # the included file being walked
        self.sources: dict[str, str] = {}  # included file → its text (for the columns)
        self._including: list[str] = []

    # -- names -----------------------------------------------------------------------------------

    def lookup(self, name: str) -> Any:
        for frame in reversed(self.frames):
            if name in frame:
                return frame[name]
        if name in self.scope:
            return self.scope[name]
        if name in self.globals:
            return ANY
        return MISSING

    def define(self, target: nodes.Node, shape: Any = ANY) -> None:
        frame = self.frames[-1]
        if isinstance(target, nodes.Name):
            frame[target.name] = shape
        elif isinstance(target, (nodes.Tuple, nodes.List)):
            for item in target.items:
                self.define(item, ANY)

    def known_names(self) -> tuple[str, ...]:
        names: list[str] = [n for n in self.scope]
        for frame in self.frames:
            names += [n for n in frame if n not in names]
        return tuple(names)

    # -- statements -----------------------------------------------------------------------------

    def walk(self, template: nodes.Template) -> list[Unknown]:
        self.frames.append({})
        self.body(template.body)
        self.frames.pop()
        return self.found

    def body(self, statements: Iterable[nodes.Node]) -> None:
        statements = list(statements)
        for statement in statements:  # macros may be called above where they are written
            if isinstance(statement, nodes.Macro):
                self.frames[-1][statement.name] = ANY
        for statement in statements:
            self.statement(statement)

    def statement(self, node: nodes.Node) -> None:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is not None:
            method(node)
        elif isinstance(node, nodes.Expr):
            self.expr(node)
        else:
            for child in node.iter_child_nodes():
                self.statement(child)

    def _Output(self, node: nodes.Output) -> None:
        for child in node.nodes:
            self.expr(child)

    def _If(self, node: nodes.If) -> None:
        self.expr(node.test)
        # {% if later is defined %}{{ later }}{% endif %}: inside, the name is there.
        self.frames.append({name: ANY for name in _guarded(node.test)})
        self.body(node.body)
        self.frames.pop()
        for branch in node.elif_:
            self._If(branch)
        self.body(node.else_)

    def _For(self, node: nodes.For) -> None:
        items = self.expr(node.iter)
        self.frames.append({"loop": ANY if node.recursive else LoopContext})
        self.define(node.target, shapes.element(items))
        if node.test is not None:
            self.expr(node.test)
        self.body(node.body)
        self.frames.pop()
        self.frames.append({})
        self.body(node.else_)
        self.frames.pop()

    def _Assign(self, node: nodes.Assign) -> None:
        shape = self.expr(node.node)
        if isinstance(node.target, nodes.NSRef):
            self.name(node.target.name, node.target.lineno)
        else:
            self.define(node.target, shape)

    def _AssignBlock(self, node: nodes.AssignBlock) -> None:
        if node.filter is not None:
            self.expr(node.filter)
        self.body(node.body)
        self.define(node.target, str)

    def _callable_body(self, args: list[nodes.Name], defaults: list[nodes.Expr], body: list[nodes.Node]) -> None:
        for default in defaults:
            self.expr(default)
        self.frames.append({name: ANY for name in ("varargs", "kwargs", "caller")})
        for arg in args:
            self.define(arg, ANY)
        self.body(body)
        self.frames.pop()

    def _Macro(self, node: nodes.Macro) -> None:
        self.frames[-1][node.name] = ANY
        self._callable_body(node.args, node.defaults, node.body)

    def _CallBlock(self, node: nodes.CallBlock) -> None:
        self.expr(node.call)
        self._callable_body(node.args, node.defaults, node.body)

    def _FilterBlock(self, node: nodes.FilterBlock) -> None:
        self.expr(node.filter)
        self.body(node.body)

    def _With(self, node: nodes.With) -> None:
        values = [self.expr(value) for value in node.values]
        self.frames.append({})
        for target, shape in zip(node.targets, values):
            self.define(target, shape)
        self.body(node.body)
        self.frames.pop()

    def _Scope(self, node: nodes.Scope) -> None:
        self.frames.append({})
        self.body(node.body)
        self.frames.pop()

    def _Import(self, node: nodes.Import) -> None:
        self.expr(node.template)
        self.frames[-1][node.target] = ANY

    def _FromImport(self, node: nodes.FromImport) -> None:
        self.expr(node.template)
        for name in node.names:
            self.frames[-1][name[1] if isinstance(name, tuple) else name] = ANY

    def _Include(self, node: nodes.Include) -> None:
        self.expr(node.template)
        if self.include is None or not isinstance(node.template, nodes.Const) \
                or not isinstance(node.template.value, str):
            return  # a name computed at run time: not followed
        name = node.template.value
        found = self.include(name)
        if found.problem == "missing":
            if not node.ignore_missing:
                self.misused.append(Misused(node.lineno, name, f"the included template '{name}' does not exist",
                                            "check its name: includes are looked up in templates/<language>/ "
                                            "and templates/", self.file))
            return
        if found.problem is not None:
            self.misused.append(Misused(node.lineno, name, found.problem, "check the {{ }} and {% %} pairs",
                                        self.file))
            return
        if found.tree is None or found.filename in self._including:
            return  # a template that includes itself: walked once
        outer = self.file
        self.sources[found.filename] = found.source
        self._including.append(found.filename)
        self.file = found.filename
        scope, frames = self.scope, self.frames
        if not node.with_context:  # {% include ... without context %}: only the globals
            self.scope, self.frames = {}, []
        self.frames.append({})
        self.body(found.tree.body)
        self.frames.pop()
        self.scope, self.frames = scope, frames
        self.file = outer
        self._including.pop()

    def _ExprStmt(self, node: nodes.ExprStmt) -> None:
        self.expr(node.node)

    # -- expressions ----------------------------------------------------------------------------

    def name(self, name: str, line: int, *, lenient: bool = False) -> Any:
        shape = self.lookup(name)
        if shape is MISSING:
            if self.strict and not lenient:
                self.found.append(Unknown(line, name, None, None, self.known_names(), self.file))
            return ANY
        return shape

    def expr(self, node: nodes.Node, *, lenient: bool = False) -> Any:
        if isinstance(node, nodes.Name):
            return self.name(node.name, node.lineno, lenient=lenient) if node.ctx == "load" else ANY
        if isinstance(node, nodes.Getattr):
            return self.step(node.node, node.attr, node.lineno, lenient)
        if isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                return self.step(node.node, node.arg.value, node.lineno, lenient)
            base = self.expr(node.node, lenient=lenient)
            self.expr(node.arg)
            return ANY if isinstance(node.arg, nodes.Slice) else shapes.element(base)
        if isinstance(node, nodes.Filter):
            return self.filter(node, lenient)
        if isinstance(node, nodes.Test):
            if node.node is not None:
                self.expr(node.node, lenient=lenient or node.name in _LENIENT_TESTS)
            self.arguments(node)
            return bool
        if isinstance(node, nodes.Call):
            self.expr(node.node, lenient=lenient)
            self.arguments(node)
            if isinstance(node.node, nodes.Name) and node.node.name == "range":
                return list[int]
            return ANY
        if isinstance(node, nodes.CondExpr):
            self.expr(node.test)
            return shapes.union([self.expr(node.expr1, lenient=lenient),
                                 self.expr(node.expr2, lenient=lenient) if node.expr2 is not None else ANY])
        if isinstance(node, nodes.TemplateData):
            return str
        if isinstance(node, nodes.Const):
            return type(node.value) if node.value is not None else ANY
        if isinstance(node, (nodes.Concat,)):
            for child in node.nodes:
                self.expr(child)
            return str
        for child in node.iter_child_nodes():  # operators, lists, dicts...: their parts are read
            self.expr(child, lenient=lenient)
        return ANY

    def arguments(self, node: nodes.Filter | nodes.Test | nodes.Call) -> None:
        for arg in node.args:
            self.expr(arg)
        for keyword in node.kwargs:
            self.expr(keyword.value)
        if node.dyn_args is not None:
            self.expr(node.dyn_args)
        if node.dyn_kwargs is not None:
            self.expr(node.dyn_kwargs)

    def step(self, base_node: nodes.Node, attr: str, line: int, lenient: bool) -> Any:
        scope = self._state_scope(base_node)
        if scope is not None:
            self.state_reads.append(StateRead(line, scope, attr, self.file))
        base = self.expr(base_node, lenient=lenient)
        if attr.startswith("_"):
            return ANY  # private names: the sandbox refuses them when the template runs
        found = shapes.attribute(base, attr)
        if found is MISSING:
            if not lenient:
                self.found.append(Unknown(line, attr, _shown(base_node), base,
                                          tuple(shapes.declared(base) or ()), self.file))
            return ANY
        return found

    def _state_scope(self, node: nodes.Node) -> str | None:
        """"member" when ``node`` is ``state.member`` (or ``state['member']``) of the bot's state."""
        if isinstance(node, nodes.Getattr):
            inner, scope = node.node, node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            inner, scope = node.node, node.arg.value
        else:
            return None
        if not isinstance(inner, nodes.Name) or inner.name != "state" or any("state" in f for f in self.frames):
            return None
        return scope

    def filter(self, node: nodes.Filter, lenient: bool) -> Any:
        base = self.expr(node.node, lenient=lenient or node.name in _LENIENT_FILTERS) \
            if node.node is not None else ANY
        self.arguments(node)
        if node.name == "date" and node.args and isinstance(node.args[0], nodes.Const) \
                and isinstance(node.args[0].value, str):
            self.date_format(node.args[0].value, node.lineno)
        if node.name in _SAME:
            extra = [self.expr(node.args[0])] if node.name in _LENIENT_FILTERS and node.args else []
            return shapes.union([base, *extra]) if extra else base
        if node.name in _ITEM:
            return shapes.element(base)
        if node.name in _TEXT:
            return str
        return _NUMBER.get(node.name, ANY)


    def date_format(self, format: str, line: int) -> None:
        problem = date_format_problem(format)
        if problem is None:
            return
        close = get_close_matches(format, DATE_FORMATS, n=1, cutoff=0.6)
        said = problem + "; the formats: short, medium, long, full, or a CLDR pattern such as dd.MM.yyyy"
        self.misused.append(Misused(line, format, f"'{format}' is not a date format",
                                    f"did you mean '{close[0]}'? ({said})" if close else said, self.file))


def _guarded(test: nodes.Node) -> list[str]:
    """The names an ``if`` test makes sure are defined (``x is defined``, joined with ``and``)."""
    if isinstance(test, nodes.And):
        return _guarded(test.left) + _guarded(test.right)
    if isinstance(test, nodes.Test) and test.name == "defined" and isinstance(test.node, nodes.Name):
        return [test.node.name]
    return []


def _shown(node: nodes.Node) -> str:
    """An expression as the template wrote it, near enough for a message: ``caller``, ``f.user``."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_shown(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        inner = repr(node.arg.value) if isinstance(node.arg, nodes.Const) else "…"
        return f"{_shown(node.node)}[{inner}]"
    if isinstance(node, nodes.Filter):
        return f"{_shown(node.node) if node.node is not None else '…'} | {node.name}"
    return "…"
