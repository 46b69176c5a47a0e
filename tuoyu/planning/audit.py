"""Which planning models the audit log follows."""

from __future__ import annotations

from auditlog.registry import auditlog


def register() -> None:
    from tuoyu.planning import models

    for model in (models.DemandZone, models.CandidateSite, models.ExpansionOption):
        auditlog.register(model)
    # A travel-cost matrix or a computed plan can run to megabytes: the log records who
    # changed the scenario or started the run, and the scenario keeps the numbers.
    auditlog.register(models.Scenario, exclude_fields=["travel_costs"])
    auditlog.register(models.PlanRun, exclude_fields=["result", "parameters", "stage"])
