"""A staff member's authenticator app, as tests hold it: the code it shows now, from the secret stored
in the users table (in-process moto, or the local stack's moto server)."""

from __future__ import annotations

from typing import Any


def app_code(users_table: Any, identifier: str) -> str:
    """The code the app of the account ``identifier`` names shows now. Each step's code opens one
    login only, and tests log the same person in several times a minute: the account's last used
    step is first set a minute back, as if its previous login had been that long ago. Only the
    current step's code is accepted, so a code about to change is waited out, as a person would."""
    import pyotp

    from chalicelib.accounts.second_factor import STEP_SECONDS
    from chalicelib.accounts.users import login_key

    alias = users_table.get_item(Key={"pk": f"LOGIN#{login_key(identifier)}"}, ConsistentRead=True)["Item"]
    key = {"pk": f"USER#{alias['user_id']}"}
    secret = users_table.get_item(Key=key, ConsistentRead=True)["Item"]["totp_secret"]
    step = fresh_step()
    users_table.update_item(
        Key=key, UpdateExpression="SET totp_last_step = :before", ExpressionAttributeValues={":before": step - 2}
    )
    return pyotp.TOTP(secret, interval=STEP_SECONDS).at(step * STEP_SECONDS)


def enrolment_code(secret: str) -> str:
    import pyotp

    from chalicelib.accounts.second_factor import STEP_SECONDS

    return pyotp.TOTP(secret, interval=STEP_SECONDS).at(fresh_step() * STEP_SECONDS)


MARGIN_SECONDS = 6  # time enough to type (or send) a code before its step ends, on a loaded machine


def fresh_step() -> int:
    from local.demo import fresh_step

    return fresh_step(MARGIN_SECONDS)


def stack_users_table(aws_port: int) -> Any:
    """The local stack's users table, through its moto server."""
    import boto3

    return boto3.resource(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{aws_port}",
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 - moto's server takes any
    ).Table("balcao-local-users")
