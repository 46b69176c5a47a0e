"""Which registry models the audit log follows, and what it must never record in clear."""

from __future__ import annotations

from auditlog.registry import auditlog


def register_models() -> None:
    from tuoyu.registry import models

    for model in (
        models.Township,
        models.ChildPopulation,
        models.TownshipYear,
        models.IncomeStat,
        models.Institution,
        models.PuhuiDesignation,
        models.CareClass,
        models.Fee,
        models.Certificate,
        models.Employment,
    ):
        auditlog.register(model)
    # The ciphertext is useless in a diff and the index is a pseudonym: log that they
    # changed, never their values.
    auditlog.register(models.Staff, exclude_fields=["id_number_ciphertext"], mask_fields=["id_number_index"])
