"""Two saves or two submissions of one draft at once: nothing lost, nothing numbered twice. The other
caller's request is made to land exactly between this one's read and its write (tests/support/faults.py's
interleave: a botocore hook), every run, instead of hoping that threads collide."""

from __future__ import annotations

from typing import Any

from tests.support import faults
from tests.support.api import GENERIC, WATER

WATER_REQUEST = {"service_id": "agua-prestacoes", "fields": WATER}  # needs no document


def two_tabs(make_api: Any, demo: dict[str, Any], request: dict[str, Any] = GENERIC) -> tuple[Any, Any, str]:
    first, second = make_api(), make_api()
    first.login("ana.silva", demo["password"])
    second.login("ana.silva", demo["password"])
    process_id = first.call("POST", "/api/requests", request).data["process_id"]
    return first, second, process_id


def test_two_tabs_saving_different_fields_at_once_both_keep_theirs(make_api: Any, demo: dict[str, Any]) -> None:
    first, second, process_id = two_tabs(make_api, demo)
    path = f"/api/requests/{process_id}"

    def other_tab_saves() -> None:
        assert second.call("PATCH", path, {"fields": {"text": "Escrito no telemóvel."}}).status_code == 200

    with faults.interleave("dynamodb", "UpdateItem", other_tab_saves, when=lambda r: process_id in r) as between:
        saved = first.call("PATCH", path, {"fields": {"subject": "Escrito no portátil"}})
    assert between.hits and saved.status_code == 200, saved.body
    fields = first.call("GET", path).data["fields"]
    assert fields["subject"] == "Escrito no portátil" and fields["text"] == "Escrito no telemóvel."
    assert first.call("GET", path).data["version"] == 3  # created 1, then one more for each save


def test_a_save_on_an_older_version_is_refused_with_the_current_draft(make_api: Any, demo: dict[str, Any]) -> None:
    first, second, process_id = two_tabs(make_api, demo)
    path = f"/api/requests/{process_id}"
    version = first.call("GET", path).data["version"]

    def other_tab_saves() -> None:
        assert second.call("PATCH", path, {"fields": {"subject": "Outro assunto"}}).status_code == 200

    with faults.interleave("dynamodb", "UpdateItem", other_tab_saves, when=lambda r: process_id in r):
        stale = first.call("PATCH", path, {"fields": {"subject": "Este assunto"}, "version": version})
    assert stale.status_code == 409, stale.body
    error = stale.data["error"]
    assert error["field"] == "version"
    assert error["current"]["version"] == version + 1 and error["current"]["fields"]["subject"] == "Outro assunto"
    assert first.call("GET", path).data["fields"]["subject"] == "Outro assunto"  # nothing of the stale save
    # Saving again on the version now shown goes through.
    again = first.call("PATCH", path, {"fields": {"subject": "Este assunto"}, "version": version + 1})
    assert again.status_code == 200 and again.data["fields"]["subject"] == "Este assunto"
    # A version the draft never had is as stale.
    assert first.call("PATCH", path, {"fields": {"subject": "x"}, "version": 99}).status_code == 409


def test_a_double_submit_gives_one_number_and_leaves_no_gap(make_api: Any, demo: dict[str, Any]) -> None:
    first, second, process_id = two_tabs(make_api, demo, WATER_REQUEST)
    earlier = first.call("POST", "/api/requests", WATER_REQUEST).data["process_id"]
    earlier_number = first.call("POST", f"/api/requests/{earlier}/submit").data["number"]
    answers: list[Any] = []

    def other_tab_submits() -> None:
        answers.append(second.call("POST", f"/api/requests/{process_id}/submit"))

    writes = ("UpdateItem", "TransactWriteItems")
    with faults.interleave(
        "dynamodb", writes, other_tab_submits, when=lambda r: process_id in r and "submetido" in r
    ) as between:
        answers.append(first.call("POST", f"/api/requests/{process_id}/submit"))
    assert between.hits
    assert [a.status_code for a in answers] == [200, 200], [a.body for a in answers]
    numbers = {a.data["number"] for a in answers}
    assert len(numbers) == 1
    (number,) = numbers

    # The numbers follow one another: none was used up by the submission that lost.
    following = first.call("POST", "/api/requests", WATER_REQUEST).data["process_id"]
    next_number = first.call("POST", f"/api/requests/{following}/submit").data["number"]
    prefix, start = earlier_number.rsplit("/", 1)
    assert [number, next_number] == [f"{prefix}/{int(start) + 1:06d}", f"{prefix}/{int(start) + 2:06d}"]
