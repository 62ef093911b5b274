"""The bodies a calendar subscription is created and changed with (pydantic), apart from the service:
only the requests that parse one load pydantic (`CalendarSubscriptions.create` and `.patch` import this
module); the poller, whose run reads no body, never does (docs/infrastructure.md, "Cold starts")."""

from pydantic import BaseModel, ConfigDict, Field

from kairos.domain.shared.fields import Name

MAX_URL_LENGTH = 2048


class CalendarSubscriptionInput(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    url: str = Field(
        max_length=MAX_URL_LENGTH,
        description="The feed's address: https, http or webcal (read as https); must resolve to a public "
        "address. A secret: answered in full only to the request that sets it.",
    )
    name: Name | None = None


class CalendarSubscriptionPatch(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    url: str | None = Field(default=None, max_length=MAX_URL_LENGTH)
    name: Name | None = None
