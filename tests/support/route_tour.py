"""Every route of the app called once, by a caller allowed to call it, on realistic data: the world a
municipality's counter has after some use (citizens with processes in every stage, staff of each
role, registrations awaiting validation, a fee to pay, a letter to post). Used by the test that no
request path scans and by ``python -m bench aws-calls``, which count the AWS calls of each stop.

Stops run in order, and some change the world for the stops after them (a decision, an approval, a
changed password): the order is part of the tour. Needs the in-process stack of tests/conftest.py
(``aws_stack`` and the demo data) and a ``chalice.test.Client``.
"""

from __future__ import annotations

from tests.support.api import GENERIC, WATER
from tests.support.tour_parts import (
    NEW_PASSWORD,
    PASSWORD,
    PDF,
    Stop,
    counter_payment,
    enrolment_code_body,
    fixed,
    fresh_activation,
    fresh_code,
    fresh_link,
    fresh_staff_code,
    path,
    payment_notice,
    registration,
    staff_stage_path,
    stage_document,
    task_path,
)


def _user_id(identifier: str) -> str:
    from chalicelib.accounts.users import Accounts

    return Accounts().find(identifier)["user_id"]


def _ready_export(user_id: str) -> str:
    """The citizen's export, once its builder has made it."""
    from chalicelib.views.exports import DataExports
    from tests.support.waiting import wait_for

    wait_for(lambda: any(e["status"] == "pronto" for e in DataExports().of(user_id)), timeout=90)
    return next(e["export_id"] for e in DataExports().of(user_id) if e["status"] == "pronto")


def _rights_request() -> str:
    """Ana's newest GDPR request (the tour's citizen filed it a stop before)."""
    from chalicelib.accounts.data_rights import DataRights

    return DataRights().of(_user_id("ana.silva"))[0]["request_id"]


TOUR: list[Stop] = [
    Stop("GET /health", None, path("/health")),
    Stop("GET /api/deployment", None, path("/api/deployment")),
    Stop("GET /openapi.json", None, path("/openapi.json")),
    Stop("GET /api/services", None, path("/api/services?q=agua")),
    Stop("GET /api/public/retention", None, path("/api/public/retention")),
    Stop("GET /api/services/{service_id}", None, path("/api/services/generico")),
    Stop(
        "POST /api/services/{service_id}/plan",
        None,
        path("/api/services/agua-prestacoes/plan"),
        fixed({"fields": WATER}),
    ),
    Stop(
        "GET /api/public/processes/{organ}/{year}/{sequence}",
        None,
        lambda w: "/api/public/processes/" + w.number.replace(" ", "/"),
    ),
    Stop(
        "POST /api/session",
        "citizen",
        path("/api/session"),
        fixed({"identifier": "ana.silva", "password": PASSWORD}),
        True,
    ),
    Stop(
        "POST /api/staff/session",
        "decider",
        path("/api/staff/session"),
        fixed({"identifier": "decisor", "password": PASSWORD}),
        True,
    ),
    Stop("POST /api/staff/session/code", "decider", path("/api/staff/session/code"), fresh_staff_code, True),
    Stop(
        "POST /api/registrations",
        None,
        path("/api/registrations"),
        fixed(registration("200000039", "nova.pessoa@example.pt", "Nova Pessoa")),
    ),
    Stop(
        "POST /api/registrations/confirmation",
        None,
        path("/api/registrations/confirmation"),
        fresh_link("email_confirmation", "to_confirm"),
    ),
    Stop(
        "POST /api/registrations/confirmation/resend",
        None,
        path("/api/registrations/confirmation/resend"),
        fixed({"email": "confirmar2@example.pt"}),
    ),
    Stop("POST /api/account/activation", None, path("/api/account/activation"), fresh_activation),
    Stop("POST /api/password/recovery", None, path("/api/password/recovery"), fixed({"identifier": "conta.reset"})),
    Stop("POST /api/password/reset", None, path("/api/password/reset"), fresh_link("password_reset", "spare_reset")),
    Stop(
        "POST /api/account/email/confirmation",
        None,
        path("/api/account/email/confirmation"),
        fresh_link("email_change", "spare_email", new_email="mudou@example.pt", old_email=lambda w, a: a.email),
    ),
    Stop(
        "POST /api/payments/multibanco/callback", "provider", path("/api/payments/multibanco/callback"), payment_notice
    ),
    Stop("GET /api/me", "citizen", path("/api/me")),
    Stop("GET /api/registration", "registrant", path("/api/registration")),
    Stop(
        "POST /api/registration/documents",
        "registrant",
        path("/api/registration/documents"),
        fixed({**PDF, "filename": "fatura.pdf"}),
    ),
    Stop("POST /api/account/phone", "citizen", path("/api/account/phone"), fixed({"phone": "+351 936 000 111"})),
    Stop(
        "POST /api/account/phone/confirmation",
        "citizen",
        path("/api/account/phone/confirmation"),
        fresh_code("citizen", "phone", "sms", target="+351936000111"),
    ),
    # -- requests: the citizen's side ---------------------------------------------------------------
    Stop("POST /api/requests", "citizen", path("/api/requests"), fixed(GENERIC)),
    Stop("GET /api/requests", "citizen", path("/api/requests")),
    Stop("GET /api/requests/{process_id}", "citizen", path("/api/requests/{submitted}")),
    Stop(
        "PATCH /api/requests/{process_id}",
        "citizen",
        path("/api/requests/{draft}"),
        fixed({"fields": {"subject": "Arraial"}}),
    ),
    Stop("GET /api/requests/{process_id}/plan", "citizen", path("/api/requests/{water_draft}/plan")),
    Stop(
        "POST /api/requests/{process_id}/documents",
        "citizen",
        path("/api/requests/{draft}/documents"),
        fixed({"slot": "anexo", **PDF}),
    ),
    Stop(
        "GET /api/requests/{process_id}/documents/{document_id}",
        "citizen",
        path("/api/requests/{submitted}/documents/{document}"),
    ),
    Stop("POST /api/requests/{process_id}/submit", "citizen", path("/api/requests/{draft}/submit")),
    Stop(
        "GET /api/requests/{process_id}/documents/{document_id}/download",
        "citizen",
        path("/api/requests/{submitted}/documents/{document}/download"),
    ),
    Stop("GET /api/requests/{process_id}/receipt", "citizen", path("/api/requests/{submitted}/receipt")),
    Stop(
        "GET /api/requests/{process_id}/receipt/verification",
        "citizen",
        path("/api/requests/{submitted}/receipt/verification"),
    ),
    # -- staff: API keys, the queue, a process, its decision ----------------------------------------
    Stop(
        "POST /api/staff/api-keys",
        "decider",
        path("/api/staff/api-keys"),
        fixed({"label": "painel", "scope": "read", "expires_in_days": 30}),
    ),
    Stop("GET /api/staff/api-keys", "decider", path("/api/staff/api-keys")),
    Stop("DELETE /api/staff/api-keys/{key_id}", "decider", path("/api/staff/api-keys/{decider_key}")),
    Stop("GET /api/staff/processes", "decider", path("/api/staff/processes?organ=CAMARA")),
    Stop("GET /api/staff/processes/{process_id}", "decider", path("/api/staff/processes/{submitted}")),
    Stop("POST /api/staff/processes/{process_id}/claim", "clerk", path("/api/staff/processes/{submitted}/claim")),
    Stop(
        "POST /api/staff/processes/{process_id}/assignment",
        "head",
        path("/api/staff/processes/{submitted}/assignment"),
        lambda w: {"assignee_id": w.ids["decider"]},
    ),
    Stop(
        "POST /api/staff/processes/{process_id}/decision",
        "decider",
        path("/api/staff/processes/{submitted}/decision"),
        fixed({"decision": "deferido", "grounds": "Conforme."}),
    ),
    Stop(
        "POST /api/staff/processes/{process_id}/payment",
        "clerk",
        path("/api/staff/processes/{submitted}/payment"),
        counter_payment,
    ),
    Stop(
        "GET /api/staff/processes/{process_id}/notifications",
        "decider",
        path("/api/staff/processes/{submitted}/notifications"),
    ),
    # -- the decision stage, on the water-debt process ----------------------------------------------
    Stop("POST /api/staff/processes/{process_id}/payment-plan", "clerk", staff_stage_path("payment-plan")),
    Stop(
        "POST /api/staff/processes/{process_id}/signature-requests",
        "clerk",
        staff_stage_path("signature-requests"),
        lambda w: {
            "subject": "Plano de pagamento",
            "document_id": stage_document("plano_pagamento")(w)["document_id"],
        },
    ),
    Stop(
        "POST /api/requests/{process_id}/tasks/{task_id}/signature",
        "citizen",
        task_path("signature"),
        fixed({"password": PASSWORD, "accept_statement": True}),
    ),
    Stop(
        "GET /api/public/signatures/{sha256}",
        None,
        lambda w: f"/api/public/signatures/{stage_document(signed=True)(w)['sha256']}",
    ),
    Stop(
        "POST /api/staff/processes/{process_id}/documents/{document_id}/signature",
        "decider",
        lambda w: (
            f"/api/staff/processes/{w.ids['stage']}/documents/{stage_document(signed=True)(w)['document_id']}/signature"
        ),
        fixed({"password": PASSWORD, "accept_statement": True}),
    ),
    Stop(
        "POST /api/staff/processes/{process_id}/pending-tasks",
        "clerk",
        staff_stage_path("pending-tasks"),
        fixed({"subject": "Última fatura da água", "working_days": 5}),
    ),
    Stop("GET /api/pending-tasks", "citizen", path("/api/pending-tasks")),
    Stop(
        "POST /api/requests/{process_id}/tasks/{task_id}/documents",
        "citizen",
        task_path("documents"),
        fixed({**PDF, "filename": "fatura.pdf"}),
    ),
    Stop(
        "POST /api/requests/{process_id}/tasks/{task_id}/answer",
        "citizen",
        task_path("answer"),
        fixed({"text": "Segue a fatura."}),
    ),
    Stop(
        "POST /api/staff/processes/{process_id}/prior-hearing",
        "decider",
        staff_stage_path("prior-hearing"),
        fixed({"grounds": "Prestações em atraso."}),
    ),
    # -- messages -----------------------------------------------------------------------------------
    Stop("GET /api/requests/{process_id}/messages", "citizen", path("/api/requests/{stage}/messages")),
    Stop(
        "POST /api/requests/{process_id}/messages/attachments",
        "citizen",
        path("/api/requests/{stage}/messages/attachments"),
        fixed({"filename": "foto.png", "content_type": "image/png"}),
    ),
    Stop(
        "POST /api/requests/{process_id}/messages",
        "citizen",
        path("/api/requests/{stage}/messages"),
        fixed({"text": "Quando fica decidido?"}),
    ),
    Stop("GET /api/messages/{organ}", "citizen", path("/api/messages/CAMARA")),
    Stop(
        "POST /api/messages/{organ}",
        "citizen",
        path("/api/messages/CAMARA"),
        fixed({"text": "Uma dúvida sobre a fatura."}),
    ),
    # -- view access ("vista") granted to another citizen ------------------------------------------
    Stop(
        "POST /api/staff/processes/{process_id}/view-access",
        "clerk",
        path("/api/staff/processes/{stage}/view-access"),
        fixed({"identifier": "bruno"}),
    ),
    Stop("GET /api/released-processes", "other_citizen", path("/api/released-processes")),
    Stop("GET /api/released-processes/{process_id}", "other_citizen", path("/api/released-processes/{stage}")),
    Stop(
        "DELETE /api/staff/processes/{process_id}/view-access/{grantee_id}",
        "clerk",
        lambda w: f"/api/staff/processes/{w.ids['stage']}/view-access/{_user_id('bruno')}",
    ),
    # -- staff: notifications, letters, registrations, accounts -------------------------------------
    Stop(
        "GET /api/staff/accounts/{user_id}/notifications", "admin", path("/api/staff/accounts/{citizen}/notifications")
    ),
    Stop("GET /api/staff/letters", "clerk", path("/api/staff/letters")),
    Stop("POST /api/staff/letters/{notification_id}/posted", "clerk", path("/api/staff/letters/{letter}/posted")),
    Stop("GET /api/staff/registrations", "clerk", path("/api/staff/registrations")),
    Stop("GET /api/staff/registrations/{user_id}", "clerk", path("/api/staff/registrations/{registrant}")),
    Stop(
        "POST /api/staff/registrations/{user_id}/approve",
        "clerk",
        path("/api/staff/registrations/{registrant}/approve"),
    ),
    Stop(
        "POST /api/staff/registrations/{user_id}/reject",
        "clerk",
        path("/api/staff/registrations/{to_reject}/reject"),
        fixed({"reason": "O comprovativo tem mais de 6 meses."}),
    ),
    Stop(
        "POST /api/staff/registrations/{user_id}/retry",
        "clerk",
        path("/api/staff/registrations/{failed_registration}/retry"),
    ),
    Stop("POST /api/staff/processes/{process_id}/retry", "clerk", path("/api/staff/processes/{attention}/retry")),
    Stop(
        "POST /api/staff/accounts/{user_id}/lock",
        "admin",
        path("/api/staff/accounts/{spare_lock}/lock"),
        fixed({"reason": "Uso indevido."}),
    ),
    Stop(
        "POST /api/staff/accounts/{user_id}/unlock",
        "admin",
        path("/api/staff/accounts/{spare_lock}/unlock"),
        fixed({"reason": "Esclarecido."}),
    ),
    Stop(
        "POST /api/staff/accounts/{user_id}/password-reset",
        "admin",
        path("/api/staff/accounts/{colleague}/password-reset"),
        fixed({"reason": "Pedido presencial."}),
    ),
    Stop(
        "POST /api/staff/accounts/{user_id}/roles",
        "admin",
        path("/api/staff/accounts/{colleague}/roles"),
        fixed({"roles": ["clerk", "decision_maker"]}),
    ),
    # -- the caller's own account -------------------------------------------------------------------
    Stop("GET /api/account/sessions", "citizen", path("/api/account/sessions")),
    # -- data protection: who saw my data, the export of everything held ------------------------------
    Stop("GET /api/requests/{process_id}/data-access", "citizen", path("/api/requests/{submitted}/data-access")),
    Stop("GET /api/account/data-access", "citizen", path("/api/account/data-access")),
    Stop("POST /api/account/exports", "citizen", path("/api/account/exports")),
    Stop("GET /api/account/exports", "citizen", path("/api/account/exports")),
    Stop(
        "GET /api/account/exports/{export_id}/download",
        "citizen",
        lambda w: f"/api/account/exports/{_ready_export(_user_id('ana.silva'))}/download",
    ),
    # -- GDPR requests: the citizen asks, the data protection officer extends and answers --------------
    Stop(
        "POST /api/account/rights-requests",
        "citizen",
        path("/api/account/rights-requests"),
        fixed({"kind": "oposicao", "grounds": "Oponho-me ao tratamento para fins estatísticos."}),
    ),
    Stop("GET /api/account/rights-requests", "citizen", path("/api/account/rights-requests")),
    Stop("GET /api/staff/rights-requests", "dpo", path("/api/staff/rights-requests")),
    Stop(
        "POST /api/staff/rights-requests/{request_id}/extension",
        "dpo",
        lambda w: f"/api/staff/rights-requests/{_rights_request()}/extension",
        fixed({"justification": "Pedido que exige consulta a vários serviços."}),
    ),
    Stop(
        "POST /api/staff/rights-requests/{request_id}/decision",
        "dpo",
        lambda w: f"/api/staff/rights-requests/{_rights_request()}/decision",
        fixed({"accepted": False, "answer": "O tratamento decorre de obrigação legal."}),
    ),
    Stop(
        "POST /api/account/sessions/ending",
        "citizen",
        path("/api/account/sessions/ending"),
        fixed({"password": PASSWORD}),
    ),
    Stop(
        "POST /api/account/email",
        "citizen",
        path("/api/account/email"),
        fixed({"password": PASSWORD, "new_email": "ana.nova@example.pt"}),
    ),
    Stop(
        "POST /api/account/password",
        "citizen",
        path("/api/account/password"),
        fixed({"current_password": PASSWORD, "new_password": NEW_PASSWORD}),
    ),
    Stop("POST /api/session/code", "first_login", path("/api/session/code"), fixed({"channel": "email"})),
    Stop(
        "POST /api/session/code/verification",
        "first_login",
        path("/api/session/code/verification"),
        fresh_code("first_login", "first_login", "email"),
    ),
    Stop("POST /api/staff/second-factor", "new_staff", path("/api/staff/second-factor")),
    Stop(
        "POST /api/staff/second-factor/confirmation",
        "new_staff",
        path("/api/staff/second-factor/confirmation"),
        enrolment_code_body,
    ),
    Stop("DELETE /api/session", "citizen", path("/api/session")),  # last: it ends the citizen's session
]
