"""Reusable field types for input models: each validates one Hapio wire format and keeps its text."""

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StrictBool, StrictInt, StringConstraints
from pydantic_core import PydanticCustomError

from kairos.domain import formats


def _duration(value: str) -> str:
    return formats.parse_duration(value).text


def _non_zero_duration(value: str) -> str:
    if formats.parse_duration(value).is_zero:
        raise ValueError("must be a duration greater than zero")
    return value


def _price(value: str) -> str:
    formats.parse_price(value)
    return value


def _time_zone(value: str) -> str:
    formats.parse_time_zone(value)
    return value


def _time(value: str) -> str:
    formats.parse_time(value)
    return value


def _uuid(value: str) -> str:
    from kairos.domain.ids import is_uuid

    if not is_uuid(value):
        raise ValueError("must be a valid UUID")
    return value.lower()


def _present(value: Any) -> Any:
    if value is None:
        raise PydanticCustomError("missing", "Field required")
    return value


# Laravel's `required`: an explicit null is reported as missing ("The x field is required.").
Required = BeforeValidator(_present)
Name = Annotated[str, StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=255)]
Text = Annotated[str, Field(strict=True)]
Metadata = dict[str, Any] | None
Enabled = StrictBool
Duration = Annotated[Text, AfterValidator(_duration)]
NonZeroDuration = Annotated[Text, AfterValidator(_duration), AfterValidator(_non_zero_duration)]
Price = Annotated[Text, AfterValidator(_price)]
TimeZoneName = Annotated[Text, AfterValidator(_time_zone)]
TimeOfDay = Annotated[Text, AfterValidator(_time)]
Uuid = Annotated[Text, AfterValidator(_uuid)]
PositiveInt = Annotated[StrictInt, Field(ge=1)]
