"""Settings from the environment (`NETZICHT_*`), with help text; one object, read once."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DATA_DIR = Path(user_data_dir("netzicht", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NETZICHT_", extra="ignore")

    store: str = Field(
        default=f"sqlite:///{DATA_DIR / 'netzicht.db'}",
        description="Store URI: sqlite:///path.db, neo4j://host:7687 or bolt://host:7687",
    )
    data_dir: Path = Field(default=DATA_DIR, description="Where quarantine files and caches go")
    neo4j_user: str | None = Field(default=None, description="Neo4j user name")
    neo4j_password: str | None = Field(default=None, description="Neo4j password")
    neo4j_database: str | None = Field(
        default=None, description="Neo4j database (default: the server's)"
    )
    user: str = Field(default="local", description="Who the CLI acts as (audit trail)")
    role: str = Field(
        default="admin",
        description="Role of the CLI user: investigator, analyst, care_coordinator, admin",
    )
    regions: str = Field(
        default="*", description="Regions the CLI user may see, comma-separated, or *"
    )
    seed: int = Field(default=7, description="Seed for randomised algorithms")
    epsilon_budget: float = Field(
        default=3.0, description="Total differential-privacy budget (epsilon) for shared exports"
    )
    purpose: str = Field(
        default="investigation", description="Purpose recorded in the audit log for reads"
    )

    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"


def get_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
