"""The composition root: builds the DynamoDB adapter and the domain services from the settings. Each Lambda
function builds one at import (reused while warm); tests build their own."""

from dataclasses import dataclass

from kairos.config import Settings
from kairos.domain.auth import Authenticator
from kairos.domain.catalogue import Catalogue
from kairos.domain.projects import ProjectAdmin
from kairos.storage.dynamodb import CatalogueStore, ProjectStore, RateCounterStore, Table, make_client


@dataclass(frozen=True)
class Container:
    settings: Settings
    table: Table
    auth: Authenticator
    catalogue: Catalogue
    projects: ProjectAdmin

    @classmethod
    def from_settings(cls, settings: Settings) -> "Container":
        table = Table(make_client(settings), settings.table_name)
        project_store = ProjectStore(table)
        catalogue_store = CatalogueStore(table)
        return cls(
            settings=settings,
            table=table,
            auth=Authenticator(project_store, RateCounterStore(table)),
            catalogue=Catalogue(catalogue_store, catalogue_store),
            projects=ProjectAdmin(project_store),
        )

    @classmethod
    def from_environment(cls) -> "Container":
        return cls.from_settings(Settings.from_environment())
