"""Settings from the environment (HOGO_*) and command-line flags; never built at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_KEY_FILE = Path(".hogo") / "master.key"


class Settings(BaseSettings):
    """Where the database, the policy and the master key are. Flags override the environment."""

    model_config = SettingsConfigDict(env_prefix="HOGO_", extra="ignore", frozen=True)

    database_url: str = Field(default="sqlite:///hogo.db", description="HOGO_DATABASE_URL")
    policy: Path = Field(default=Path("hogo.yaml"), description="HOGO_POLICY")
    master_key: SecretStr | None = Field(
        default=None, description="HOGO_MASTER_KEY (base64, 32 bytes)"
    )
    key_file: Path = Field(default=DEFAULT_KEY_FILE, description="HOGO_KEY_FILE")
    smtp_url: str | None = Field(
        default=None, description="HOGO_SMTP_URL, e.g. smtp://user:pass@host:587?starttls=1"
    )
    mail_from: str | None = Field(
        default=None, description="HOGO_MAIL_FROM; default: the policy's contact e-mail"
    )
    base_url: str = Field(
        default="http://127.0.0.1:8000", description="HOGO_BASE_URL, for links in messages"
    )
    request_repeat_window_days: int = Field(
        default=180,
        ge=0,
        le=3650,
        description="HOGO_REQUEST_REPEAT_WINDOW_DAYS: a second request of the same kind within "
        "this many days is flagged as possibly repeated (0: never)",
    )
    incident_preliminary_days: int = Field(
        default=3,
        ge=1,
        le=30,
        description="HOGO_INCIDENT_PRELIMINARY_DAYS: the preliminary report is due this many "
        "days after the leak became known, the day of knowing being day 1 (PPC: about 3–5)",
    )
