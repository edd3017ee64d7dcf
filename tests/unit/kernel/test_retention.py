"""The retention schedule (chalicelib/retention.json) is what the stores enforce: each kind kept in a
table names the TTL attribute that table has (resources.json), each kind kept in a bucket names one of
the app's buckets, and every TTL a table has is a kind of the schedule (no record goes unexplained)."""

from __future__ import annotations

from chalicelib.kernel.retention import lifecycle_rules, public_schedule, schedule
from chalicelib.platform.resources import load_resources

RESOURCES = load_resources()


def test_every_kind_kept_in_a_table_is_that_tables_ttl_and_every_ttl_is_a_kind() -> None:
    by_table = {spec["table"]: spec for spec in schedule().values() if spec.get("table")}
    for table, spec in by_table.items():
        assert RESOURCES["tables"][table]["ttl_attribute"] == spec["ttl_attribute"], table
    with_ttl = {key for key, spec in RESOURCES["tables"].items() if spec.get("ttl_attribute")}
    assert with_ttl == set(by_table)


def test_every_kind_has_its_period_and_legal_basis_or_says_no_clock_removes_it() -> None:
    for kind, spec in schedule().items():
        assert spec["label"] and spec["legal_basis"] and spec["from"], kind
        if spec.get("enforced", True):
            assert isinstance(spec["days"], int) and spec["days"] > 0, kind
            assert spec.get("table") or spec.get("bucket"), f"{kind}: enforced by what?"
        else:
            assert not spec.get("table") and not spec.get("bucket"), kind
    assert [r["kind"] for r in public_schedule()] == list(schedule())


def test_buckets_get_one_expiry_rule_per_kind_kept_there() -> None:
    for spec in schedule().values():
        if spec.get("bucket"):
            assert spec["bucket"] in RESOURCES["buckets"]
    assert lifecycle_rules("exports") == [
        {
            "ID": "retention-exports",
            "Status": "Enabled",
            "Filter": {"Prefix": "exportacoes/"},
            "Expiration": {"Days": 7},
        }
    ]
    assert [r["ID"] for r in lifecycle_rules("uploads")] == ["retention-quarantined_uploads"]


def readme_table() -> str:
    """The README's retention table, as chalicelib/retention.json makes it."""

    def enforced_by(spec: dict) -> str:
        parts = []
        if spec.get("table"):
            parts.append(f"`{spec['table']}` TTL `{spec['ttl_attribute']}`")
        if spec.get("bucket"):
            parts.append(f"`{spec['bucket']}` lifecycle" + (f" `{spec['prefix']}`" if spec.get("prefix") else ""))
        return ", ".join(parts) or "no clock: erasure on request, the archive's rules"

    lines = ["| kind | kept | from | legal basis | enforced by |", "|---|---|---|---|---|"]
    for kind, spec in schedule().items():
        kept = f"{spec['days']} days" if spec.get("days") else "—"
        lines.append(f"| `{kind}` | {kept} | {spec['from']} | {spec['legal_basis']} | {enforced_by(spec)} |")
    return "\n".join(lines)


def test_the_readme_shows_the_schedule_as_it_is() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("<!-- retention:start", 1)[1].split("-->", 1)[1].split("<!-- retention:end -->", 1)[0]
    assert shown.strip() == readme_table(), "README.md's retention table: regenerate it from retention.json"
