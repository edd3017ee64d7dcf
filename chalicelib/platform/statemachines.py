"""Renders the ASL files of ``statemachines/`` the way Terraform's ``templatefile()`` does: each
``${Placeholder}`` named in resources.json becomes the ARN of the function it names, ``$${`` and
``%%{`` are a literal ``${`` and ``%{``, and any other ``${...}`` or ``%{...}`` is refused, as
templatefile() refuses it (it reads every one, in comments too)."""

from __future__ import annotations

import re
from pathlib import Path

from chalicelib.kernel.settings import Settings
from chalicelib.platform.resources import load_resources

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
# An escape, a placeholder, or the start of anything else templatefile() would read as a template.
_TEMPLATE = re.compile(r"(?P<escape>\$\$\{|%%\{)|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<other>\$\{|%\{)")


def render_definition(key: str, settings: Settings, root: Path = PROJECT_ROOT) -> str:
    spec = load_resources()["state_machines"][key]
    text = (root / spec["definition"]).read_text(encoding="utf-8")
    values = {name: settings.function_arn(function) for name, function in spec["functions"].items()}

    def substitute(match: re.Match[str]) -> str:
        if match.group("escape"):
            return match.group("escape")[1:]
        if match.group("other"):
            line = text.count("\n", 0, match.start()) + 1
            raise ValueError(
                f"{spec['definition']}:{line}: '{match.group('other')}' is not a placeholder; Terraform's "
                "templatefile() would fail on it (write $${ or %%{ for a literal one)"
            )
        name = match.group("name")
        if name not in values:
            raise KeyError(f"{spec['definition']}: placeholder ${{{name}}} is not in resources.json")
        return values[name]

    return _TEMPLATE.sub(substitute, text)
