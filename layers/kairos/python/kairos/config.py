"""Settings read from the environment, once, in one place."""

import os
from dataclasses import dataclass

DEFAULT_REGION = "eu-central-1"
DEFAULT_TABLE = "kairos"


@dataclass(frozen=True)
class Settings:
    table_name: str
    region: str
    dynamodb_endpoint: str | None

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls(
            table_name=os.environ.get("KAIROS_TABLE_NAME", DEFAULT_TABLE),
            region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
            dynamodb_endpoint=os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or None,
        )
