"""Rate limits for routes anyone may call (the public process lookup): a fixed window per caller's IP,
counted in DynamoDB with one conditional update a request, so that every Lambda instance shares it.
Counters expire by TTL."""

from __future__ import annotations

from typing import Any

from chalicelib.kernel.clock import now
from chalicelib.kernel.errors import TooManyRequests
from chalicelib.kernel.inject import Injected
from chalicelib.kernel.plural import plural
from chalicelib.platform import aws


class RateLimit:
    def __init__(self, scope: str, limit: int, window_seconds: int = 60, table: Any = None):
        self.scope = scope
        self.limit = limit
        self.window_seconds = window_seconds
        self._table = table

    table = Injected(lambda self: aws.table("rate_limits"))

    def hit(self, caller: str | None) -> None:
        """Count one request of ``caller``; a 429 once it has made ``limit`` in this window."""
        moment = int(now().timestamp())
        window = moment - moment % self.window_seconds
        try:
            self.table.update_item(
                Key={"bucket": f"{self.scope}#{caller or '-'}#{window}"},
                UpdateExpression="ADD hits :one SET expires_at = :expires",
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeValues={
                    ":one": 1,
                    ":limit": self.limit,
                    ":expires": window + 2 * self.window_seconds,
                },
            )
        except self.table.meta.client.exceptions.ConditionalCheckFailedException:
            wait = window + self.window_seconds - moment
            raise TooManyRequests(
                f"Demasiadas consultas seguidas. Tente de novo dentro de {plural(wait, 'segundo', 'segundos')}."
            ) from None
