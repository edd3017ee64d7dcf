"""The authorization matrix: every route of the app against every kind of caller, with the answer each
must get. Table-driven and generic: a route the app has but the table lacks fails the test (add its
row), and so does a row for a route that no longer exists.

Columns (``ACTORS``): anonymous; the payment provider (no session, but its signature on the body);
citizen A (the requerente of the processes used); citizen B (another citizen); a representative of A
on the submitted process; a registrant whose registration awaits validation (a session that only
follows it); a citizen at the first login after activation (a session that only takes the code); a
staff member at their first login, past the emailed code (a session that only sets up the app);
staff of another organ (SEMAE decision-maker); staff of the process's organ (CAMARA) by role: clerk,
decision-maker, head, administrator; and the auditor (read-only, every organ).

Cells: ``OK`` means authorised: a 2xx, or a 409 when an earlier caller in the row already changed the
state (409 is only answered after the role and organ checks pass; each row must get at least one real
2xx). A number means refused with exactly that status: 401 without a session, 403 when the caller may
not do this, 404 when the caller may not even know the thing exists.

A second table (``MORE``) adds the callers the first never tried, as columns of the same rows, run in
the same pass over the same world (one set-up): a decision-maker's API key that may act and one that
may only read, a citizen's session token sent as ``Authorization: Bearer``, the head and the
administrator of another organ (SEMAE), a locked account's session from before the lock, a staff
member's cookie and API key from before an administrator reset their password, a registrant whose
registration staff rejected and one who never confirmed the email (each with what session they can
get). Each new caller answers as the caller of the first table it stands beside (``LIKE``), but where
a row of ``MORE`` says otherwise.

Every call carries the CSRF header, as the web form sends it. Rows run in order, and some change the
world for the rows after them (a decision, an approval, a changed password): the order is part of the
table. When a row's success gives the caller a new session (``RENEWS_SESSION``), the caller keeps it,
as a browser keeps the cookie it is given.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.support.accounts import REGISTRATION_PASSWORD, add_staff, awaiting_activation, registered, registration
from tests.support.api import GENERIC, WATER, session_set_cookie, upload
from tests.support.attention import process_needing_attention, registration_needing_attention
from tests.support.files import small_pdf
from tests.support.waiting import wait_for

SLOW = 90  # seconds: a workflow's steps on a loaded machine (the tests wait only as long as they must)
PASSWORD = "Balcao-demo-2026"  # noqa: S105 - the demo accounts' password
NEW_PASSWORD = "ribeira de ovelha ao luar"  # noqa: S105 - what every caller changes theirs to
CALLBACK_SECRET = "test-callback-secret"  # noqa: S105 - tests/support/env.py's BALCAO_PAYMENT_CALLBACK_SECRET
FEE_CENTS = 1000

OK = "ok"
ACTORS = (
    "anonymous",
    "provider",
    "citizen_a",
    "citizen_b",
    "representative",
    "registrant",
    "first_login",
    "new_staff",
    "staff_other_organ",
    "clerk",
    "decider",
    "head",
    "admin",
    "auditor",
)
STAFF_ACTORS = ("staff_other_organ", "clerk", "decider", "head", "admin", "auditor")
MORE_ACTORS = (
    "act_key",
    "read_key",
    "citizen_bearer",
    "head_other_organ",
    "admin_other_organ",
    "locked",
    "cookie_after_reset",
    "key_after_reset",
    "rejected",
    "unconfirmed",
    "dpo",
)
# The accounts of the second table's callers that log in: actor -> (username, a staff member's roles and
# organ, or a citizen's identity number). act_key's account owns both keys; citizen_bearer sends its token.
MORE_ACCOUNTS: dict[str, tuple[str, tuple[list[str], str] | str]] = {
    "act_key": ("decisora.scripts", (["decision_maker"], "CAMARA")),
    "cookie_after_reset": ("decisor.reposto", (["decision_maker"], "CAMARA")),
    "head_other_organ": ("semae.dirigente", (["organ_head"], "SEMAE")),
    "admin_other_organ": ("semae.admin", (["administrator"], "SEMAE")),
    "citizen_bearer": ("carla.script", "100000029"),
    "locked": ("luis.bloqueado", "100000037"),
    "dpo": ("rgpd.matriz", (["encarregado_dados"], "CAMARA")),
}
# Who each new caller answers like, unless its row in MORE says otherwise.
LIKE = {
    "act_key": "decider",  # a CAMARA decision-maker's key (scope act): their powers, as a script
    "read_key": "decider",  # the same, scope read: GET only (every other method that needs a caller: 403)
    # a citizen of no process here, their session token as a Bearer token: it is their session, as the
    # cookie is (README: scripts may send it instead of the cookie), and never more than theirs
    "citizen_bearer": "citizen_b",
    "head_other_organ": "staff_other_organ",  # SEMAE's head
    "admin_other_organ": "staff_other_organ",  # SEMAE's administrator
    "locked": "anonymous",  # a citizen's session from before an administrator locked the account
    "cookie_after_reset": "anonymous",  # a CAMARA decision-maker's cookie from before their password reset
    "key_after_reset": "anonymous",  # ... and their API key
    "rejected": "registrant",  # a registrant whose registration staff rejected: a session that follows it
    "unconfirmed": "anonymous",  # a registrant who never confirmed the email: no session to be had
    # CAMARA's data protection officer: of the organ, no role that acts on processes; reads as the
    # auditor does there, and alone answers the GDPR requests
    "dpo": "auditor",
}
STAFF_CALLERS = STAFF_ACTORS + (
    "act_key",
    "read_key",
    "head_other_organ",
    "admin_other_organ",
    "key_after_reset",
    "dpo",
)


@dataclass
class World:
    """What the rows refer to: A's submitted process (awaiting a decision, with the representative
    named as its representante) and its document; A's submitted water-debt process (the same
    representante) on which the decision stage's rows ask, answer and sign; A's drafts (a generic one with its document
    uploaded, a water-debt one with an installment plan), everyone's user ids, an API key of the
    decision-maker's, a letter to post, two registrations awaiting validation (the registrant's and
    another's), one awaiting its email confirmation, spare accounts to lock, reset, re-address, and a
    colleague at CAMARA whose roles change."""

    submitted: str
    number: str
    stage: str
    document: str
    draft: str
    water_draft: str
    user_ids: dict[str, str]
    decider_key: str
    letter: str
    to_reject: str
    to_confirm: str
    spare: dict[str, str]
    attention: str = ""  # A's water-debt process whose workflow step failed (requer_atencao)
    failed_registration: str = ""  # a registration whose workflow step failed (workflow_attention)


Row = tuple[Callable[[World], str], Any, dict[str, Any]]


def _cells(
    anonymous: Any,
    citizen_a: Any,
    citizen_b: Any,
    representative: Any,
    staff_other_organ: Any,
    clerk: Any,
    decider: Any,
    head: Any,
    admin: Any,
    auditor: Any,
    *,
    registrant: Any = None,
    first_login: Any = None,
    new_staff: Any = None,
    provider: Any = None,
) -> dict[str, Any]:
    """One expected answer per caller. The narrow sessions (registrant, first login, new staff) are refused with
    403 wherever a full session is needed, and may call what anyone may; the provider is anonymous
    but for its own route: those are the defaults."""
    narrow = OK if anonymous == OK else 403
    return {
        "anonymous": anonymous,
        "provider": anonymous if provider is None else provider,
        "citizen_a": citizen_a,
        "citizen_b": citizen_b,
        "representative": representative,
        "registrant": narrow if registrant is None else registrant,
        "first_login": narrow if first_login is None else first_login,
        "new_staff": narrow if new_staff is None else new_staff,
        "staff_other_organ": staff_other_organ,
        "clerk": clerk,
        "decider": decider,
        "head": head,
        "admin": admin,
        "auditor": auditor,
    }


PUBLIC = _cells(OK, OK, OK, OK, OK, OK, OK, OK, OK, OK)
ANY_SESSION = _cells(401, OK, OK, OK, OK, OK, OK, OK, OK, OK, registrant=OK, first_login=OK, new_staff=OK)
FULL_SESSION = _cells(401, OK, OK, OK, OK, OK, OK, OK, OK, OK)
CITIZENS_ONLY = _cells(401, OK, OK, OK, 403, 403, 403, 403, 403, 403)
PARTIES_AND_ORGAN = _cells(401, OK, 404, OK, 404, OK, OK, OK, OK, OK)
OWNER_OF_DRAFT = _cells(401, OK, 404, 404, 404, 403, 403, 403, 403, 403)
STAFF_OF_ORGAN_READ = _cells(401, 403, 403, 403, 404, OK, OK, OK, OK, OK)
STAFF_ANY_ORGAN = _cells(401, 403, 403, 403, OK, OK, OK, OK, OK, OK)
REGISTRATION_VALIDATORS = _cells(401, 403, 403, 403, OK, OK, OK, OK, OK, 403)
ADMINISTRATORS = _cells(401, 403, 403, 403, 403, 403, 403, 403, OK, 403)
DPO_ONLY = _cells(401, 403, 403, 403, 403, 403, 403, 403, 403, 403)  # and the DPO (MORE): OK
# the decision stage: who asks the citizen (instruction), who decides, who answers
INSTRUCTING = _cells(401, 403, 403, 403, 403, OK, OK, OK, 403, 403)
DECIDING = _cells(401, 403, 403, 403, 403, 403, OK, OK, 403, 403)
CITIZENS_OF_PROCESS = _cells(401, OK, 404, OK, 404, 404, 404, 404, 404, 404)
MESSAGE_WRITERS = _cells(401, OK, 404, OK, 404, OK, OK, OK, OK, 403)


def _tasks(process_id: str) -> list[dict[str, Any]]:
    from chalicelib.decision.tasks import PendingTasks

    return sorted(PendingTasks().for_process(process_id), key=lambda t: t["created_at"])


def _settled(process_id: str) -> bool:
    """The decision stage is at rest: awaiting staff (with the workflow's token), or awaiting the
    citizen on an open task; not between the two (the workflow resuming after an answer)."""
    from chalicelib.platform import aws

    process = aws.table("processes").get_item(Key={"process_id": process_id})["Item"]
    if process["status"] == "em_apreciacao":
        return "decision_task_token" in process
    current = process.get("current_task_id")
    return bool(current) and any(t["task_id"] == current and t["status"] == "aberta" for t in _tasks(process_id))


def _ready_export(user_id: str) -> str:
    """A's export, once its builder has made it."""
    from chalicelib.views.exports import DataExports

    wait_for(lambda: any(e["status"] == "pronto" for e in DataExports().of(user_id)), timeout=SLOW)
    return next(e["export_id"] for e in DataExports().of(user_id) if e["status"] == "pronto")


_RIGHTS: dict[str, str] = {}


def _rights_request(w: World) -> str:
    """A GDPR request of A's (an objection), filed once for the rows that answer it."""
    from chalicelib.accounts.data_rights import DataRights

    if "id" not in _RIGHTS or _RIGHTS.get("user") != w.user_ids["citizen_a"]:
        filed = DataRights().file(w.user_ids["citizen_a"], {"kind": "oposicao", "grounds": "Não quero avisos por SMS."})
        _RIGHTS.update(id=filed["request_id"], user=w.user_ids["citizen_a"])
    return _RIGHTS["id"]


def _stage_action(suffix: str) -> Callable[[World], str]:
    """A staff action on the stage process, once the previous row's effect has settled."""

    def path(w: World) -> str:
        wait_for(lambda: _settled(w.stage), timeout=SLOW)
        return f"/api/staff/processes/{w.stage}/{suffix}"

    return path


def _task_path(suffix: str) -> Callable[[World], str]:
    """The citizen's side of the stage process's newest task."""
    return lambda w: f"/api/requests/{w.stage}/tasks/{_tasks(w.stage)[-1]['task_id']}/{suffix}"


def _plan(w: World) -> dict[str, Any]:
    from chalicelib.documents.store import Documents

    return next(d for d in Documents().list(w.stage) if d["slot"] == "plano_pagamento")


def _signed_plan(w: World) -> dict[str, Any]:
    from chalicelib.documents.store import Documents

    signed = next(t["signed_document_id"] for t in _tasks(w.stage) if t.get("signed_document_id"))
    return Documents().get(w.stage, signed)


# "METHOD /route" → (the concrete path for this world, the JSON body, the expected answer per caller).
# A string body names one made per call (``_body``).
MATRIX: dict[str, Row] = {
    # -- anyone --------------------------------------------------------------------------------------
    "GET /health": (lambda w: "/health", None, PUBLIC),
    "GET /api/deployment": (lambda w: "/api/deployment", None, PUBLIC),
    "GET /api/public/retention": (lambda w: "/api/public/retention", None, PUBLIC),
    "GET /openapi.json": (lambda w: "/openapi.json", None, PUBLIC),
    "GET /api/services": (lambda w: "/api/services?q=agua", None, PUBLIC),
    "GET /api/services/{service_id}": (lambda w: "/api/services/generico", None, PUBLIC),
    "POST /api/services/{service_id}/plan": (lambda w: "/api/services/agua-prestacoes/plan", {"fields": WATER}, PUBLIC),
    "GET /api/public/processes/{organ}/{year}/{sequence}": (
        lambda w: "/api/public/processes/" + w.number.replace(" ", "/"),
        None,
        PUBLIC,
    ),
    "POST /api/session": (lambda w: "/api/session", {"identifier": "ana.silva", "password": PASSWORD}, PUBLIC),
    "POST /api/staff/session": (lambda w: "/api/staff/session", "decider_password", PUBLIC),
    "POST /api/staff/session/code": (lambda w: "/api/staff/session/code", "fresh_login_code", PUBLIC),
    "POST /api/registrations": (lambda w: "/api/registrations", "new_registration", PUBLIC),
    "POST /api/registrations/confirmation": (
        lambda w: "/api/registrations/confirmation",
        "fresh_confirmation_link",
        PUBLIC,
    ),
    "POST /api/registrations/confirmation/resend": (
        lambda w: "/api/registrations/confirmation/resend",
        "unknown_email",
        PUBLIC,
    ),
    "POST /api/account/activation": (lambda w: "/api/account/activation", "fresh_activation", PUBLIC),
    "POST /api/password/recovery": (lambda w: "/api/password/recovery", "unknown_identifier", PUBLIC),
    "POST /api/password/reset": (lambda w: "/api/password/reset", "fresh_reset_link", PUBLIC),
    "POST /api/account/email/confirmation": (
        lambda w: "/api/account/email/confirmation",
        "fresh_email_change_link",
        PUBLIC,
    ),
    # -- the payment provider: its signature, never a session ----------------------------------------
    "POST /api/payments/multibanco/callback": (
        lambda w: "/api/payments/multibanco/callback",
        "fresh_payment_notice",
        _cells(
            401,
            401,
            401,
            401,
            401,
            401,
            401,
            401,
            401,
            401,
            registrant=401,
            first_login=401,
            new_staff=401,
            provider=OK,
        ),
    ),
    # -- who am I, and registrants -----------------------------------------------------------------
    "GET /api/me": (lambda w: "/api/me", None, ANY_SESSION),
    "GET /api/registration": (
        lambda w: "/api/registration",
        None,
        _cells(401, OK, OK, OK, 404, 404, 404, 404, 404, 404, registrant=OK),
    ),
    "POST /api/registration/documents": (
        lambda w: "/api/registration/documents",
        {"filename": "fatura.pdf", "content_type": "application/pdf"},
        _cells(401, 403, 403, 403, 403, 403, 403, 403, 403, 403, registrant=OK),
    ),
    "POST /api/account/phone": (
        lambda w: "/api/account/phone",
        {"phone": "+351 936 000 111"},
        _cells(401, OK, OK, OK, OK, OK, OK, OK, OK, OK, registrant=OK),
    ),
    "POST /api/account/phone/confirmation": (
        lambda w: "/api/account/phone/confirmation",
        "own_phone_code",
        _cells(401, OK, OK, OK, OK, OK, OK, OK, OK, OK, registrant=OK),
    ),
    # -- requests ------------------------------------------------------------------------------------
    "POST /api/requests": (lambda w: "/api/requests", GENERIC, CITIZENS_ONLY),
    "GET /api/requests": (lambda w: "/api/requests", None, FULL_SESSION),
    "GET /api/requests/{process_id}": (lambda w: f"/api/requests/{w.submitted}", None, PARTIES_AND_ORGAN),
    # who in the services read the process's data: its citizens' to know, staff read the audit trail
    "GET /api/requests/{process_id}/data-access": (
        lambda w: f"/api/requests/{w.submitted}/data-access",
        None,
        CITIZENS_OF_PROCESS,
    ),
    "PATCH /api/requests/{process_id}": (
        lambda w: f"/api/requests/{w.draft}",
        {"fields": {"subject": "Licença de ruído (arraial)"}},
        OWNER_OF_DRAFT,
    ),
    "GET /api/requests/{process_id}/plan": (
        lambda w: f"/api/requests/{w.water_draft}/plan",
        None,
        _cells(401, OK, 404, 404, 404, OK, OK, OK, OK, OK),
    ),
    "POST /api/requests/{process_id}/documents": (
        lambda w: f"/api/requests/{w.draft}/documents",
        {"slot": "anexo", "filename": "outro.pdf", "content_type": "application/pdf"},
        OWNER_OF_DRAFT,
    ),
    "GET /api/requests/{process_id}/documents/{document_id}": (
        lambda w: f"/api/requests/{w.submitted}/documents/{w.document}",
        None,
        PARTIES_AND_ORGAN,
    ),
    "POST /api/requests/{process_id}/submit": (lambda w: f"/api/requests/{w.draft}/submit", None, OWNER_OF_DRAFT),
    "GET /api/requests/{process_id}/documents/{document_id}/download": (
        lambda w: f"/api/requests/{w.submitted}/documents/{w.document}/download",
        None,
        PARTIES_AND_ORGAN,
    ),
    "GET /api/requests/{process_id}/receipt": (
        lambda w: f"/api/requests/{w.submitted}/receipt",
        None,
        PARTIES_AND_ORGAN,
    ),
    "GET /api/requests/{process_id}/receipt/verification": (
        lambda w: f"/api/requests/{w.submitted}/receipt/verification",
        None,
        PARTIES_AND_ORGAN,
    ),
    # -- staff: API keys -----------------------------------------------------------------------------
    "POST /api/staff/api-keys": (
        lambda w: "/api/staff/api-keys",
        {"label": "matriz", "scope": "read", "expires_in_days": 30},
        STAFF_ANY_ORGAN,
    ),
    "GET /api/staff/api-keys": (lambda w: "/api/staff/api-keys", None, STAFF_ANY_ORGAN),
    "DELETE /api/staff/api-keys/{key_id}": (
        lambda w: f"/api/staff/api-keys/{w.decider_key}",
        None,
        _cells(401, 403, 403, 403, 404, 404, OK, 404, OK, 404),
    ),
    # -- staff: processes ----------------------------------------------------------------------------
    "GET /api/staff/processes": (
        lambda w: "/api/staff/processes?organ=CAMARA",
        None,
        _cells(401, 403, 403, 403, 403, OK, OK, OK, OK, OK),
    ),
    "GET /api/staff/processes/{process_id}": (
        lambda w: f"/api/staff/processes/{w.submitted}",
        None,
        STAFF_OF_ORGAN_READ,
    ),
    "POST /api/staff/processes/{process_id}/claim": (
        lambda w: f"/api/staff/processes/{w.submitted}/claim",
        None,
        _cells(401, 403, 403, 403, 403, OK, OK, OK, 403, 403),
    ),
    "POST /api/staff/processes/{process_id}/assignment": (
        lambda w: f"/api/staff/processes/{w.submitted}/assignment",
        "assign_to_decider",
        _cells(401, 403, 403, 403, 403, 403, 403, OK, OK, 403),
    ),
    "POST /api/staff/processes/{process_id}/decision": (
        lambda w: f"/api/staff/processes/{w.submitted}/decision",
        {"decision": "deferido", "grounds": "Conforme."},
        _cells(401, 403, 403, 403, 403, 403, OK, OK, 403, 403),
    ),
    "POST /api/staff/processes/{process_id}/payment": (
        lambda w: f"/api/staff/processes/{w.submitted}/payment",
        "fee_paid_at_the_counter",
        _cells(401, 403, 403, 403, 403, OK, 403, OK, OK, 403),
    ),
    "POST /api/staff/processes/{process_id}/retry": (
        lambda w: f"/api/staff/processes/{w.attention}/retry",
        None,
        _cells(401, 403, 403, 403, 403, OK, OK, OK, OK, 403),
    ),
    "GET /api/staff/processes/{process_id}/notifications": (
        lambda w: f"/api/staff/processes/{w.submitted}/notifications",
        None,
        STAFF_OF_ORGAN_READ,
    ),
    # -- the decision stage, on the water-debt process: the plan signed, a pendência answered, the
    # prior hearing opened (each row waits until the previous one's effect has settled) ------------
    "POST /api/staff/processes/{process_id}/payment-plan": (_stage_action("payment-plan"), None, INSTRUCTING),
    "POST /api/staff/processes/{process_id}/signature-requests": (
        _stage_action("signature-requests"),
        "sign_the_plan",
        INSTRUCTING,
    ),
    "POST /api/requests/{process_id}/tasks/{task_id}/signature": (
        _task_path("signature"),
        {"password": PASSWORD, "accept_statement": True},
        CITIZENS_OF_PROCESS,
    ),
    "GET /api/public/signatures/{sha256}": (
        lambda w: f"/api/public/signatures/{_signed_plan(w)['sha256']}",
        None,
        PUBLIC,
    ),
    "POST /api/staff/processes/{process_id}/documents/{document_id}/signature": (
        lambda w: f"/api/staff/processes/{w.stage}/documents/{_signed_plan(w)['document_id']}/signature",
        {"password": PASSWORD, "accept_statement": True},
        _cells(401, 403, 403, 403, 404, 403, OK, OK, 403, 403),
    ),
    "POST /api/staff/processes/{process_id}/pending-tasks": (
        _stage_action("pending-tasks"),
        {"subject": "Última fatura da água", "working_days": 5},
        INSTRUCTING,
    ),
    "GET /api/pending-tasks": (lambda w: "/api/pending-tasks", None, FULL_SESSION),
    "POST /api/requests/{process_id}/tasks/{task_id}/documents": (
        _task_path("documents"),
        {"filename": "fatura.pdf", "content_type": "application/pdf"},
        CITIZENS_OF_PROCESS,
    ),
    "POST /api/requests/{process_id}/tasks/{task_id}/answer": (
        _task_path("answer"),
        {"text": "Segue a fatura em papel, por correio."},
        CITIZENS_OF_PROCESS,
    ),
    "POST /api/staff/processes/{process_id}/prior-hearing": (
        _stage_action("prior-hearing"),
        {"grounds": "Há prestações anteriores em atraso."},
        DECIDING,
    ),
    # -- messages, about the process and in general ---------------------------------------------------
    "GET /api/requests/{process_id}/messages": (lambda w: f"/api/requests/{w.stage}/messages", None, PARTIES_AND_ORGAN),
    "POST /api/requests/{process_id}/messages/attachments": (
        lambda w: f"/api/requests/{w.stage}/messages/attachments",
        {"filename": "foto.png", "content_type": "image/png"},
        MESSAGE_WRITERS,
    ),
    "POST /api/requests/{process_id}/messages": (
        lambda w: f"/api/requests/{w.stage}/messages",
        {"text": "Quando fica decidido?"},
        MESSAGE_WRITERS,
    ),
    "GET /api/messages/{organ}": (
        lambda w: f"/api/messages/CAMARA?citizen_id={w.user_ids['citizen_a']}",
        None,
        _cells(401, OK, OK, OK, 403, OK, OK, OK, OK, OK),
    ),
    "POST /api/messages/{organ}": (
        lambda w: "/api/messages/CAMARA",
        "general_message",
        _cells(401, OK, OK, OK, 403, OK, OK, OK, OK, 403),
    ),
    # -- view access granted by staff ("Processos liberados"): B is granted view of the stage process --
    "POST /api/staff/processes/{process_id}/view-access": (
        lambda w: f"/api/staff/processes/{w.stage}/view-access",
        {"identifier": "bruno"},
        INSTRUCTING,
    ),
    "GET /api/released-processes": (lambda w: "/api/released-processes", None, FULL_SESSION),
    "GET /api/released-processes/{process_id}": (
        lambda w: f"/api/released-processes/{w.stage}",
        None,
        _cells(401, 404, OK, 404, 404, 404, 404, 404, 404, 404),
    ),
    # the clerk revokes B's view; the decision-maker and the head find it revoked already (409)
    "DELETE /api/staff/processes/{process_id}/view-access/{grantee_id}": (
        lambda w: f"/api/staff/processes/{w.stage}/view-access/{w.user_ids['citizen_b']}",
        None,
        INSTRUCTING,
    ),
    # -- staff: notifications and letters ----------------------------------------------------------
    "GET /api/staff/accounts/{user_id}/notifications": (
        lambda w: f"/api/staff/accounts/{w.user_ids['citizen_a']}/notifications",
        None,
        _cells(401, 403, 403, 403, 403, 403, 403, 403, OK, OK),
    ),
    "GET /api/staff/letters": (
        lambda w: "/api/staff/letters",
        None,
        _cells(401, 403, 403, 403, OK, OK, OK, OK, OK, 403),
    ),
    "POST /api/staff/letters/{notification_id}/posted": (
        lambda w: f"/api/staff/letters/{w.letter}/posted",
        None,
        _cells(401, 403, 403, 403, 404, OK, OK, OK, OK, 403),
    ),
    # -- staff: registrations and accounts ---------------------------------------------------------
    "GET /api/staff/registrations": (lambda w: "/api/staff/registrations", None, REGISTRATION_VALIDATORS),
    "GET /api/staff/registrations/{user_id}": (
        lambda w: f"/api/staff/registrations/{w.user_ids['registrant']}",
        None,
        REGISTRATION_VALIDATORS,
    ),
    "POST /api/staff/registrations/{user_id}/approve": (
        lambda w: f"/api/staff/registrations/{w.user_ids['registrant']}/approve",
        None,
        REGISTRATION_VALIDATORS,
    ),
    "POST /api/staff/registrations/{user_id}/reject": (
        lambda w: f"/api/staff/registrations/{w.to_reject}/reject",
        {"reason": "O comprovativo tem mais de 6 meses."},
        REGISTRATION_VALIDATORS,
    ),
    "POST /api/staff/registrations/{user_id}/retry": (
        lambda w: f"/api/staff/registrations/{w.failed_registration}/retry",
        None,
        REGISTRATION_VALIDATORS,
    ),
    "POST /api/staff/accounts/{user_id}/lock": (
        lambda w: f"/api/staff/accounts/{w.spare['lock']}/lock",
        {"reason": "Uso indevido (teste)."},
        ADMINISTRATORS,
    ),
    "POST /api/staff/accounts/{user_id}/unlock": (
        lambda w: f"/api/staff/accounts/{w.spare['lock']}/unlock",
        {"reason": "Esclarecido."},
        ADMINISTRATORS,
    ),
    "POST /api/staff/accounts/{user_id}/password-reset": (
        lambda w: f"/api/staff/accounts/{w.spare['staff']}/password-reset",
        {"reason": "Pedido presencial."},
        ADMINISTRATORS,
    ),
    "POST /api/staff/accounts/{user_id}/roles": (
        lambda w: f"/api/staff/accounts/{w.spare['staff']}/roles",
        {"roles": ["clerk", "decision_maker"]},
        ADMINISTRATORS,
    ),
    # -- the caller's own account: its sessions, email, then password (which renews the session) ---
    "GET /api/account/sessions": (lambda w: "/api/account/sessions", None, FULL_SESSION),
    "GET /api/account/data-access": (lambda w: "/api/account/data-access", None, FULL_SESSION),
    # access and portability: each caller asks for their own export; only A downloads A's
    "POST /api/account/exports": (lambda w: "/api/account/exports", None, FULL_SESSION),
    "POST /api/account/rights-requests": (
        lambda w: "/api/account/rights-requests",
        {"kind": "oposicao", "grounds": "Oponho-me ao tratamento para fins estatísticos."},
        FULL_SESSION,
    ),
    "GET /api/account/rights-requests": (lambda w: "/api/account/rights-requests", None, FULL_SESSION),
    "GET /api/staff/rights-requests": (lambda w: "/api/staff/rights-requests", None, DPO_ONLY),
    "POST /api/staff/rights-requests/{request_id}/extension": (
        lambda w: f"/api/staff/rights-requests/{_rights_request(w)}/extension",
        {"justification": "Pedido que exige consulta a vários serviços."},
        DPO_ONLY,
    ),
    "POST /api/staff/rights-requests/{request_id}/decision": (
        lambda w: f"/api/staff/rights-requests/{_rights_request(w)}/decision",
        {"accepted": False, "answer": "O tratamento decorre de obrigação legal."},
        DPO_ONLY,
    ),
    "GET /api/account/exports": (lambda w: "/api/account/exports", None, FULL_SESSION),
    "GET /api/account/exports/{export_id}/download": (
        lambda w: f"/api/account/exports/{_ready_export(w.user_ids['citizen_a'])}/download",
        None,
        _cells(401, OK, 404, 404, 404, 404, 404, 404, 404, 404),
    ),
    "POST /api/account/sessions/ending": (
        lambda w: "/api/account/sessions/ending",
        {"password": PASSWORD},
        FULL_SESSION,
    ),
    "POST /api/account/email": (lambda w: "/api/account/email", "own_new_email", FULL_SESSION),
    "POST /api/account/password": (
        lambda w: "/api/account/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        FULL_SESSION,
    ),
    # -- the first login's code (it ends the narrow session and starts a full one) -----------------
    "POST /api/session/code": (
        lambda w: "/api/session/code",
        {"channel": "email"},
        _cells(401, 403, 403, 403, 403, 403, 403, 403, 403, 403, first_login=OK),
    ),
    "POST /api/session/code/verification": (
        lambda w: "/api/session/code/verification",
        "first_login_code",
        _cells(401, 403, 403, 403, 403, 403, 403, 403, 403, 403, first_login=OK),
    ),
    # -- a staff member's first login: the authenticator app's set-up (it ends the narrow session and
    # starts a full one) --------------------------------------------------------------------------
    "POST /api/staff/second-factor": (
        lambda w: "/api/staff/second-factor",
        None,
        _cells(401, 403, 403, 403, 403, 403, 403, 403, 403, 403, new_staff=OK),
    ),
    "POST /api/staff/second-factor/confirmation": (
        lambda w: "/api/staff/second-factor/confirmation",
        "enrolment_code",
        _cells(401, 403, 403, 403, 403, 403, 403, 403, 403, 403, new_staff=OK),
    ),
    # Last: it ends the caller's session.
    "DELETE /api/session": (lambda w: "/api/session", None, PUBLIC),
}

RENEWS_SESSION = {
    "POST /api/account/password",
    "POST /api/session/code/verification",
    "POST /api/staff/second-factor/confirmation",
}
# A login ends the session it came with and an account holds a bounded number of sessions
# (test_session_revocation.py): these rows are sent as from a fresh browser, without the caller's
# cookie, and the session each one starts is ended at once, so that no caller loses their own.
LOGS_IN = {"POST /api/session", "POST /api/staff/session/code"}

# The second table: where a new caller does not answer as the caller it is LIKE.
KEY_NEVER = 403  # what an API key gets where only a person logged in with password and code may act
MORE: dict[str, dict[str, Any]] = {
    "POST /api/registration/documents": {"rejected": 409},  # no proof for a registration already refused
    "POST /api/staff/api-keys": {"act_key": KEY_NEVER},
    "DELETE /api/staff/api-keys/{key_id}": {"act_key": 404},  # the other decision-maker's key
    "GET /api/released-processes/{process_id}": {"citizen_bearer": 404},  # granted to B, not to them
    "POST /api/staff/accounts/{user_id}/lock": {"admin_other_organ": OK},  # a citizen's account
    "POST /api/staff/accounts/{user_id}/unlock": {"admin_other_organ": OK},
    "POST /api/account/email": {"act_key": KEY_NEVER},
    "POST /api/account/password": {"act_key": KEY_NEVER},
    "POST /api/account/phone": {"act_key": KEY_NEVER, "rejected": 409},  # a rejected registration changes nothing
    "POST /api/account/phone/confirmation": {"act_key": KEY_NEVER},
    "GET /api/account/sessions": {"act_key": KEY_NEVER, "read_key": KEY_NEVER},
    "POST /api/account/exports": {"act_key": KEY_NEVER, "read_key": KEY_NEVER},
    "GET /api/account/exports": {"act_key": KEY_NEVER, "read_key": KEY_NEVER},
    "GET /api/account/exports/{export_id}/download": {"act_key": KEY_NEVER, "read_key": KEY_NEVER},
    "POST /api/account/sessions/ending": {"act_key": KEY_NEVER},
    "POST /api/account/rights-requests": {"act_key": KEY_NEVER},
    "GET /api/account/rights-requests": {"act_key": KEY_NEVER, "read_key": KEY_NEVER},
    "GET /api/staff/rights-requests": {"dpo": OK},
    # where the DPO, staff of CAMARA who is not an auditor, answers as its staff do: messages to the
    # citizens and the letters to post are any of the organ's staff's; an account's notification log
    # is the administrators' (and the auditor's)
    "POST /api/requests/{process_id}/messages/attachments": {"dpo": OK},
    "POST /api/requests/{process_id}/messages": {"dpo": OK},
    "POST /api/messages/{organ}": {"dpo": OK},
    # a citizen's notification log is the municipality's: any organ's administrator reads it
    "GET /api/staff/accounts/{user_id}/notifications": {"dpo": 403, "admin_other_organ": OK},
    "GET /api/staff/letters": {"dpo": OK},
    "POST /api/staff/letters/{notification_id}/posted": {"dpo": OK},
    "POST /api/staff/rights-requests/{request_id}/extension": {"dpo": OK},
    "POST /api/staff/rights-requests/{request_id}/decision": {"dpo": OK},
}


def _expected(key: str, actor: str) -> Any:
    """The answer ``actor`` must get on the row ``key``: its cell in MATRIX, or in MORE, or that of the
    caller it is LIKE (a read-only key reaches no action that needs a caller)."""
    cells = MATRIX[key][2]
    if actor in cells:
        return cells[actor]
    if actor in MORE.get(key, {}):
        return MORE[key][actor]
    if actor == "read_key" and not key.startswith("GET ") and cells["anonymous"] == 401 != cells["decider"]:
        return 403
    return cells[LIKE[actor]]


def _app_routes() -> set[str]:
    import app as balcao

    return {f"{method} {path}" for path, methods in balcao.app.routes.items() for method in methods}


def test_every_route_of_the_app_has_a_row_and_every_row_a_route() -> None:
    routes = _app_routes()
    missing = sorted(routes - MATRIX.keys())
    stale = sorted(MATRIX.keys() - routes)
    assert not missing, f"routes without a row in MATRIX (say who may call them): {missing}"
    assert not stale, f"rows for routes the app no longer has: {stale}"
    for key, (_path, _body, cells) in MATRIX.items():
        assert set(cells) == set(ACTORS), f"{key}: one cell per caller"


def test_the_second_table_names_rows_of_the_first_and_only_new_callers() -> None:
    assert set(LIKE) == set(MORE_ACTORS) and set(LIKE.values()) <= set(ACTORS)
    for key, cells in MORE.items():
        assert key in MATRIX, f"MORE: {key} is not a row of MATRIX"
        assert set(cells) <= set(MORE_ACTORS), (
            f"MORE[{key}]: {sorted(set(cells) - set(MORE_ACTORS))} are not new callers"
        )


# -- the world ------------------------------------------------------------------------------------
def _login(client: Any, identifier: str, staff: bool, password: str = PASSWORD) -> tuple[str, str]:
    """The caller's session cookie and user id."""
    from tests.support.api import Api

    api = Api(client)
    api.login(identifier, password, staff=staff)
    assert api.cookie
    return api.cookie, api.call("GET", "/api/me").data["user"]["user_id"]


def _enrolling(client: Any, identifier: str) -> tuple[str, str]:
    """A staff member at their first login, past the emailed code: a session that only sets the
    authenticator app up."""
    from local import outbox
    from tests.support.api import Api
    from tests.support.outbox import staff_login_code

    api = Api(client)
    seen = {m["message_id"] for m in outbox.messages()}
    challenge = api.call("POST", "/api/staff/session", {"identifier": identifier, "password": PASSWORD}).data
    code = staff_login_code(challenge, seen)
    opened = api.call("POST", "/api/staff/session/code", {"challenge_id": challenge["challenge_id"], "code": code})
    assert opened.data["scope"] == "enrolment", opened.body
    return api.cookie, opened.data["user"]["user_id"]


def _accounts(demo: dict[str, Any]) -> dict[str, str]:
    """The accounts the demo data lacks; returns the spare accounts' user ids by purpose."""
    from chalicelib.accounts.users import Accounts
    from chalicelib.platform.audit import Actor

    accounts = Accounts()
    create = {"password": demo["password"], "actor": Actor("test")}
    accounts.create(
        kind="citizen",
        name="Bruno Costa",
        email="bruno@example.pt",
        username="bruno",
        identity_number="100000002",
        **create,
    )
    accounts.create(
        kind="citizen",
        name="Rita Mandatária",
        email="rita@example.pt",
        username="rita.mandataria",
        identity_number="100000010",
        **create,
    )
    accounts.create(
        kind="citizen",
        name="Inês Primeira",
        email="ines@example.pt",
        username="ines.primeira",
        extra={"first_login_pending": True},
        **create,
    )
    add_staff("semae.decisor", demo["password"], ["decision_maker"])
    spare = {
        purpose: accounts.create(
            kind="citizen",
            name=f"Conta {purpose}",
            email=f"{purpose}@example.pt",
            username=f"conta.{purpose}",
            **create,
        ).user_id
        for purpose in ("lock", "reset", "email")
    }
    add_staff("nova.colega", demo["password"], ["clerk"], organ="CAMARA", email="nova@municipio-demo.pt")
    for username, kind in MORE_ACCOUNTS.values():  # the second table's
        if isinstance(kind, tuple):
            roles, organ = kind
            add_staff(
                username, demo["password"], roles, organ=organ, email=f"{username}@municipio-demo.pt", name=username
            )
        else:
            accounts.create(
                kind="citizen",
                name=username,
                email=f"{username}@example.pt",
                username=username,
                identity_number=kind,
                **create,
            )
    spare["staff"] = add_staff(
        "colega", demo["password"], ["clerk"], organ="CAMARA", email="colega@municipio-demo.pt", name="Colega"
    )
    return spare


def _world(client: Any, cookies: dict[str, str | None], user_ids: dict[str, str], spare: dict[str, str]) -> World:
    citizen = _as(client, cookies["citizen_a"])
    draft = citizen.call("POST", "/api/requests", GENERIC).data["process_id"]
    slot = citizen.call(
        "POST",
        f"/api/requests/{draft}/documents",
        {"slot": "anexo", "filename": "anexo.pdf", "content_type": "application/pdf"},
    ).data
    assert upload(slot, small_pdf()) in (200, 201, 204)
    water_draft = citizen.call("POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": WATER}).data[
        "process_id"
    ]

    # A names Rita as representante (a gestor de negócios needs no proof): her account sees it once submitted.
    representante = {"name": "Rita Mandatária", "identity_number": "100000010", "quality": "gestor_negocios"}
    created = citizen.call("POST", "/api/requests", {**GENERIC, "representante": representante})
    assert created.status_code == 201, created.body
    submitted = created.data["process_id"]
    doc = citizen.call(
        "POST",
        f"/api/requests/{submitted}/documents",
        {"slot": "anexo", "filename": "anexo.pdf", "content_type": "application/pdf"},
    ).data
    assert upload(doc, small_pdf()) in (200, 201, 204)
    answer = citizen.call("POST", f"/api/requests/{submitted}/submit")
    assert answer.status_code == 200, answer.body
    wait_for(lambda: citizen.call("GET", f"/api/requests/{submitted}").data["status"] == "em_apreciacao", timeout=SLOW)

    key = (
        _as(client, cookies["decider"])
        .call("POST", "/api/staff/api-keys", {"label": "a revogar", "scope": "act", "expires_in_days": 30})
        .data["key_id"]
    )
    stage = citizen.call(
        "POST", "/api/requests", {"service_id": "agua-prestacoes", "fields": WATER, "representante": representante}
    ).data["process_id"]
    assert citizen.call("POST", f"/api/requests/{stage}/submit").status_code == 200
    wait_for(lambda: _settled(stage), timeout=SLOW)
    attention = process_needing_attention(citizen, representante)
    failed_registration = registration_needing_attention()
    return World(
        submitted,
        answer.data["number"],
        stage,
        doc["document_id"],
        draft,
        water_draft,
        user_ids,
        key,
        _letter(submitted),
        to_reject=registered("200000012", "rejeitar@example.pt", "Rui Rejeitado", True),
        to_confirm=registered("200000020", "confirmar@example.pt", "Rosa Confirmada", False),
        spare=spare,
        attention=attention,
        failed_registration=failed_registration,
    )


def _letter(process_id: str) -> str:
    """A letter of the process queued for CAMARA to post (as for a requerente without electronic
    consent)."""
    from chalicelib.notifications.delivery import Notifier
    from chalicelib.notifications.templates import LETTER, MESSAGES

    item = Notifier().send(
        LETTER,
        "Ana Silva\nRua do Comércio, 1\n4600-000 Amarante",
        "submission_receipt",
        MESSAGES["submission_receipt"].sample,
        key=f"matrix#{process_id}",
        process_id=process_id,
        organ="CAMARA",
    )
    return item["notification_id"]


# -- bodies made per call -------------------------------------------------------------------------
_serial = itertools.count(1)


def _pending_fee(process_id: str) -> dict[str, Any]:
    """A fee due on the process, with a new Multibanco reference (as submission issues one): what the
    payment rows pay."""
    from chalicelib.platform import aws
    from chalicelib.processes.fees import new_reference

    payment = new_reference(aws.table("counters"), FEE_CENTS)
    aws.table("processes").update_item(
        Key={"process_id": process_id},
        UpdateExpression="SET payment = :p, payment_reference = :r",
        ExpressionAttributeValues={":p": payment, ":r": payment["reference"]},
    )
    return payment


def _window_over(limit_key: str) -> None:
    """The rate limit ``limit_key`` (chalicelib.accounts.credentials.RateLimit) as if its window were over."""
    from chalicelib.platform import aws

    aws.table("account_tokens").delete_item(Key={"pk": f"RATE#{limit_key}"})


def _body(body: Any, world: World, actor: str) -> Any:
    """The row's body; a string names one made for this call: a fresh link, code or challenge, so that
    each allowed caller has something to spend."""
    if not isinstance(body, str):
        return body
    from chalicelib.accounts.credentials import Codes, OneTimeLinks
    from chalicelib.accounts.users import Accounts

    n = next(_serial)
    if body == "sign_the_plan":
        return {"subject": "Plano de pagamento em prestações", "document_id": _plan(world)["document_id"]}
    if body == "general_message":
        return {
            "text": "Bom dia, uma dúvida sobre a fatura.",
            **({"citizen_id": world.user_ids["citizen_a"]} if actor in STAFF_CALLERS else {}),
        }
    if body == "assign_to_decider":
        return {"assignee_id": world.user_ids["decider"]}
    if body in ("fresh_login_code", "decider_password"):
        # each caller's challenge as if 15 minutes after the previous one: challenges are limited per account
        _window_over(f"staff-challenge:{world.user_ids['decider']}")
    if body == "decider_password":
        return {"identifier": "decisor", "password": PASSWORD}
    if body == "fresh_login_code":
        from chalicelib.accounts.staff_auth import LoginCodes
        from chalicelib.platform import aws
        from tests.support.second_factor import app_code

        challenge = LoginCodes().issue(Accounts().get(world.user_ids["decider"]), None)
        return {"challenge_id": challenge["challenge_id"], "code": app_code(aws.table("users"), "decisor")}
    if body == "enrolment_code":
        from tests.support.second_factor import enrolment_code

        pending = Accounts().get_item(world.user_ids["new_staff"]).get("totp_pending")
        return {"code": enrolment_code(pending) if pending and actor == "new_staff" else "000000"}
    if body == "new_registration":
        _window_over("registration:127.0.0.1")  # as if an hour later: registrations are limited per address
        return registration("200000039", "nova.pessoa@example.pt", "Nova Pessoa").model_dump()
    if body == "fresh_confirmation_link":
        return {"token": OneTimeLinks().issue("email_confirmation", world.to_confirm, 3600)}
    if body == "unknown_email":
        return {"email": f"ninguem{n}@example.pt"}
    if body == "unknown_identifier":
        return {"identifier": f"ninguem{n}"}
    if body == "fresh_activation":
        return awaiting_activation(n, PASSWORD, NEW_PASSWORD)
    if body == "fresh_reset_link":
        return {
            "token": OneTimeLinks().issue(
                "password_reset",
                world.spare["reset"],
                1800,
                epoch=Accounts().get(world.spare["reset"]).credential_epoch,
            ),
            "new_password": NEW_PASSWORD,
        }
    if body == "fresh_email_change_link":
        account = Accounts().get(world.spare["email"])
        return {
            "token": OneTimeLinks().issue(
                "email_change",
                world.spare["email"],
                3600,
                epoch=account.credential_epoch,
                new_email=f"mudou{n}@example.pt",
                old_email=account.email,
            )
        }
    if body == "fresh_payment_notice":
        payment = _pending_fee(world.submitted)
        return {
            "entity": payment["entity"],
            "reference": payment["reference"],
            "amount_eur": "10.00",
            "transaction_id": f"TX-{n}",
        }
    if body == "fee_paid_at_the_counter":
        _pending_fee(world.submitted)
        return {"amount_eur": "10.00", "method": "numerario"}
    if body == "own_phone_code":
        user_id = world.user_ids.get(actor, "ninguem")
        return {"code": Codes().issue(user_id, "phone", "sms", target="+351936000111")}
    if body == "own_new_email":
        return {"password": PASSWORD, "new_email": f"{actor}.{n}@example.pt"}
    if body == "first_login_code":
        return {"code": Codes().issue(world.user_ids["first_login"], "first_login", "email")}
    raise AssertionError(f"no body named {body!r}")


def _headers(actor: str, credential: dict[str, str], raw: str | None) -> dict[str, str]:
    """The call's headers: the caller's credential (its cookie, or its Bearer token) and, for the
    provider, its signature of the body."""
    headers = {"content-type": "application/json", "x-balcao-csrf": "1", **credential}  # as the web form sends them
    if actor == "provider":
        from chalicelib.payments.recording import sign

        headers["x-balcao-signature"] = sign(CALLBACK_SECRET, (raw or "").encode())
    return headers


def _as(client: Any, cookie: str | None) -> Any:
    """An Api that calls with ``cookie``."""
    from tests.support.api import Api

    api = Api(client)
    api.cookie = cookie
    return api


def _api_key(client: Any, cookie: str | None, scope: str) -> dict[str, str]:
    made = _as(client, cookie).call(
        "POST", "/api/staff/api-keys", {"label": scope, "scope": scope, "expires_in_days": 1}
    )
    assert made.status_code == 201, made.body
    return {"authorization": f"Bearer {made.data['api_key']}"}


def _more_callers(client: Any, cookies: dict[str, str | None], user_ids: dict[str, str]) -> dict[str, dict[str, str]]:
    """The second table's callers, each with the credential it holds (an old one proved to have worked
    before it was ended); their user ids go into ``user_ids``."""
    held = {actor: {"cookie": cookie} if cookie else {} for actor, cookie in cookies.items()}
    held["act_key"] = _api_key(client, cookies["act_key"], "act")
    held["read_key"], user_ids["read_key"] = _api_key(client, cookies["act_key"], "read"), user_ids["act_key"]
    held["citizen_bearer"] = {"authorization": f"Bearer {str(cookies['citizen_bearer']).split('=', 1)[1]}"}
    held["key_after_reset"] = _api_key(client, cookies["cookie_after_reset"], "act")

    # The locked account's and the reset one's credentials worked, then an administrator ended them.
    admin = _as(client, cookies["admin"])
    for actor, check in (
        ("locked", "/api/me"),
        ("cookie_after_reset", "/api/staff/processes"),
        ("key_after_reset", "/api/staff/processes"),
    ):
        assert client.http.get(check, headers=held[actor]).status_code == 200, actor
    locked = admin.call("POST", f"/api/staff/accounts/{user_ids['locked']}/lock", {"reason": "Uso indevido."})
    reset = admin.call(
        "POST", f"/api/staff/accounts/{user_ids['cookie_after_reset']}/password-reset", {"reason": "Pedido presencial."}
    )
    assert locked.status_code == reset.status_code == 200, (locked.body, reset.body)

    # A registration rejected by staff: its password still opens a session that only follows it.
    rejected = registered("200000047", "recusado@example.pt", "Rui Recusado", True)
    refused = _as(client, cookies["clerk"]).call(
        "POST", f"/api/staff/registrations/{rejected}/reject", {"reason": "O comprovativo não é legível."}
    )
    assert refused.status_code == 200, refused.body
    held["rejected"] = {"cookie": _login(client, "recusado@example.pt", False, REGISTRATION_PASSWORD)[0]}
    user_ids["rejected"] = rejected
    # A registration never confirmed: its password opens nothing.
    user_ids["unconfirmed"] = registered("200000055", "nunca.confirmou@example.pt", "Nuno Nunca", False)
    attempt = {"identifier": "nunca.confirmou@example.pt", "password": REGISTRATION_PASSWORD}
    assert _as(client, None).call("POST", "/api/session", attempt).status_code == 401
    held["unconfirmed"] = {}
    return held


def test_every_route_answers_every_caller_as_the_matrix_says(make_api: Any, client: Any, demo: dict[str, Any]) -> None:
    """Both tables in one pass over the rows: every caller of a row, the first table's then the
    second's, before the next row changes the world."""
    spare = _accounts(demo)
    registrant_id = registered("200000004", "rui.registado@example.pt", "Rui Registado", True)
    logins = {
        "citizen_a": ("ana.silva", False, PASSWORD),
        "citizen_b": ("bruno", False, PASSWORD),
        "representative": ("rita.mandataria", False, PASSWORD),
        "registrant": ("rui.registado@example.pt", False, REGISTRATION_PASSWORD),
        "first_login": ("ines.primeira", False, PASSWORD),
        "staff_other_organ": ("semae.decisor", True, PASSWORD),
        "clerk": ("atendimento", True, PASSWORD),
        "decider": ("decisor", True, PASSWORD),
        "head": ("dirigente", True, PASSWORD),
        "admin": ("administrador", True, PASSWORD),
        "auditor": ("auditor", True, PASSWORD),
    }
    logins.update({actor: (name, isinstance(kind, tuple), PASSWORD) for actor, (name, kind) in MORE_ACCOUNTS.items()})
    cookies: dict[str, str | None] = {"anonymous": None, "provider": None}
    user_ids: dict[str, str] = {}
    for actor, (identifier, staff, password) in logins.items():
        cookies[actor], user_ids[actor] = _login(client, identifier, staff, password)
    cookies["new_staff"], user_ids["new_staff"] = _enrolling(client, "nova.colega")
    assert user_ids["registrant"] == registrant_id
    world = _world(client, cookies, user_ids, spare)
    held = _more_callers(client, cookies, user_ids)

    wrong: list[str] = []
    for key, (path_for, body, _) in MATRIX.items():
        method = key.split(" ", 1)[0]
        got_2xx = False
        for actor in ACTORS + MORE_ACTORS:
            made = _body(body, world, actor)
            raw = json.dumps(made) if made is not None else None
            credential = {} if key in LOGS_IN else held[actor]
            response = getattr(client.http, method.lower())(
                path_for(world), headers=_headers(actor, credential, raw), body=raw
            )
            status = response.status_code
            expected = _expected(key, actor)
            if expected == OK:
                passed = 200 <= status < 300 or status == 409
                got_2xx = got_2xx or 200 <= status < 300
            else:
                passed = status == expected
                if passed and status >= 400:
                    passed = bool(json.loads(response.body)["error"]["message"])
            if not passed:
                wrong.append(f"{key} as {actor}: expected {expected}, got {status} {response.body[:200]!r}")
            set_cookie = session_set_cookie(response)
            if key in RENEWS_SESSION and 200 <= status < 300 and set_cookie:
                token = set_cookie.split(";", 1)[0]
                # a script keeps the new token as it sent the old one
                bearer = "authorization" in held[actor]
                held[actor] = {"authorization": f"Bearer {token.split('=', 1)[1]}"} if bearer else {"cookie": token}
            if key in LOGS_IN and 200 <= status < 300 and set_cookie:
                client.http.delete(
                    "/api/session", headers=_headers(actor, {"cookie": set_cookie.split(";", 1)[0]}, None)
                )
        if not got_2xx:
            wrong.append(f"{key}: no caller got a 2xx, so the row proves no allowed call")
    assert not wrong, "\n".join(wrong)
