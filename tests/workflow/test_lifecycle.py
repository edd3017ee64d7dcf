"""The decision stage of statemachines/process.asl.json, run by moto's interpreter with the app's own
Lambda functions: pendências, the prior hearing, decisions notified on the next working day, late
decisions, and two people acting at once. Deadlines come from the application's clock (moved into
the past where a deadline must have passed), never from a sleep."""

from __future__ import annotations

import json
import threading
from datetime import datetime
from typing import Any

from tests.support.api import WATER, WATER_STAGE_TIMELINE, submit_generic, upload
from tests.support.files import small_pdf
from tests.support.outbox import outbox_to
from tests.support.waiting import wait_for
from tests.support.workflow import process_execution


def _awaiting(api: Any, process_id: str) -> dict[str, Any]:
    return wait_for(
        lambda: (v := api.call("GET", f"/api/requests/{process_id}").data)["status"] == "em_apreciacao" and v
    )


def _states_entered(process_id: str) -> list[str]:
    from chalicelib.platform import aws

    arn = process_execution(process_id)["executionArn"]
    events = aws.client("stepfunctions").get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]


def _people(make_api: Any, demo: dict[str, Any]) -> tuple[Any, Any, Any]:
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    clerk = make_api()
    clerk.login("atendimento", demo["password"], staff=True)
    decider = make_api()
    decider.login("decisor", demo["password"], staff=True)
    return citizen, clerk, decider


def test_a_pendencia_is_answered_with_text_and_a_document_and_the_approval_waits_for_the_next_working_day(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from local import lambdas

    citizen, clerk, decider = _people(make_api, demo)
    email = demo["citizen"]["email"]
    process_id = submit_generic(citizen, small_pdf())
    _awaiting(citizen, process_id)

    asked = clerk.call(
        "POST",
        f"/api/staff/processes/{process_id}/pending-tasks",
        {"subject": "Certidão de teor do prédio", "description": "Emitida há menos de 6 meses.", "working_days": 5},
    )
    assert asked.status_code == 201, asked.body
    task_id = asked.data["task_id"]
    assert asked.data["status"] == "aberta" and asked.data["deadline"]

    # The citizen is told, sees it in "Minhas Pendências" and in the process, with its deadline.
    notice = wait_for(lambda: [m for m in outbox_to(email) if "pedem-lhe uma resposta" in m["subject"]])
    assert "Certidão de teor do prédio" in notice[0]["body"]
    mine = citizen.call("GET", "/api/pending-tasks").data["pending_tasks"]
    assert [t["task_id"] for t in mine] == [task_id]
    view = citizen.call("GET", f"/api/requests/{process_id}").data
    assert view["status"] == "pendente"
    assert view["pending_tasks"][0]["deadline"] == asked.data["deadline"]
    assert view["pending_tasks"][0]["working_days_left"] == mine[0]["working_days_left"] == 5
    # While the citizen is asked, staff cannot decide nor ask again: 409 with the current state.
    early = decider.call(
        "POST", f"/api/staff/processes/{process_id}/decision", {"decision": "deferido", "grounds": "x"}
    )
    assert early.status_code == 409 and early.data["error"]["current"]["status"] == "pendente"
    wait_for(lambda: "AwaitCitizen" in _states_entered(process_id))

    # Answer with text and an attachment uploaded straight to S3.
    slot = citizen.call(
        "POST",
        f"/api/requests/{process_id}/tasks/{task_id}/documents",
        {"filename": "certidao.pdf", "content_type": "application/pdf"},
    )
    assert slot.status_code == 201, slot.body
    upload(slot.data, small_pdf())
    lambdas.drain()
    answer = {"text": "Junto a certidão pedida.", "document_ids": [slot.data["document_id"]]}
    answered = citizen.call("POST", f"/api/requests/{process_id}/tasks/{task_id}/answer", answer)
    assert answered.status_code == 200, answered.body
    assert answered.data["status"] == "respondida"
    again = citizen.call("POST", f"/api/requests/{process_id}/tasks/{task_id}/answer", answer)
    assert again.status_code == 409 and "já foi respondida" in again.data["error"]["message"]
    assert citizen.call("GET", "/api/pending-tasks").data["pending_tasks"] == []

    # The workflow is back with staff; the approval is recorded at once, notified the next working day.
    _awaiting(citizen, process_id)
    decided = decider.call(
        "POST",
        f"/api/staff/processes/{process_id}/decision",
        {"decision": "deferido", "grounds": "Cumpre os requisitos."},
    )
    assert decided.status_code == 200, decided.body
    wait_for(lambda: "WaitForNextWorkingDay" in _states_entered(process_id))
    assert process_execution(process_id)["status"] == "RUNNING"
    assert not [m for m in outbox_to(email) if "Decisão" in m["subject"]]
    view = citizen.call("GET", f"/api/requests/{process_id}").data
    assert view["status"] == "deferido" and view["decided_late"] is False
    labels = [e["label"] for e in view["timeline"]]
    for label in (
        "Pedido submetido",
        "Pendência: os serviços pedem elementos",
        "Pendência respondida",
        "Decisão: deferido",
    ):
        assert label in labels
    assert all(e["at"] for e in view["timeline"])
    assert "source_ip" not in json.dumps(view["timeline"])


def test_a_prior_hearing_across_christmas_expires_then_the_rejection_is_notified(
    make_api: Any, demo: dict[str, Any], past_clock: Any
) -> None:
    citizen, _, decider = _people(make_api, demo)
    email = demo["citizen"]["email"]
    process_id = submit_generic(citizen, small_pdf())
    _awaiting(citizen, process_id)

    # A rejection needs the citizen heard first.
    direct = decider.call(
        "POST", f"/api/staff/processes/{process_id}/decision", {"decision": "indeferido", "grounds": "x"}
    )
    assert direct.status_code == 409 and direct.data["error"]["field"] == "decision"

    proposed = decider.call(
        "POST", f"/api/staff/processes/{process_id}/prior-hearing", {"grounds": "Falta a prova de residência."}
    )
    assert proposed.status_code == 201, proposed.body
    # 10 working days from Friday 19 Dec 2025: Christmas and New Year's Day are skipped.
    assert proposed.data["deadline"] == "2026-01-06"
    hearing = citizen.call("GET", f"/api/requests/{process_id}").data["pending_tasks"][0]
    assert hearing["working_days_left"] == 10  # told in working days, as counted: not the 18 calendar days
    notice = wait_for(lambda: [m for m in outbox_to(email) if "audiência prévia" in m["subject"]])
    assert "Falta a prova de residência." in notice[0]["body"] and "06/01/2026" in notice[0]["body"]

    # The deadline passes (it is long gone for the engine's timer): the task expires, staff decide.
    _awaiting(citizen, process_id)
    task = citizen.call("GET", f"/api/requests/{process_id}").data["pending_tasks"][0]
    assert task["status"] == "expirada"
    late_answer = citizen.call("POST", f"/api/requests/{process_id}/tasks/{task['task_id']}/answer", {"text": "Tarde."})
    assert late_answer.status_code == 409

    rejected = decider.call(
        "POST",
        f"/api/staff/processes/{process_id}/decision",
        {"decision": "indeferido", "grounds": "Não foi junta a prova de residência."},
    )
    assert rejected.status_code == 200, rejected.body
    assert rejected.data["status"] == "indeferido"
    wait_for(lambda: process_execution(process_id)["status"] != "RUNNING")
    assert process_execution(process_id)["status"] == "SUCCEEDED"
    decision = [m for m in outbox_to(email) if "Decisão" in m["subject"]]
    assert decision and "indeferido" in decision[0]["body"]
    states = _states_entered(process_id)
    assert states.count("AwaitStaffAction") == 2
    assert "CitizenTaskExpired" in states and "WaitForNextWorkingDay" in states


def test_a_prior_hearing_answered_goes_back_to_staff(make_api: Any, demo: dict[str, Any]) -> None:
    citizen, _, decider = _people(make_api, demo)
    process_id = submit_generic(citizen, small_pdf())
    _awaiting(citizen, process_id)
    task_id = decider.call(
        "POST", f"/api/staff/processes/{process_id}/prior-hearing", {"grounds": "Pedido fora de prazo."}
    ).data["task_id"]
    assert citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "em_audiencia"
    empty = citizen.call("POST", f"/api/requests/{process_id}/tasks/{task_id}/answer", {"text": " "})
    assert empty.status_code == 422 and empty.data["error"]["field"] == "text"
    answered = citizen.call(
        "POST",
        f"/api/requests/{process_id}/tasks/{task_id}/answer",
        {"text": "O pedido foi entregue dentro do prazo: ver o recibo."},
    )
    assert answered.status_code == 200, answered.body
    _awaiting(citizen, process_id)
    staff_view = decider.call("GET", f"/api/staff/processes/{process_id}").data
    assert staff_view["pending_tasks"][0]["answer_text"].startswith("O pedido foi entregue")
    assert "hearing.answered" in [e["action"] for e in staff_view["timeline"]]


def test_a_late_decision_is_recorded_and_marked_late(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.kernel import clock

    citizen, _, decider = _people(make_api, demo)
    with clock.travel(datetime.fromisoformat("2025-11-03T10:00:00+00:00")):
        process_id = submit_generic(citizen, small_pdf())
        view = _awaiting(citizen, process_id)
    assert view["decision_deadline"] == "2025-11-17"
    with clock.travel(datetime.fromisoformat("2025-12-19T10:00:00+00:00")):
        decided = decider.call(
            "POST",
            f"/api/staff/processes/{process_id}/decision",
            {"decision": "deferido", "grounds": "Deferido, embora fora de prazo."},
        )
    assert decided.status_code == 200, decided.body
    assert decided.data["decided_late"] is True
    wait_for(lambda: process_execution(process_id)["status"] != "RUNNING")
    assert citizen.call("GET", f"/api/requests/{process_id}").data["decided_late"] is True


def test_two_staff_acting_at_once_exactly_one_wins(make_api: Any, demo: dict[str, Any], past_clock: Any) -> None:
    """A decision and a pendência on the same process at the same moment (the domain called from two
    threads: chalice's test client serves one request at a time): one wins, the other is a 409 with
    the current state, and the workflow took exactly one of them."""
    from chalicelib.accounts.sessions import Sessions
    from chalicelib.decision.stage import DecisionStage
    from chalicelib.kernel.errors import Conflict

    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id = submit_generic(citizen, small_pdf())
    _awaiting(citizen, process_id)
    sessions = []
    for username in ("decisor", "dirigente"):
        api = make_api()
        api.login(username, demo["password"], staff=True)
        sessions.append(Sessions().resolve(api.cookie.split("=", 1)[1]))
    outcomes: list[Any] = [None, None]
    barrier = threading.Barrier(2)

    def act(index: int) -> None:
        barrier.wait()
        try:
            if index == 0:
                outcomes[0] = DecisionStage().decide(process_id, sessions[0], "deferido", "Primeiro.", None)
            else:
                outcomes[1] = DecisionStage().ask(
                    process_id, sessions[1], "pendencia", "Mais um documento", "", 10, None
                )
        except Conflict as conflict:
            outcomes[index] = conflict

    threads = [threading.Thread(target=act, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    conflicts = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(conflicts) == 1, outcomes
    assert conflicts[0].current["status"] in ("deferido", "pendente")
    final = citizen.call("GET", f"/api/requests/{process_id}").data
    assert (final["status"] == "deferido") != bool(final["pending_tasks"])
    winner = "WaitForNextWorkingDay" if final["status"] == "deferido" else "AwaitCitizen"
    wait_for(lambda: winner in _states_entered(process_id))
    assert _states_entered(process_id).count("RouteStaffAction") == 1


def test_a_staff_action_sent_twice_is_taken_once(make_api: Any, demo: dict[str, Any]) -> None:
    """The token is taken from the process in the same conditional write that records the action: a
    retried request finds none and is a 409 with the current state; the workflow moved once."""
    citizen, clerk, _ = _people(make_api, demo)
    process_id = submit_generic(citizen, small_pdf())
    _awaiting(citizen, process_id)
    path = f"/api/staff/processes/{process_id}/pending-tasks"
    first = clerk.call("POST", path, {"subject": "Planta de localização"})
    second = clerk.call("POST", path, {"subject": "Planta de localização"})
    assert first.status_code == 201 and second.status_code == 409
    assert second.data["error"]["current"]["status"] == "pendente"
    assert second.data["error"]["current"]["current_task_id"] == first.data["task_id"]
    assert len(citizen.call("GET", f"/api/requests/{process_id}").data["pending_tasks"]) == 1
    wait_for(lambda: "AwaitCitizen" in _states_entered(process_id))
    assert _states_entered(process_id).count("RouteStaffAction") == 1


def test_an_unknown_staff_action_fails_the_workflow_by_name(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.platform import aws
    from chalicelib.processes.table import Processes

    citizen, _, _ = _people(make_api, demo)
    process_id = submit_generic(citizen, small_pdf())
    _awaiting(citizen, process_id)
    token = Processes().get(process_id)["decision_task_token"]
    aws.client("stepfunctions").send_task_success(taskToken=token, output=json.dumps({"kind": "arquivar"}))
    wait_for(lambda: process_execution(process_id)["status"] != "RUNNING")
    assert process_execution(process_id)["error"] == "UnknownStaffAction"


def test_who_may_ask_and_answer(make_api: Any, demo: dict[str, Any]) -> None:
    citizen, clerk, _ = _people(make_api, demo)
    auditor = make_api()
    auditor.login("auditor", demo["password"], staff=True)
    process_id = submit_generic(citizen, small_pdf())
    _awaiting(citizen, process_id)
    path = f"/api/staff/processes/{process_id}"
    # Auditors read, never act; clerks ask but do not propose rejections; citizens use no staff route.
    assert auditor.call("POST", f"{path}/pending-tasks", {"subject": "x"}).status_code == 403
    assert clerk.call("POST", f"{path}/prior-hearing", {"grounds": "x"}).status_code == 403
    assert citizen.call("POST", f"{path}/pending-tasks", {"subject": "x"}).status_code == 403
    assert make_api().call("GET", "/api/pending-tasks").status_code == 401
    unknown_field = clerk.call("POST", f"{path}/pending-tasks", {"subject": "x", "prazo": 3})
    assert unknown_field.status_code == 422 and unknown_field.data["error"]["field"] == "prazo"
    task_id = clerk.call("POST", f"{path}/pending-tasks", {"subject": "Planta"}).data["task_id"]
    # Staff cannot answer for the citizen.
    assert clerk.call("POST", f"/api/requests/{process_id}/tasks/{task_id}/answer", {"text": "x"}).status_code == 404


def test_the_payment_plan_is_signed_by_both_parties_and_the_signed_pdf_verifies(
    make_api: Any, demo: dict[str, Any]
) -> None:
    import hashlib
    import io

    from pypdf import PdfReader

    from chalicelib.documents.store import Documents
    from chalicelib.platform import aws

    citizen, clerk, decider = _people(make_api, demo)
    plan = small_pdf(pages=2)
    process_id = submit_generic(citizen, plan)
    view = _awaiting(citizen, process_id)
    document_id = view["documents"][0]["document_id"]
    not_pdf = clerk.call(
        "POST",
        f"/api/staff/processes/{process_id}/signature-requests",
        {"subject": "Plano de pagamento", "document_id": "d_nao_existe"},
    )
    assert not_pdf.status_code == 422 and not_pdf.data["error"]["field"] == "document_id"
    asked = clerk.call(
        "POST",
        f"/api/staff/processes/{process_id}/signature-requests",
        {"subject": "Plano de pagamento em prestações", "document_id": document_id},
    )
    assert asked.status_code == 201, asked.body
    task_id = asked.data["task_id"]
    assert citizen.call("GET", f"/api/requests/{process_id}").data["status"] == "a_aguardar_assinatura"
    path = f"/api/requests/{process_id}/tasks/{task_id}/signature"

    wrong = citizen.call("POST", path, {"password": "errada", "accept_statement": True})
    assert wrong.status_code == 422 and wrong.data["error"]["field"] == "password"
    unaccepted = citizen.call("POST", path, {"password": demo["password"], "accept_statement": False})
    assert unaccepted.status_code == 422 and unaccepted.data["error"]["field"] == "accept_statement"
    assert citizen.call("GET", f"/api/requests/{process_id}").data["pending_tasks"][0]["status"] == "aberta"

    signed = citizen.call("POST", path, {"password": demo["password"], "accept_statement": True})
    assert signed.status_code == 200, signed.body
    assert citizen.call("POST", path, {"password": demo["password"], "accept_statement": True}).status_code == 409
    signed_id = signed.data["signed_document_id"]
    document = Documents().get(process_id, signed_id)
    data = aws.client("s3").get_object(Bucket=aws.bucket_name("documents"), Key=document["stored_key"])["Body"].read()
    pages = PdfReader(io.BytesIO(data)).pages
    assert len(pages) == 3
    page = pages[-1].extract_text()
    assert "Ana Silva" in page and hashlib.sha256(plan).hexdigest() in page and "responsabilidade" in page

    # The municipality signs the citizen-signed plan too: a second signature page.
    by_staff = decider.call(
        "POST",
        f"/api/staff/processes/{process_id}/documents/{signed_id}/signature",
        {"password": demo["password"], "accept_statement": True},
    )
    assert by_staff.status_code == 201, by_staff.body
    assert (
        clerk.call(
            "POST",
            f"/api/staff/processes/{process_id}/documents/{signed_id}/signature",
            {"password": demo["password"], "accept_statement": True},
        ).status_code
        == 403
    )

    public = make_api()
    checked = public.call("GET", f"/api/public/signatures/{hashlib.sha256(data).hexdigest()}")
    assert checked.status_code == 200 and checked.data["signer_name"] == "Ana Silva"
    assert checked.data["source_sha256"] == hashlib.sha256(plan).hexdigest()
    assert public.call("GET", f"/api/public/signatures/{hashlib.sha256(plan).hexdigest()}").status_code == 404
    assert public.call("GET", "/api/public/signatures/abc").status_code == 422
    both = public.call("GET", f"/api/public/signatures/{by_staff.data['sha256']}").data
    assert both["signer_name"] == "Marta Decisora" and both["source_sha256"] == hashlib.sha256(data).hexdigest()

    _awaiting(citizen, process_id)
    labels = [e["label"] for e in citizen.call("GET", f"/api/requests/{process_id}").data["timeline"]]
    assert "Pedida a sua assinatura" in labels and "Documento assinado" in labels


def test_the_public_lookup_is_rate_limited(make_api: Any, demo: dict[str, Any], monkeypatch: Any) -> None:
    from chalicelib.kernel import settings

    # chalice's test client resets the environment around each call: hand the route its settings.
    limited = settings.get_settings().model_copy(update={"public_lookups_per_minute": 3})
    monkeypatch.setattr(settings, "get_settings", lambda: limited)
    citizen = make_api()
    citizen.login("ana.silva", demo["password"])
    process_id = submit_generic(citizen, small_pdf())
    number = citizen.call("GET", f"/api/requests/{process_id}").data["number"]
    anyone = make_api()
    path = "/api/public/processes/" + number.replace(" ", "/")
    answers = [anyone.call("GET", path) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].data["number"] == number and "requerente_id" not in answers[0].data
    assert "Tente de novo" in answers[3].data["error"]["message"]


def test_staff_are_reminded_before_the_deadline_and_the_head_alerted_once_it_is_breached(
    make_api: Any, demo: dict[str, Any]
) -> None:
    from chalicelib.kernel import clock
    from chalicelib.processes.deadline_watch import DeadlineWatch

    citizen, _, _ = _people(make_api, demo)
    auditor = make_api()
    auditor.login("auditor", demo["password"], staff=True)
    with clock.travel(datetime.fromisoformat("2025-11-03T10:00:00+00:00")):
        process_id = submit_generic(citizen, small_pdf())
        _awaiting(citizen, process_id)  # deadline 2025-11-17
        assert DeadlineWatch().run()["reminded"] == []
    with clock.travel(datetime.fromisoformat("2025-11-14T08:00:00+00:00")):
        view = citizen.call("GET", f"/api/requests/{process_id}").data
        assert view["working_days_left"] == 1
        assert DeadlineWatch().run() == {"reminded": [process_id], "escalated": []}
        assert DeadlineWatch().run() == {"reminded": [], "escalated": []}
    with clock.travel(datetime.fromisoformat("2025-11-18T08:00:00+00:00")):
        assert citizen.call("GET", f"/api/requests/{process_id}").data["working_days_left"] == -1
        assert DeadlineWatch().run() == {"reminded": [], "escalated": [process_id]}
        assert DeadlineWatch().run()["escalated"] == []
    actions = [e["action"] for e in auditor.call("GET", f"/api/staff/processes/{process_id}").data["timeline"]]
    assert actions.count("process.deadline_reminder") == 1 and actions.count("process.deadline_escalated") == 1


def test_view_access_granted_by_staff_appears_under_processos_liberados(make_api: Any, demo: dict[str, Any]) -> None:
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import Actor

    Accounts().create(
        kind="citizen",
        name="Bruno Vizinho",
        email="bruno.vizinho@example.pt",
        username="bruno",
        identity_number="200000004",
        password=demo["password"],
        actor=Actor("test"),
    )
    citizen, clerk, _ = _people(make_api, demo)
    process_id = submit_generic(citizen, small_pdf())
    neighbour = make_api()
    neighbour.login("bruno", demo["password"])
    assert neighbour.call("GET", f"/api/released-processes/{process_id}").status_code == 404
    assert neighbour.call("GET", f"/api/requests/{process_id}").status_code == 404

    path = f"/api/staff/processes/{process_id}/view-access"
    assert clerk.call("POST", path, {"identifier": "999999990"}).data["error"]["field"] == "identifier"
    assert (
        clerk.call("POST", path, {"identifier": "200000004", "until": "2020-01-01"}).data["error"]["field"] == "until"
    )
    assert neighbour.call("POST", path, {"identifier": "200000004"}).status_code == 403
    granted = clerk.call("POST", path, {"identifier": "200000004"})
    assert granted.status_code == 201, granted.body
    assert [m for m in outbox_to("bruno.vizinho@example.pt") if "Vista do processo" in m["subject"]]

    released = neighbour.call("GET", "/api/released-processes").data["processes"]
    assert [p["process_id"] for p in released] == [process_id]
    view = neighbour.call("GET", f"/api/released-processes/{process_id}").data
    assert view["number"] == released[0]["number"] and view["documents"]
    assert "pending_tasks" not in view and "requerente_id" not in view
    assert neighbour.call("GET", f"/api/requests/{process_id}/messages").status_code == 404


def test_a_pendencia_is_answered_with_a_new_version_of_a_document_uploaded_and_inspected_like_any_other(
    make_api: Any, demo: dict[str, Any]
) -> None:
    """After submission a citizen uploads only while a pendência (or the prior hearing) is open: a
    corrected document is a new version of the old (staff see both), every file is inspected, and
    the answer takes only the files sent for it that inspection accepted."""
    from local import lambdas

    citizen, clerk, decider = _people(make_api, demo)
    process_id = submit_generic(citizen, small_pdf())
    view = _awaiting(citizen, process_id)
    original = view["documents"][0]["document_id"]
    new_version = {"slot": "anexo", "filename": "anexo-v2.pdf", "content_type": "application/pdf", "replaces": original}
    closed = citizen.call("POST", f"/api/requests/{process_id}/documents", new_version)
    assert closed.status_code == 409 and closed.data["error"]["field"] == "status"

    task_id = clerk.call(
        "POST",
        f"/api/staff/processes/{process_id}/pending-tasks",
        {"subject": "Anexo legível", "description": "O anexo enviado não se lê."},
    ).data["task_id"]
    wait_for(lambda: "AwaitCitizen" in _states_entered(process_id))
    # the service's own slot, as a new version (through the process's upload route) ...
    replaced = citizen.call("POST", f"/api/requests/{process_id}/documents", new_version)
    assert replaced.status_code == 201, replaced.body
    assert replaced.data["version"] == 2
    upload(replaced.data, small_pdf(pages=2))
    # ... a file of the task's own, and one that inspection refuses (not a PDF)
    path = f"/api/requests/{process_id}/tasks/{task_id}/documents"
    extra = citizen.call("POST", path, {"filename": "declaracao.pdf", "content_type": "application/pdf"})
    assert extra.status_code == 201, extra.body
    upload(extra.data, small_pdf())
    bad = citizen.call("POST", path, {"filename": "falso.pdf", "content_type": "application/pdf"})
    upload(bad.data, b"isto nao e um PDF")
    unknown = citizen.call(
        "POST", path, {"filename": "x.pdf", "content_type": "application/pdf", "replaces": "d_nao_existe"}
    )
    assert unknown.status_code == 422 and unknown.data["error"]["field"] == "replaces"
    lambdas.drain()

    answer_path = f"/api/requests/{process_id}/tasks/{task_id}/answer"
    refused = citizen.call("POST", answer_path, {"document_ids": [bad.data["document_id"]]})
    assert refused.status_code == 422 and refused.data["error"]["field"] == "document_ids.0"
    not_sent_for_it = citizen.call("POST", answer_path, {"document_ids": [original]})
    assert not_sent_for_it.status_code == 422 and not_sent_for_it.data["error"]["field"] == "document_ids.0"
    answered = citizen.call(
        "POST",
        answer_path,
        {"text": "Segue o anexo legível.", "document_ids": [replaced.data["document_id"], extra.data["document_id"]]},
    )
    assert answered.status_code == 200, answered.body
    late = citizen.call(
        "POST", f"/api/requests/{process_id}/documents", {**new_version, "replaces": replaced.data["document_id"]}
    )
    assert late.status_code == 409

    # The citizen sees the current version; staff see both, and which task the new one answered.
    _awaiting(citizen, process_id)
    mine = {d["document_id"]: d for d in citizen.call("GET", f"/api/requests/{process_id}").data["documents"]}
    assert original not in mine and mine[replaced.data["document_id"]]["version"] == 2
    staff = {d["document_id"]: d for d in decider.call("GET", f"/api/staff/processes/{process_id}").data["documents"]}
    assert staff[original]["superseded_by"] == replaced.data["document_id"]
    assert staff[replaced.data["document_id"]]["replaces"] == original
    assert (
        staff[replaced.data["document_id"]]["task_id"] == task_id
        and staff[extra.data["document_id"]]["task_id"] == task_id
    )
    assert staff[bad.data["document_id"]]["status"] == "rejeitado"
    timeline = [e["label"] for e in citizen.call("GET", f"/api/requests/{process_id}").data["timeline"]]
    assert "Documento substituído por nova versão" in timeline and "Pendência respondida" in timeline


def test_a_prior_hearing_is_answered_with_a_document(make_api: Any, demo: dict[str, Any]) -> None:
    from local import lambdas

    citizen, _, decider = _people(make_api, demo)
    process_id = submit_generic(citizen, small_pdf())
    _awaiting(citizen, process_id)
    decider.call("POST", f"/api/staff/processes/{process_id}/prior-hearing", {"grounds": "Falta a planta."})
    wait_for(lambda: "AwaitCitizen" in _states_entered(process_id))
    # the process's upload route files it under the open hearing
    slot = citizen.call(
        "POST",
        f"/api/requests/{process_id}/documents",
        {"slot": "anexo", "filename": "planta.pdf", "content_type": "application/pdf"},
    )
    assert slot.status_code == 201, slot.body
    upload(slot.data, small_pdf())
    lambdas.drain()
    task_id = citizen.call("GET", f"/api/requests/{process_id}").data["pending_tasks"][0]["task_id"]
    answered = citizen.call(
        "POST",
        f"/api/requests/{process_id}/tasks/{task_id}/answer",
        {"text": "Junto a planta.", "document_ids": [slot.data["document_id"]]},
    )
    assert answered.status_code == 200, answered.body
    assert answered.data["answer_documents"] == [slot.data["document_id"]]
    _awaiting(citizen, process_id)


WATER_DEBT = {"service_id": "agua-prestacoes", "fields": WATER}


def test_the_water_debt_request_goes_through_a_pendencia_a_hearing_and_an_approval_with_a_signed_plan(
    make_api: Any, demo: dict[str, Any]
) -> None:
    """Seed 001 from end to end: every step in the citizen's timeline."""
    citizen, clerk, decider = _people(make_api, demo)
    process_id = citizen.call("POST", "/api/requests", WATER_DEBT).data["process_id"]
    submitted = citizen.call("POST", f"/api/requests/{process_id}/submit")
    assert submitted.status_code == 200, submitted.body
    assert len(submitted.data["installment_plan"]) == 24
    _awaiting(citizen, process_id)
    staff = f"/api/staff/processes/{process_id}"

    task_id = clerk.call("POST", f"{staff}/pending-tasks", {"subject": "Última fatura da água"}).data["task_id"]
    answer = citizen.call(
        "POST", f"/api/requests/{process_id}/tasks/{task_id}/answer", {"text": "Fatura n.º 123/2026."}
    )
    assert answer.status_code == 200, answer.body
    _awaiting(citizen, process_id)
    hearing = decider.call("POST", f"{staff}/prior-hearing", {"grounds": "Há prestações anteriores em atraso."}).data
    answer = citizen.call(
        "POST",
        f"/api/requests/{process_id}/tasks/{hearing['task_id']}/answer",
        {"text": "As prestações em atraso foram pagas em março."},
    )
    assert answer.status_code == 200, answer.body
    _awaiting(citizen, process_id)

    plan = clerk.call("POST", f"{staff}/payment-plan")
    assert plan.status_code == 201, plan.body
    assert plan.data["slot"] == "plano_pagamento" and plan.data["status"] == "aceite"
    assert clerk.call("POST", f"{staff}/payment-plan").data["sha256"] == plan.data["sha256"]  # made once
    sign_task = clerk.call(
        "POST",
        f"{staff}/signature-requests",
        {"subject": "Plano de pagamento em prestações", "document_id": plan.data["document_id"]},
    ).data
    signed = citizen.call(
        "POST",
        f"/api/requests/{process_id}/tasks/{sign_task['task_id']}/signature",
        {"password": demo["password"], "accept_statement": True},
    )
    assert signed.status_code == 200, signed.body
    both = decider.call(
        "POST",
        f"{staff}/documents/{signed.data['signed_document_id']}/signature",
        {"password": demo["password"], "accept_statement": True},
    )
    assert both.status_code == 201, both.body
    _awaiting(citizen, process_id)
    decided = decider.call(
        "POST", f"{staff}/decision", {"decision": "deferido", "grounds": "Plano assinado por ambas as partes."}
    )
    assert decided.status_code == 200, decided.body
    assert clerk.call("POST", f"{staff}/payment-plan").status_code == 409

    labels = [e["label"] for e in citizen.call("GET", f"/api/requests/{process_id}").data["timeline"]]
    for label in WATER_STAGE_TIMELINE:
        assert label in labels, label
    wait_for(lambda: "WaitForNextWorkingDay" in _states_entered(process_id))
