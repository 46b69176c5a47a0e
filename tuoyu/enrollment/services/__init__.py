"""Every change to central enrollment: children, rounds, applications, offers.

Each service checks that the actor may make the change, validates the whole change, then
saves it in one transaction with the audit log attributing it to the actor. Invalid
input raises ``ValidationError`` naming the field; a refused actor ``PermissionDenied``.
Pages, the API and the management commands all call these. The allocation itself is in
:mod:`tuoyu.enrollment.allocation`.

One module per area; every service is importable from this package.
"""

from tuoyu.enrollment.services.applications import (
    application_submit,
    application_withdraw,
    place_fits,
)
from tuoyu.enrollment.services.children import (
    child_hardship_review,
    child_register,
)
from tuoyu.enrollment.services.offers import (
    offer_counts_by_place,
    offer_enroll,
    offer_respond,
    offers_expire,
)
from tuoyu.enrollment.services.rounds import (
    round_close,
    round_create,
    round_follow_up_create,
    round_open,
    round_place_update,
    round_seed,
    round_update,
)

__all__ = [
    "application_submit",
    "application_withdraw",
    "child_hardship_review",
    "child_register",
    "offer_counts_by_place",
    "offer_enroll",
    "offer_respond",
    "offers_expire",
    "place_fits",
    "round_close",
    "round_create",
    "round_follow_up_create",
    "round_open",
    "round_place_update",
    "round_seed",
    "round_update",
]
