"""The local stack's data kept on disk, so that Ctrl-C (or a crash) loses nothing: every table's items,
every bucket's objects and the outbox, written to a directory (``.local-data/`` by default) every few
seconds and when the stack stops, and loaded back when it starts (``./dev up --fresh`` starts empty).

moto keeps everything in memory; rather than reach into its backends, this reads and writes through
the AWS API itself (Scan and BatchWriteItem, ListObjects/GetObject and PutObject), items in DynamoDB's
own typed JSON so that numbers, sets and binary come back as they were. Each file is written to a
temporary name and renamed: a crash mid-write leaves the previous snapshot whole.

Workflows are not data moto can give back: once the data is loaded, ``local.resume`` starts a new
execution for each open process at the stage it is in. Never deployed."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any

from chalicelib.kernel.log import logger
from chalicelib.kernel.settings import get_settings
from chalicelib.platform import aws
from chalicelib.platform.resources import load_resources

_lock = threading.Lock()  # one snapshot at a time (the periodic one and the one at stop)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _table_items(key: str) -> list[dict[str, Any]]:
    client = aws.client("dynamodb")
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("scan").paginate(TableName=get_settings().resource_name(key)):
        items += page["Items"]
    return items


def save(directory: Path) -> None:
    """Write the whole state to ``directory``: what it held before is replaced, file by file."""
    from local import outbox

    with _lock:
        tables = {key: _table_items(key) for key in load_resources()["tables"]}
        for key, items in tables.items():
            _write(directory / "tables" / f"{key}.json", json.dumps(items, ensure_ascii=False).encode())
        s3 = aws.client("s3")
        for key in load_resources()["buckets"]:
            bucket = get_settings().resource_name(key)
            root = directory / "buckets" / key
            index_path = root / "index.json"
            known = json.loads(index_path.read_text()) if index_path.exists() else {}
            index: dict[str, Any] = {}
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                for entry in page.get("Contents", []):
                    name, etag = entry["Key"], entry["ETag"]
                    stored = known.get(name)
                    if stored and stored["etag"] == etag and (root / "objects" / stored["file"]).exists():
                        index[name] = stored  # unchanged since the last snapshot
                        continue
                    obj = s3.get_object(Bucket=bucket, Key=name)
                    file = f"{len(index):08d}-{abs(hash(name)) % 10**12:012d}"
                    _write(root / "objects" / file, obj["Body"].read())
                    index[name] = {
                        "etag": etag,
                        "file": file,
                        "content_type": obj.get("ContentType") or "binary/octet-stream",
                        "metadata": obj.get("Metadata") or {},
                    }
            _write(index_path, json.dumps(index, ensure_ascii=False).encode())
            kept = {entry["file"] for entry in index.values()}
            for stale in (root / "objects").glob("*") if (root / "objects").exists() else []:
                if stale.name not in kept and not stale.name.endswith(".tmp"):
                    stale.unlink()
        _write(directory / "outbox.json", json.dumps(outbox.messages()[::-1], ensure_ascii=False).encode())


def has_data(directory: Path) -> bool:
    return (directory / "tables").is_dir()


def load(directory: Path) -> dict[str, int]:
    """Put a snapshot back into the freshly provisioned stack; how many items and objects."""
    from local import outbox

    counts = {"items": 0, "objects": 0}
    client = aws.client("dynamodb")
    for key in load_resources()["tables"]:
        path = directory / "tables" / f"{key}.json"
        if not path.exists():
            continue
        items = json.loads(path.read_text())
        table = get_settings().resource_name(key)
        for start in range(0, len(items), 25):
            batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
            pending: dict[str, Any] = {table: batch}
            while pending:
                pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
        counts["items"] += len(items)
    s3 = aws.client("s3")
    for key in load_resources()["buckets"]:
        root = directory / "buckets" / key
        index_path = root / "index.json"
        if not index_path.exists():
            continue
        for name, entry in json.loads(index_path.read_text()).items():
            s3.put_object(
                Bucket=get_settings().resource_name(key),
                Key=name,
                Body=(root / "objects" / entry["file"]).read_bytes(),
                ContentType=entry["content_type"],
                Metadata=entry["metadata"],
            )
            counts["objects"] += 1
    if (directory / "outbox.json").exists():
        outbox.restore(json.loads((directory / "outbox.json").read_text()))
    return counts


def erase(directory: Path) -> None:
    """``--fresh``: forget what was kept."""
    if directory.exists():
        shutil.rmtree(directory)


def keep_saving(directory: Path, stop: threading.Event, every_seconds: float = 5.0) -> threading.Thread:
    """Save every few seconds until ``stop`` (so that a crash loses at most those seconds)."""

    def loop() -> None:
        while not stop.wait(every_seconds):
            try:
                save(directory)
            except Exception:  # noqa: BLE001 - the next round tries again; the stack keeps running
                logger.exception("local data could not be saved")

    thread = threading.Thread(target=loop, name="persistence", daemon=True)
    thread.start()
    return thread
