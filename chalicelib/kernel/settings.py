"""Deployment settings, read from the environment (prefix ``BALCAO_``) once, on first use.

Never build a ``Settings`` at import time: Chalice's test client sets the stage's environment only
while a call runs, and cold starts stay short when nothing is read before it is needed.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Where a deployment of each country is, unless ``BALCAO_TIMEZONE`` says otherwise.
COUNTRY_TIMEZONES = {"PT": "Europe/Lisbon", "BR": "America/Sao_Paulo"}


class Settings(BaseSettings):
    # An empty variable means "not set" (Terraform passes optional settings as ""), not an empty value.
    model_config = SettingsConfigDict(env_prefix="BALCAO_", extra="ignore", env_ignore_empty=True)

    stage: str = "local"
    app_name: str = "balcao"
    resource_prefix: str = Field("balcao-local", description="names are '<prefix>-<key of resources.json>'")
    region: str = "eu-west-1"
    account_id: str = "123456789012"

    country: Literal["PT", "BR"] = "PT"
    municipality: str = "Município de Demonstração"
    # Where the municipality is: its local time dates submissions, counts deadlines and prints times.
    # Unset: the country's (COUNTRY_TIMEZONES); an IANA name otherwise (Atlantic/Azores, America/Manaus).
    timezone: str = ""
    # The local stack's demo clock (``./dev up --today 2026-12-24``): the application's today, from which
    # its clock keeps ticking, so that deadlines, hearings and next-working-day notices can be watched.
    # Only with stage "local": a deployment's legal deadlines run on the real date.
    demo_today: date | None = None
    # Holidays of the deployment's place: the national ones come from `holidays`, plus this one.
    municipal_holiday: date | None = None
    holidays_subdivision: str | None = None
    # The catalogue's organ codes as this municipality names its organs (JSON: {"CAMARA": "PMP"}): the
    # services' files say CAMARA, a Brazilian prefeitura's processes are numbered "PMP 2026/000001".
    organ_codes: dict[str, str] = Field(default_factory=dict)

    sender_email: str = "balcao@municipio-demo.pt"
    public_base_url: str = "http://127.0.0.1:8000"

    # argon2id cost: OWASP's parameters (19 MiB, t=2, p=1; see accounts.OWASP_ARGON2ID); tests choose CHEAPEST.
    password_hash_profile: Literal["OWASP", "RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY", "CHEAPEST"] = "OWASP"
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # Registration: the version of the terms ("Condições de Adesão") a registrant must accept, and
    # where reminders about registrations awaiting validation go.
    terms_version: str = "2026-01"
    registrations_staff_email: str = "balcao-registos@municipio-demo.pt"
    # Seed 001: a decision is notified on the next working day. The local stack's demo notifies at
    # once, so that the outbox shows it while you watch (BALCAO_DECISION_NOTICE=next_working_day to see the rule).
    decision_notice: Literal["next_working_day", "at_once"] = "next_working_day"
    public_lookups_per_minute: int = 30  # per IP address, for the public process lookup
    upload_url_expiry_seconds: int = 900
    # S3 checks a POST policy's expiry when the upload starts; a 200 MB file may finish minutes later.
    # The inspection's own check of the expiry (for S3s that do not enforce policies) allows that much.
    upload_grace_seconds: int = 600
    download_url_expiry_seconds: int = 300

    # Notifications: attempts within one invocation (with exponential backoff from the first delay),
    # then later attempts by the retry_notifications function, from this delay on (doubling).
    notification_attempts: int = 3
    notification_backoff_seconds: float = 0.5
    notification_retry_seconds: int = 300

    # Drafts are kept this many days after they were last saved (DynamoDB TTL), with an email reminder
    # this many days before they go.
    draft_days: int = Field(30, gt=0)
    view_grant_days: int = Field(90, gt=0)  # a grant of view access without an end date given ends after these
    draft_reminder_days_before: int = Field(5, gt=0)

    # Multibanco: the creditor entity (5 digits, from SIBS or the payment provider) and the secret the
    # provider signs its payment notices with (HMAC-SHA256); no secret → the callback refuses all.
    multibanco_entity: str = Field("21800", pattern=r"^\d{5}$")
    payment_callback_secret: SecretStr | None = None
    payment_due_days: int = Field(10, gt=0, description="a Multibanco reference is to be paid within these days")

    # Behind CloudFront: the secret CloudFront adds to every origin request (X-Balcao-Origin). When set,
    # the API refuses requests without it (the execute-api address is public) and takes the client's
    # address from CloudFront's X-Balcao-Viewer-Address; unset (locally), from the connection.
    origin_secret: SecretStr | None = None

    # X-Ray: on in AWS (set by the deploy stage), off locally and in tests.
    tracing: bool = False

    @field_validator("origin_secret", mode="before")
    @classmethod
    def _no_origin_secret(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("demo_today", mode="before")
    @classmethod
    def _no_demo_clock(cls, value: object) -> object:
        return None if value == "" else value  # Terraform writes an unset value as ""

    @model_validator(mode="after")
    def _place_and_clock(self) -> Settings:
        if not self.timezone:
            self.timezone = COUNTRY_TIMEZONES[self.country]
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"BALCAO_TIMEZONE: unknown time zone {self.timezone!r}") from None
        if self.demo_today is not None and self.stage != "local":
            raise ValueError("BALCAO_DEMO_TODAY is for the local stack only (stage 'local')")
        return self

    def resource_name(self, key: str) -> str:
        return f"{self.resource_prefix}-{key}"

    def function_name(self, key: str) -> str:
        """Chalice names a deployed function '<app>-<stage>-<name>'."""
        return f"{self.app_name}-{self.stage}-{key}"

    def function_arn(self, key: str) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name(key)}"

    def state_machine_arn(self, key: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account_id}:stateMachine:{self.resource_name(key)}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
