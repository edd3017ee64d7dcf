"""Staff validate registrations (any organ's clerks, decision-makers, heads, administrators; they
alone read registrations, and only while pending, each reading audited): the queue of registrations
awaiting validation, one registration with its proof and the pre-check, approval (a username, the
workflow resumes and the activation password is emailed) or rejection with the reason the registrant
is told."""

from __future__ import annotations

import re
import secrets
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.accounts.proof import plain_text
from chalicelib.accounts.registration import PROOF_OWNER_PREFIX, Registrations
from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chalicelib.kernel.roles import STAFF, VALIDATING_ROLES, holds_any
from chalicelib.kernel.vocabulary import VALIDATION_QUEUE, AccountStatus, DocumentStatus, RegistrationOutcome
from chalicelib.platform.audit import SYSTEM, Actor
from chalicelib.platform.task_tokens import resume


class RegistrationValidation:
    def __init__(self, registrations: Registrations | None = None):
        self.registrations = registrations or Registrations()

    @staticmethod
    def _validator(session: Any) -> None:
        if session.kind != STAFF:
            raise Forbidden("Área reservada aos serviços municipais.")
        if not holds_any(session.roles, VALIDATING_ROLES):
            raise Forbidden("Só os serviços de atendimento e decisão validam registos; os auditores só consultam.")

    def queue(
        self, session: Any, source_ip: str | None = None, limit: int = 50
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Registrations awaiting validation, oldest first (one Query on a sparse index): for those who
        validate them (auditors read the audit trail instead); with the audit event of the reading,
        for the caller to write with its record for each registrant listed (one call for all)."""

        self._validator(session)
        items = self.registrations.table.query(
            IndexName="by_validation_queue",
            KeyConditionExpression=Key("validation_queue").eq(VALIDATION_QUEUE),
            Limit=limit,
        )["Items"]
        read = self.registrations.audit.event(
            Actor(session.user_id, source_ip), "registration.queue_read", f"user#{session.user_id}", count=len(items)
        )
        return [self._summary(item) for item in items], read

    @staticmethod
    def _summary(item: dict[str, Any]) -> dict[str, Any]:
        fields = (
            "user_id",
            "name",
            "person_type",
            "identity_number",
            "email",
            "phone",
            "address",
            "status",
            "proof_kind",
            "access_reason",
            "terms_version",
            "terms_accepted_at",
            "created_at",
            "email_confirmed_at",
            "queued_at",
            "reminded_at",
            "proof",
            "rejection_reason",
            "username",
            "decided_at",
            "decided_by",
            "workflow_attention",  # a step of its workflow failed: staff retry it (accounts/workflow_failures.py)
        )
        return {k: item[k] for k in fields if k in item}

    def view(self, user_id: str, session: Any, source_ip: str | None) -> dict[str, Any]:
        """One registration, while it awaits validation (afterwards it is an account, not a
        registration: 404), for those who validate; each reading audited."""
        self._validator(session)
        item = self.registrations.accounts.citizen_item(user_id, session)
        if item.get("status") != AccountStatus.AWAITING_VALIDATION:
            raise NotFound("Registo desconhecido ou já decidido.", field="user_id")
        self.registrations.audit.record(Actor(session.user_id, source_ip), "registration.read", f"user#{user_id}")
        documents = []
        for document in self.registrations.documents.list(f"{PROOF_OWNER_PREFIX}{user_id}"):
            entry = {
                k: document.get(k)
                for k in ("document_id", "slot", "filename", "status", "reason", "sha256", "precheck")
            }
            if document["status"] == DocumentStatus.ACCEPTED:
                entry["download_url"] = self.registrations.documents.download_url(document)
                self.registrations.audit.record(
                    Actor(session.user_id, source_ip),
                    "document.downloaded",
                    f"user#{user_id}",
                    document_id=document["document_id"],
                )
            documents.append(entry)
        return {**self._summary(item), "documents": documents}

    def approve(self, user_id: str, session: Any, source_ip: str | None) -> dict[str, Any]:
        """Approve once: the account becomes active with a username and an activation password to
        come by email; the workflow resumes. 409 when it no longer awaits validation."""
        self._validator(session)
        item = self.registrations.accounts.citizen_item(user_id)
        token = item.get("validation_task_token")
        if item["status"] != AccountStatus.AWAITING_VALIDATION or not token:
            raise Conflict("Este registo não está a aguardar validação.", field="status")
        decided_at = iso()
        client = self.registrations.table.meta.client
        for username in self._username_candidates(item["name"]):
            try:
                client.transact_write_items(
                    TransactItems=[
                        {
                            "Update": {
                                "TableName": self.registrations.table.name,
                                "Key": {"pk": f"USER#{user_id}"},
                                "UpdateExpression": "SET #status = :active, username = :username, activation_pending = :yes, "
                                "decided_at = :at, decided_by = :by, status_changed_at = :at "
                                "REMOVE validation_queue, queued_at, validation_task_token",
                                "ConditionExpression": "#status = :awaiting AND validation_task_token = :token",
                                "ExpressionAttributeNames": {"#status": "status"},
                                "ExpressionAttributeValues": {
                                    ":active": AccountStatus.ACTIVE,
                                    ":username": username,
                                    ":yes": True,
                                    ":at": decided_at,
                                    ":by": session.user_id,
                                    ":awaiting": AccountStatus.AWAITING_VALIDATION,
                                    ":token": token,
                                },
                            }
                        },
                        {
                            "Put": {
                                "TableName": self.registrations.table.name,
                                "Item": {"pk": f"LOGIN#username:{username}", "user_id": user_id},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                    ]
                )
            except client.exceptions.TransactionCanceledException as error:
                reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
                if reasons and reasons[0] == "ConditionalCheckFailed":
                    raise Conflict("Este registo já foi validado ou rejeitado.", field="status") from None
                continue  # the username is taken: try the next one
            break
        else:
            raise Conflict("Não foi possível atribuir um nome de utilizador. Tente de novo.", field="username")

        def undo_approval() -> None:
            client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": self.registrations.table.name,
                            "Key": {"pk": f"USER#{user_id}"},
                            "UpdateExpression": "SET #status = :awaiting, validation_task_token = :token, validation_queue = :q, "
                            "queued_at = :queued REMOVE username, activation_pending, decided_at, decided_by",
                            "ExpressionAttributeNames": {"#status": "status"},
                            "ExpressionAttributeValues": {
                                ":awaiting": AccountStatus.AWAITING_VALIDATION,
                                ":token": token,
                                ":q": VALIDATION_QUEUE,
                                ":queued": item.get("queued_at", decided_at),
                            },
                        }
                    },
                    {
                        "Delete": {
                            "TableName": self.registrations.table.name,
                            "Key": {"pk": f"LOGIN#username:{username}"},
                        }
                    },
                ]
            )

        if not resume(
            token,
            {"decision": RegistrationOutcome.APPROVED},
            undo=undo_approval,
            stepfunctions=self.registrations.stepfunctions,
        ):
            raise Conflict(
                "O fluxo de validação já não aguarda esta decisão. Tente de novo dentro de momentos.", field="status"
            )
        self.registrations.audit.record(
            Actor(session.user_id, source_ip),
            "account.status_changed",
            f"user#{user_id}",
            previous=AccountStatus.AWAITING_VALIDATION,
            status=AccountStatus.ACTIVE,
            reason="registo validado",
            username=username,
        )
        return self._summary(self.registrations.accounts.citizen_item(user_id))

    def _username_candidates(self, name: str) -> list[str]:
        words = [re.sub(r"[^a-z0-9]", "", w) for w in plain_text(name).split()]
        words = [w for w in words if w]
        base = ".".join([words[0], words[-1]] if len(words) > 1 else words[:1]) or "utilizador"
        return [base] + [f"{base}{n}" for n in range(2, 6)] + [f"{base}{secrets.randbelow(90000) + 10000}"]

    def reject(self, user_id: str, session: Any, reason: str, source_ip: str | None) -> dict[str, Any]:
        self._validator(session)
        if not reason.strip():
            raise ValidationFailed("Indique o motivo da rejeição: é enviado ao requerente.", field="reason")
        item = self.registrations.accounts.citizen_item(user_id)
        token = item.get("validation_task_token")
        if item["status"] != AccountStatus.AWAITING_VALIDATION or not token:
            raise Conflict("Este registo não está a aguardar validação.", field="status")
        self.registrations.accounts.transition(
            user_id,
            (AccountStatus.AWAITING_VALIDATION,),
            AccountStatus.REJECTED,
            Actor(session.user_id, source_ip),
            set_values={"rejection_reason": reason.strip(), "decided_at": iso(), "decided_by": session.user_id},
            remove=("validation_queue", "queued_at", "validation_task_token"),
            reason=reason.strip(),
        )

        def undo_rejection() -> None:
            self.registrations.accounts.transition(
                user_id,
                (AccountStatus.REJECTED,),
                AccountStatus.AWAITING_VALIDATION,
                SYSTEM,
                set_values={
                    "validation_task_token": token,
                    "validation_queue": VALIDATION_QUEUE,
                    "queued_at": item.get("queued_at", iso()),
                },
                remove=("rejection_reason", "decided_at", "decided_by"),
                reason="a rejeição não chegou ao fluxo",
            )

        if not resume(
            token,
            {"decision": RegistrationOutcome.REJECTED},
            undo=undo_rejection,
            stepfunctions=self.registrations.stepfunctions,
        ):
            raise Conflict(
                "O fluxo de validação já não aguarda esta decisão. Tente de novo dentro de momentos.", field="status"
            )
        return self._summary(self.registrations.accounts.citizen_item(user_id))
