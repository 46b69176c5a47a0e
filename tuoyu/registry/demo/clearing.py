"""Whether the registry holds data, and clearing it (registry, indicators, demo accounts)."""

from __future__ import annotations

from auditlog.context import disable_auditlog
from django.db import connection, transaction
from django.db.models import Model, Q

from tuoyu.accounts.models import User
from tuoyu.indicators.models import CatalogItem, ServiceCatalog, TargetSet
from tuoyu.registry.demo.accounts import DEMO_USERNAMES
from tuoyu.registry.models import (
    CareClass,
    Certificate,
    ChildPopulation,
    Dataset,
    Employment,
    Fee,
    IncomeStat,
    Institution,
    PuhuiDesignation,
    Staff,
    Township,
    TownshipYear,
)


def registry_has_data() -> bool:
    return (
        Township.objects.exists()
        or Institution.objects.exists()
        or Staff.objects.exists()
        or Dataset.objects.exists()
    )


CLEAR_ORDER: tuple[type[Model], ...] = (
    Certificate,
    Employment,
    Staff,
    Fee,
    CareClass,
    PuhuiDesignation,
    Institution,
    ChildPopulation,
    TownshipYear,
    Township,
    IncomeStat,
    Dataset,
    CatalogItem,
    ServiceCatalog,
    TargetSet,
)
"""Registry and indicator tables, children before parents."""


def registry_clear() -> dict[str, int]:
    """Delete every registry and indicator row and the demo accounts, in one transaction.

    Other accounts tied to a township or institution are detached from it (they then see
    nothing) and counted under ``"detached accounts"``. Tables nothing else points at are
    emptied with one ``DELETE`` each; the others go through the ORM so that rows of other
    apps that point at them cascade (or protect) as their models say. The audit log is
    not written for this bulk removal.
    """
    deleted: dict[str, int] = {}
    cleared: set[type[Model]] = set()
    with transaction.atomic(), disable_auditlog():
        deleted["demo accounts"], _ = User.objects.filter(username__in=DEMO_USERNAMES).delete()
        deleted["detached accounts"] = User.objects.filter(
            Q(township__isnull=False) | Q(institution__isnull=False)
        ).update(township=None, institution=None)
        for model in CLEAR_ORDER:
            referenced = any(
                relation.related_model not in cleared and relation.related_model is not model
                for relation in model._meta.related_objects
            )
            if referenced:
                count, _ = model._default_manager.all().delete()
            else:
                count = model._default_manager.count()
                with connection.cursor() as cursor:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
            deleted[model._meta.label] = count
            cleared.add(model)
    return deleted
