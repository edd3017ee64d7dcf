"""Installment plans (seed 001, the water-debt "Acordo de Pagamento em Prestações"): the rules of the
chosen option checked on the server, and the plan itself, in cents that sum exactly to the debt, each
installment due by a fixed day of the month.

The first installment falls due in the month after the legal decision deadline (the plan cannot start
before the municipality has agreed to it); the amounts differ by at most one cent, the extra cents
going to the first installments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from chalicelib.catalogue.service import InstallmentRules, Service
from chalicelib.kernel.errors import Problems, ValidationFailed
from chalicelib.kernel.money import euros, parse_money, whole_number_text
from chalicelib.kernel.plural import plural


@dataclass(frozen=True)
class Installment:
    number: int
    due_date: date
    amount_cents: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "due_date": self.due_date.isoformat(),
            "amount_cents": self.amount_cents,
            "amount_eur": f"{self.amount_cents / 100:.2f}",
            "amount_text": euros(self.amount_cents),
        }


def split(total_cents: int, count: int) -> list[int]:
    """``total_cents`` in ``count`` amounts that differ by at most a cent and sum exactly to it."""
    base, extra = divmod(total_cents, count)
    return [base + 1 if index < extra else base for index in range(count)]


def first_due_date(start: date, due_day: int) -> date:
    """The ``due_day`` of the month after ``start``."""
    following = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
    return following.replace(day=due_day)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    return day.replace(year=day.year + month_index // 12, month=month_index % 12 + 1)


def check(rules: InstallmentRules, option: str, debt_cents: int, count: int, prefix: str = "fields.") -> None:
    """The chosen option's limits; a 422 that says which rule the plan breaks."""
    chosen = rules.options.get(option)
    if chosen is None:
        raise ValidationFailed("Escolha uma das opções de prestações.", field=f"{prefix}{rules.option_field}")
    problems = Problems()
    count_field = f"{prefix}{rules.count_field}"
    if count < 1:
        problems.add(count_field, "Indique pelo menos uma prestação.")
    elif count > chosen.max_count:
        wider = [o.label for o in rules.options.values() if o.max_count >= count]
        problems.add(
            count_field,
            f"{chosen.label}: no máximo {chosen.max_count} prestações."
            + (f" Para mais prestações escolha a {wider[0]}, com os documentos que a justificam." if wider else ""),
        )
    elif chosen.min_amount_eur is not None:
        minimum = int(chosen.min_amount_eur * 100)
        smallest = debt_cents // count
        if smallest < minimum:
            most = max(debt_cents // minimum, 0)
            advice = (
                f" Com esta dívida, no máximo {plural(most, 'prestação', 'prestações')}."
                if most
                else " A dívida é inferior ao valor mínimo de uma prestação."
            )
            problems.add(
                count_field,
                f"{chosen.label}: cada prestação tem de ser de pelo menos {euros(minimum)}; "
                f"com {plural(count, 'prestação', 'prestações')} seriam de {euros(smallest)}.{advice} Prestações inferiores só na opção b).",
            )
    problems.raise_if_any()


def plan(
    rules: InstallmentRules, option: str, debt_cents: int, count: int, start: date, prefix: str = "fields."
) -> list[Installment]:
    check(rules, option, debt_cents, count, prefix)
    first = first_due_date(start, rules.due_day)
    return [
        Installment(number=index + 1, due_date=add_months(first, index), amount_cents=amount)
        for index, amount in enumerate(split(debt_cents, count))
    ]


def plan_for_fields(service: Service, fields: dict[str, Any], start: date) -> list[Installment]:
    """The plan from a request's fields (as stored, or as typed in a preview): every missing or
    malformed input and every broken rule named."""
    rules = service.installments
    if rules is None:
        raise ValidationFailed("Este serviço não tem plano de prestações.", field="service_id")
    specs = {spec.name: spec for spec in service.fields}
    problems = Problems()
    debt_cents = count = option = None
    try:
        debt = parse_money(fields.get(rules.debt_field)) if fields.get(rules.debt_field) not in (None, "") else None
        if debt is None:
            problems.add(f"fields.{rules.debt_field}", f"{specs[rules.debt_field].label}: campo obrigatório.")
        elif debt <= Decimal(0):
            problems.add(f"fields.{rules.debt_field}", f"{specs[rules.debt_field].label}: tem de ser superior a zero.")
        else:
            debt_cents = int(debt * 100)
    except ValueError as error:
        problems.add(f"fields.{rules.debt_field}", f"{specs[rules.debt_field].label}: {error}")
    raw_count = fields.get(rules.count_field)
    if isinstance(raw_count, (int, Decimal)) and not isinstance(raw_count, bool) and raw_count == int(raw_count):
        count = int(raw_count)
    elif isinstance(raw_count, str) and whole_number_text(raw_count.strip()):
        count = int(raw_count)
    else:
        problems.add(f"fields.{rules.count_field}", f"{specs[rules.count_field].label}: indique um número inteiro.")
    option = fields.get(rules.option_field)
    if option not in rules.options:
        problems.add(f"fields.{rules.option_field}", f"{specs[rules.option_field].label}: escolha uma das opções.")
    problems.raise_if_any()
    return plan(rules, option, debt_cents, count, start)  # type: ignore[arg-type]
