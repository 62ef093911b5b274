"""The composition root: builds the DynamoDB adapter and the domain services from the settings. Each Lambda
function builds one at import (reused while warm); tests build their own.

Services are built on first use, and their modules imported then: a function imports only what its area
touches (the project area never loads the slot engine or the booking rules), which keeps cold starts short.
"""

from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from kairos.config import Settings
from kairos.domain.projects.auth import Authenticator
from kairos.storage.catalogue_cache import CachedCatalogue
from kairos.storage.catalogue_store import CatalogueStore
from kairos.storage.dynamodb import Table, make_client
from kairos.storage.project_store import ProjectStore
from kairos.storage.rate_store import RateCounterStore
from kairos.values.formats import now_utc

if TYPE_CHECKING:
    from kairos.calendars.feed import CalendarFeeds
    from kairos.calendars.subscriptions import CalendarSubscriptions
    from kairos.domain.bookings.availability import Availability
    from kairos.domain.bookings.bookings import Bookings
    from kairos.domain.bookings.explain import SlotExplainer
    from kairos.domain.bookings.groups import BookingGroups
    from kairos.domain.bookings.hold_sweep import HoldSweeper
    from kairos.domain.bookings.hold_timers import HoldTimers
    from kairos.domain.bookings.series import BookingSeries
    from kairos.domain.bookings.series_reads import SeriesReads
    from kairos.domain.catalogue.catalogue import Catalogue
    from kairos.domain.projects.projects import ProjectAdmin
    from kairos.domain.schedules.schedules import Schedules
    from kairos.portal.account_deletion import AccountDeletion
    from kairos.portal.accounts import Accounts
    from kairos.portal.api_tokens import ApiTokens
    from kairos.portal.email_change import EmailChange
    from kairos.portal.ports import Mailer
    from kairos.portal.throttle import Throttle
    from kairos.portal.workspace import Workspace
    from kairos.storage.booking_store import BookingStore
    from kairos.storage.cognito import CognitoIdentities
    from kairos.storage.portal_store import PortalStore
    from kairos.storage.schedule_store import ScheduleStore
    from kairos.storage.usage_store import UsageStore
    from kairos.storage.waitlist_store import WaitlistStore
    from kairos.usage.events import UsageEmitter
    from kairos.usage.metering import Metering
    from kairos.usage.report import UsageReport
    from kairos.usage.request_log import RequestLog
    from kairos.waitlists.offers import WaitlistOffers
    from kairos.waitlists.service import Waitlists
    from kairos.webhooks.delivery import Dispatcher
    from kairos.webhooks.subscriptions import Webhooks


class Container:
    def __init__(self, settings: Settings, clock: Callable[[], datetime] = now_utc) -> None:
        self.settings = settings
        self.clock = clock  # what the booking rules take as now (tests move it; holds expire by it)
        self.table = Table(lambda: make_client(settings), settings.table_name)
        self._catalogue_store = CachedCatalogue(CatalogueStore(self.table))
        self._project_store = ProjectStore(self.table)
        self.auth = Authenticator(
            self._project_store,
            RateCounterStore(self.table, self._metered_requests),
            anonymous_limit=settings.anonymous_rate_limit,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> "Container":
        return cls(settings)

    @classmethod
    def from_environment(cls) -> "Container":
        return cls(Settings.from_environment())

    # --- stores shared by several services -------------------------------------------------------------

    def _metered_requests(self, project_id: str, month: str) -> int:
        """Where a project's quota counter starts a month (read once a month, see storage/rate_store.py)."""
        return self._usage_store.month_requests(project_id, month)

    @cached_property
    def schedule_store(self) -> "ScheduleStore":
        from kairos.storage.schedule_store import ScheduleStore

        return ScheduleStore(self.table)

    @cached_property
    def listing_schedules(self) -> "ScheduleStore":
        """The schedules and timelines as the read-only availability routes read them: eventually
        consistent (docs/slots.md, "Freshness")."""
        from kairos.storage.schedule_store import ScheduleStore

        return ScheduleStore(self.table, consistent=False)

    @cached_property
    def booking_store(self) -> "BookingStore":
        from kairos.storage.booking_store import BookingStore

        return BookingStore(self.table, indexed=self.settings.booking_lists_indexed, clock=self.clock)

    @cached_property
    def _usage_store(self) -> "UsageStore":
        from kairos.storage.usage_store import UsageStore

        return UsageStore(self.table)

    # --- domain services ------------------------------------------------------------------------------

    @cached_property
    def catalogue(self) -> "Catalogue":
        from kairos.domain.catalogue.catalogue import Catalogue

        return Catalogue(self._catalogue_store, self._catalogue_store)

    @cached_property
    def projects(self) -> "ProjectAdmin":
        from kairos.domain.projects.projects import ProjectAdmin

        return ProjectAdmin(self._project_store)

    @cached_property
    def schedules(self) -> "Schedules":
        from kairos.domain.schedules.schedules import Schedules

        return Schedules(self._catalogue_store, self.schedule_store)

    @cached_property
    def availability(self) -> "Availability":
        from kairos.domain.bookings.availability import Availability

        return Availability(
            self._catalogue_store,
            self._catalogue_store,
            self.listing_schedules,
            self.settings.max_slot_window_days,
            self.clock,
            memory=self._catalogue_store,
        )

    @cached_property
    def bookings(self) -> "Bookings":
        from kairos.domain.bookings.bookings import Bookings

        return Bookings(
            self._catalogue_store,
            self._catalogue_store,
            self.schedule_store,
            self.booking_store,
            self.clock,
            memory=self._catalogue_store,
        )

    @cached_property
    def calendar_feeds(self) -> "CalendarFeeds":
        from kairos.calendars.feed import CalendarFeeds
        from kairos.storage.feed_store import CalendarFeedStore

        feeds = CalendarFeedStore(self.table)
        return CalendarFeeds(
            self._catalogue_store, self.bookings, self.booking_store, feeds, self._project_store, self.clock
        )

    @cached_property
    def calendar_subscriptions(self) -> "CalendarSubscriptions":
        from kairos.calendars.fetch import fetch_feed
        from kairos.calendars.subscriptions import CalendarSubscriptions
        from kairos.storage.calendar_subscription_store import CalendarSubscriptionStore

        store = CalendarSubscriptionStore(self.table)
        return CalendarSubscriptions(self._catalogue_store, store, self.booking_store, fetch_feed, self.clock)

    @cached_property
    def _waitlist_store(self) -> "WaitlistStore":
        from kairos.storage.waitlist_store import WaitlistStore

        return WaitlistStore(self.table, self.booking_store)

    @cached_property
    def waitlists(self) -> "Waitlists":
        from kairos.waitlists.service import Waitlists

        return Waitlists(
            self._catalogue_store,
            self._catalogue_store,
            self._waitlist_store,
            self.clock,
            self.settings.max_slot_window_days,
        )

    @cached_property
    def waitlist_offers(self) -> "WaitlistOffers":
        from kairos.domain.bookings.availability import Availability
        from kairos.waitlists.offers import WaitlistOffers

        # The free places as the change that made the event left them: fresh, strongly consistent reads,
        # no catalogue memory (a resource given more places a moment ago must count them).
        places = Availability(
            self._catalogue_store,
            self._catalogue_store,
            self.schedule_store,
            self.settings.max_slot_window_days,
            self.clock,
        )
        return WaitlistOffers(
            self._waitlist_store,
            self._project_store,
            self.bookings,
            places,
            self.schedule_store,
            self.clock,
            self.settings.max_slot_window_days,
        )

    @cached_property
    def explainer(self) -> "SlotExplainer":
        from kairos.domain.bookings.explain import SlotExplainer

        return SlotExplainer(self._catalogue_store, self._catalogue_store, self.schedule_store, self.clock)

    @cached_property
    def hold_sweeper(self) -> "HoldSweeper":
        from kairos.domain.bookings.hold_sweep import HoldSweeper
        from kairos.storage.hold_store import HoldExpiryStore

        expiring = HoldExpiryStore(self.table)
        writer = self.bookings.writer
        return HoldSweeper(
            expiring, self.hold_timers, self.booking_store, writer, self.clock, self._catalogue_store
        )

    @cached_property
    def hold_timers(self) -> "HoldTimers":
        from kairos.messaging.hold_timer_queue import SqsHoldTimers

        return SqsHoldTimers(self.settings.region)

    @cached_property
    def booking_groups(self) -> "BookingGroups":
        from kairos.domain.bookings.groups import BookingGroups

        return BookingGroups(self._catalogue_store, self.booking_store, self.bookings)

    @cached_property
    def booking_series_reads(self) -> "SeriesReads":
        from kairos.domain.bookings.series_reads import SeriesReads

        return SeriesReads(self._catalogue_store, self.booking_store, self.bookings)

    @cached_property
    def booking_series(self) -> "BookingSeries":
        from kairos.domain.bookings.series import BookingSeries

        return BookingSeries(
            self._catalogue_store,
            self.booking_store,
            self.bookings,
            self.explainer,
            self.booking_series_reads,
            self.clock,
        )

    @cached_property
    def webhooks(self) -> "Webhooks":
        from kairos.webhooks.subscriptions import Webhooks

        return Webhooks(self._catalogue_store)

    @cached_property
    def dispatcher(self) -> "Dispatcher":
        from kairos.messaging.retry_queue import SqsRetryQueue
        from kairos.storage.webhook_store import DeliveryStore, LaneStore
        from kairos.webhooks.delivery import DeliveryPolicy, Dispatcher

        return Dispatcher(
            self.webhooks,
            DeliveryStore(self.table),
            SqsRetryQueue(self.settings.region),
            DeliveryPolicy.from_environment(),
            LaneStore(self.table),
        )

    @cached_property
    def usage_events(self) -> "UsageEmitter":
        from kairos.messaging.usage_queue import SqsUsageEmitter

        return SqsUsageEmitter(self.settings.region)

    @cached_property
    def usage_report(self) -> "UsageReport":
        from kairos.usage.report import UsageReport

        return UsageReport(self._usage_store)

    @cached_property
    def metering(self) -> "Metering":
        from kairos.usage.metering import Metering

        return Metering(self._usage_store)

    # --- the Portal (docs/portal.md) --------------------------------------------------------------------

    @cached_property
    def _portal_store(self) -> "PortalStore":
        from kairos.storage.portal_store import PortalStore

        return PortalStore(self.table)

    @cached_property
    def mailer(self) -> "Mailer":
        from pathlib import Path

        from kairos.portal.mailer import OutboxMailer, SesMailer

        if self.settings.mail_outbox:
            return OutboxMailer(Path(self.settings.mail_outbox))
        return SesMailer(self.settings.region, self.settings.mail_sender)

    @cached_property
    def _throttle(self) -> "Throttle":
        from kairos.portal.throttle import Throttle

        return Throttle(RateCounterStore(self.table), per_address=self.settings.portal_attempts_per_minute)

    @cached_property
    def _identities(self) -> "CognitoIdentities":
        from kairos.storage.cognito import CognitoIdentities

        return CognitoIdentities(
            self.settings.region, self.settings.user_pool_id, self.settings.user_pool_client_id
        )

    @cached_property
    def accounts(self) -> "Accounts":
        from kairos.portal.accounts import Accounts
        from kairos.storage.account_guard_store import AccountGuardStore

        guards = AccountGuardStore(self.table)
        return Accounts(
            self._identities,
            self._portal_store,
            guards,
            self.mailer,
            self._throttle,
            self.settings.portal_url,
        )

    @cached_property
    def account_deletion(self) -> "AccountDeletion":
        from kairos.portal.account_deletion import AccountDeletion

        return AccountDeletion(self.accounts, self.workspace, self._portal_store, self._identities)

    @cached_property
    def email_change(self) -> "EmailChange":
        from kairos.portal.email_change import EmailChange

        return EmailChange(self.accounts, self._portal_store, self._identities, self._throttle)

    @cached_property
    def workspace(self) -> "Workspace":
        from kairos.portal.workspace import Workspace

        return Workspace(
            self.projects,
            self._project_store,
            self._portal_store,
            self.mailer,
            self._throttle,
            self.settings.portal_url,
        )

    @cached_property
    def api_tokens(self) -> "ApiTokens":
        from kairos.portal.api_tokens import ApiTokens
        from kairos.storage.request_log_store import RequestLogStore

        return ApiTokens(self.workspace, self.projects, self._project_store, RequestLogStore(self.table))

    @cached_property
    def request_log(self) -> "RequestLog":
        from kairos.storage.request_log_store import RequestLogStore
        from kairos.usage.request_log import RequestLog

        return RequestLog(RequestLogStore(self.table))
