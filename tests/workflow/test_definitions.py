"""The state machines, resources.json, the app and the Chalice config agree with one another."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.kernel.settings import Settings
from chalicelib.platform.resources import load_resources
from chalicelib.platform.statemachines import PROJECT_ROOT, render_definition

STATE_MACHINES = sorted(load_resources()["state_machines"])


def test_every_asl_file_is_listed_in_resources() -> None:
    listed = {spec["definition"] for spec in load_resources()["state_machines"].values()}
    on_disk = {str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "statemachines").glob("*.asl.json")}
    assert on_disk == listed


@pytest.mark.parametrize("key", STATE_MACHINES)
def test_statelint_accepts_the_rendered_definition(key: str, tmp_path: Path) -> None:
    rendered = tmp_path / f"{key}.asl.json"
    rendered.write_text(render_definition(key, Settings()))
    statelint = Path(sys.executable).with_name("statelint")
    result = subprocess.run([str(statelint), str(rendered)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_statelint_catches_a_broken_definition(tmp_path: Path) -> None:
    """The check above can fail: a Next to a missing state is caught."""
    broken = tmp_path / "broken.asl.json"
    broken.write_text(json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Missing"}}}))
    statelint = Path(sys.executable).with_name("statelint")
    result = subprocess.run([str(statelint), str(broken)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0


@pytest.mark.parametrize("key", STATE_MACHINES)
def test_every_placeholder_names_a_lambda_function_of_the_app(key: str) -> None:
    import app

    spec = load_resources()["state_machines"][key]
    text = (PROJECT_ROOT / spec["definition"]).read_text()
    placeholders = set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", text))
    assert placeholders == set(spec["functions"])
    for function in spec["functions"].values():
        handler = load_resources()["functions"][function]["handler"]
        assert handler.startswith("app.") and callable(getattr(app, handler.split(".", 1)[1]))


def test_definitions_are_rendered_as_terraforms_templatefile_reads_them(tmp_path: Path) -> None:
    """templatefile() reads every ${ and %{, comments included: an escaped one renders literally, an
    unescaped one that is not a placeholder is refused here as Terraform's plan refuses it."""
    spec = load_resources()["state_machines"]["process"]
    original = (PROJECT_ROOT / spec["definition"]).read_text()
    definition = tmp_path / spec["definition"]
    definition.parent.mkdir(parents=True)

    definition.write_text(original.replace('"Comment": "', '"Comment": "Escaped: $${x} and %%{y}. ', 1))
    rendered = json.loads(render_definition("process", Settings(), root=tmp_path))
    assert rendered["Comment"].startswith("Escaped: ${x} and %{y}. ")

    for stray in ("${...}", "%{ if x }"):
        definition.write_text(original.replace('"Comment": "', f'"Comment": "Placeholders {stray} ', 1))
        with pytest.raises(ValueError, match="templatefile"):
            render_definition("process", Settings(), root=tmp_path)


def test_every_lambda_function_of_the_app_is_in_resources() -> None:
    import app

    registered = {f.name for f in app.app.pure_lambda_functions} | {s.name for s in app.app.event_sources}
    listed = {k for k, spec in load_resources()["functions"].items() if spec["kind"] != "api"}
    assert registered == listed


def test_chalice_stages_point_the_app_at_the_resource_names() -> None:
    config = json.loads((PROJECT_ROOT / ".chalice" / "config.json").read_text())
    assert config["app_name"] == Settings().app_name
    local = config["stages"]["local"]["environment_variables"]
    assert local["BALCAO_RESOURCE_PREFIX"] == Settings().resource_prefix
    known = set(Settings.model_fields)
    for stage in config["stages"].values():
        for name in stage.get("environment_variables", {}):
            if name.startswith("BALCAO_"):
                assert name.removeprefix("BALCAO_").lower() in known, f"{name} is not a setting"


def test_every_service_file_is_valid() -> None:
    from chalicelib.catalogue.service import SERVICES_DIR, load_catalogue

    load_catalogue.cache_clear()
    services = load_catalogue()
    assert len(services) == len(list(SERVICES_DIR.glob("*.json")))
    for service in services.values():
        assert service.documents or service.fields


@pytest.mark.parametrize("key", STATE_MACHINES)
def test_every_task_retries_temporary_errors_by_name(key: str) -> None:
    """A temporary AWS error (TemporaryFailure: chalicelib/workflow/steps.py) is retried by every task;
    a catch-all retry (States.ALL, States.TaskFailed) would retry bugs and hide them."""
    states = json.loads((PROJECT_ROOT / load_resources()["state_machines"][key]["definition"]).read_text())["States"]
    for name, state in states.items():
        if state["Type"] != "Task":
            continue
        retried = [error for retrier in state.get("Retry", []) for error in retrier["ErrorEquals"]]
        assert "TemporaryFailure" in retried, name
        assert not {"States.ALL", "States.TaskFailed"} & set(retried), name


def test_every_failed_step_of_a_process_waits_for_staff_to_retry_it() -> None:
    states = json.loads((PROJECT_ROOT / "statemachines/process.asl.json").read_text())["States"]
    for name, state in states.items():
        if state["Type"] != "Task" or name.endswith("Failed"):
            continue
        catch_all = [c for c in state["Catch"] if c["ErrorEquals"] == ["States.ALL"]]
        assert catch_all and catch_all[0]["Next"] == f"{name}Failed", name
        failed = states[f"{name}Failed"]
        assert failed["Resource"].endswith(".waitForTaskToken") and failed["Next"] == name, name
