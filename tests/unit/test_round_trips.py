"""What a request waits for on AWS: its DynamoDB round trips and how many of them come one after the other
(waves). Reads that do not depend on each other go out together; a listing's waves do not grow with the
resources it reads."""

from kairos.container import Container
from kairos.domain.projects.auth import Principal
from kairos.parallel import Waves, parallel_map
from kairos.storage.dynamodb import RoundTrips
from tests.unit.clinic import DAY, add_doctor, make_clinic

RESOURCES = 12  # more than the 8 reads that once went out at a time
AT_TEN = {"starts_at": f"{DAY}T10:00:00+00:00", "ends_at": f"{DAY}T11:00:00+00:00"}


def test_parallel_branches_add_the_waves_of_the_longest_one() -> None:
    Waves.reset()
    Waves.step()  # one round trip first
    parallel_map(lambda steps: [Waves.step() for _ in range(steps)], [1, 3, 2])
    Waves.step()  # and one after
    assert Waves.count() == 1 + 3 + 1


def test_a_worker_limit_costs_a_wave_per_batch_of_branches() -> None:
    Waves.reset()
    parallel_map(lambda _: Waves.step(), list(range(5)), max_workers=2)
    assert Waves.count() == 3


def test_bookable_slots_read_in_two_waves_whatever_the_number_of_resources(
    container: Container, principal: Principal
) -> None:
    clinic = make_clinic(container, principal)
    for _ in range(RESOURCES - 1):
        add_doctor(container, principal, clinic["service_id"], clinic["location_id"])
    query = {
        "from": f"{DAY}T00:00:00+00:00",
        "to": f"{DAY}T23:59:59+00:00",
        "location": clinic["location_id"],
    }
    RoundTrips.reset()
    page = container.availability.bookable_slots(principal, clinic["service_id"], query)
    # service and location | the service's resources; then the resources | one timeline each
    assert (RoundTrips.count(), RoundTrips.waves()) == (1 + 1 + 1 + RESOURCES, 2)
    assert page.total == 9 and len(page.items[0]["resources"]) == RESOURCES


def test_a_booking_reads_what_it_names_beside_the_services_resources_and_the_ledger_with_them(
    container: Container, principal: Principal
) -> None:
    clinic = make_clinic(container, principal)
    body = {
        "service_id": clinic["service_id"],
        "location_id": clinic["location_id"],
        "starts_at": f"{DAY}T09:00:00+00:00",
        "ends_at": f"{DAY}T10:00:00+00:00",
    }
    RoundTrips.reset()
    container.bookings.create(principal, body)
    # service, location | the service's resources; the resources with their ledger; the timeline; the
    # transaction
    assert (RoundTrips.count(), RoundTrips.waves()) == (5, 4)
    cold = Container.from_settings(container.settings)  # another instance: it remembers nothing yet
    RoundTrips.reset()
    cold.bookings.create(principal, {**body, **AT_TEN, "resource_id": clinic["resource_id"]})
    # the named resource, the service, the location, their association and the resource's ledger in one
    # read; the timeline; the transaction
    assert (RoundTrips.count(), RoundTrips.waves()) == (3, 3)
    # a warm instance books from memory: test_catalogue_memory.py
