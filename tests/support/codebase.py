"""chalicelib/ read as source, for the architecture tests: every module's AST and its imports,
resolved to module names, each marked deferred (inside a function) or not, and under
``if TYPE_CHECKING:`` or not. Nothing is imported or executed.

The tree read is this checkout's, or the one ``BALCAO_ARCH_ROOT`` names (to check another work tree
with these tests: ``BALCAO_ARCH_ROOT=/path/to/tree pytest tests/architecture``).
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PACKAGE = "chalicelib"


def project_root() -> Path:
    return Path(os.environ.get("BALCAO_ARCH_ROOT") or Path(__file__).resolve().parents[2]).resolve()


@dataclass(frozen=True)
class Import:
    line: int
    target: str  # the module imported, dotted ("chalicelib.processes.table", "boto3.dynamodb.conditions")
    text: str  # the statement as written
    deferred: bool  # inside a function or lambda: runs when called, not when the module is loaded
    type_checking: bool  # under ``if TYPE_CHECKING:``: never runs

    @property
    def internal(self) -> bool:
        return self.target == PACKAGE or self.target.startswith(PACKAGE + ".")


@dataclass
class Module:
    name: str  # dotted: "chalicelib.processes.table"; a package's __init__ is the package's name
    path: Path
    rel: str  # relative to the project root, for messages
    tree: ast.Module
    lines: int
    imports: list[Import] = field(default_factory=list)

    @property
    def is_init(self) -> bool:
        return self.path.name == "__init__.py"

    @property
    def package(self) -> str | None:
        """The layer package (``chalicelib/<package>/...``); None for a module directly in chalicelib/
        (and for chalicelib/__init__.py itself)."""
        parts = Path(self.rel).parts
        return parts[1] if len(parts) >= 3 else None

    def where(self, line: int) -> str:
        return f"{self.rel}:{line}"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(
    node: ast.AST, deferred: bool = False, type_checking: bool = False
) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, deferred, type_checking
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _import_nodes(child, True, type_checking)
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for statement in child.body:
                yield from _import_nodes(ast.Module(body=[statement], type_ignores=[]), deferred, True)
            for statement in child.orelse:
                yield from _import_nodes(ast.Module(body=[statement], type_ignores=[]), deferred, type_checking)
        else:
            yield from _import_nodes(child, deferred, type_checking)


def _module_name(rel: Path) -> str:
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve_imports(name: str, is_init: bool, tree: ast.AST, known: set[str]) -> list[Import]:
    """The imports in ``tree`` (of module ``name``); ``from pkg import x`` names ``pkg.x`` when that is
    a module, else ``pkg``. Relative imports are resolved against the module's package."""
    package = name if is_init else name.rpartition(".")[0]
    found = []
    for node, deferred, type_checking in _import_nodes(tree):
        text = ast.unparse(node)
        if isinstance(node, ast.Import):
            found += [Import(node.lineno, alias.name, text, deferred, type_checking) for alias in node.names]
            continue
        if node.level:
            base_parts = package.split(".")
            base_parts = base_parts[: len(base_parts) - (node.level - 1)]
            base = ".".join(base_parts + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            found.append(Import(node.lineno, submodule if submodule in known else base, text, deferred, type_checking))
    return found


@lru_cache(maxsize=4)
def _load(root: Path) -> dict[str, Module]:
    paths = sorted((root / PACKAGE).rglob("*.py"))
    modules = {}
    for path in paths:
        rel = path.relative_to(root)
        source = path.read_text(encoding="utf-8")
        modules[_module_name(rel)] = Module(
            _module_name(rel), path, rel.as_posix(), ast.parse(source, filename=str(path)), len(source.splitlines())
        )
    known = set(modules)
    for module in modules.values():
        module.imports = resolve_imports(module.name, module.is_init, module.tree, known)
    return modules


def chalicelib_modules(root: Path | None = None) -> dict[str, Module]:
    """Every module of chalicelib/ by dotted name (parsed once per root and test session)."""
    return _load(root or project_root())


def package_of(target: str, modules: dict[str, Module]) -> str | None:
    """The layer package an imported chalicelib module belongs to (None: chalicelib itself or a flat module)."""
    if target in modules:
        return modules[target].package
    parts = target.split(".")
    return parts[1] if len(parts) >= 2 else None
