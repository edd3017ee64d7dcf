"""One round trip authenticates a request: the session token names its account (``<user_id>.<random>``),
so the session and the account (status, credential epoch, kind, organ, roles) are read together in
one BatchGetItem, and a lock still ends the session at the very next request. A read of one process
reads the process in that same round trip. Tokens made before tokens named their account keep
working, read the old way (two reads), until they expire."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

from tests.support import aws_calls
from tests.support.api import generic_draft_with_slot, staff, upload
from tests.support.files import small_pdf


def _counting_calls() -> None:
    from chalicelib.platform import aws

    aws_calls.install()
    aws.reset_clients()  # clients made before the hook would not count


def _calls(api: Any, path: str) -> tuple[int, dict[tuple[str, str], int]]:
    with aws_calls.counting() as counted:
        status = api.call("GET", path).status_code
    return status, dict(counted)


def test_a_read_costs_one_aws_call_to_authenticate_and_a_lock_still_ends_the_session_at_once(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.accounts.users import Accounts

    _counting_calls()
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    user_id = Accounts().find("ana.silva")["user_id"]
    assert citizen.cookie.split("=", 1)[1].startswith(f"{user_id}.")
    assert _calls(citizen, "/api/me") == (200, {("dynamodb", "BatchGetItem"): 1})

    admin = staff(make_api, demo, "administrador")
    assert admin.call("POST", f"/api/staff/accounts/{user_id}/lock", {"reason": "Uso indevido."}).status_code == 200
    assert citizen.call("GET", "/api/me").status_code == 401


def test_a_process_is_read_with_the_session(make_api: Any, demo: dict[str, Any]) -> None:
    _counting_calls()
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id, slot = generic_draft_with_slot(citizen)
    assert upload(slot, small_pdf()) in (200, 201, 204)
    status, calls = _calls(citizen, f"/api/requests/{process_id}")
    # the session, its account and the process in one call; then the draft's documents and tasks, listed
    # on the process, in one; and its timeline: three calls
    assert status == 200
    assert calls == {("dynamodb", "BatchGetItem"): 2, ("dynamodb", "Query"): 1}
    # someone else's process is still a 404, read in the same round trip
    assert citizen.call("GET", "/api/requests/nao-existe").status_code == 404


def _old_style_session(user_id: str) -> str:
    """A session as Sessions.start stored one before tokens named their account: a bare random token."""
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform import aws

    account = Accounts().get(user_id)
    token = secrets.token_urlsafe(32)
    now = int(time.time())
    aws.table("sessions").put_item(
        Item={
            "token_hash": hashlib.sha256(token.encode()).hexdigest(),
            "user_id": user_id,
            "kind": account.kind,
            "organ": account.organ or "-",
            "roles": account.roles,
            "scope": "full",
            "epoch": account.credential_epoch,
            "created_at": time.time_ns() // 1_000_000,
            "last_seen": now,
            "expires_at": now + 3600,
            "source_ip": "-",
            "user_agent": "-",
        }
    )
    return token


def test_a_session_opened_before_tokens_named_their_account_still_works_and_still_ends(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.accounts.users import Accounts

    _counting_calls()
    user_id = Accounts().find("ana.silva")["user_id"]
    old = make_api()
    old.cookie = f"balcao_session={_old_style_session(user_id)}"
    status, calls = _calls(old, "/api/me")
    assert status == 200 and calls == {("dynamodb", "GetItem"): 2}
    assert old.call("GET", "/api/me").data["user"]["user_id"] == user_id

    admin = staff(make_api, demo, "administrador")
    assert admin.call("POST", f"/api/staff/accounts/{user_id}/lock", {"reason": "Uso indevido."}).status_code == 200
    assert old.call("GET", "/api/me").status_code == 401


def test_a_token_naming_another_account_opens_nothing(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.users import Accounts

    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    other = Accounts().find("padaria.central")["user_id"]
    random_part = citizen.cookie.split("=", 1)[1].split(".", 1)[1]
    forged = make_api()
    forged.cookie = f"balcao_session={other}.{random_part}"
    assert forged.call("GET", "/api/me").status_code == 401
    assert citizen.call("GET", "/api/me").status_code == 200


def _submitted_with_decider(make_api: Any, demo: dict[str, Any]) -> tuple[Any, Any, str]:
    """Ana's generic request, submitted, and a decision-maker of its organ (AWS calls counted)."""
    from tests.support.api import submit_generic

    _counting_calls()
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id = submit_generic(citizen, small_pdf())
    return citizen, staff(make_api, demo, "decisor"), process_id


def test_the_staff_view_reads_the_process_with_the_session_and_both_parties_together(
    make_api: Any, demo: dict[str, Any]
) -> None:
    citizen, decider, process_id = _submitted_with_decider(make_api, demo)
    status, calls = _calls(decider, f"/api/staff/processes/{process_id}")
    # session, account and process; then requerente and representante with the documents, tasks and
    # messages the process lists, in one; the timeline and the notification log: four reads; and the
    # reading recorded for its citizen ("who saw my data")
    assert status == 200
    assert calls == {("dynamodb", "BatchGetItem"): 2, ("dynamodb", "Query"): 2, ("dynamodb", "PutItem"): 1}


def _unlisted(process_id: str) -> None:
    """The process as one created before processes listed their items' keys (process_children)."""
    from chalicelib.platform import aws

    aws.table("processes").update_item(
        Key={"process_id": process_id},
        UpdateExpression="REMOVE children_listed, document_ids, task_ids, message_ids",
    )


def test_a_process_from_before_the_lists_shows_the_same_to_staff_and_citizen(
    make_api: Any, demo: dict[str, Any]
) -> None:
    citizen, decider, process_id = _submitted_with_decider(make_api, demo)
    sent = citizen.call("POST", f"/api/requests/{process_id}/messages", {"text": "Envio amanhã a planta."})
    assert sent.status_code == 201
    listed_staff = decider.call("GET", f"/api/staff/processes/{process_id}").data
    listed_citizen = citizen.call("GET", f"/api/requests/{process_id}").data
    assert listed_staff["documents"] and listed_staff["messages"]

    _unlisted(process_id)
    status, calls = _calls(decider, f"/api/staff/processes/{process_id}")
    assert status == 200 and calls[("dynamodb", "Query")] == 5  # read the old way: a Query per table
    old_staff = decider.call("GET", f"/api/staff/processes/{process_id}").data
    old_citizen = citizen.call("GET", f"/api/requests/{process_id}").data
    # notifications are not compared: they are not listed (both ways read the same index), and the
    # workflow may still be sending one between the two reads (a flake on a loaded machine)
    for key in ("documents", "pending_tasks", "messages", "requerente_account"):
        assert old_staff[key] == listed_staff[key], key
    assert old_citizen["documents"] == listed_citizen["documents"]


def test_an_account_read_by_staff_is_read_with_their_session(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.users import Accounts

    _counting_calls()
    user_id = Accounts().find("ana.silva")["user_id"]
    admin = staff(make_api, demo, "administrador")
    status, calls = _calls(admin, f"/api/staff/accounts/{user_id}/notifications")
    # the session, the administrator's account and the citizen's in one call; the log; the audit of the
    # reading (an administrator's) and the reading recorded for the citizen ("who saw my data") in one
    assert status == 200
    assert calls == {("dynamodb", "BatchGetItem"): 1, ("dynamodb", "Query"): 1, ("dynamodb", "BatchWriteItem"): 1}


def test_the_registrations_queue_records_its_reading_for_every_registrant_in_one_write(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.processes.data_access import DataAccessLog
    from tests.support.accounts import registered

    listed = [
        registered(nif, f"fila{n}@example.pt", f"Registo Fila {n}", confirm=True)
        for n, nif in enumerate(("100000118", "100000126", "100000134"))
    ]
    clerk = staff(make_api, demo, "atendimento")
    _counting_calls()
    status, calls = _calls(clerk, "/api/staff/registrations")
    # the session and account; the queue; the audit of the reading and its record for each of the
    # registrants listed ("who saw my data"), all in one write (was one PutItem each)
    assert status == 200
    assert calls == {("dynamodb", "BatchGetItem"): 1, ("dynamodb", "Query"): 1, ("dynamodb", "BatchWriteItem"): 1}
    for user_id in listed:
        assert [r["what"] for r in DataAccessLog().for_citizen(user_id)] == ["registration_queue"]


def test_a_released_process_is_read_with_the_session_and_the_grantees_own_grant(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from tests.support.accounts import add_citizen

    citizen, decider, process_id = _submitted_with_decider(make_api, demo)
    add_citizen("Carla Vista", "carla.vista", demo["password"], "100000142", "carla.vista@example.pt")
    grantee = make_api()
    grantee.login("carla.vista", demo["password"])
    clerk = staff(make_api, demo, "atendimento")
    assert (
        clerk.call("POST", f"/api/staff/processes/{process_id}/view-access", {"identifier": "carla.vista"}).status_code
        == 201
    )
    status, calls = _calls(grantee, f"/api/released-processes/{process_id}")
    # the session, the account, the process and the grantee's grant of it in one call; its documents
    # and tasks; its timeline (was 4: the grant read on its own)
    assert status == 200
    assert calls == {("dynamodb", "BatchGetItem"): 2, ("dynamodb", "Query"): 1}
    # another citizen's session finds no grant of theirs in the same round trip: 404, as before
    add_citizen("Duarte Sem Vista", "duarte.sv", demo["password"], "100000150", "duarte.sv@example.pt")
    other = make_api()
    other.login("duarte.sv", demo["password"])
    assert other.call("GET", f"/api/released-processes/{process_id}").status_code == 404
