"""A service's legal decision deadline, counted from the day a request is submitted: in working days
(the deployment's calendar) or calendar days, as the service's data says. Apart from ``service`` so
that reading the catalogue (the public pages) does not load the settings and the holiday calendar."""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.catalogue.service import Service
from chalicelib.kernel.working_days import add_working_days


def decision_deadline(service: Service, day: date) -> date:
    """The legal decision deadline of a request submitted on ``day`` (local date)."""
    if service.decision_deadline.kind == "working":
        return add_working_days(day, service.decision_deadline.days)
    return day + timedelta(days=service.decision_deadline.days)
