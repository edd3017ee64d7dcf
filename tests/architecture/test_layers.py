"""The layer contract of chalicelib/ (docs: ../shared/ARCHITECTURE.md), checked on the source by a
small AST walk: nothing is imported, so it runs in well under a second.

- Every module lives in a layer package, ``chalicelib/<package>/...``; a module directly in
  chalicelib/ (other than its ``__init__.py``) is in no layer.
- A package imports only from itself or from packages strictly lower in ``LAYERS``. Packages of one
  rank (payments and messages; api and workflow) do not import each other, and since api and
  workflow are the top rank nothing else in chalicelib imports them (app.py, outside, may import
  anything). Imports under ``if TYPE_CHECKING:`` count: a type named upward is still a dependency
  upward.
- AWS: ``kernel/`` imports neither boto3 nor botocore, at module level or deferred. Outside
  ``platform/`` nothing imports botocore, or boto3 itself (``import boto3``, ``boto3.session`` ...):
  clients, resources and sessions are ``platform/``'s. The one exception is
  ``boto3.dynamodb.conditions`` (``Key``, ``Attr``): building a query's condition expression creates
  no client and needs no credentials, and the repositories that query their tables need it.
- No chalicelib module is imported inside a function outside ``api/``: there a deferred import keeps
  the cold start short (a route imports what it uses); anywhere else it hides a cycle. Imports at
  module level under ``if TYPE_CHECKING:`` are module level. Relative imports count.
- ``__init__.py`` files stay empty (cold start): a docstring is allowed, no statement is.
- No module is longer than ``MAX_LINES``.

Each rule is its own test and lists every offender (file:line and what it imports), so that all of
them can be fixed at once.
"""

from __future__ import annotations

import ast
import re

from tests.support.codebase import Import, Module, chalicelib_modules, package_of

# Lowest first; a set is one rank (its packages may not import each other).
LAYERS: list[set[str]] = [
    {"kernel"},
    {"platform"},
    {"catalogue"},
    {"notifications"},
    {"documents"},
    {"accounts"},
    {"processes"},
    {"decision"},
    {"correspondence"},
    {"payments", "messages"},
    {"views"},
    {"api", "workflow"},
]
RANK = {package: rank for rank, packages in enumerate(LAYERS) for package in packages}
EDGES = {"api", "workflow"}
AWS_PLATFORM = "platform"
ALLOWED_BOTO3_OUTSIDE_PLATFORM = {"boto3.dynamodb.conditions"}
MAX_LINES = 400

MODULES = chalicelib_modules()


def _in_file_order(offender: str) -> tuple[str, int, str]:
    match = re.match(r"(\S+?):(\d+)", offender)
    return (match.group(1), int(match.group(2)), offender) if match else (offender, 0, offender)


def _report(rule: str, offenders: list[str]) -> str:
    unique = sorted(set(offenders), key=_in_file_order)
    return f"{rule} ({len(unique)}):\n  " + "\n  ".join(unique)


def _is_aws_sdk(target: str) -> bool:
    return target.split(".")[0] in ("boto3", "botocore")


def _where(module: Module, imported: Import) -> str:
    return f"{module.where(imported.line)}  {imported.text}"


def test_the_walk_sees_the_tree() -> None:
    """So that no rule below passes on an empty or unparsed tree."""
    assert len(MODULES) > 30, sorted(MODULES)
    assert any(i.internal for m in MODULES.values() for i in m.imports)
    assert {m.package for m in MODULES.values()} >= {"kernel", "platform", "processes", "api", "workflow"}


def test_every_module_is_in_a_layer() -> None:
    offenders = []
    for module in MODULES.values():
        if module.package is None and module.name != "chalicelib":
            offenders.append(f"{module.rel}: directly in chalicelib/, not in a layer package")
        elif module.package is not None and module.package not in RANK:
            offenders.append(f"{module.rel}: package {module.package!r} is not in the layer list")
    assert not offenders, _report("modules outside the layers", offenders)


def test_packages_import_only_from_lower_layers() -> None:
    offenders = []
    for module in MODULES.values():
        own = module.package
        for imported in module.imports:
            if not imported.internal:
                continue
            target = package_of(imported.target, MODULES)
            if target is None or target == own:
                continue  # chalicelib/__init__ itself; a flat module is reported by the test above
            if own is None or own not in RANK:
                continue  # reported as not in a layer
            if target not in RANK:
                offenders.append(f"{_where(module, imported)}  ({own} -> {target}: not a layer)")
            elif target in EDGES:
                offenders.append(
                    f"{_where(module, imported)}  ({own} -> {target}: nothing but app.py imports {target}/)"
                )
            elif RANK[target] == RANK[own]:
                offenders.append(f"{_where(module, imported)}  ({own} -> {target}: same layer)")
            elif RANK[target] > RANK[own]:
                offenders.append(f"{_where(module, imported)}  ({own} -> {target}: upward)")
    assert not offenders, _report("imports that do not go down the layers", offenders)


def test_only_platform_talks_to_aws() -> None:
    offenders = []
    for module in MODULES.values():
        for imported in module.imports:
            if not _is_aws_sdk(imported.target):
                continue
            if module.package == "kernel":
                offenders.append(f"{_where(module, imported)}  (kernel/ imports no AWS SDK at all)")
            elif module.package == AWS_PLATFORM:
                continue
            elif imported.target.startswith("botocore"):
                offenders.append(f"{_where(module, imported)}  (botocore: only platform/)")
            elif not any(
                imported.target == allowed or imported.target.startswith(allowed + ".")
                for allowed in ALLOWED_BOTO3_OUTSIDE_PLATFORM
            ):
                offenders.append(f"{_where(module, imported)}  (boto3 clients, resources and sessions: only platform/)")
    assert not offenders, _report("AWS SDK imports outside platform/", offenders)


def test_no_deferred_chalicelib_import_outside_api() -> None:
    offenders = [
        f"{_where(module, imported)}  (inside a function)"
        for module in MODULES.values()
        if module.package != "api"
        for imported in module.imports
        if imported.internal and imported.deferred
    ]
    assert not offenders, _report("chalicelib imports deferred into a function outside api/", offenders)


def test_init_files_are_empty() -> None:
    offenders = []
    for module in MODULES.values():
        if not module.is_init:
            continue
        body = module.tree.body
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            body = body[1:]  # the docstring
        offenders += [
            f"{module.where(statement.lineno)}  {ast.unparse(statement).splitlines()[0]}" for statement in body
        ]
    assert not offenders, _report("statements in __init__.py files", offenders)


def test_no_module_is_longer_than_400_lines() -> None:
    offenders = [f"{module.rel}: {module.lines} lines" for module in MODULES.values() if module.lines > MAX_LINES]
    assert not offenders, _report(f"modules longer than {MAX_LINES} lines", offenders)
