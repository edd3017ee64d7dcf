"""Identity numbers checked by their check digits (python-stdnum, imported when a number is checked):
NIF/NIPC in Portugal, CPF/CNPJ in Brazil."""

from __future__ import annotations

from chalicelib.kernel.errors import ValidationFailed

# Who a Portuguese NIF belongs to, by its first digit(s): people 1-3 and 45 (non-residents);
# collective persons (NIPC) 5-9.
_PT_INDIVIDUAL_PREFIXES = ("1", "2", "3", "45")
_PT_COMPANY_PREFIXES = ("5", "6", "7", "8", "9")


def normalise_identity_number(value: str, country: str, person_type: str | None = None) -> str:
    """Check an identity number by its check digits (python-stdnum) and return its compact form:
    NIF (people) or NIPC (companies) in Portugal, CPF (people) or CNPJ (companies) in Brazil.
    ``person_type`` ("individual"/"company") narrows which numbers fit; None accepts any."""
    from stdnum.exceptions import ValidationError as StdnumError

    if country == "PT":
        from stdnum.pt import nif as scheme

        schemes = [scheme]
        label = {"individual": "NIF", "company": "NIPC"}.get(person_type or "", "NIF")
    else:
        from stdnum.br import cnpj, cpf

        schemes = {"individual": [cpf], "company": [cnpj]}.get(person_type or "", [cpf, cnpj])
        label = {"individual": "CPF", "company": "CNPJ"}.get(person_type or "", "CPF/CNPJ")
    for candidate in schemes:
        try:
            number = candidate.validate(value)
        except StdnumError:
            continue
        if country == "BR" and len(set(number)) == 1:
            # 111.111.111-11 passes the check digits (python-stdnum accepts it), but the Receita Federal
            # issues no number of one repeated digit.
            raise ValidationFailed(
                f"{label} inválido: um número com todos os dígitos iguais não é um {label}.", field="identity_number"
            )
        if country == "PT" and person_type == "individual" and not number.startswith(_PT_INDIVIDUAL_PREFIXES):
            raise ValidationFailed(
                "Este número é de uma pessoa coletiva (NIPC): registe-se como empresa.", field="identity_number"
            )
        if country == "PT" and person_type == "company" and not number.startswith(_PT_COMPANY_PREFIXES):
            raise ValidationFailed(
                "Este NIF é de uma pessoa singular: indique o NIPC da empresa.", field="identity_number"
            )
        return number
    raise ValidationFailed(f"{label} inválido: verifique os dígitos.", field="identity_number")
