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
from kairos.storage.usage_store import UsageStore
from kairos.storage.webhook_store import DeliveryStore
from kairos.usage.events import EventBridgeUsageEmitter, UsageEmitter
from kairos.usage.metering import Metering
from kairos.usage.quota import MonthlyQuota
from kairos.usage.report import UsageReport
from kairos.webhooks.delivery import DeliveryPolicy, Dispatcher
from kairos.webhooks.retry_queue import SqsRetryQueue
from kairos.webhooks.subscriptions import Webhooks


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
    webhooks: Webhooks
    dispatcher: Dispatcher
    usage_events: UsageEmitter
    quota: MonthlyQuota
    usage_report: UsageReport
    metering: Metering

    @classmethod
    def from_settings(cls, settings: Settings) -> "Container":
        table = Table(make_client(settings), settings.table_name)
        project_store = ProjectStore(table)
        catalogue_store = CatalogueStore(table)
        schedule_store = ScheduleStore(table)
        booking_store = BookingStore(table)
        bookings = Bookings(catalogue_store, catalogue_store, schedule_store, booking_store)
        usage_store = UsageStore(table)
        webhooks = Webhooks(catalogue_store)
        dispatcher = Dispatcher(
            webhooks,
            DeliveryStore(table),
            SqsRetryQueue(settings.region),
            usage_store,
            DeliveryPolicy.from_environment(),
        )
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
            webhooks=webhooks,
            dispatcher=dispatcher,
            usage_events=EventBridgeUsageEmitter(settings.region),
            quota=MonthlyQuota(usage_store),
            usage_report=UsageReport(usage_store),
            metering=Metering(usage_store),
        )

    @classmethod
    def from_environment(cls) -> "Container":
        return cls.from_settings(Settings.from_environment())
