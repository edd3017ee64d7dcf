"""What an administrator may do to other accounts, and the one rule of whose: staff of their own
organ (never an auditor, whom no organ's administrator manages) and citizens (accounts of the whole
municipality). Every organ keeps at least one active administrator. Staff passwords are reset
here, by an administrator of the organ, never by the staff member's mailbox."""

from __future__ import annotations

import secrets
import time
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.accounts.authentication import Authentication
from chalicelib.accounts.passwords import activation_password, hash_password
from chalicelib.accounts.second_factor import SecondFactor
from chalicelib.accounts.staff_auth import mask_email
from chalicelib.accounts.users import EPOCH_NAMES, EPOCH_VALUES, NEW_EPOCH, Accounts, User
from chalicelib.kernel.clock import iso
from chalicelib.kernel.errors import Conflict, Forbidden, NotFound
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import STAFF, Role
from chalicelib.kernel.vocabulary import AccountStatus
from chalicelib.notifications.delivery import Notifier
from chalicelib.platform.audit import Actor


def require_administrator(session: Any) -> None:
    if session.kind != STAFF or Role.ADMINISTRATOR not in session.roles:
        raise Forbidden("Só os administradores de um serviço gerem contas.")


def require_power_over(session: Any, target: User | None) -> User:
    """``target``, if the caller administers it; 404 for no such account, 403 for another organ's
    staff or an auditor."""
    require_administrator(session)
    if target is None:
        raise NotFound("Conta desconhecida.", field="user_id")
    if target.kind == STAFF:
        if Role.AUDITOR in target.roles:
            raise Forbidden("As contas de auditoria não são geridas pelos administradores dos serviços.")
        if not session.organ or target.organ != session.organ:
            raise Forbidden("Esta conta pertence a outro serviço: só o administrador desse serviço a gere.")
    return target


TEMPORARY_PASSWORD_SECONDS = 3 * 24 * 3600


class Administration:
    auth = Injected(lambda self: Authentication(accounts=self.accounts))
    notifier = Injected(lambda self: Notifier(audit=self.accounts.audit))

    def __init__(self, accounts: Accounts | None = None, auth: Authentication | None = None, notifier: Any = None):
        self.accounts = accounts or Accounts()
        self._auth = auth
        self._notifier = notifier

    def target(self, session: Any, user_id: str) -> User:
        return require_power_over(session, self.accounts.get(user_id, session))

    def lock(self, user_id: str, session: Any, reason: str, source_ip: str | None) -> dict[str, Any]:
        target = self.target(session, user_id)
        if target.user_id == session.user_id:
            raise Forbidden("Não pode bloquear a sua própria conta.")
        self._keep_an_administrator(target, "bloquear esta conta")
        return self.auth.lock(user_id, Actor(session.user_id, source_ip), reason)

    def set_roles(self, user_id: str, roles: list[str], session: Any, source_ip: str | None) -> dict[str, Any]:
        """New roles for a staff member of the organ (never the auditor's, which no organ gives);
        every session and key of the account ends."""
        target = self.target(session, user_id)
        if target.kind != STAFF:
            raise Forbidden("Só as contas dos serviços têm perfis.")
        if Role.AUDITOR in roles:
            raise Forbidden("O perfil de auditor não é atribuído pelos administradores dos serviços.")
        if Role.ADMINISTRATOR not in roles:
            self._keep_an_administrator(target, "lhe retirar o perfil de administrador")
        return self.accounts.set_roles(user_id, sorted(set(roles)), Actor(session.user_id, source_ip))

    def _keep_an_administrator(self, target: User, what: str) -> None:
        """409 when ``target`` is its organ's last active administrator."""
        if target.kind != STAFF or Role.ADMINISTRATOR not in target.roles or target.status != AccountStatus.ACTIVE:
            return
        if not [u for u in self.administrators(target.organ) if u["user_id"] != target.user_id]:
            raise Conflict(f"É o último administrador ativo do serviço: nomeie outro antes de {what}.", field="user_id")

    def unlock(self, user_id: str, session: Any, reason: str, source_ip: str | None) -> dict[str, Any]:
        self.target(session, user_id)
        return self.auth.unlock(user_id, Actor(session.user_id, source_ip), reason)

    def reset_password(
        self, user_id: str, session: Any, reason: str, remove_second_factor: bool, source_ip: str | None
    ) -> dict[str, Any]:
        """Staff never reset their own password by email: an administrator of their organ does, here.
        The old password and every session and key end; a temporary password valid 3 days is emailed,
        to be replaced at ``/api/account/activation``; the authenticator app stays (unless
        ``remove_second_factor``, for a lost phone: the next login sets one up again)."""
        target = self.target(session, user_id)
        if target.kind != STAFF:
            raise Forbidden("Os cidadãos recuperam a palavra-passe pela ligação enviada ao seu email.")
        if target.user_id == session.user_id:
            raise Forbidden("Mude a sua própria palavra-passe em /api/account/password.")
        temporary = activation_password()
        self.accounts.table.update_item(
            Key={"pk": f"USER#{user_id}"},
            UpdateExpression="SET password_hash = :unusable, activation_hash = :h, activation_expires_at = :exp, "
            f"activation_pending = :yes, password_changed_at = :at, {NEW_EPOCH}",
            ExpressionAttributeNames=EPOCH_NAMES,
            ExpressionAttributeValues={
                ":unusable": hash_password(secrets.token_urlsafe(32)),
                ":h": hash_password(temporary),
                ":exp": int(time.time()) + TEMPORARY_PASSWORD_SECONDS,
                ":yes": True,
                ":at": iso(),
                **EPOCH_VALUES,
            },
        )
        actor = Actor(session.user_id, source_ip)
        self.accounts.audit.record(
            actor,
            "account.password_reset_by_administrator",
            f"user#{user_id}",
            reason=reason,
            second_factor_removed=remove_second_factor,
        )
        if remove_second_factor:
            SecondFactor(accounts=self.accounts, audit=self.accounts.audit).remove(user_id, actor, reason)
        self.notifier.email(
            target.email,
            "staff_password_reset",
            {
                "name": target.name,
                "temporary_password": temporary,
                "expires_days": TEMPORARY_PASSWORD_SECONDS // 86400,
            },
            f"user#{user_id}",
        )
        return {"user_id": user_id, "temporary_password_sent_to": mask_email(target.email)}

    def administrators(self, organ: str | None) -> list[dict[str, Any]]:
        """The active administrators of an organ (index ``by_organ``: staff accounts only)."""
        items: list[dict[str, Any]] = []
        page: dict[str, Any] = {}
        while True:
            response = self.accounts.table.query(
                IndexName="by_organ", KeyConditionExpression=Key("organ").eq(organ or "-"), **page
            )
            items += response["Items"]
            if "LastEvaluatedKey" not in response:
                break
            page = {"ExclusiveStartKey": response["LastEvaluatedKey"]}
        return [
            item
            for item in items
            if Role.ADMINISTRATOR in item.get("roles", []) and item.get("status") == AccountStatus.ACTIVE
        ]
