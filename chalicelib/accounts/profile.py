"""What an account holder does with their own credentials and contacts: the first-login
confirmation code (ECCE step 3, by email or by SMS to a confirmed phone), password recovery by an
emailed link, and changes of password, email (confirmed on the new address, the old one told) and
mobile phone (confirmed by an SMS code). Every change is audited; a new password ends every session.
"""

from __future__ import annotations

from typing import Any

from chalicelib.accounts.authentication import Authentication
from chalicelib.accounts.credentials import CODE_TTL_SECONDS, Codes, OneTimeLinks, RateLimit, check_password_policy
from chalicelib.accounts.users import EPOCH_NAMES, EPOCH_VALUES, NEW_EPOCH, Accounts, User, epoch_of, login_key
from chalicelib.kernel.clock import iso
from chalicelib.kernel.contact import normalise_email, normalise_phone
from chalicelib.kernel.errors import Conflict, NotFound, ValidationFailed
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import STAFF
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import AccountStatus
from chalicelib.notifications.delivery import Notifier
from chalicelib.platform.audit import Actor, AuditTrail

RECOVERY_LINK_SECONDS = 30 * 60
EMAIL_CHANGE_LINK_SECONDS = 24 * 3600
# Wrong codes allowed before growing delays start, per account and per source; above the 5 tries a
# code allows, so that the code's own limit answers first.
CODE_ALLOWANCE_PER_ACCOUNT = 10
CODE_ALLOWANCE_PER_SOURCE = 30


class AccountSettings:
    def __init__(
        self,
        accounts: Accounts | None = None,
        codes: Codes | None = None,
        links: OneTimeLinks | None = None,
        rate: RateLimit | None = None,
        notifier: Any = None,
        audit: AuditTrail | None = None,
    ):
        self.audit = audit or AuditTrail()
        self.accounts = accounts or Accounts(audit=self.audit)
        self.auth = Authentication(accounts=self.accounts)
        self.codes = codes or Codes()
        self.links = links or OneTimeLinks()
        self.rate = rate or RateLimit()
        self._notifier = notifier

    notifier = Injected(lambda self: Notifier(audit=self.audit))

    def _epoch(self, user_id: str) -> int:
        return epoch_of(self._user(user_id))

    def _user(self, user_id: str) -> dict[str, Any]:
        item = self.accounts.get_item(user_id)
        if item is None:
            raise NotFound("Conta desconhecida.")
        return item

    def _send_code(self, item: dict[str, Any], purpose: str, channel: str, phone: str | None = None) -> dict[str, Any]:
        self.rate.hit(f"code:{item['user_id']}:{purpose}", limit=5, window=3600, field="channel")
        target = phone if channel == "sms" else item["email"]
        code = self.codes.issue(item["user_id"], purpose, channel, target=phone)
        subject_ref = f"user#{item['user_id']}"
        template = "login_code" if purpose == "first_login" else "phone_code"
        values = {"name": item["name"], "code": code, "minutes": CODE_TTL_SECONDS // 60}
        if channel == "sms":
            self.notifier.sms(target, None, subject_ref, template, values=values)
        else:
            self.notifier.email(target, template, values, subject_ref)
        self.audit.record(Actor(item["user_id"]), "account.code_sent", subject_ref, purpose=purpose, channel=channel)
        return {"sent": True, "channel": channel, "to": _masked(target), "valid_minutes": 10}

    def _code_throttle(self, user_id: str, source_ip: str | None) -> list[tuple[str, int]]:
        keys = [
            (f"code:user:{user_id}", CODE_ALLOWANCE_PER_ACCOUNT),
            (f"code:ip:{source_ip or '-'}", CODE_ALLOWANCE_PER_SOURCE),
        ]
        self.auth.throttle.reserve(
            keys,
            field="code",
            refused=lambda: self.audit.record(Actor(user_id, source_ip), "account.code_throttled", f"user#{user_id}"),
        )
        return keys

    def _verify_code(self, user_id: str, purpose: str, code: str, source_ip: str | None) -> dict[str, Any]:
        keys = self._code_throttle(user_id, source_ip)
        record = self.codes.verify(user_id, purpose, code)
        self.auth.throttle.succeeded(keys)
        return record

    # -- first-login confirmation code ------------------------------------------------------------
    @staticmethod
    def channels(user: User) -> list[str]:
        return ["email", "sms"] if user.phone and user.phone_confirmed else ["email"]

    def send_login_code(self, user_id: str, channel: str) -> dict[str, Any]:
        item = self._user(user_id)
        if channel == "sms" and not (item.get("phone") and item.get("phone_confirmed")):
            raise ValidationFailed(
                "Só enviamos o código por SMS para um telemóvel já confirmado. Escolha o email.", field="channel"
            )
        return self._send_code(item, "first_login", channel, phone=item.get("phone") if channel == "sms" else None)

    def confirm_login_code(self, user_id: str, code: str, source_ip: str | None) -> User:
        """A right code completes the first login: the account stops asking for codes."""
        self._verify_code(user_id, "first_login", code, source_ip)
        self.accounts.table.update_item(Key={"pk": f"USER#{user_id}"}, UpdateExpression="REMOVE first_login_pending")
        self.audit.record(Actor(user_id, source_ip), "account.first_login_confirmed", f"user#{user_id}")
        user = self.accounts.get(user_id)
        assert user is not None
        return user

    # -- mobile phone -----------------------------------------------------------------------------
    def request_phone_change(self, user_id: str, phone: str) -> dict[str, Any]:
        item = self._user(user_id)
        if item["status"] not in (AccountStatus.ACTIVE, AccountStatus.AWAITING_VALIDATION):
            raise Conflict("A conta não permite esta alteração agora.", field="status")
        number = normalise_phone(phone)
        return self._send_code(item, "phone", "sms", phone=number)

    def confirm_phone(self, user_id: str, code: str, source_ip: str | None) -> dict[str, Any]:
        record = self._verify_code(user_id, "phone", code, source_ip)
        previous = self._user(user_id).get("phone")
        self.accounts.table.update_item(
            Key={"pk": f"USER#{user_id}"},
            UpdateExpression="SET phone = :p, phone_confirmed = :yes",
            ExpressionAttributeValues={":p": record["target"], ":yes": True},
        )
        self.audit.record(
            Actor(user_id, source_ip),
            "account.phone_confirmed",
            f"user#{user_id}",
            changed=previous != record["target"],
        )
        return {"phone": record["target"], "phone_confirmed": True}

    # -- password ---------------------------------------------------------------------------------
    def change_password(self, user_id: str, current: str, new: str, source_ip: str | None) -> None:
        item = self.auth.check_password(user_id, current, source_ip, field="current_password")
        if new == current:
            raise ValidationFailed("A nova palavra-passe tem de ser diferente da atual.", field="new_password")
        check_password_policy(
            new,
            field="new_password",
            personal=(item.get("identity_number"), item["email"].split("@")[0], item.get("username")),
        )
        self.auth.set_password(
            user_id,
            new,
            Actor(user_id, source_ip),
            "account.password_changed",
            condition=("password_hash = :old", {":old": item["password_hash"]}),
        )

    def request_recovery(self, identifier: str, source_ip: str | None) -> None:
        """Email a 30-minute link to the account's address, if there is an account that may use it;
        the caller's answer is the same either way."""

        self.rate.hit(f"recovery:{login_key(identifier)}", limit=3, window=3600, field="identifier")
        item = self.accounts.find(identifier)
        if item is not None and item["kind"] == STAFF:
            # staff never reset by their mailbox: their organ's administrator does (Administration)
            self.audit.record(Actor(item["user_id"], source_ip), "account.recovery_refused", f"user#{item['user_id']}")
            return
        if item is None or item["status"] not in (
            AccountStatus.ACTIVE,
            AccountStatus.AWAITING_VALIDATION,
            AccountStatus.REJECTED,
        ):
            return
        token = self.links.issue("password_reset", item["user_id"], RECOVERY_LINK_SECONDS, epoch=epoch_of(item))
        link = f"{get_settings().public_base_url}/#/nova-palavra-passe?token={token}"
        self.notifier.email(
            item["email"],
            "password_reset",
            {"name": item["name"], "link": link, "expires_minutes": RECOVERY_LINK_SECONDS // 60},
            f"user#{item['user_id']}",
        )
        self.audit.record(Actor(item["user_id"], source_ip), "account.recovery_requested", f"user#{item['user_id']}")

    def reset_password(self, token: str, new: str, source_ip: str | None) -> None:
        """The link proves the email: it sets the password (and replaces a pending activation)."""

        link = self.links.redeem("password_reset", token, current_epoch=self._epoch)
        item = self._user(link["user_id"])
        if item["kind"] == STAFF:
            raise Conflict("A palavra-passe dos serviços é reposta pelo administrador do serviço.", field="token")
        try:
            check_password_policy(
                new,
                field="new_password",
                personal=(item.get("identity_number"), item["email"].split("@")[0], item.get("username")),
            )
            if item.get("status") not in (
                AccountStatus.ACTIVE,
                AccountStatus.AWAITING_VALIDATION,
                AccountStatus.REJECTED,
            ):
                raise Conflict(
                    "A conta não permite recuperar a palavra-passe agora. Contacte os serviços.", field="token"
                )
        except (ValidationFailed, Conflict):
            self.links.release(token)  # a refused password does not spend the link
            raise
        self.auth.set_password(
            item["user_id"],
            new,
            Actor(item["user_id"], source_ip),
            "account.password_reset",
            remove=("activation_hash", "activation_expires_at", "activation_pending"),
        )
        for name in (item.get("identity_number"), item["email"], item.get("username")):
            if name:  # a proven owner is not kept waiting by earlier failures
                self.auth.throttle.forget(f"login:id:{login_key(name)}")

    # -- email ------------------------------------------------------------------------------------
    def request_email_change(
        self, user_id: str, password: str, new_email: str, source_ip: str | None
    ) -> dict[str, Any]:

        item = self.auth.check_password(user_id, password, source_ip)
        address = normalise_email(new_email, field="new_email").lower()
        if address == item["email"]:
            raise ValidationFailed("Esse já é o email da sua conta.", field="new_email")
        self.rate.hit(f"email_change:{user_id}", limit=3, window=3600, field="new_email")
        token = self.links.issue(
            "email_change",
            user_id,
            EMAIL_CHANGE_LINK_SECONDS,
            epoch=epoch_of(item),
            new_email=address,
            old_email=item["email"],
        )
        link = f"{get_settings().public_base_url}/#/confirmar-email?alteracao=1&token={token}"
        self.notifier.email(
            address,
            "email_change_confirmation",
            {"name": item["name"], "link": link, "expires_hours": EMAIL_CHANGE_LINK_SECONDS // 3600},
            f"user#{user_id}",
        )
        # the current address is told at once: if it was not its owner, a new password ends the request
        self.notifier.email(
            item["email"],
            "email_change_requested",
            {"name": item["name"], "new_email": _masked(address), "expires_hours": EMAIL_CHANGE_LINK_SECONDS // 3600},
            f"user#{user_id}",
        )
        self.audit.record(Actor(user_id, source_ip), "account.email_change_requested", f"user#{user_id}")
        return {"sent_to": _masked(address)}

    def confirm_email_change(self, token: str, source_ip: str | None) -> dict[str, Any]:
        link = self.links.redeem("email_change", token, current_epoch=self._epoch)
        user_id, old, new = link["user_id"], link["old_email"], link["new_email"]
        table = self.accounts.table
        client = table.meta.client
        try:  # the login name moves with the address, in one transaction
            client.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": table.name,
                            "Key": {"pk": f"USER#{user_id}"},
                            "UpdateExpression": f"SET email = :new, email_changed_at = :at, {NEW_EPOCH}",
                            "ConditionExpression": "email = :old",
                            "ExpressionAttributeNames": EPOCH_NAMES,
                            "ExpressionAttributeValues": {":new": new, ":old": old, ":at": iso(), **EPOCH_VALUES},
                        }
                    },
                    {
                        "Delete": {
                            "TableName": table.name,
                            "Key": {"pk": f"LOGIN#email:{old}"},
                            "ConditionExpression": "user_id = :user",
                            "ExpressionAttributeValues": {":user": user_id},
                        }
                    },
                    {
                        "Put": {
                            "TableName": table.name,
                            "Item": {"pk": f"LOGIN#email:{new}", "user_id": user_id},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                ]
            )
        except client.exceptions.TransactionCanceledException:
            raise Conflict(
                "Não foi possível mudar para este email: já está associado a outra conta, ou o email da "
                "conta mudou entretanto.",
                field="token",
            ) from None
        item = self._user(user_id)
        self.notifier.email(old, "email_changed_notice", {"name": item["name"], "new_email": new}, f"user#{user_id}")
        self.audit.record(
            Actor(user_id, source_ip), "account.email_changed", f"user#{user_id}", previous=old, email=new
        )
        return {"email": new}


def _masked(target: str) -> str:
    """``a***@example.pt`` / ``+3519*****678``: enough to recognise, not to harvest."""
    if "@" in target:
        local, _, domain = target.partition("@")
        return f"{local[:1]}***@{domain}"
    return target[:5] + "*" * max(0, len(target) - 8) + target[-3:]
