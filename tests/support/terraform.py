"""infra/terraform's files parsed with python-hcl2, for the few checks the real plan cannot answer
(how a block is written: a checkov skip's reason, a statement's source). What Terraform would
create is read from the real ``terraform plan`` and state instead (tests/support/real_terraform.py)."""

from __future__ import annotations

import json
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
