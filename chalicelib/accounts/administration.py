"""What an administrator may do to other accounts, and the one rule of whose: staff of their own
organ (never an auditor, whom no organ's administrator manages) and citizens (accounts of the whole
municipality). Every organ keeps at least one active administrator."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib.accounts.authentication import Authentication
from chalicelib.accounts.users import Accounts, User
from chalicelib.kernel.errors import Conflict, Forbidden, NotFound
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.roles import STAFF, Role
from chalicelib.kernel.vocabulary import AccountStatus
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


class Administration:
    auth = Injected(lambda self: Authentication(accounts=self.accounts))

    def __init__(self, accounts: Accounts | None = None, auth: Authentication | None = None):
        self.accounts = accounts or Accounts()
        self._auth = auth

    def target(self, session: Any, user_id: str) -> User:
        return require_power_over(session, self.accounts.get(user_id))

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
