"""Which enrollment models the audit log follows, and what it must never record in clear."""

from __future__ import annotations

from auditlog.registry import auditlog


def register() -> None:
    from tuoyu.enrollment import models

    # The child's ID number is a ciphertext and a pseudonymous index: log that they
    # changed, never their values. The round's seed stays secret until the draw.
    auditlog.register(
        models.Child, exclude_fields=["id_number_ciphertext"], mask_fields=["id_number_index", "name"]
    )
    auditlog.register(models.Round, exclude_fields=["seed_ciphertext"])
    for model in (models.RoundPlace, models.Application, models.Choice, models.Offer):
        auditlog.register(model)
