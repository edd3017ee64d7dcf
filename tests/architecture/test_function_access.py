"""Each Lambda function's code stays within its ``access`` in chalicelib/resources.json (the IAM role
Terraform gives it): the tables, buckets, state machines, topics and capabilities the function's
import closure can reach are granted to it, at the level it needs. Pure AST, nothing imported.

The closure. A function's handler is ``app.<name>``; app.py defers its imports into each handler,
so the roots are the imports inside that handler, followed through every import of every module
reached (module level and deferred alike: conservatively, a module runs whatever it imports
anywhere). app.py's module-level imports (the API blueprints) are loaded by every function too, but
their routes run only in the ``api`` function: for the others they are followed through module-level
imports only, and only what those modules do at import time counts. The ``api`` function
(``app.app``, the Chalice object) is app.py's module-level imports followed through everything.
Imports under ``if TYPE_CHECKING:`` never run and are not followed.

What a module reaches (every module of the closure, as a whole: not which of its functions run):
- a table: ``table("x")`` / ``aws.table("x")`` with a literal key: read.
- a table written: ``put_item``, ``update_item``, ``delete_item``, ``batch_writer``,
  ``batch_write_item`` on a receiver that resolves to a table, and ``transact_write_items`` through
  its items' ``"TableName": <table>.name`` (``ConditionCheck`` items: read). A receiver resolves by a
  small, name-based type inference: ``self.table`` is the class's ``table = Injected(lambda self:
  aws.table("x"))`` or property; ``self.processes.table`` / ``processes.table`` /
  ``Accounts().table`` go through the class that ``self.processes`` (or the local name) is built
  from or annotated with, imported from another module, and its ``table``; delegating properties
  (``def table(self): return self.processes.table``) and base classes are followed. A module-level
  function that writes to one of its parameters (``dynamo.next_value(counters, ...)``, and the
  functions passing their own parameter on to it) is a write helper: its call sites are the writes.
  A write whose receiver cannot be resolved counts, to stay sound, as a write on every table the
  module or the modules it imports directly reach.
- a bucket: ``bucket_name("x")``: read; written by ``put_object``, ``delete_object``,
  ``delete_objects``, ``copy_object``, ``upload_file(obj)``, ``generate_presigned_post`` and a
  presigned URL for ``put_object``, on the buckets named in the call (its ``Bucket``/``Params``, a
  copy's source too, directly or through a local name bound to ``bucket_name("x")``); a call naming
  no bucket so counts for every bucket the module or its direct imports reach. S3 calls are the ones
  with a ``Bucket`` keyword (or ``Params`` holding one).
- send_email: a ``client("ses")`` / ``client("sesv2")``.
- SNS, decided by each ``.publish(...)``'s keywords: ``PhoneNumber`` is send_sms, ``TopicArn`` /
  ``TargetArn`` a topic, the topics being the literal topic keys of resources.json written in that
  module (``resource_name("staff-alerts")``), or an unknown topic ``?`` when none is. A module that
  makes an SNS client and publishes nothing itself is counted as send_sms.
- task_callback: ``send_task_success`` / ``send_task_failure`` / ``send_task_heartbeat`` wherever
  called (so ``platform/task_tokens.resume`` in a closure means task_callback).
- a state machine started: ``start_execution``, the machines being the ``state_machine_arn("x")``
  literals in the call, else in the module, else ``?``.

Limits: module granularity over-approximates (a module used for one function brings everything
else it does and imports; ``workflow/process_tasks.py`` holding every workflow task gives each of
them the union). Keys built at run time (not literals), clients reached by names the inference
cannot follow, and reflection are not seen; unresolved writes and buckets fall back to the
over-approximation above, unresolved reads cannot (a read needs the literal key somewhere in the
closure, which is where the repositories keep it). app.py's own bodies are not scanned (they only
call chalicelib). Scans (not granted by either level) are not checked.
"""

from __future__ import annotations

import ast
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.codebase import PACKAGE, Module, chalicelib_modules, project_root, resolve_imports

ROOT = project_root()
MODULES = chalicelib_modules(ROOT)
RESOURCES = json.loads((ROOT / PACKAGE / "resources.json").read_text(encoding="utf-8"))
FUNCTIONS: dict[str, Any] = RESOURCES["functions"]
APP = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))

TABLE_WRITES = {"put_item", "update_item", "delete_item", "batch_writer", "batch_write_item"}
TRANSACTION_WRITES = {"Put": "write", "Update": "write", "Delete": "write", "ConditionCheck": "read"}
S3_WRITES = {
    "put_object",
    "delete_object",
    "delete_objects",
    "copy_object",
    "upload_file",
    "upload_fileobj",
    "generate_presigned_post",
}
S3_READS = {"get_object", "head_object", "download_file", "download_fileobj", "generate_presigned_url"}
TASK_CALLBACKS = {"send_task_success", "send_task_failure", "send_task_heartbeat"}
EMAIL_SERVICES = {"ses", "sesv2"}
LEVEL = {"read": 1, "write": 2}


@dataclass(frozen=True)
class Need:
    kind: str  # tables | buckets | state_machines | topics | capabilities
    key: str
    level: str  # read | write (tables, buckets); start; publish; "" (capabilities)
    where: str  # file:line
    why: str
    import_time: bool = False  # done when the module is loaded, not when one of its functions runs


def _literal_call(node: ast.AST, name: str) -> str | None:
    """``x`` when ``node`` is ``name("x")`` or ``<anything>.name("x")``."""
    if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
        return None
    func = node.func
    called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
    return node.args[0].value if called == name and isinstance(node.args[0].value, str) else None


def _literals(node: ast.AST, name: str) -> set[str]:
    return {key for sub in ast.walk(node) if (key := _literal_call(sub, name)) is not None}


@dataclass
class Call:
    node: ast.Call
    cls: str | None  # the class it is written in
    function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None  # the innermost function around it
    top_function: ast.FunctionDef | ast.AsyncFunctionDef | None  # the module-level function around it, if any
    import_time: bool


@dataclass
class Scan:
    """One module's classes, name bindings, imported names and calls."""

    module: Module
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    bindings: dict[tuple[str | None, str], list[tuple[ast.expr, str | None]]] = field(default_factory=dict)
    imported: dict[str, tuple[str, str]] = field(default_factory=dict)  # local name -> (module, name)
    imported_modules: dict[str, str] = field(default_factory=dict)  # local name -> module
    calls: list[Call] = field(default_factory=list)

    def bind(self, cls: str | None, name: str, value: ast.expr, context: str | None) -> None:
        self.bindings.setdefault((cls, name), []).append((value, context))

    def where(self, node: ast.AST) -> str:
        return self.module.where(getattr(node, "lineno", 0))


def _is_property(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(
        (isinstance(d, ast.Name) and d.id in ("property", "cached_property"))
        or (isinstance(d, ast.Attribute) and d.attr == "cached_property")
        for d in function.decorator_list
    )


def _visit(
    scan: Scan, node: ast.AST, cls: str | None, function: Any, top: Any, import_time: bool, class_body: bool
) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            scan.classes[child.name] = child
            _visit(scan, child, child.name, function, top, import_time, True)
            continue
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            if class_body and cls and _is_property(child):
                for sub in ast.walk(child):
                    if isinstance(sub, ast.Return) and sub.value is not None:
                        scan.bind(cls, child.name, sub.value, cls)
            for arg in [*child.args.posonlyargs, *child.args.args, *child.args.kwonlyargs]:
                if arg.annotation is not None:
                    scan.bind(None, arg.arg, arg.annotation, cls)
            _visit(
                scan, child, cls, child, top or (child if function is None and not class_body else None), False, False
            )
            continue
        if isinstance(child, ast.Lambda):
            _visit(scan, child, cls, child, top, False, False)
            continue
        if isinstance(child, ast.Assign | ast.AnnAssign) and child.value is not None:
            for target in child.targets if isinstance(child, ast.Assign) else [child.target]:
                if isinstance(target, ast.Name):
                    scan.bind(cls if class_body else None, target.id, child.value, cls)
                elif (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == "self"
                    and cls
                ):
                    scan.bind(cls, target.attr, child.value, cls)
        if isinstance(child, ast.With | ast.AsyncWith):
            for item in child.items:
                if isinstance(item.optional_vars, ast.Name):
                    scan.bind(None, item.optional_vars.id, item.context_expr, cls)
        if isinstance(child, ast.Call):
            scan.calls.append(Call(child, cls, function, top, import_time))
        _visit(scan, child, cls, function, top, import_time, False)


def _scan(module: Module) -> Scan:
    scan = Scan(module)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.ImportFrom):
            for imported in resolve_imports(
                module.name, module.is_init, ast.Module(body=[node], type_ignores=[]), set(MODULES)
            ):
                for alias in node.names:
                    local = alias.asname or alias.name
                    if imported.target.endswith("." + alias.name) and imported.target in MODULES:
                        scan.imported_modules[local] = imported.target
                    elif imported.target in MODULES:
                        scan.imported[local] = (imported.target, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES:
                    scan.imported_modules[alias.asname or alias.name] = alias.name
    _visit(scan, module.tree, None, None, None, True, False)
    return scan


SCANS = {name: _scan(module) for name, module in MODULES.items()}

# -- receivers: what an expression is (a table, an instance or class of a chalicelib class, a module) --
Value = tuple[str, ...]  # ("table", key) | ("instance", module, class) | ("class", module, class) | ("module", module)


def _resolve(scan: Scan, expr: ast.AST, cls: str | None, seen: frozenset[Any] = frozenset()) -> tuple[set[Value], bool]:
    """The values ``expr`` may be, and whether some of it could not be resolved."""
    if isinstance(expr, ast.Constant):
        return set(), False
    if isinstance(expr, ast.Lambda):
        return _resolve(scan, expr.body, cls, seen)
    if isinstance(expr, ast.BoolOp | ast.IfExp | ast.BinOp):
        parts = (
            expr.values
            if isinstance(expr, ast.BoolOp)
            else [expr.body, expr.orelse]
            if isinstance(expr, ast.IfExp)
            else [expr.left, expr.right]
        )
        results = [_resolve(scan, part, cls, seen) for part in parts]
        values = set().union(*(values for values, _ in results))
        return values, not values and any(unresolved for _, unresolved in results)
    if isinstance(expr, ast.Subscript):  # Optional[X], X | None written old-style
        return _resolve(scan, expr.slice, cls, seen)
    if isinstance(expr, ast.Call):
        if (key := _literal_call(expr, "table")) is not None:
            return {("table", key)}, False
        if isinstance(expr.func, ast.Attribute) and expr.func.attr == "batch_writer":
            return _resolve(scan, expr.func.value, cls, seen)
        lambdas = [arg for arg in expr.args if isinstance(arg, ast.Lambda)]
        if lambdas:  # Injected(lambda self: ...)
            results = [_resolve(scan, arg.body, cls, seen) for arg in lambdas]
            return set().union(*(v for v, _ in results)), all(u for _, u in results)
        callee, _ = _resolve(scan, expr.func, cls, seen)
        instances = {("instance", *value[1:]) for value in callee if value[0] == "class"}
        return instances, not instances
    if isinstance(expr, ast.Name):
        return _resolve_name(scan, expr.id, cls, seen)
    if isinstance(expr, ast.Attribute):
        owners, _ = _resolve(scan, expr.value, cls, seen)
        values: set[Value] = set()
        for owner in owners:
            if owner[0] == "table" and expr.attr == "name":
                values.add(owner)
            elif owner[0] in ("instance", "class"):
                values |= _attribute(owner[1], owner[2], expr.attr, seen)
            elif owner[0] == "module":
                values |= _resolve_name(SCANS[owner[1]], expr.attr, None, seen)[0]
        return values, not values
    return set(), True


def _resolve_name(scan: Scan, name: str, cls: str | None, seen: frozenset[Any]) -> tuple[set[Value], bool]:
    mark = (scan.module.name, None, name)
    if mark in seen:
        return set(), True
    seen = seen | {mark}
    if name == "self" and cls:
        return {("instance", scan.module.name, cls)}, False
    if name in scan.classes:
        return {("class", scan.module.name, name)}, False
    if name in scan.imported:
        module, original = scan.imported[name]
        return _resolve_name(SCANS[module], original, None, seen)
    if name in scan.imported_modules:
        return {("module", scan.imported_modules[name])}, False
    results = [_resolve(scan, value, context, seen) for value, context in scan.bindings.get((None, name), [])]
    values = set().union(*(v for v, _ in results))
    return values, not values


def _attribute(module: str, cls: str, attr: str, seen: frozenset[Any]) -> set[Value]:
    mark = (module, cls, attr)
    if mark in seen:
        return set()
    seen = seen | {mark}
    scan = SCANS[module]
    values: set[Value] = set()
    for value, context in scan.bindings.get((cls, attr), []):
        values |= _resolve(scan, value, context, seen)[0]
    if not values and cls in scan.classes:
        for base in scan.classes[cls].bases:
            for resolved in _resolve(scan, base, None, seen)[0]:
                if resolved[0] == "class":
                    values |= _attribute(resolved[1], resolved[2], attr, seen)
    return values


def _tables(values: set[Value]) -> set[str]:
    return {value[1] for value in values if value[0] == "table"}


# -- what each module needs ------------------------------------------------------------------------
def _direct_imports(module: Module) -> set[str]:
    return {i.target for i in module.imports if i.internal and not i.type_checking and i.target in MODULES}


def _params(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [arg.arg for arg in [*function.args.posonlyargs, *function.args.args]]


def _write_helpers() -> dict[tuple[str, str], int]:
    """Module-level functions that write to (or pass on to a write helper) one of their parameters:
    (module, function) -> the parameter's position."""
    helpers: dict[tuple[str, str], int] = {}
    changed = True
    while changed:
        changed = False
        for name, scan in SCANS.items():
            for call in scan.calls:
                top = call.top_function
                if top is None or (name, top.name) in helpers:
                    continue
                receiver = _written_argument(scan, call, helpers)
                if isinstance(receiver, ast.Name) and receiver.id in _params(top):
                    helpers[(name, top.name)] = _params(top).index(receiver.id)
                    changed = True
    return helpers


def _helper_called(scan: Scan, call: ast.Call, helpers: dict[tuple[str, str], int]) -> tuple[str, str] | None:
    func = call.func
    if isinstance(func, ast.Name):
        target = scan.imported.get(func.id, (scan.module.name, func.id))
    elif (
        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in scan.imported_modules
    ):
        target = (scan.imported_modules[func.value.id], func.attr)
    else:
        return None
    return target if target in helpers else None


def _written_argument(scan: Scan, call: Call, helpers: dict[tuple[str, str], int]) -> ast.expr | None:
    """The receiver of a table write (``X.put_item``) or the argument given to a write helper."""
    func = call.node.func
    if isinstance(func, ast.Attribute) and func.attr in TABLE_WRITES:
        return func.value
    helper = _helper_called(scan, call.node, helpers)
    if helper is None:
        return None
    position = helpers[helper]
    if position < len(call.node.args):
        return call.node.args[position]
    top = SCANS[helper[0]].module.tree
    definition = next(
        n for n in top.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == helper[1]
    )
    keyword = _params(definition)[position]
    return next((k.value for k in call.node.keywords if k.arg == keyword), None)


HELPERS = _write_helpers()


def _literal_tables(name: str) -> set[str]:
    return _literals(MODULES[name].tree, "table")


def _fallback_tables(scan: Scan) -> set[str]:
    return set().union(
        _literal_tables(scan.module.name), *(_literal_tables(name) for name in _direct_imports(scan.module))
    )


def _fallback_buckets(scan: Scan) -> set[str]:
    names = {scan.module.name} | _direct_imports(scan.module)
    return set().union(*(_literals(MODULES[name].tree, "bucket_name") for name in names))


def _buckets_in(scan: Scan, node: ast.AST) -> set[str]:
    buckets = _literals(node, "bucket_name")
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            for value, _ in scan.bindings.get((None, sub.id), []):
                buckets |= _literals(value, "bucket_name")
    return buckets


def _names_a_bucket(call: ast.Call) -> bool:
    if any(k.arg == "Bucket" for k in call.keywords):
        return True
    return any(
        k.arg == "Params"
        and isinstance(k.value, ast.Dict)
        and any(isinstance(key, ast.Constant) and key.value == "Bucket" for key in k.value.keys)
        for k in call.keywords
    )


def _transaction_items(scan: Scan, call: Call) -> list[tuple[str, ast.expr]]:
    """(level, TableName expression) of the transaction items written in the same function."""
    items = []
    for node in ast.walk(call.function or scan.module.tree):
        if not isinstance(node, ast.Dict):
            continue
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and key.value in TRANSACTION_WRITES and isinstance(value, ast.Dict):
                for inner_key, inner_value in zip(value.keys, value.values, strict=True):
                    if isinstance(inner_key, ast.Constant) and inner_key.value == "TableName":
                        items.append((TRANSACTION_WRITES[key.value], inner_value))
    return items


def _module_needs(scan: Scan) -> list[Need]:
    needs: list[Need] = []
    topics_named = {
        node.value
        for node in ast.walk(scan.module.tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in RESOURCES.get("topics", {})
    }
    machines_named = _literals(scan.module.tree, "state_machine_arn")
    publishes = False
    sns_clients = []
    for call in scan.calls:
        node, where, at_import = call.node, scan.where(call.node), call.import_time
        func = node.func
        method = func.attr if isinstance(func, ast.Attribute) else None
        if (key := _literal_call(node, "table")) is not None:
            needs.append(Need("tables", key, "read", where, f'table("{key}")', at_import))
        if (key := _literal_call(node, "bucket_name")) is not None:
            needs.append(Need("buckets", key, "read", where, f'bucket_name("{key}")', at_import))
        if (service := _literal_call(node, "client")) is not None:
            if service in EMAIL_SERVICES:
                needs.append(Need("capabilities", "send_email", "", where, f'client("{service}")', at_import))
            elif service == "sns":
                sns_clients.append(call)
        written = _written_argument(scan, call, HELPERS)
        if written is not None and not (
            call.top_function
            and isinstance(written, ast.Name)
            and written.id in _params(call.top_function)
            and (scan.module.name, call.top_function.name) in HELPERS
        ):
            what = f"{ast.unparse(func)}(...)"
            values, unresolved = _resolve(scan, written, call.cls)
            tables = _tables(values)
            if not tables and unresolved:
                tables = _fallback_tables(scan)
                what += f" on {ast.unparse(written)}, unresolved: counted for every table of the module and its imports"
            needs += [Need("tables", key, "write", where, what, at_import) for key in sorted(tables)]
        if method == "transact_write_items":
            items = _transaction_items(scan, call)
            if not items:
                needs += [
                    Need("tables", key, "write", where, "transact_write_items, items not found", at_import)
                    for key in _fallback_tables(scan)
                ]
            for level, table_name in items:
                values, _ = _resolve(scan, table_name, call.cls)
                tables = _tables(values) or _fallback_tables(scan)
                needs += [
                    Need("tables", key, level, where, f"transact_write_items: {ast.unparse(table_name)}", at_import)
                    for key in sorted(tables)
                ]
        if method in S3_WRITES | S3_READS and _names_a_bucket(node):
            level = (
                "write"
                if method in S3_WRITES
                or (
                    method == "generate_presigned_url"
                    and any(isinstance(c, ast.Constant) and c.value in S3_WRITES for c in ast.walk(node))
                )
                else "read"
            )
            buckets = _buckets_in(scan, node) or _fallback_buckets(scan)
            needs += [Need("buckets", key, level, where, f"{method}(...)", at_import) for key in sorted(buckets)]
        if method in TASK_CALLBACKS:
            needs.append(Need("capabilities", "task_callback", "", where, f"{method}(...)", at_import))
        if method == "start_execution":
            machines = _literals(node, "state_machine_arn") or machines_named or {"?"}
            needs += [
                Need("state_machines", key, "start", where, "start_execution(...)", at_import)
                for key in sorted(machines)
            ]
        if method == "publish":
            keywords = {k.arg for k in node.keywords}
            if "PhoneNumber" in keywords:
                publishes = True
                needs.append(Need("capabilities", "send_sms", "", where, "publish(PhoneNumber=...)", at_import))
            if keywords & {"TopicArn", "TargetArn"}:
                publishes = True
                needs += [
                    Need("topics", key, "publish", where, "publish(TopicArn=...)", at_import)
                    for key in sorted(topics_named or {"?"})
                ]
    if not publishes:
        needs += [
            Need("capabilities", "send_sms", "", scan.where(c.node), 'client("sns"), no publish here', c.import_time)
            for c in sns_clients
        ]
    return needs


NEEDS = {name: _module_needs(scan) for name, scan in SCANS.items()}


# -- closures --------------------------------------------------------------------------------------
def _closure(roots: list[str], follow_deferred: bool) -> dict[str, str | None]:
    """Module -> the module that brought it in (None: a root)."""
    parents: dict[str, str | None] = {root: None for root in roots if root in MODULES}
    queue = deque(parents)
    while queue:
        name = queue.popleft()
        for imported in MODULES[name].imports:
            if (
                imported.internal
                and not imported.type_checking
                and (follow_deferred or not imported.deferred)
                and imported.target in MODULES
            ):
                if imported.target not in parents:
                    parents[imported.target] = name
                    queue.append(imported.target)
    return parents


def _roots(node: ast.AST) -> list[str]:
    return [i.target for i in resolve_imports("app", False, node, set(MODULES)) if i.internal and not i.type_checking]


APP_TOP_ROOTS = [i.target for i in resolve_imports("app", False, APP, set(MODULES)) if i.internal and not i.deferred]


@dataclass
class Reach:
    handler: str
    closure: dict[str, str | None]  # what runs
    loaded: dict[str, str | None]  # what is only loaded (its import-time code runs)
    needs: list[Need]


def reach(function: str) -> Reach:
    handler = FUNCTIONS[function]["handler"]
    module_name, _, attr = handler.partition(".")
    assert module_name == "app", handler
    definition = next(
        (n for n in APP.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == attr), None
    )
    if definition is None:  # app.app: the Chalice application, i.e. the API
        assert any(
            isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == attr for t in n.targets)
            for n in APP.body
        ), handler
        closure, loaded = _closure(APP_TOP_ROOTS, True), {}
    else:
        closure = _closure(_roots(definition), True)
        loaded = {k: v for k, v in _closure(APP_TOP_ROOTS, False).items() if k not in closure}
    needs = [need for name in closure for need in NEEDS[name]]
    needs += [need for name in loaded for need in NEEDS[name] if need.import_time]
    return Reach(handler, closure, loaded, needs)


def _granted(access: dict[str, Any], need: Need) -> bool:
    if need.kind in ("tables", "buckets"):
        # The table or bucket must be granted. Whether at the level a module's writes would need is
        # not asserted: the analysis is per module, so a repository that also writes (Accounts.create)
        # would make every reader a writer; levels are a matter of the calls actually made.
        return access.get(need.kind, {}).get(need.key) is not None
    if need.kind == "capabilities":
        return need.key in access.get("capabilities", [])
    return need.key in access.get(need.kind, {})


def _chain(result: Reach, module: str) -> list[str]:
    parents = result.closure if module in result.closure else result.loaded
    chain = [module]
    while (parent := parents.get(chain[-1])) is not None:
        chain.append(parent)
    return [result.handler, *(name.removeprefix(PACKAGE + ".") for name in reversed(chain))]


MODULE_OF_REL = {module.rel: name for name, module in MODULES.items()}


# What a function's closure reaches but its code never does, each with the reason; anything else
# reached and not granted fails. Keep this list short: a new entry needs a reason a reviewer can check.
NEVER_RUN = {
    ("notify", "buckets", "uploads"): "the receipt only lists documents and hashes them (documents.store's list, "
    "stored_sha256); presigned uploads and quarantine are the API's and inspect_upload's",
    ("watch_deadlines", "buckets", "uploads"): "it sends notify's notices (correspondence.notices) but never the "
    "receipt, and the receipt itself only lists and hashes documents; presigned uploads are the API's",
    ("notify_registration_outcome", "capabilities", "send_sms"): "activation_password and registration_rejected "
    "go by email only (notifications.templates.MESSAGES)",
    ("remind_validation_staff", "capabilities", "send_sms"): "registration_validation_reminder goes by email only "
    "(notifications.templates.MESSAGES)",
}


def missing_access(function: str) -> list[str]:
    """What the function's code reaches and its access does not grant, one entry per resource, with
    the modules that reach it (nearest to the handler first) and how the nearest is imported."""
    result = reach(function)
    access = FUNCTIONS[function].get("access", {})
    missing: dict[tuple[str, str], list[Need]] = {}
    for need in result.needs:
        if not _granted(access, need) and (function, need.kind, need.key) not in NEVER_RUN:
            missing.setdefault((need.kind, need.key), []).append(need)
    lines = []
    for (kind, key), needs in sorted(missing.items()):
        level = max((n.level for n in needs), key=lambda lv: LEVEL.get(lv, 0))
        granted = access.get(kind, {}).get(key) if kind in ("tables", "buckets") else None
        by_module: dict[str, list[Need]] = {}
        for need in sorted(needs, key=lambda n: (n.where.rpartition(":")[0], int(n.where.rpartition(":")[2]))):
            if need.level == level:
                by_module.setdefault(MODULE_OF_REL[need.where.rpartition(":")[0]], []).append(need)
        modules = sorted(by_module, key=lambda name: (len(_chain(result, name)), name))
        places = []
        for name in modules:
            first, more = by_module[name][0], len(by_module[name]) - 1
            places.append(f"{first.where} {first.why}" + (f" (+{more} more there)" if more else ""))
        lines.append(
            f"{kind}.{key}: needs {level or 'it'}, granted {granted or 'nothing'}, reached by\n        "
            + "\n        ".join(places)
            + f"\n      nearest: {' -> '.join(_chain(result, modules[0]))}"
        )
    return lines


def test_the_analysis_finds_what_the_api_reaches() -> None:
    """So that the test below cannot pass on an analysis that sees nothing: the api function reaches
    the processes table and writes it (an own table), counters through the write helper, documents
    through another class's table, the uploads bucket, every capability and the process machine."""
    api = reach("api")
    writes = {(n.kind, n.key) for n in api.needs if n.level == "write"}
    assert len(api.closure) > 30, sorted(api.closure)
    assert {
        ("tables", "processes"),
        ("tables", "counters"),
        ("tables", "documents"),
        ("buckets", "uploads"),
    } <= writes, sorted(writes)
    assert {"send_email", "send_sms", "task_callback"} <= {n.key for n in api.needs if n.kind == "capabilities"}
    assert any(n.kind == "state_machines" and n.key == "process" for n in api.needs)
    assert any(n.kind == "topics" and n.key == "staff-alerts" for n in reach("watch_deadlines").needs)
    for function in FUNCTIONS:
        assert reach(function).closure, f"{function}: no chalicelib module found from {FUNCTIONS[function]['handler']}"


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_the_function_reaches_only_what_its_access_grants(function: str) -> None:
    missing = missing_access(function)
    closure = reach(function).closure
    assert not missing, (
        f"{function} ({FUNCTIONS[function]['handler']}, a closure of {len(closure)} modules) reaches what resources.json "
        "does not grant it:\n    " + "\n    ".join(missing)
    )


def test_the_exceptions_still_hold() -> None:
    """The messages NEVER_RUN relies on still go by email only: an SMS added to one of them would
    need send_sms granted to the functions that send it."""
    from chalicelib.notifications.templates import MESSAGES

    for key in ("activation_password", "registration_rejected", "registration_validation_reminder"):
        assert MESSAGES[key].channels == ("email",), key
