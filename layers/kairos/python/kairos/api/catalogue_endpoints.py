"""Handlers of the locations, resources and services areas: parse the request, call the catalogue, render.
The CRUD handlers are made once per entity kind, so the three areas share one implementation. Handlers
reach the domain services through the container at request time: a service (and its modules) is built by
the first request that needs it, not at a cold start."""

from aws_lambda_powertools.event_handler import Response

from kairos.api.app import Handler
from kairos.api.calendar_endpoints import location_calendar, resource_calendar
from kairos.api.calendar_subscription_endpoints import calendar_subscriptions
from kairos.api.http import Request, json_response, no_content, page_response
from kairos.api.schedule_endpoints import schedule_handlers, slot_handlers
from kairos.container import Container
from kairos.domain.catalogue.catalogue import LOCATION, RESOURCE, SERVICE, EntityKind


def crud_handlers(container: Container, kind: EntityKind) -> dict[str, Handler]:
    name = kind.name
    op = name.capitalize()

    def list_(r: Request) -> Response[str]:
        return page_response(r, container.catalogue.page(r.viewer, kind, r.query))

    def create(r: Request) -> Response[str]:
        return json_response(201, container.catalogue.create(r.viewer, kind, r.json_object()))

    def get(r: Request) -> Response[str]:
        return json_response(200, container.catalogue.get(r.viewer, kind, r.path[name]))

    def replace(r: Request) -> Response[str]:
        return json_response(200, container.catalogue.replace(r.viewer, kind, r.path[name], r.json_object()))

    def patch(r: Request) -> Response[str]:
        return json_response(200, container.catalogue.patch(r.viewer, kind, r.path[name], r.json_object()))

    def delete(r: Request) -> Response[str]:
        container.catalogue.delete(r.viewer, kind, r.path[name])
        return no_content()

    return {
        f"get{op}s": list_,
        f"post{op}": create,
        f"get{op}": get,
        f"put{op}": replace,
        f"patch{op}": patch,
        f"delete{op}": delete,
    }


def association_handlers(container: Container, owner: EntityKind) -> dict[str, Handler]:
    """Both views of the resource-service relation (`/services/{s}/resources/...` and the mirror)."""
    other = RESOURCE if owner is SERVICE else SERVICE
    o, t = owner.name.capitalize(), other.name.capitalize()

    def ids(r: Request) -> tuple[str, str]:
        return (r.path["service"], r.path["resource"])

    def list_(r: Request) -> Response[str]:
        return json_response(200, container.catalogue.associations_of(r.viewer, owner, r.path[owner.name]))

    def get(r: Request) -> Response[str]:
        return json_response(200, container.catalogue.association(r.viewer, *ids(r)))

    def put(r: Request) -> Response[str]:
        association, created = container.catalogue.associate(r.viewer, *ids(r))
        return json_response(201 if created else 200, association)

    def delete(r: Request) -> Response[str]:
        container.catalogue.dissociate(r.viewer, *ids(r))
        return no_content()

    return {f"get{o}{t}s": list_, f"get{o}{t}": get, f"put{o}{t}": put, f"delete{o}{t}": delete}


def locations(container: Container) -> dict[str, Handler]:
    return {**crud_handlers(container, LOCATION), **location_calendar(container)}


def resources(container: Container) -> dict[str, Handler]:
    return {
        **crud_handlers(container, RESOURCE),
        **association_handlers(container, RESOURCE),
        **schedule_handlers(container),
        **resource_calendar(container),
        **calendar_subscriptions(container),
    }


def services(container: Container) -> dict[str, Handler]:
    return {
        **crud_handlers(container, SERVICE),
        **association_handlers(container, SERVICE),
        **slot_handlers(container),
    }
