"""The catalogue, its service fields and installment plans, and the error body: domain rules without AWS."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.catalogue.installments import plan_for_fields, split
from chalicelib.catalogue.service import Service, get_service, load_catalogue, search
from chalicelib.kernel.errors import NotFound, ValidationFailed

SEED_SERVICES = {
    "agua-prestacoes",
    "generico",
    "vista-processo",
    "maquina-diversao-registo",
    "maquina-diversao-segunda-via",
    "maquina-diversao-alteracao-proprietario",
    "maquina-diversao-tema-jogo",
}


def test_the_seeds_services_are_in_the_catalogue_with_their_fees() -> None:
    services = load_catalogue()
    assert SEED_SERVICES <= set(services)
    assert str(services["maquina-diversao-registo"].fees.amount_eur) == "86.70"
    assert str(services["maquina-diversao-alteracao-proprietario"].fees.amount_eur) == "44.34"
    assert services["maquina-diversao-segunda-via"].fees.kind == "to_be_defined"
    assert services["maquina-diversao-tema-jogo"].fees.kind == "to_be_defined"
    assert services["agua-prestacoes"].decision_deadline.days == 10
    machine_lists = {
        sid: {d.slot for d in services[sid].documents} for sid in SEED_SERVICES if sid.startswith("maquina")
    }
    assert len({frozenset(v) for v in machine_lists.values()}) == 3  # registo and 2.ª via share the seed's n.ºs 1 e 2
    assert "documento_venda" in machine_lists["maquina-diversao-alteracao-proprietario"]
    for service in services.values():
        assert {"Como realizar", "O que devo saber", "Custo", "Prazo"} <= set(service.sections)


def _service(**changes: Any) -> dict[str, Any]:
    data = json.loads(get_service("generico").model_dump_json())
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"fees": {"kind": "fixed"}}, "amount_eur"),
        ({"fees": {"kind": "none", "amount_eur": "3.00"}}, "amount_eur"),
        ({"sections": {"Como realizar": "x"}}, "sections missing"),
        ({"fields": [{"name": "a", "label": "A", "type": "choice"}]}, "options"),
        (
            {"fields": [{"name": "a", "label": "A", "type": "text", "when": [{"field": "b", "one_of": ["x"]}]}]},
            "unknown",
        ),
        ({"documents": [{"slot": "x", "label": "X", "formats": ["exe"]}]}, "formats"),
    ],
)
def test_a_broken_service_file_is_refused_when_loaded(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValidationError) as error:
        Service.model_validate(_service(**changes))
    assert words in str(error.value)


def test_search_finds_services_by_words_ignoring_accents_and_case() -> None:
    assert [s.id for s in search("DÍVIDA agua")] == ["agua-prestacoes"]
    machines = {s.id for s in search("maquina")}
    assert machines == {sid for sid in SEED_SERVICES if sid.startswith("maquina")}
    assert search("alteração proprietário")[0].id == "maquina-diversao-alteracao-proprietario"  # title first
    assert search("vista")[0].id == "vista-processo"
    assert search("nada-disto-existe") == []
    assert len(search("")) == len(load_catalogue())


def test_fields_report_every_error_at_once_and_check_types() -> None:
    service = get_service("agua-prestacoes")
    with pytest.raises(ValidationFailed) as error:
        service.validate_fields(
            {
                "valor_divida": "12,345",
                "numero_prestacoes": "três",
                "predio_codigo_postal": "7200",
                "opcao": "c",
                "cor": "azul",
            }
        )
    fields = [field for field, _ in error.value.errors]
    assert set(fields) >= {
        "fields.valor_divida",
        "fields.numero_prestacoes",
        "fields.predio_codigo_postal",
        "fields.opcao",
        "fields.cor",
        "fields.codigo_consumidor",
    }
    assert error.value.to_body()["error"]["field"] == fields[0]
    assert len(error.value.to_body()["errors"]) == len(fields)


def test_a_draft_keeps_what_is_filled_and_a_submission_drops_what_does_not_apply() -> None:
    service = get_service("agua-prestacoes")
    partial = service.validate_fields(
        {"valor_divida": "1 234,50", "opcao": "a", "fundamentacao": "desemprego"}, partial=True
    )
    assert partial == {"valor_divida": "1234.50", "opcao": "a", "fundamentacao": "desemprego"}
    full = {
        "predio_morada": "Rua A",
        "predio_codigo_postal": "7200-370",
        "codigo_consumidor": "123",
        "valor_divida": "100",
        "numero_documentos": 2,
        "opcao": "a",
        "numero_prestacoes": 5,
        "fundamentacao": "x",
    }
    assert "fundamentacao" not in service.validate_fields(full)
    with pytest.raises(ValidationFailed) as error:
        service.validate_fields({**full, "opcao": "b", "fundamentacao": ""})
    assert error.value.field == "fields.fundamentacao"


def test_documents_apply_by_option_and_by_who_asks() -> None:
    service = get_service("agua-prestacoes")
    singular = {"requerente.type": "singular"}
    assert [s.slot for s in service.applicable_slots({**singular, "opcao": "a"})] == []
    assert {s.slot for s in service.applicable_slots({**singular, "opcao": "b"})} == {
        "irs",
        "atestado_insuficiencia",
        "agregado_familiar",
        "outros_insuficiencia",
    }
    company = {"requerente.type": "coletiva", "requerente.collective_kind": "empresa", "opcao": "b"}
    assert {"irc", "legitimidade_empresa"} <= {s.slot for s in service.applicable_slots(company)}
    represented = {**singular, "representante.quality": "mandatario", "opcao": "a"}
    assert [s.slot for s in service.applicable_slots(represented)] == ["qualidade_representante"]
    manager = {**singular, "representante.quality": "gestor_negocios", "opcao": "a"}
    assert service.applicable_slots(manager) == []


@pytest.mark.parametrize(("total", "count"), [(100_001, 24), (2000, 1), (99_999_99, 36), (7, 3), (3600, 36)])
def test_installments_are_cents_that_sum_exactly_to_the_debt(total: int, count: int) -> None:
    parts = split(total, count)
    assert sum(parts) == total and len(parts) == count and max(parts) - min(parts) <= 1


def _plan(debt: str, count: int, option: str) -> list[Any]:
    fields = {"valor_divida": debt, "numero_prestacoes": count, "opcao": option}
    return plan_for_fields(get_service("agua-prestacoes"), fields, date(2026, 11, 30))


def test_the_plan_is_due_by_day_8_of_each_following_month() -> None:
    plan = _plan("1000.01", 24, "a")
    assert [i.due_date for i in plan[:3]] == [date(2026, 12, 8), date(2027, 1, 8), date(2027, 2, 8)]
    assert plan[-1].due_date == date(2028, 11, 8)
    assert sum(i.amount_cents for i in plan) == 100_001
    assert plan[0].to_dict()["amount_eur"] == "41.67" and plan[-1].to_dict()["amount_eur"] == "41.66"


@pytest.mark.parametrize(
    ("debt", "count", "option", "words"),
    [
        ("1000", 25, "a", "no máximo 24 prestações"),
        ("100", 6, "a", "pelo menos 20,00 €"),
        ("1000", 37, "b", "no máximo 36 prestações"),
    ],
)
def test_a_plan_outside_the_rules_says_which_rule(debt: str, count: int, option: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        _plan(debt, count, option)
    assert error.value.field == "fields.numero_prestacoes"
    assert words in error.value.message


def test_option_b_allows_more_installments_and_smaller_ones() -> None:
    assert len(_plan("1000", 36, "b")) == 36
    assert _plan("100", 10, "b")[0].amount_cents == 1000
    assert len(_plan("100", 5, "a")) == 5  # exactly €20 each is allowed in option a


def test_an_unknown_service_is_not_found() -> None:
    with pytest.raises(NotFound):
        get_service("nao-existe")


@pytest.mark.usefixtures("env")
def test_service_fields_are_checked_against_the_definition() -> None:
    from chalicelib.catalogue.service import get_service

    service = get_service("generico")
    assert service.validate_fields({"subject": "  Olá ", "text": "x"}) == {"subject": "Olá", "text": "x"}
    with pytest.raises(ValidationFailed) as error:
        service.validate_fields({"subject": "x"})
    assert error.value.field == "fields.text"
