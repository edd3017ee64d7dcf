"""Notifications: what rendering a message costs, beside a baseline in the same run.

For each message of the catalogue (pt-PT): the median time to render its email (subject, text and
autoescaped HTML, with Jinja2) and its SMS, against the baseline of substituting the same plain text
with ``string.Template`` (what the notifier did before templates were Jinja2); then the one-off
costs a Lambda pays once per container: importing Jinja2, compiling the templates on first use, and
importing fpdf2 and writing a postal letter. Printed, never asserted.

    python -m bench notifications [--runs 200]
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from string import Template
from typing import Any


def _median_ms(fn: Callable[[], Any], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def _once_ms(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def _as_string_template(key: str) -> Template:
    """The message's pt-PT text block as a ``string.Template`` (``{{ name }}`` → ``${name}``)."""
    import re

    from chalicelib.notifications.templates import TEMPLATE_DIR

    source = (TEMPLATE_DIR / "pt" / f"{key}.txt").read_text(encoding="utf-8")
    text = source.split("{% block text %}", 1)[1].split("{% include", 1)[0]
    return Template(re.sub(r"\{\{ *(\w+) *\}\}", r"${\1}", text.replace("$", "$$")))


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench notifications", description=__doc__)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args(list(argv))
    if "jinja2" in sys.modules:
        del sys.modules["jinja2"]
    jinja_import = _once_ms(lambda: importlib.import_module("jinja2"))

    from chalicelib.kernel.settings import get_settings
    from chalicelib.notifications import templates

    get_settings()  # pydantic-settings is the app's cost, not the templates'
    sample = templates.MESSAGES["decision"].sample
    first_render = _once_ms(lambda: templates.render_email("decision", "pt", sample))  # compiles on first use
    print(f"one-off: import jinja2 {jinja_import:.1f} ms; first render (load + compile) {first_render:.1f} ms")
    print(f"{'message':34} {'email ms':>9} {'sms ms':>8} {'baseline ms':>12} {'email/baseline':>15}")
    ratios = []
    for key, message in templates.MESSAGES.items():
        for language in templates.LANGUAGES:  # warm every template first: compile once, as a Lambda would
            templates.render_email(key, language, message.sample)
        email = _median_ms(lambda k=key, m=message: templates.render_email(k, "pt", m.sample), args.runs)
        sms = (
            _median_ms(lambda k=key, m=message: templates.render_sms(k, "pt", m.sample), args.runs)
            if templates.SMS in message.channels
            else None
        )
        plain = _as_string_template(key)
        baseline = _median_ms(lambda p=plain, m=message: p.safe_substitute(m.sample), args.runs)
        ratio = email / baseline
        ratios.append(ratio)
        print(f"{key:34} {email:9.3f} {(f'{sms:.3f}' if sms is not None else '-'):>8} {baseline:12.4f} {ratio:14.0f}x")
    print(
        f"median email/baseline: {statistics.median(ratios):.0f}x (Jinja2 renders text + HTML + escaping; the baseline one text)"
    )

    fpdf_import = _once_ms(lambda: importlib.import_module("fpdf"))
    from chalicelib.notifications.letters import letter_pdf

    rendered = templates.render_email("decision", "pt", sample, letter=True)
    address = ["Ana Silva", "Rua Direita, 10", "4700-000 Braga"]
    first_letter = _once_ms(lambda: letter_pdf(address, rendered, "pt", "n_bench"))
    letter = _median_ms(lambda: letter_pdf(address, rendered, "pt", "n_bench"), max(5, args.runs // 20))
    size = len(letter_pdf(address, rendered, "pt", "n_bench"))
    print(
        f"letter: import fpdf2 {fpdf_import:.1f} ms; first letter {first_letter:.1f} ms; then {letter:.1f} ms each ({size} bytes)"
    )
    return 0
