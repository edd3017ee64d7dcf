"""Renders the ASL files of ``statemachines/`` the way Terraform's ``templatefile()`` does: each
``${Placeholder}`` named in resources.json becomes the ARN of the function it names."""

from __future__ import annotations

import re
from pathlib import Path

from chalicelib.kernel.settings import Settings
from chalicelib.platform.resources import load_resources

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


def render_definition(key: str, settings: Settings, root: Path = PROJECT_ROOT) -> str:
    spec = load_resources()["state_machines"][key]
    text = (root / spec["definition"]).read_text(encoding="utf-8")
    values = {name: settings.function_arn(function) for name, function in spec["functions"].items()}

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise KeyError(f"{spec['definition']}: placeholder ${{{name}}} is not in resources.json")
        return values[name]

    return _PLACEHOLDER.sub(substitute, text)
