"""Legal decision deadlines watched every working morning (the ``watch_deadlines`` function, on a
schedule): staff of the organ are reminded a few working days before a deadline; once it is breached,
the organ's head is alerted (escalation). Both go to the ``staff-alerts`` topic with the organ and the
audience as message attributes (heads subscribe with a filter policy), each at most once a process,
and each is audited. A decision taken late is still recorded, and marked late (``chalicelib.decision.stage``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from chalicelib.catalogue.service import load_catalogue
from chalicelib.kernel.clock import iso, today
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.log import logger
from chalicelib.kernel.plural import plural
from chalicelib.kernel.roles import STAFF, Role
from chalicelib.kernel.settings import get_settings
from chalicelib.kernel.vocabulary import DEADLINE_WATCHED
from chalicelib.kernel.working_days import working_days_between
from chalicelib.platform import aws
from chalicelib.platform.audit import SYSTEM, AuditTrail


class DeadlineWatch:
    def __init__(
        self,
        table: Any = None,
        sns: Any = None,
        audit: AuditTrail | None = None,
        on_escalation: Callable[[dict[str, Any]], None] | None = None,
    ):
        self._table = table
        self._sns = sns
        self.audit = audit or AuditTrail()
        # who else is told of a breached deadline (the citizen, the organ's heads: chalicelib.workflow)
        self.on_escalation = on_escalation

    table = Injected(lambda self: aws.table("processes"))

    sns = Injected(lambda self: aws.client("sns"))

    def run(self, reminder_working_days: int = 2) -> dict[str, list[str]]:
        from boto3.dynamodb.conditions import Key

        day = today()
        horizon = day + timedelta(days=reminder_working_days * 2 + 7)  # calendar days enough to cover the working ones
        reminded: list[str] = []
        escalated: list[str] = []
        for organ in sorted({service.organ for service in load_catalogue().values()}):
            query: dict[str, Any] = {
                "IndexName": "by_organ_deadline",
                "KeyConditionExpression": Key("organ").eq(organ) & Key("decision_deadline").lte(horizon.isoformat()),
            }
            while True:
                page = self.table.query(**query)
                for process in page["Items"]:
                    # a decided process whose notice failed (requer_atencao) has no deadline left to watch
                    if process["status"] not in DEADLINE_WATCHED or process.get("decided_at"):
                        continue
                    deadline = date.fromisoformat(process["decision_deadline"])
                    if deadline < day:
                        if self._mark(process, "escalated_at") and self._alert_or_unmark(
                            process,
                            "escalated_at",
                            Role.ORGAN_HEAD,
                            "Prazo de decisão ultrapassado",
                            f"O prazo de decisão do processo {process['number']} terminou a "
                            f"{deadline:%d/%m/%Y}. A decisão continua devida e ficará marcada como tardia.",
                        ):
                            escalated.append(process["process_id"])
                    elif working_days_between(day, deadline) <= reminder_working_days:
                        left = working_days_between(day, deadline)
                        if self._mark(process, "reminded_at") and self._alert_or_unmark(
                            process,
                            "reminded_at",
                            STAFF,
                            "Prazo de decisão a terminar",
                            f"O processo {process['number']} tem de ser decidido até {deadline:%d/%m/%Y} "
                            f"({plural(left, 'falta {n} dia útil', 'faltam {n} dias úteis')}).",
                        ):
                            reminded.append(process["process_id"])
                if "LastEvaluatedKey" not in page:
                    break
                query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return {"reminded": reminded, "escalated": escalated}

    def _mark(self, process: dict[str, Any], attribute: str) -> bool:
        """Once a process: a second run (or a concurrent one) does not alert again."""
        try:
            self.table.update_item(
                Key={"process_id": process["process_id"]},
                UpdateExpression=f"SET {attribute} = :at",
                ConditionExpression=f"attribute_not_exists({attribute})",
                ExpressionAttributeValues={":at": iso()},
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _alert_or_unmark(self, process: dict[str, Any], attribute: str, audience: str, subject: str, text: str) -> bool:
        """Alert; if the alert could not be sent, the mark is taken back, so that the next run (the
        next working morning) alerts again: never marked as alerted without an alert."""
        try:
            self._alert(process, audience, subject, text)
            if attribute == "escalated_at" and self.on_escalation is not None:
                self.on_escalation(process)
        except Exception:  # noqa: BLE001 - whatever stopped it, the next run tries again
            logger.exception("deadline alert failed", extra={"process_id": process["process_id"]})
            self.table.update_item(Key={"process_id": process["process_id"]}, UpdateExpression=f"REMOVE {attribute}")
            return False
        return True

    def _alert(self, process: dict[str, Any], audience: str, subject: str, text: str) -> None:
        settings = get_settings()
        topic = f"arn:aws:sns:{settings.region}:{settings.account_id}:{settings.resource_name('staff-alerts')}"
        response = self.sns.publish(
            TopicArn=topic,
            Subject=subject,
            Message=text,
            MessageAttributes={
                "organ": {"DataType": "String", "StringValue": process["organ"]},
                "audience": {"DataType": "String", "StringValue": audience},
            },
        )
        action = "process.deadline_escalated" if audience == Role.ORGAN_HEAD else "process.deadline_reminder"
        self.audit.record(
            SYSTEM,
            action,
            f"process#{process['process_id']}",
            deadline=process["decision_deadline"],
            message_id=response["MessageId"],
        )
