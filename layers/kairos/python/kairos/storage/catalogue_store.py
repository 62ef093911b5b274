"""Locations, resources and services listed under `PROJECT#<p>` (and each read by key from its own item,
`keys.entity_read`), and the two mirrors of each association; a change of a service or location stamps the
resources' timeline heads around its write (`kairos.storage.catalogue_stamps`)."""

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from kairos.domain.shared.records import Association, Record
from kairos.errors import NotFound
from kairos.storage import keys
from kairos.storage.catalogue_stamps import CatalogueStamps
from kairos.storage.dynamodb import (
    Table,
    cancellation_reasons,
    read_time,
    record_attributes,
    record_from,
    stored_time,
    to_item,
    translate,
)
from kairos.storage.entity_reads import listed_fallback


class CatalogueStore:
    """Locations, resources and services under `PROJECT#<p>`, and the two mirrors of each association."""

    def __init__(self, table: Table) -> None:
        self._t = table
        self._stamps = CatalogueStamps(table)  # a service's or location's change, for booking transactions

    def get(self, project_id: str, kind: str, entity_id: str) -> Record | None:
        item = self._t.get(keys.entity_read(project_id, kind, entity_id))
        if item is None and kind in keys.SPREAD_ENTITY_KINDS:  # not copied yet (the backfill `catalogue`)
            item = self._t.get(keys.entity(project_id, kind, entity_id))
        return record_from(item) if item else None

    def get_many(
        self, project_id: str, wanted: list[tuple[str, str]], consistent: bool = True
    ) -> dict[tuple[str, str], Record]:
        """Entities by (kind, id), in one round trip for up to 100 (two for those not copied yet)."""
        found = self._t.batch_get([keys.entity_read(project_id, k, i) for k, i in wanted], consistent)
        found += listed_fallback(self._t, project_id, wanted, found, consistent)
        records = [record_from(item) for item in found]
        return {(r.kind, r.id): r for r in records}

    def list_all(self, project_id: str, kind: str) -> list[Record]:
        partition = keys.entity_partition(project_id)
        return [record_from(i) for i in self._t.query(partition, keys.entity_prefix(kind))]

    def create(self, project_id: str, record: Record) -> None:
        try:
            self._put(project_id, record, {"ConditionExpression": "attribute_not_exists(PK)"})
        except ClientError as error:
            raise translate(error, record.kind) from None

    def _put(self, project_id: str, record: Record, condition: dict[str, Any]) -> None:
        """The entity's listed item, conditioned, and (a location, resource or service) its own item in the
        same transaction, so a read by key sees what the list sees (`keys.entity_read`)."""
        attributes = record_attributes(project_id, record)
        listed = {**keys.entity(project_id, record.kind, record.id), **attributes}
        if record.kind not in keys.SPREAD_ENTITY_KINDS:
            self._t.client.put_item(TableName=self._t.name, Item=to_item(listed), **condition)
            return
        own = {**keys.entity_read(project_id, record.kind, record.id), **attributes}
        items: list[Any] = [
            {"Put": {"TableName": self._t.name, "Item": to_item(listed), **condition}},
            {"Put": {"TableName": self._t.name, "Item": to_item(own)}},
        ]
        self._t.client.transact_write_items(TransactItems=items)

    def replace(self, project_id: str, record: Record, expected_version: int) -> None:
        versions = (expected_version, record.version)
        try:
            current = self._version(project_id, record.kind, record.id)
            with self._stamps.changing(project_id, record.kind, record.id, versions, current):
                self._put(
                    project_id,
                    record,
                    {
                        "ConditionExpression": "attribute_exists(PK) AND version = :expected",
                        "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
                    },
                )
        except ClientError as error:
            if self.get(project_id, record.kind, record.id) is None:
                raise NotFound(record.kind) from None
            raise translate(error, record.kind) from None

    def _version(self, project_id: str, kind: str, entity_id: str) -> Callable[[], int | None]:
        """Reads the entity's version when called (None: there is none)."""
        return lambda: None if (r := self.get(project_id, kind, entity_id)) is None else r.version

    def delete(self, project_id: str, kind: str, entity_id: str) -> bool:
        """What the entity owns first (associations, and a resource's schedules and timeline), then the
        entity; a second sweep catches anything added in between."""
        self._delete_owned(project_id, kind, entity_id)
        try:
            with self._stamps.changing(
                project_id, kind, entity_id, None, self._version(project_id, kind, entity_id)
            ):
                listed: dict[str, Any] = {
                    "TableName": self._t.name,
                    "Key": to_item(keys.entity(project_id, kind, entity_id)),
                    "ConditionExpression": "attribute_exists(PK)",
                }
                if kind not in keys.SPREAD_ENTITY_KINDS:
                    self._t.client.delete_item(**listed)
                else:  # and its own item, in the same transaction
                    own: dict[str, Any] = {
                        "TableName": self._t.name,
                        "Key": to_item(keys.entity_read(project_id, kind, entity_id)),
                    }
                    both: list[Any] = [{"Delete": listed}, {"Delete": own}]
                    self._t.client.transact_write_items(TransactItems=both)
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_reasons(error) or (
                error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
            ):
                return False
            raise translate(error, kind) from None
        self._delete_owned(project_id, kind, entity_id)
        return True

    def _delete_owned(self, project_id: str, kind: str, entity_id: str) -> None:
        owned = list(self._t.query(keys.owned_partition(project_id, kind, entity_id)))
        doomed = [{"PK": i["PK"], "SK": i["SK"]} for i in owned]
        for item in owned:
            if item.get("entity") == "association":  # and its mirror, on the other side
                other = "service" if kind == "resource" else "resource"
                doomed.append(keys.association(project_id, other, item[f"{other}_id"], kind, entity_id))
        self._t.delete_keys(doomed)

    def associate(
        self, project_id: str, service_id: str, resource_id: str, at: datetime
    ) -> tuple[Association, bool]:
        """One transaction: both entities must exist, and both mirrors are written if new."""
        association = Association(service_id, resource_id, at)
        service_key = keys.entity(project_id, "service", service_id)
        resource_key = keys.entity(project_id, "resource", resource_id)
        attributes = {
            "entity": "association",
            "project_id": project_id,
            "service_id": service_id,
            "resource_id": resource_id,
            "created_at": stored_time(at),
        }
        mirrors = [
            keys.association(project_id, "service", service_id, "resource", resource_id),
            keys.association(project_id, "resource", resource_id, "service", service_id),
        ]
        exists = "attribute_exists(PK)"
        items: list[Any] = [
            {
                "ConditionCheck": {
                    "TableName": self._t.name,
                    "Key": to_item(service_key),
                    "ConditionExpression": exists,
                }
            },
            {
                "ConditionCheck": {
                    "TableName": self._t.name,
                    "Key": to_item(resource_key),
                    "ConditionExpression": exists,
                }
            },
            *(
                {
                    "Put": {
                        "TableName": self._t.name,
                        "Item": to_item({**key, **attributes}),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
                for key in mirrors
            ),
        ]
        try:
            self._t.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            reasons = cancellation_reasons(error)
            if reasons[:1] == ["ConditionalCheckFailed"]:
                raise NotFound("service") from None
            if reasons[1:2] == ["ConditionalCheckFailed"]:
                raise NotFound("resource") from None
            if "ConditionalCheckFailed" in reasons[2:]:
                existing = self.get_association(project_id, service_id, resource_id)
                if existing is not None:
                    return existing, False
            raise translate(error, "association") from None
        return association, True

    def get_association(self, project_id: str, service_id: str, resource_id: str) -> Association | None:
        item = self._t.get(keys.association(project_id, "service", service_id, "resource", resource_id))
        return self._association(item) if item else None

    def list_associations(self, project_id: str, owner_kind: str, owner_id: str) -> list[Association]:
        other = "resource" if owner_kind == "service" else "service"
        partition = keys.owned_partition(project_id, owner_kind, owner_id)
        return [self._association(i) for i in self._t.query(partition, keys.entity_prefix(other))]

    def dissociate(self, project_id: str, service_id: str, resource_id: str) -> bool:
        mirrors = [
            keys.association(project_id, "service", service_id, "resource", resource_id),
            keys.association(project_id, "resource", resource_id, "service", service_id),
        ]
        try:
            self._t.client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self._t.name,
                            "Key": to_item(key),
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    }
                    for key in mirrors
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in cancellation_reasons(error):
                return False
            raise translate(error, "association") from None
        return True

    @staticmethod
    def _association(item: Mapping[str, Any]) -> Association:
        return Association(item["service_id"], item["resource_id"], read_time(item["created_at"]))
