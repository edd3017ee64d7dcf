"""Every status and task kind the server can send has a label in the web form, in pt-PT and English.

The web form shows a process's status (and decision), a document's status, a task's kind and a task's
status through the labels of ``web/js/labels.js``; a code without a label would reach the citizen raw
("a_aguardar_assinatura"). The labels are read by running the module itself with node (it needs no
DOM to be imported), so what is checked is what the browser gets; the English is ``EN`` of
``web/js/i18n-en.js``, through which ``t()`` translates each label.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from enum import StrEnum
from pathlib import Path

import pytest

from chalicelib.kernel.vocabulary import DocumentStatus, ProcessStatus, TaskKind, TaskStatus

WEB_JS = Path(__file__).resolve().parents[2] / "web" / "js"

# the server's vocabulary → the labels of labels.js that show it
COVERED: list[tuple[type[StrEnum], str]] = [
    (ProcessStatus, "STATUS_LABELS"),
    (TaskKind, "KIND_LABELS"),
    (TaskStatus, "TASK_STATUS_LABELS"),
    (DocumentStatus, "DOCUMENT_STATUS_LABELS"),
]

READ_LABELS = """
const labels = await import(process.argv[1]);
const { EN } = await import(process.argv[2]);
const out = { en: EN };
for (const name of JSON.parse(process.argv[3])) out[name] = labels[name];
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def web_labels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the web form's labels cannot be read")
    # A copy beside a package.json that says its .js files are ES modules, as the browser takes them.
    root = tmp_path_factory.mktemp("web")
    shutil.copytree(WEB_JS, root / "js")
    (root / "package.json").write_text('{"type": "module"}\n', encoding="utf-8")
    names = json.dumps([name for _, name in COVERED])
    result = subprocess.run(
        [
            node,
            "--input-type=module",
            "-e",
            READ_LABELS,
            (root / "js" / "labels.js").as_uri(),
            (root / "js" / "i18n-en.js").as_uri(),
            names,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    read = json.loads(result.stdout)
    absent = [name for _, name in COVERED if not isinstance(read.get(name), dict)]
    assert not absent, f"web/js/labels.js exports no {absent}"
    return read


@pytest.mark.parametrize(("vocabulary", "labels"), COVERED, ids=[enum.__name__ for enum, _ in COVERED])
def test_every_value_has_a_pt_label(
    web_labels: dict[str, dict[str, str]], vocabulary: type[StrEnum], labels: str
) -> None:
    shown = web_labels[labels]
    missing = [
        value.value
        for value in vocabulary
        if not (isinstance(shown.get(value.value), str) and shown[value.value].strip())
    ]
    assert not missing, f"web/js/labels.js {labels} has no label for {vocabulary.__name__} {missing}"


@pytest.mark.parametrize(("vocabulary", "labels"), COVERED, ids=[enum.__name__ for enum, _ in COVERED])
def test_every_label_has_its_english(
    web_labels: dict[str, dict[str, str]], vocabulary: type[StrEnum], labels: str
) -> None:
    shown = web_labels[labels]
    english = web_labels["en"]
    missing = {
        value.value: shown[value.value]
        for value in vocabulary
        if value.value in shown and not english.get(shown[value.value])
    }
    assert not missing, f"web/js/i18n-en.js has no English for the {vocabulary.__name__} labels {missing}"
