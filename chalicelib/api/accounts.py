"""Routes for citizens' accounts: registration, email confirmation, proof upload, activation,
first-login code, password recovery, changes of password, email and phone; and, for staff, the
validation of registrations (``/api/staff/registrations/...``) and the locking of accounts. Staff
routes take a staff session (password + emailed code) or API key (``routes.staff()``), and their
actions an ``Idempotency-Key`` header (``@routes.idempotent``)."""

from __future__ import annotations

from typing import Any

from chalicelib.api.common import (
    Routes,
    account_settings,
    accounts,
    data_access,
    registrations,
    sessions,
    validations,
)
from chalicelib.api.http import json_response, session_cookie

routes = Routes(__name__)

REGISTERED = (
    "Registo recebido. Se os dados estiverem corretos, enviámos um email com uma ligação para confirmar o "
    "endereço (válida 24 horas). Se já tiver conta, receberá um aviso nesse email."
)


def _new_session(user: Any) -> dict[str, str]:
    token, lifetime = sessions().start(user, routes.ip(), user_agent=routes.user_agent())
    return {"Set-Cookie": session_cookie(token, lifetime)}


# -- registration -----------------------------------------------------------------------------------
@routes.route("/api/registrations", methods=["POST"])
@routes.api
def register() -> Any:
    """Anyone: register a person or a company. The answer is the same whether or not the identity
    number or email already has an account (its owner is emailed instead)."""
    registrations().register(routes.body("Registration"), routes.ip())
    return json_response({"message": REGISTERED}, status=202)


@routes.route("/api/registrations/confirmation", methods=["POST"])
@routes.api
def confirm_registration_email() -> Any:
    """Anyone holding the emailed link: confirm the email; the registration goes to staff."""
    return json_response(registrations().confirm_email(routes.body("LinkToken").token, routes.ip()))


@routes.route("/api/registrations/confirmation/resend", methods=["POST"])
@routes.api
def resend_registration_email() -> Any:
    """Anyone: send the confirmation link again (at most 3 an hour per address; same answer always)."""
    registrations().resend_confirmation(routes.body("EmailAddress").email, routes.ip())
    return json_response(
        {"message": "Se houver um registo por confirmar com este email, enviámos nova ligação."}, status=202
    )


@routes.route("/api/registration", methods=["GET"])
@routes.api
def my_registration() -> Any:
    """The registrant (a session of any scope but the code's): where the registration stands."""
    session = routes.caller(scopes=("registration", "full"))
    return json_response(registrations().status(session.user_id))


@routes.route("/api/registration/documents", methods=["POST"])
@routes.api
def registration_proof_upload() -> Any:
    """The registrant, while awaiting validation: a presigned POST for the proof (PDF) straight to S3."""
    session = routes.caller(scopes=("registration",))
    body = routes.body("ProofUpload")
    return json_response(
        registrations().proof_slot(session.user_id, body.filename, body.content_type, routes.ip()), status=201
    )


@routes.route("/api/account/activation", methods=["POST"])
@routes.api
def activate() -> Any:
    """Anyone holding the emailed activation password: set the new password (once)."""
    body = routes.body("Activation")
    registrations().activate(body.identifier, body.activation_password, body.new_password, routes.ip())
    return json_response({"activated": True, "next": "Inicie sessão com a nova palavra-passe."})


# -- first-login confirmation code ------------------------------------------------------------------
@routes.route("/api/session/code", methods=["POST"])
@routes.api
def send_login_code() -> Any:
    """The holder of a first-login session: send the 6-digit code by email or SMS (confirmed phone)."""
    session = routes.caller(scopes=("code",))
    return json_response(account_settings().send_login_code(session.user_id, routes.body("CodeChannel").channel))


@routes.route("/api/session/code/verification", methods=["POST"])
@routes.api
def verify_login_code() -> Any:
    """The holder of a first-login session: enter the code; a right one gives a full session (new token)."""
    from chalicelib.api.http import session_token

    session = routes.caller(scopes=("code",))
    user = account_settings().confirm_login_code(session.user_id, routes.body("Code").code, routes.ip())
    sessions().end(session_token(routes.headers()), routes.ip())
    return json_response({"user": user.public(), "scope": "full"}, headers=_new_session(user))


# -- recovery and changes -----------------------------------------------------------------------------
@routes.route("/api/password/recovery", methods=["POST"])
@routes.api
def recover_password() -> Any:
    """Anyone: email a 30-minute link to set a new password (same answer whether the account exists)."""
    account_settings().request_recovery(routes.body("Identifier").identifier, routes.ip())
    return json_response(
        {"message": "Se existir uma conta com estes dados, enviámos uma ligação para o seu email."}, status=202
    )


@routes.route("/api/password/reset", methods=["POST"])
@routes.api
def reset_password() -> Any:
    """Anyone holding the emailed link: set a new password; every session ends."""
    body = routes.body("PasswordReset")
    account_settings().reset_password(body.token, body.new_password, routes.ip())
    return json_response({"changed": True})


@routes.route("/api/account/password", methods=["POST"])
@routes.api
def change_password() -> Any:
    """The logged-in account holder (not with an API key): change the password (the current one
    required); every session ends and this caller gets a new one."""
    session = routes.holder()
    body = routes.body("PasswordChange")
    account_settings().change_password(session.user_id, body.current_password, body.new_password, routes.ip())
    return json_response({"changed": True}, headers=_new_session(accounts().get(session.user_id)))


@routes.route("/api/account/email", methods=["POST"])
@routes.api
def change_email() -> Any:
    """The logged-in account holder (not with an API key), with the password again: ask to change the
    email; a link goes to the new address and the old one is told."""
    session = routes.holder()
    body = routes.body("EmailChange")
    return json_response(
        account_settings().request_email_change(session.user_id, body.password, body.new_email, routes.ip()), status=202
    )


@routes.route("/api/account/email/confirmation", methods=["POST"])
@routes.api
def confirm_email_change() -> Any:
    """Anyone holding the link sent to the new address: the change takes effect; the old address is told."""
    return json_response(account_settings().confirm_email_change(routes.body("LinkToken").token, routes.ip()))


@routes.route("/api/account/phone", methods=["POST"])
@routes.api
def change_phone() -> Any:
    """The logged-in account holder (or a registrant awaiting validation; not with an API key): an SMS
    code to the phone."""
    session = routes.holder(scopes=("full", "registration"))
    return json_response(
        account_settings().request_phone_change(session.user_id, routes.body("PhoneChange").phone), status=202
    )


@routes.route("/api/account/phone/confirmation", methods=["POST"])
@routes.api
def confirm_phone() -> Any:
    """The logged-in account holder (or a registrant awaiting validation; not with an API key) who asked
    for the code: the SMS code confirms the phone (which may then receive login codes)."""
    session = routes.holder(scopes=("full", "registration"))
    return json_response(account_settings().confirm_phone(session.user_id, routes.body("Code").code, routes.ip()))


# -- one's open sessions ------------------------------------------------------------------------------
@routes.route("/api/account/sessions", methods=["GET"])
@routes.api
def my_sessions() -> Any:
    """The logged-in account holder: the account's open sessions, newest first (when each started and
    was last used, from which address and browser), the caller's own marked ``current``."""
    session = routes.holder()
    return json_response({"sessions": sessions().of_account(session.user_id, session.token_hash)})


@routes.route("/api/account/data-access", methods=["GET"])
@routes.api
def my_data_access() -> Any:
    """The logged-in citizen: who in the services read my account's or my processes' data (role and
    organ), when and what; newest first."""
    return json_response({"reads": data_access().for_citizen(routes.caller().user_id)})


# -- access and portability: everything held about me, in one zip ----------------------------------
def _exports() -> Any:
    from chalicelib.views.exports import DataExports

    return DataExports()


@routes.route("/api/account/exports", methods=["POST"])
@routes.api
def request_export() -> Any:
    """The account holder (their own session, never an API key): prepare a download of everything held
    about me (account, processes with their fields, timeline, documents, messages, notifications,
    consents, audit events, who read my data) as JSON with the documents in one zip; built in the
    background (202; 409 while one is being prepared). Audited."""
    session = routes.holder()
    return json_response(_exports().request(session.user_id, routes.ip()), status=202)


@routes.route("/api/account/exports", methods=["GET"])
@routes.api
def my_exports() -> Any:
    """The account holder: my exports, newest first, each ``a_preparar``, ``pronto`` or ``falhou``, kept
    7 days."""
    return json_response({"exports": _exports().of(routes.holder().user_id)})


@routes.route("/api/account/exports/{export_id}/download", methods=["GET"])
@routes.api
def download_export(export_id: str) -> Any:
    """The account holder: a link to my ready export, valid a few minutes (404 for anyone else's, 409
    while it is being prepared). Each download audited."""
    return json_response(_exports().download(routes.holder().user_id, export_id, routes.ip()))


@routes.route("/api/account/sessions/ending", methods=["POST"])
@routes.api
def end_other_sessions() -> Any:
    """The logged-in account holder, with the password again: end every other session of the account
    (a computer left logged in, a lost phone), or only the one ``session_id`` names; the caller's own
    stays. Audited."""
    session = routes.holder()
    body = routes.body("SessionsEnding")
    account_settings().auth.check_password(session.user_id, body.password, routes.ip())
    ended = sessions().end_others(session.user_id, session.token_hash, routes.ip(), body.session_id)
    return json_response({"ended": ended})


# -- staff: validation of registrations, locking ------------------------------------------------------
@routes.route("/api/staff/registrations", methods=["GET"])
@routes.api
def staff_registrations() -> Any:
    """Clerks, decision-makers, heads and administrators of any organ (not auditors): registrations
    awaiting validation, oldest first, with the proof's pre-check; the reading is audited, and
    recorded for each registrant listed ("who saw my data")."""
    session = routes.staff()
    queue, read = validations().queue(session, routes.ip())
    user_ids = [registration["user_id"] for registration in queue]
    data_access().accounts_read(session, user_ids, "registration_queue", routes.ip(), also=(read,))
    return json_response({"registrations": queue})


@routes.route("/api/staff/registrations/{user_id}", methods=["GET"])
@routes.api
def staff_registration(user_id: str) -> Any:
    """Clerks, decision-makers, heads and administrators of any organ (not auditors): one registration
    awaiting validation, with its proofs (404 once decided); the reading and the links are audited,
    and recorded for the registrant ("who saw my data")."""
    session = routes.staff()
    registration = validations().view(user_id, session, routes.ip())
    data_access().account_read(session, user_id, "registration", routes.ip())
    return json_response(registration)


@routes.route("/api/staff/registrations/{user_id}/approve", methods=["POST"])
@routes.api
@routes.idempotent
def staff_approve_registration(user_id: str) -> Any:
    """Clerks, decision-makers, heads and administrators of any organ (not auditors): approve; the
    citizen is emailed a username and an activation password."""
    return json_response(validations().approve(user_id, routes.staff(), routes.ip()))


@routes.route("/api/staff/registrations/{user_id}/reject", methods=["POST"])
@routes.api
@routes.idempotent
def staff_reject_registration(user_id: str) -> Any:
    """Clerks, decision-makers, heads and administrators of any organ (not auditors): reject with a
    reason, which is emailed to the citizen."""
    session = routes.staff()
    return json_response(validations().reject(user_id, session, routes.body("Reason").reason, routes.ip()))


def _administration() -> Any:
    from chalicelib.accounts.administration import Administration

    return Administration()


@routes.route("/api/staff/accounts/{user_id}/lock", methods=["POST"])
@routes.api
@routes.idempotent
def staff_lock_account(user_id: str) -> Any:
    """Administrators, of citizens' accounts and of their own organ's staff (never auditors, nor the
    organ's last active administrator): lock an active account, with a reason; its sessions and API
    keys end."""
    session = routes.staff()
    item = _administration().lock(user_id, session, routes.body("Reason").reason, routes.ip())
    return json_response({"user_id": user_id, "status": item["status"]})


@routes.route("/api/staff/accounts/{user_id}/unlock", methods=["POST"])
@routes.api
@routes.idempotent
def staff_unlock_account(user_id: str) -> Any:
    """Administrators, of citizens' accounts and of their own organ's staff: unlock a locked account,
    with a reason."""
    session = routes.staff()
    item = _administration().unlock(user_id, session, routes.body("Reason").reason, routes.ip())
    return json_response({"user_id": user_id, "status": item["status"]})


@routes.route("/api/staff/accounts/{user_id}/roles", methods=["POST"])
@routes.api
@routes.idempotent
def staff_set_roles(user_id: str) -> Any:
    """Administrators of the staff member's organ: give new roles (not the auditor's; the organ's
    last active administrator keeps that role); every session and API key of the account ends."""
    session = routes.staff()
    item = _administration().set_roles(user_id, routes.body("RoleChange").roles, session, routes.ip())
    return json_response({"user_id": user_id, "roles": item["roles"]})


@routes.route("/api/staff/accounts/{user_id}/password-reset", methods=["POST"])
@routes.api
@routes.idempotent
def staff_reset_password(user_id: str) -> Any:
    """Administrators of the staff member's organ (staff never reset their password by email): a
    new temporary password is emailed to the staff member, to replace at ``/api/account/activation``;
    every session and API key ends. ``remove_second_factor`` (a lost phone): the next login sets the
    authenticator app up again. Audited, with the reason."""
    session = routes.staff()
    body = routes.body("StaffPasswordReset")
    return json_response(
        _administration().reset_password(user_id, session, body.reason, body.remove_second_factor, routes.ip())
    )


# -- rectification, erasure, restriction, objection: the data-protection queue ----------------------
def _rights() -> Any:
    from chalicelib.accounts.data_rights import DataRights

    return DataRights()


@routes.route("/api/account/rights-requests", methods=["POST"])
@routes.api
def file_rights_request() -> Any:
    """The account holder: ask for rectification, erasure, restriction or objection (GDPR arts. 16-21)
    with the grounds; answered by the municipality's data protection officer within one month (two
    more when justified, the citizen told). Audited."""
    session = routes.holder()
    body = routes.body("RightsRequest").model_dump(exclude_none=True)
    return json_response(_rights().file(session.user_id, body, routes.ip()), status=201)


@routes.route("/api/account/rights-requests", methods=["GET"])
@routes.api
def my_rights_requests() -> Any:
    """The account holder: my GDPR requests, newest first, with their deadline and answer."""
    return json_response({"requests": _rights().of(routes.holder().user_id)})


@routes.route("/api/staff/rights-requests", methods=["GET"])
@routes.api
def rights_queue() -> Any:
    """The data protection officer: the requests awaiting an answer, the nearest deadline first."""
    return json_response({"requests": _rights().queue(routes.staff())})


@routes.route("/api/staff/rights-requests/{request_id}/extension", methods=["POST"])
@routes.api
@routes.idempotent
def extend_rights_request(request_id: str) -> Any:
    """The data protection officer: extend the deadline by two months, once, with the reasons the
    citizen is emailed (GDPR art. 12(3))."""
    session = routes.staff()
    body = routes.body("RightsExtension").model_dump()
    return json_response(_rights().extend(session, request_id, body, routes.ip()))


@routes.route("/api/staff/rights-requests/{request_id}/decision", methods=["POST"])
@routes.api
@routes.idempotent
def decide_rights_request(request_id: str) -> Any:
    """The data protection officer: accept or refuse, with the answer the citizen is emailed; the
    answer lists what the law keeps regardless. An accepted rectification changes the account; an
    accepted restriction stops staff acting on the citizen's processes."""
    session = routes.staff()
    body = routes.body("RightsAnswer").model_dump()
    return json_response(_rights().decide(session, request_id, body, routes.ip()))
