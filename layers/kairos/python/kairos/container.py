"""The composition root: builds the DynamoDB adapter and the domain services from the settings. Each Lambda
function builds one at import (reused while warm); tests build their own."""

from dataclasses import dataclass

from kairos.config import Settings
from kairos.domain.auth import Authenticator
from kairos.domain.availability import Availability
from kairos.domain.booking_groups import BookingGroups
from kairos.domain.bookings import Bookings
from kairos.domain.catalogue import Catalogue
from kairos.domain.projects import ProjectAdmin
from kairos.domain.schedules import Schedules
from kairos.storage.booking_store import BookingStore
from kairos.storage.dynamodb import CatalogueStore, ProjectStore, RateCounterStore, Table, make_client
from kairos.storage.schedule_store import ScheduleStore


@dataclass(frozen=True)
class Container:
    settings: Settings
    table: Table
    auth: Authenticator
    catalogue: Catalogue
    projects: ProjectAdmin
    schedules: Schedules
    availability: Availability
    booking_store: BookingStore
    bookings: Bookings
    booking_groups: BookingGroups

    @classmethod
    def from_settings(cls, settings: Settings) -> "Container":
        table = Table(make_client(settings), settings.table_name)
        project_store = ProjectStore(table)
        catalogue_store = CatalogueStore(table)
        schedule_store = ScheduleStore(table)
        booking_store = BookingStore(table)
        bookings = Bookings(catalogue_store, catalogue_store, schedule_store, booking_store)
        return cls(
            settings=settings,
            table=table,
            auth=Authenticator(project_store, RateCounterStore(table)),
            catalogue=Catalogue(catalogue_store, catalogue_store),
            projects=ProjectAdmin(project_store),
            schedules=Schedules(catalogue_store, schedule_store),
            availability=Availability(catalogue_store, catalogue_store, schedule_store),
            booking_store=booking_store,
            bookings=bookings,
            booking_groups=BookingGroups(catalogue_store, booking_store, bookings),
        )

    @classmethod
    def from_environment(cls) -> "Container":
        return cls.from_settings(Settings.from_environment())
