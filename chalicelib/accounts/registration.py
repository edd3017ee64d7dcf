"""Registration of citizens and companies, as seeds 000 (Amarante), 002 (ECCE) and 003 (Piracicaba)
describe it: register with terms accepted → confirm the email by a link → upload a proof of address
(or, ECCE-style, of employment) as PDF, which a pre-check reads → staff validate it (the
``account_activation`` state machine waits on a task token, reminding staff after 2 working days) →
an email with the username and an activation password → the activation password, once, sets the
new password. The account itself (states, login names, password) is ``chalicelib.accounts.users``.

Registration never tells whether an identity number or email already has an account: the answer is
the same, and the existing account's owner is emailed instead.
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from typing import Any

from chalicelib.accounts.authentication import Authentication
from chalicelib.accounts.credentials import OneTimeLinks, RateLimit, check_password_policy
from chalicelib.accounts.passwords import dummy_hash, verify_password
from chalicelib.accounts.proof import PROOF_OWNER_PREFIX
from chalicelib.accounts.users import Accounts, login_key
from chalicelib.accounts.validation_wait import reminder_time
from chalicelib.catalogue.service import DocumentSlot
from chalicelib.documents.store import Documents
from chalicelib.kernel.clock import iso, now
from chalicelib.kernel.contact import normalise_email, normalise_phone, normalise_postal_code
from chalicelib.kernel.errors import Conflict, TooManyRequests, ValidationFailed
from chalicelib.kernel.identity import normalise_identity_number
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import CITIZEN
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import VALIDATION_QUEUE, AccountStatus
from chalicelib.notifications.delivery import Notifier
from chalicelib.platform import aws
from chalicelib.platform.audit import Actor, AuditTrail

PROOF_KINDS = {"morada": "comprovativo de morada", "funcoes": "comprovativo de funções"}
PROOF_MAX_BYTES = 10 * 1024 * 1024
CONFIRMATION_LINK_SECONDS = 24 * 3600

# Staff roles that may approve or reject a registration (any organ); auditors only read.


class Registrations:
    def __init__(
        self,
        accounts: Accounts | None = None,
        links: OneTimeLinks | None = None,
        rate: RateLimit | None = None,
        notifier: Any = None,
        documents: Any = None,
        stepfunctions: Any = None,
        audit: AuditTrail | None = None,
    ):
        self.audit = audit or AuditTrail()
        self.accounts = accounts or Accounts(audit=self.audit)
        self.auth = Authentication(accounts=self.accounts)
        self.links = links or OneTimeLinks()
        self.rate = rate or RateLimit()
        self._notifier = notifier
        self._documents = documents
        self._stepfunctions = stepfunctions

    notifier = Injected(lambda self: Notifier(audit=self.audit))

    documents = Injected(lambda self: Documents(audit=self.audit))

    stepfunctions = Injected(lambda self: aws.client("stepfunctions"))

    @property
    def table(self) -> Any:
        return self.accounts.table

    # -- 1. registration ------------------------------------------------------------------------
    def register(self, data: Any, source_ip: str | None) -> None:
        """Check everything, then create the account awaiting email confirmation and send the link.
        Returns nothing: the caller's answer is the same whether or not the data was already taken."""

        settings = get_settings()
        if not data.accept_terms:
            raise ValidationFailed("Tem de aceitar as Condições de Adesão para se registar.", field="accept_terms")
        if data.terms_version != settings.terms_version:
            raise ValidationFailed(
                f"As Condições de Adesão em vigor são as da versão {settings.terms_version}: "
                "leia-as e aceite-as de novo.",
                field="terms_version",
            )
        identity_number = normalise_identity_number(data.identity_number, settings.country, data.person_type)
        email = normalise_email(data.email).lower()
        phone = normalise_phone(data.phone)
        address = {
            "street": data.address.street,
            "postal_code": normalise_postal_code(data.address.postal_code, settings.country),
            "locality": data.address.locality,
        }
        check_password_policy(data.password, personal=(identity_number, email.split("@")[0]))
        # Counted only once the data is well formed: a registrant correcting typos is not held back.
        self.rate.hit(f"registration:{source_ip or '-'}", limit=20, window=3600)
        extra = {
            "address": address,
            "terms_version": data.terms_version,
            "terms_accepted_at": iso(),
            "proof_kind": data.proof_kind,
            "access_reason": data.reason,
            "first_login_pending": True,
            "phone_confirmed": False,
        }
        actor = Actor(f"registrant:{identity_number}", source_ip)
        create = {
            "kind": CITIZEN,
            "name": data.name,
            "email": email,
            "username": None,
            "password": data.password,
            "identity_number": identity_number,
            "phone": phone,
            "person_type": data.person_type,
            "status": AccountStatus.AWAITING_EMAIL,
            "actor": actor,
            "extra": {k: v for k, v in extra.items() if v is not None},
        }
        try:
            user = self.accounts.create(**create)
        except Conflict:
            if not self._replace_stale(identity_number, email, source_ip):
                self._tell_owners(identity_number, email, source_ip)
                return
            try:
                user = self.accounts.create(**create)
            except Conflict:
                self._tell_owners(identity_number, email, source_ip)
                return
        self._send_confirmation(user.user_id, user.name, user.email)

    def _replace_stale(self, identity_number: str, email: str, source_ip: str | None) -> bool:
        """A registration rejected, or never confirmed within its link's life, does not keep the
        identity number and email from registering again: it is removed (its audit trail stays)."""
        removed = False
        for identifier in (identity_number, email):
            item = self.accounts.find(identifier)
            if item is None:
                continue
            confirmable_since = iso(now() - timedelta(seconds=CONFIRMATION_LINK_SECONDS))
            stale_unconfirmed = (
                item["status"] == AccountStatus.AWAITING_EMAIL and item["created_at"] < confirmable_since
            )
            if item["status"] != AccountStatus.REJECTED and not stale_unconfirmed:
                return False
            aliases = [f"email:{item['email']}", f"nif:{item['identity_number']}"] + (
                [f"username:{item['username']}"] if item.get("username") else []
            )
            client = self.table.meta.client
            try:
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Delete": {
                                "TableName": self.table.name,
                                "Key": {"pk": item["pk"]},
                                "ConditionExpression": "#status = :status",
                                "ExpressionAttributeNames": {"#status": "status"},
                                "ExpressionAttributeValues": {":status": item["status"]},
                            }
                        },
                        *[
                            {"Delete": {"TableName": self.table.name, "Key": {"pk": f"LOGIN#{alias}"}}}
                            for alias in aliases
                        ],
                    ]
                )
            except client.exceptions.TransactionCanceledException:
                return False
            self.audit.record(
                Actor(f"registrant:{identity_number}", source_ip),
                "account.replaced_by_new_registration",
                f"user#{item['user_id']}",
                previous=item["status"],
            )
            removed = True
        return removed

    def _tell_owners(self, identity_number: str, email: str, source_ip: str | None) -> None:
        """The data is taken: tell the owner(s) by email, and re-send the link to an unconfirmed
        registrant who tries again with the same address."""
        told: set[str] = set()
        for identifier in (identity_number, email):
            item = self.accounts.find(identifier)
            if item is None or item["user_id"] in told:
                continue
            told.add(item["user_id"])
            try:  # so that nobody floods an owner's mailbox by registering with their data
                self.rate.hit(f"registration_notice:{item['user_id']}", limit=3, window=3600)
            except TooManyRequests:
                continue
            if item["status"] == AccountStatus.AWAITING_EMAIL and item["email"] == email:
                self._send_confirmation(item["user_id"], item["name"], item["email"])
                continue
            base = get_settings().public_base_url
            self.notifier.email(
                item["email"],
                "account_exists",
                {"name": item["name"], "login_url": f"{base}/#/entrar", "recovery_url": f"{base}/#/recuperar-senha"},
                f"user#{item['user_id']}",
            )
            self.audit.record(
                Actor(f"registrant:{identity_number}", source_ip),
                "registration.duplicate_attempt",
                f"user#{item['user_id']}",
                matched="email" if identifier == email else "identity_number",
            )

    def _send_confirmation(self, user_id: str, name: str, email: str) -> None:
        token = self.links.issue("email_confirmation", user_id, CONFIRMATION_LINK_SECONDS)
        link = f"{get_settings().public_base_url}/#/confirmar-email?token={token}"
        self.notifier.email(
            email,
            "email_confirmation",
            {"name": name, "link": link, "expires_hours": CONFIRMATION_LINK_SECONDS // 3600},
            f"user#{user_id}",
        )

    # -- 2. email confirmation ------------------------------------------------------------------
    def resend_confirmation(self, email: str, source_ip: str | None) -> None:
        email = normalise_email(email).lower()
        self.rate.hit(f"confirmation:{email}", limit=3, window=3600, field="email")
        item = self.accounts.find(email)
        if item is not None and item["status"] == AccountStatus.AWAITING_EMAIL:
            self._send_confirmation(item["user_id"], item["name"], item["email"])

    def confirm_email(self, token: str, source_ip: str | None, remind_at: datetime | None = None) -> dict[str, Any]:
        link = self.links.redeem("email_confirmation", token)
        user_id = link["user_id"]
        queued_at = iso()
        try:
            item = self.accounts.transition(
                user_id,
                (AccountStatus.AWAITING_EMAIL,),
                AccountStatus.AWAITING_VALIDATION,
                Actor(user_id, source_ip),
                set_values={
                    "email_confirmed_at": queued_at,
                    "validation_queue": VALIDATION_QUEUE,
                    "queued_at": queued_at,
                },
                reason="email confirmado",
                field="token",
            )
        except Conflict:
            raise Conflict("Este email já foi confirmado.", field="token") from None
        self.start_validation(user_id, remind_at or reminder_time(now()))
        return {"status": item["status"]}

    def start_validation(self, user_id: str, remind_at: datetime) -> str:
        execution = self.stepfunctions.start_execution(
            stateMachineArn=get_settings().state_machine_arn("account_activation"),
            name=f"{user_id}-{int(time.time())}",
            input=json.dumps({"user_id": user_id, "remind_at": iso(remind_at)}),
        )
        self.table.update_item(
            Key={"pk": f"USER#{user_id}"},
            UpdateExpression="SET validation_execution_arn = :arn",
            ExpressionAttributeValues={":arn": execution["executionArn"]},
        )
        return execution["executionArn"]

    # -- 3. proof of address / employment -------------------------------------------------------
    def status(self, user_id: str) -> dict[str, Any]:
        item = self.accounts.citizen_item(user_id)
        return {
            "status": item["status"],
            "proof_kind": item.get("proof_kind", "morada"),
            "proof": item.get("proof"),
            "rejection_reason": item.get("rejection_reason"),
            "name": item["name"],
            "email": item["email"],
        }

    def proof_slot(self, user_id: str, filename: str, content_type: str, source_ip: str | None) -> dict[str, Any]:
        item = self.accounts.citizen_item(user_id)
        if item["status"] != AccountStatus.AWAITING_VALIDATION:
            raise Conflict("O registo já não aguarda validação.", field="status")
        kind = item.get("proof_kind", "morada")
        slot = DocumentSlot(
            slot=f"comprovativo_{kind}",
            label=PROOF_KINDS[kind].capitalize(),
            required=True,
            formats=["pdf"],
            max_bytes=PROOF_MAX_BYTES,
        )
        return self.documents.upload_slot(
            f"{PROOF_OWNER_PREFIX}{user_id}", slot, filename, content_type, Actor(user_id, source_ip)
        )

    # -- 5. activation --------------------------------------------------------------------------
    def activate(self, identifier: str, password: str, new_password: str, source_ip: str | None) -> None:
        """The activation password works once, and only here, to set the new password."""
        keys = self.auth.throttle_keys("activation", identifier, source_ip)
        throttle = self.auth.throttle
        throttle.reserve(
            keys,
            field="activation_password",
            refused=lambda: self.audit.record(
                Actor("anonymous", source_ip), "account.activation_throttled", f"login#{login_key(identifier)}"
            ),
        )
        item = self.accounts.find(identifier)
        stored = (item or {}).get("activation_hash")
        right = verify_password(stored or dummy_hash(), password)
        if (
            not right
            or item is None
            or item["status"] != AccountStatus.ACTIVE
            or not stored
            or int(item.get("activation_expires_at", 0)) <= int(time.time())
        ):
            raise ValidationFailed(
                "Palavra-passe de ativação incorreta, já usada ou expirada.", field="activation_password"
            )
        throttle.succeeded(keys)
        if new_password == password:
            raise ValidationFailed("Escolha uma palavra-passe nova, diferente da de ativação.", field="new_password")
        check_password_policy(
            new_password,
            field="new_password",
            personal=(item.get("identity_number"), item["email"].split("@")[0], item.get("username")),
        )
        self.auth.set_password(
            item["user_id"],
            new_password,
            Actor(item["user_id"], source_ip),
            "account.activated",
            condition=("activation_hash = :old", {":old": stored}),
            remove=("activation_hash", "activation_expires_at", "activation_pending"),
        )
