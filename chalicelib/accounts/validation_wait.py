"""The account_activation workflow's tasks while a registration waits for staff: keep the wait's task
token, remind staff every two working days, and tell the registrant the outcome (with the activation
password when approved)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from chalicelib.accounts.passwords import activation_password, hash_password
from chalicelib.accounts.users import Accounts
from chalicelib.kernel.clock import iso, local, now
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import AccountStatus, RegistrationOutcome
from chalicelib.kernel.working_days import add_working_days
from chalicelib.notifications.delivery import Notifier
from chalicelib.platform.audit import SYSTEM, AuditTrail

ACTIVATION_PASSWORD_DAYS = 30
REMINDER_WORKING_DAYS = 2


def reminder_time(start: datetime) -> datetime:
    """The same time of day, 2 working days later (the municipality's calendar)."""
    local_start = local(start)
    day = add_working_days(local_start.date(), REMINDER_WORKING_DAYS)
    return datetime.combine(day, local_start.timetz()).astimezone(UTC)


class ValidationWait:
    notifier = Injected(lambda self: Notifier(audit=self.audit))

    def __init__(
        self, accounts: Accounts | None = None, notifier: Notifier | None = None, audit: AuditTrail | None = None
    ):
        self.audit = audit or AuditTrail()
        self.accounts = accounts or Accounts(audit=self.audit)
        self._notifier = notifier

    def remind_staff(self, user_id: str) -> dict[str, Any]:
        settings = get_settings()
        item = self.accounts.citizen_item(user_id)
        next_time = reminder_time(now())
        if item["status"] == AccountStatus.AWAITING_VALIDATION:
            # The wait that timed out took its task token with it; a new one comes when the wait resumes.
            self.accounts.table.update_item(
                Key={"pk": f"USER#{user_id}"},
                UpdateExpression="SET reminded_at = :at REMOVE validation_task_token",
                ExpressionAttributeValues={":at": iso()},
            )
            self.notifier.email(
                settings.registrations_staff_email,
                "registration_validation_reminder",
                {
                    "name": "Atendimento",
                    "applicant": f"{item['name']} ({item.get('identity_number', '')})",
                    "waiting_working_days": REMINDER_WORKING_DAYS,
                    "staff_url": f"{settings.public_base_url}/api/staff/registrations/{user_id}",
                },
                f"user#{user_id}",
            )
            self.audit.record(
                SYSTEM, "registration.reminder_sent", f"user#{user_id}", to=settings.registrations_staff_email
            )
        return {"user_id": user_id, "remind_at": iso(next_time)}

    def notify_outcome(self, user_id: str, outcome: str) -> dict[str, Any]:
        item = self.accounts.citizen_item(user_id)
        if outcome == RegistrationOutcome.APPROVED:
            password = activation_password()
            expires_at = int(time.time()) + ACTIVATION_PASSWORD_DAYS * 86400
            self.accounts.table.update_item(
                Key={"pk": f"USER#{user_id}"},
                UpdateExpression="SET activation_hash = :h, activation_expires_at = :exp",
                ConditionExpression="#status = :active AND activation_pending = :yes",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":h": hash_password(password),
                    ":exp": expires_at,
                    ":active": AccountStatus.ACTIVE,
                    ":yes": True,
                },
            )
            self.notifier.email(
                item["email"],
                "activation_password",
                {
                    "name": item["name"],
                    "username": item["username"],
                    "activation_password": password,
                    "login_url": f"{get_settings().public_base_url}/#/ativar-conta",
                },
                f"user#{user_id}",
            )
            self.audit.record(SYSTEM, "account.activation_password_sent", f"user#{user_id}")
        else:
            self.notifier.email(
                item["email"],
                "registration_rejected",
                {"name": item["name"], "reason": item.get("rejection_reason", "")},
                f"user#{user_id}",
            )
        return {"sent": True}
