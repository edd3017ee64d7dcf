"""Reads ``resources.json``, the single list of tables, buckets, topics, queues, functions and state
machines that the code, the local stack and Terraform all use."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

RESOURCES_FILE = Path(__file__).resolve().parent.parent / "resources.json"


@lru_cache(maxsize=1)
def load_resources() -> dict[str, Any]:
    return json.loads(RESOURCES_FILE.read_text(encoding="utf-8"))
