"""Deterministic synthetic registries: the Linhai demo dataset and a province-size benchmark.

Everything built here is invented and says so (示例数据 / synthetic). Township names,
kinds, positions and population weights follow ``/work/shared/design/linhai.md`` and are
approximate; township codes (331082xxx000), boundaries (Voronoi cells of the positions),
institutions, people, credit codes and ID numbers are made up. Credit codes are valid by
GB 32100 and carry the organisation-code prefix ``DM`` (Linhai) or ``DP`` (province) to
mark them as invented; ID numbers have valid GB 11643 check digits and plausible birth
dates with a random sequence, so any match with a real person is coincidence. Names read
as invented ("王某 017", "示例托育园 №12").

Determinism: every figure comes from ``numpy.random.default_rng(seed)`` and fixed dates
(history from :data:`HISTORY_START`, the data's "today" is :data:`DATA_AS_OF`); nothing
reads the clock except ``Dataset.loaded_at``. Ciphertexts differ between builds (random
nonces), their plaintexts and blind indexes do not.

The Linhai generator is tuned: after drawing institutions it computes the indicators with
the engine itself (:func:`tuoyu.engine.indicators.compute_indicators`) on
:data:`CHECK_DATES` and nudges classes, 普惠 designations and certificates until the
figures fall in the windows of :data:`LINHAI_WINDOWS` — some 2025 targets met, some not.

The package, by concern:

- :mod:`.common`: shared dates, rules and names, :class:`DemoSummary`, identifiers
  (credit codes, ID numbers), small date helpers and bulk writing;
- :mod:`.catalog`: the demo service catalog and the default target sets;
- :mod:`.linhai_facts`: the facts of ``linhai.md``, the township profiles and the tuning windows;
- :mod:`.linhai_plan`, :mod:`.linhai_supply`, :mod:`.linhai_staff`, :mod:`.linhai_tuning`: the
  in-memory Linhai plan, one layer per concern (records and drawing primitives; institutions,
  hand-placed cases, designations and fees; staff and certificates; the engine's view and the
  tuning);
- :mod:`.linhai`: the finished plan, writing it, and :func:`build_linhai`;
- :mod:`.province`, :mod:`.province_staff`: :func:`build_province`;
- :mod:`.accounts`: the demo accounts; :mod:`.clearing`: presence check and clearing.
"""

from tuoyu.registry.demo.accounts import (
    DEMO_PASSWORDS,
    DEMO_USERNAMES,
    DemoAccount,
    create_demo_accounts,
)
from tuoyu.registry.demo.catalog import CATALOG_ITEMS, CATALOG_PUBLISHED, CATALOG_TITLE
from tuoyu.registry.demo.clearing import CLEAR_ORDER, registry_clear, registry_has_data
from tuoyu.registry.demo.common import (
    BATCH_SIZE,
    BIRTH_DECLINE,
    BIRTH_RATE_2021,
    CERT_ABBREVIATIONS,
    CHILDREN_PER_CAREGIVER,
    CLASS_LABELS,
    DATA_AS_OF,
    FAMILY_CHILDREN_PER_CARER,
    FEE_CHANGE,
    HISTORY_START,
    INCOME_ALL,
    INCOME_FACTORS,
    MAX_CHILDREN,
    SURNAMES,
    SYNTHETIC_NOTE,
    Day,
    DemoSummary,
    RegistryNotEmptyError,
    credit_code,
    resident_id,
)
from tuoyu.registry.demo.linhai import _LinhaiPlan, build_linhai
from tuoyu.registry.demo.linhai_facts import (
    CERT_PROFILES,
    CHECK_DATES,
    FORM_NAMES,
    LINHAI_DATASET_NAME,
    LINHAI_REGION,
    LINHAI_SEED,
    LINHAI_TOWNSHIPS,
    LINHAI_WINDOWS,
    PRIVATE_DESIGNATED,
    PROFILES,
    PUBLIC_SHARE,
    SLOTS_PER_1000_PLAN,
    Profile,
    TownshipFact,
)
from tuoyu.registry.demo.province import PROVINCE_DATASET_NAME, build_province

__all__ = [
    "BATCH_SIZE",
    "BIRTH_DECLINE",
    "BIRTH_RATE_2021",
    "CATALOG_ITEMS",
    "CATALOG_PUBLISHED",
    "CATALOG_TITLE",
    "CERT_ABBREVIATIONS",
    "CERT_PROFILES",
    "CHECK_DATES",
    "CHILDREN_PER_CAREGIVER",
    "CLASS_LABELS",
    "CLEAR_ORDER",
    "DATA_AS_OF",
    "DEMO_PASSWORDS",
    "DEMO_USERNAMES",
    "FAMILY_CHILDREN_PER_CARER",
    "FEE_CHANGE",
    "FORM_NAMES",
    "HISTORY_START",
    "INCOME_ALL",
    "INCOME_FACTORS",
    "LINHAI_DATASET_NAME",
    "LINHAI_REGION",
    "LINHAI_SEED",
    "LINHAI_TOWNSHIPS",
    "LINHAI_WINDOWS",
    "MAX_CHILDREN",
    "PRIVATE_DESIGNATED",
    "PROFILES",
    "PROVINCE_DATASET_NAME",
    "PUBLIC_SHARE",
    "SLOTS_PER_1000_PLAN",
    "SURNAMES",
    "SYNTHETIC_NOTE",
    "Day",
    "DemoAccount",
    "DemoSummary",
    "Profile",
    "RegistryNotEmptyError",
    "TownshipFact",
    "_LinhaiPlan",
    "build_linhai",
    "build_province",
    "create_demo_accounts",
    "credit_code",
    "registry_clear",
    "registry_has_data",
    "resident_id",
]
