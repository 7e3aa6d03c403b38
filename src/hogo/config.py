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
