"""Reading infra/terraform without Terraform: every file parsed with python-hcl2, and a small evaluator
for the expressions that derive names, keys and indexes from resources.json, so tests can compare
what Terraform would create with what the local stack creates.

The evaluator knows the handful of HCL forms those expressions use (attribute and index access,
``try()``, ``a ? b : c``, ``==``/``!=``/``&&``/``||``/``!``, ``null``, list and object literals,
``{for k, v in x : k => v}``, templates with ``${...}``, and a few functions). Anything else raises,
so a test never silently passes on an expression it could not read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TERRAFORM_DIR = PROJECT_ROOT / "infra" / "terraform"


@dataclass
class Configuration:
    """The blocks of a Terraform root module, merged across its files."""

    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    data: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    other: dict[str, list[Any]] = field(default_factory=dict)

    def resource(self, kind: str, name: str) -> dict[str, Any]:
        return self.resources[kind][name]

    def add(self, parsed: dict[str, Any]) -> None:
        for block, entries in parsed.items():
            entries = entries if isinstance(entries, list) else [entries]
            if block in ("resource", "data"):
                target = self.resources if block == "resource" else self.data
                for entry in entries:
                    for kind, named in entry.items():
                        for name, body in named.items():
                            assert name not in target.setdefault(kind, {}), f"{kind}.{name} defined twice"
                            target[kind][name] = body
            elif block == "locals":
                for entry in entries:
                    for name, value in entry.items():
                        assert name not in self.locals, f"local.{name} defined twice"
                        self.locals[name] = value
            elif block in ("variable", "output"):
                target = self.variables if block == "variable" else self.outputs
                for entry in entries:
                    target.update(entry)
            else:
                self.other.setdefault(block, []).extend(entries)


@cache
def parse_hcl(path: Path) -> dict[str, Any]:
    """One file, parsed once per test run (python-hcl2 takes a second or two a file)."""
    import hcl2

    options = hcl2.SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)
    with path.open(encoding="utf-8") as handle:
        return hcl2.load(handle, serialization_options=options)


def load_configuration(directory: Path = TERRAFORM_DIR) -> Configuration:
    configuration = Configuration()
    for path in sorted(directory.glob("*.tf")):
        configuration.add(parse_hcl(path))
    generated = directory / "chalice.tf.json"
    if generated.exists():
        configuration.add(json.loads(generated.read_text(encoding="utf-8")))
    return configuration


@cache
def hand_written() -> Configuration:
    """The hand-written files only (the generated chalice.tf.json is tested after infra/package.py)."""
    configuration = Configuration()
    for path in sorted(TERRAFORM_DIR.glob("*.tf")):
        configuration.add(parse_hcl(path))
    return configuration


def dynamic_blocks(body: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """``dynamic "x" {...}`` blocks of a resource, by block name."""
    blocks: dict[str, list[dict[str, Any]]] = {}
    for entry in body.get("dynamic", []):
        for name, block in entry.items():
            blocks.setdefault(name, []).append(block)
    return blocks


# -- The evaluator -------------------------------------------------------------------------------
class View:
    """Attribute and index access over JSON-like data, as HCL reads objects."""

    __slots__ = ("_value",)

    def __init__(self, value: Any):
        self._value = value

    def __getattr__(self, name: str) -> Any:
        return wrap(self._value[name])

    def __getitem__(self, key: Any) -> Any:
        return wrap(self._value[unwrap(key)])


def wrap(value: Any) -> Any:
    return View(value) if isinstance(value, dict | list) else value


def unwrap(value: Any) -> Any:
    if isinstance(value, View):
        return unwrap_deep(value._value)
    return unwrap_deep(value)


def unwrap_deep(value: Any) -> Any:
    if isinstance(value, View):
        return unwrap_deep(value._value)
    if isinstance(value, dict):
        return {k: unwrap_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [unwrap_deep(v) for v in value]
    return value


def _try(*alternatives: Any) -> Any:
    for alternative in alternatives:
        try:
            return alternative()
        except (KeyError, IndexError, TypeError, AttributeError):
            continue
    raise ValueError("try(): no alternative could be evaluated")


FUNCTIONS = {
    "keys": lambda x: sorted(unwrap(x)),
    "values": lambda x: [wrap(v) for _, v in sorted(unwrap(x).items())],
    "toset": lambda x: sorted(set(unwrap(x))),
    "length": lambda x: len(unwrap(x)),
    "contains": lambda x, item: unwrap(item) in unwrap(x),
    "distinct": lambda x: list(dict.fromkeys(unwrap(x))),
}


def _split_top_level(text: str, separator: str) -> list[str]:
    parts, depth, current, quoted, i = [], 0, [], False, 0
    while i < len(text):
        char = text[i]
        if char == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char in "([{":
            depth += 1
        elif not quoted and char in ")]}":
            depth -= 1
        if not quoted and depth == 0 and text.startswith(separator, i):
            parts.append("".join(current))
            current = []
            i += len(separator)
            continue
        current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def _matching(text: str, start: int) -> int:
    """Index of the bracket closing the one at ``start``."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    depth, quoted = 0, False
    for i in range(start, len(text)):
        char = text[i]
        if char == '"' and text[i - 1] != "\\":
            quoted = not quoted
        if quoted:
            continue
        if char in pairs:
            depth += 1
        elif char in pairs.values():
            depth -= 1
            if depth == 0:
                return i
    raise ValueError(f"unbalanced brackets in {text!r}")


def to_python(expression: str) -> str:
    """Translates one HCL expression of the supported forms into a Python expression."""
    expression = expression.strip()
    question = _split_top_level(expression, "?")
    if len(question) == 2:
        branches = _split_top_level(question[1], ":")
        if len(branches) != 2:
            raise ValueError(f"cannot read the conditional {expression!r}")
        return f"(({to_python(branches[0])}) if ({to_python(question[0])}) else ({to_python(branches[1])}))"
    for hcl, python in (("||", " or "), ("&&", " and ")):
        parts = _split_top_level(expression, hcl)
        if len(parts) > 1:
            return python.join(f"({to_python(part)})" for part in parts)
    for operator in ("==", "!=", ">", "<"):
        parts = _split_top_level(expression, operator)
        if len(parts) == 2 and not parts[1].startswith("="):
            return f"(unwrap({to_python(parts[0])}) {operator} unwrap({to_python(parts[1])}))"
    if expression.startswith("!"):
        return f"(not {to_python(expression[1:])})"
    if expression.startswith("{") and _matching(expression, 0) == len(expression) - 1:
        inner = expression[1:-1].strip()
        match = re.fullmatch(r"for\s+(\w+)\s*,\s*(\w+)\s+in\s+(.+?)\s*:\s*(.+?)\s*=>\s*(.+)", inner, re.S)
        if match:
            key, value, source, key_expression, value_expression = match.groups()
            return (
                f"{{({to_python(key_expression)}): ({to_python(value_expression)}) "
                f"for {key}, {value} in ((k, wrap(v)) for k, v in unwrap({to_python(source)}).items())}}"
            )
        if not inner:
            return "{}"
        raise ValueError(f"cannot read the object {expression!r}")
    if expression.startswith("[") and _matching(expression, 0) == len(expression) - 1:
        inner = expression[1:-1].strip()
        if inner.startswith("for "):
            raise ValueError(f"cannot read the list comprehension {expression!r}")
        return "[" + ", ".join(to_python(item) for item in _split_top_level(inner, ",") if item.strip()) + "]"
    if expression.startswith("(") and _matching(expression, 0) == len(expression) - 1:
        return f"({to_python(expression[1:-1])})"
    if expression.startswith('"') and expression.endswith('"') and '"' not in expression[1:-1].replace('\\"', ""):
        return repr(render_template(json.loads(expression), None, raw=True))
    if expression in ("null", "true", "false"):
        return {"null": "None", "true": "True", "false": "False"}[expression]
    if re.fullmatch(r"-?\d+(\.\d+)?", expression):
        return expression
    call = re.match(r"(\w+)\(", expression)
    if call and _matching(expression, call.end() - 1) == len(expression) - 1:
        name = call.group(1)
        arguments = [a for a in _split_top_level(expression[call.end() : -1], ",") if a.strip()]
        if name == "try":
            return "_try(" + ", ".join(f"lambda: ({to_python(a)})" for a in arguments) + ")"
        if name not in FUNCTIONS:
            raise ValueError(f"the evaluator does not know {name}()")
        return f"FUNCTIONS[{name!r}](" + ", ".join(to_python(a) for a in arguments) + ")"
    # A reference: a.b.c[index].d ...
    reference = re.fullmatch(r"([A-Za-z_]\w*)((?:\.\w+|\[[^\[\]]+\])*)", expression)
    if reference:
        translated = reference.group(1)
        for step in re.findall(r"\.\w+|\[[^\[\]]+\]", reference.group(2)):
            translated += step if step.startswith(".") else f"[{to_python(step[1:-1])}]"
        return translated
    raise ValueError(f"cannot read the expression {expression!r}")


def evaluate(expression: Any, scope: dict[str, Any]) -> Any:
    """The value of an attribute as python-hcl2 gives it (a template string, or a literal)."""
    if isinstance(expression, list):
        return [evaluate(item, scope) for item in expression]
    if not isinstance(expression, str):
        return expression
    return render_template(expression, scope)


def render_template(template: str, scope: dict[str, Any] | None, raw: bool = False) -> Any:
    """``"${x}"`` is x's value; ``"a-${x}"`` is a string. ``raw`` keeps the text for later."""
    if raw:
        return template
    pieces, i, values = [], 0, []
    while True:
        start = template.find("${", i)
        if start < 0:
            pieces.append(template[i:])
            break
        end = _matching(template, start + 1)
        pieces.append(template[i:start])
        value = _eval(template[start + 2 : end], scope or {})
        values.append(value)
        pieces.append(None)
        i = end + 1
    if len(values) == 1 and pieces[0] == "" and pieces[-1] == "" and len(pieces) == 3:
        return unwrap(values[0])
    out, iterator = [], iter(values)
    for piece in pieces:
        out.append(str(unwrap(next(iterator))) if piece is None else piece)
    return "".join(out)


def _eval(expression: str, scope: dict[str, Any]) -> Any:
    namespace = {name: wrap(value) for name, value in scope.items()}
    namespace.update({"_try": _try, "FUNCTIONS": FUNCTIONS, "wrap": wrap, "unwrap": unwrap, "__builtins__": {}})
    # Only this repository's own Terraform expressions, translated by to_python above. One namespace
    # (globals), so that the lambdas of try() and comprehensions see the names.
    return eval(to_python(expression), namespace)  # noqa: S307


# -- References and the dependency graph ----------------------------------------------------------
_DATA_REFERENCE = re.compile(r"\bdata\.([a-z0-9_]+)\.([A-Za-z0-9_-]+)")
_RESOURCE_REFERENCE = re.compile(r"(?<![\w.])((?:aws|null|random|terraform)_[a-z0-9_]+)\.([A-Za-z_][\w-]*)")
_LOCAL_REFERENCE = re.compile(r"\blocal\.(\w+)")
_VARIABLE_REFERENCE = re.compile(r"\bvar\.(\w+)")


def references(value: Any) -> dict[str, set[str]]:
    """The resources, data sources, locals and variables an expression (or a whole block) names."""
    text = json.dumps(value)
    data = {f"data.{kind}.{name}" for kind, name in _DATA_REFERENCE.findall(text)}
    without_data = _DATA_REFERENCE.sub("", text)
    return {
        "data": data,
        "resource": {f"{kind}.{name}" for kind, name in _RESOURCE_REFERENCE.findall(without_data)},
        "local": {f"local.{name}" for name in _LOCAL_REFERENCE.findall(text)},
        "var": {f"var.{name}" for name in _VARIABLE_REFERENCE.findall(text)},
    }


def graph(configuration: Configuration) -> dict[str, set[str]]:
    """Node → the nodes it refers to, at the level Terraform checks for cycles (a block, a local)."""
    nodes: dict[str, Any] = {}
    for kind, named in configuration.resources.items():
        nodes.update({f"{kind}.{name}": body for name, body in named.items()})
    for kind, named in configuration.data.items():
        nodes.update({f"data.{kind}.{name}": body for name, body in named.items()})
    nodes.update({f"local.{name}": value for name, value in configuration.locals.items()})
    nodes.update({f"output.{name}": body for name, body in configuration.outputs.items()})
    edges = {}
    for node, body in nodes.items():
        found = references(body)
        edges[node] = {target for kind in ("data", "resource", "local") for target in found[kind] if target != node}
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if state.get(target) is None and target in edges:
                cycle = visit(target)
                if cycle:
                    return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(edges):
        if state.get(node) is None:
            cycle = visit(node)
            if cycle:
                return cycle
    return None
