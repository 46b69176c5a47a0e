"""What the access and forecasting modules of the planning pages share.

Today's date in the platform's time zone, the key their caches are kept under (the
registry revision plus the demand zones' own), and the cache of township forecasts that
both fill: the access analysis forecasts the zones' year with it, the forecast page its
own assumptions (:mod:`tuoyu.planning.access`, :mod:`tuoyu.planning.forecasting`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable

import numpy as np
import numpy.typing as npt
from django.db.models import Count, Max
from django.utils import timezone

from tuoyu.common.revision_cache import RevisionCache
from tuoyu.engine.forecast import Forecast
from tuoyu.planning.models import DemandZone
from tuoyu.registry.selectors import registry_revision

FloatArray = npt.NDArray[np.float64]


def today() -> dt.date:
    """Today in the platform's time zone (Asia/Shanghai)."""
    return timezone.localdate()


forecast_cache: RevisionCache[Forecast] = RevisionCache(size=16)


def revision() -> Hashable:
    """The registry revision plus the demand zones' own count and latest id.

    Zones written through the services leave audit-log entries (part of the registry
    revision); bulk demo loads do not, so the zone table is looked at directly as well.
    """
    zones = DemandZone.objects.aggregate(count=Count("pk"), latest=Max("pk"))
    return (registry_revision(), zones["count"], zones["latest"])
