"""Which supervision models the audit log follows, and what it must never record in clear."""

from __future__ import annotations

from auditlog.registry import auditlog


def register() -> None:
    from tuoyu.supervision import models

    for model in (
        models.Checklist,
        models.ChecklistItem,
        models.InspectorConflict,
        models.Inspection,
        models.Finding,
        models.Attachment,
        models.RectificationOrder,
        models.IncidentReport,
        models.CreditEvent,
        models.CreditGrade,
        models.StaffCreditEvent,
    ):
        auditlog.register(model)
    # The seed stays secret until the draw; the published data is large and derived.
    auditlog.register(models.SamplingPlan, exclude_fields=["seed_ciphertext", "published"])
    auditlog.register(models.Complaint, exclude_fields=["contact_ciphertext"])
    auditlog.register(
        models.BarredPerson, exclude_fields=["id_number_ciphertext"], mask_fields=["id_number_index", "name"]
    )
