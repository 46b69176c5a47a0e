"""The registry's classes checked against the national rules, in one query."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from tuoyu.conftest import AS_OF, SmallRegistry, credit_code
from tuoyu.registry import standards
from tuoyu.registry.models import CareClass, Institution


@pytest.mark.django_db
def test_the_small_registry_breaks_no_rule(registry: SmallRegistry) -> None:
    assert standards.violations_for(Institution.objects.all(), as_of=AS_OF) == {}
    assert standards.violation_counts_by_township(as_of=AS_OF) == {}


@pytest.mark.django_db
def test_a_class_over_its_size_limit_is_a_violation_explained_in_plain_words(registry: SmallRegistry) -> None:
    CareClass.objects.filter(pk=registry.nursery_class.pk).update(
        approved_slots=17, enrolled=17, caregivers=4
    )
    found = standards.violations_for(Institution.objects.all(), as_of=AS_OF)
    assert list(found) == [registry.nursery_a.pk]
    [violation] = found[registry.nursery_a.pk]
    assert (violation.rule, violation.class_id, violation.limit, violation.actual) == (
        "class_size",
        registry.nursery_class.pk,
        15,
        17,
    )
    registry.nursery_class.refresh_from_db()
    text = standards.explain(violation, registry.nursery_class)
    assert text == "托小班「托小一班」在托 17 人，超过国家标准上限 15 人；核定托位 17 个，也超过上限。"


@pytest.mark.django_db
def test_too_few_caregivers_is_a_ratio_violation(registry: SmallRegistry) -> None:
    CareClass.objects.filter(pk=registry.kindergarten_class.pk).update(
        caregivers=2
    )  # 18 children, 2 × 7 = 14
    [violation] = standards.violations_for(Institution.objects.all(), as_of=AS_OF)[registry.kindergarten_a.pk]
    assert (violation.rule, violation.limit, violation.actual) == ("ratio", 14, 18)
    registry.kindergarten_class.refresh_from_db()
    text = standards.explain(violation, registry.kindergarten_class)
    assert "托大班「托大一班」在托 18 人，只配备 2 名保育人员" in text
    assert "1 : 7" in text and "14 人" in text


@pytest.mark.django_db
def test_a_family_point_is_judged_as_a_whole(registry: SmallRegistry) -> None:
    CareClass.objects.create(
        institution=registry.family_b,
        name="第二班",
        class_type="mixed",
        approved_slots=2,
        enrolled=2,
        caregivers=0,
    )
    violations = standards.violations_for(Institution.objects.all(), as_of=AS_OF)[registry.family_b.pk]
    assert [v.rule for v in violations] == ["family_point_size", "family_point_ratio"]
    assert "家庭托育点共收托 7 人" in standards.explain(violations[0])
    assert "最多可照护 6 人" in standards.explain(violations[1])
    assert standards.violation_counts_by_township(as_of=AS_OF) == {registry.township_b.pk: 1}


@pytest.mark.django_db
def test_closed_classes_are_not_checked(registry: SmallRegistry) -> None:
    CareClass.objects.create(
        institution=registry.nursery_a,
        name="旧班",
        class_type="infant",
        approved_slots=30,
        enrolled=30,
        caregivers=1,
        closed_on=dt.date(2024, 9, 1),
    )
    assert standards.violations_for(Institution.objects.all(), as_of=AS_OF) == {}
    earlier = standards.violations_for(Institution.objects.all(), as_of=dt.date(2024, 6, 1))
    assert {v.rule for v in earlier[registry.nursery_a.pk]} == {"class_size", "ratio"}


@pytest.mark.django_db
def test_only_the_given_institutions_are_checked(registry: SmallRegistry) -> None:
    CareClass.objects.filter(pk=registry.family_class.pk).update(caregivers=0)
    assert (
        standards.violations_for(Institution.objects.filter(township=registry.township_a), as_of=AS_OF) == {}
    )
    assert list(standards.violations_for(Institution.objects.all(), as_of=AS_OF)) == [registry.family_b.pk]


@pytest.mark.django_db
def test_the_numbers_come_from_settings(registry: SmallRegistry, settings: Settings) -> None:
    from django.conf import settings as django_settings

    current: dict[str, Any] = django_settings.TUOYU_STANDARDS
    rules = {**current["class_rules"], "toddler": {"max_children": 10, "children_per_caregiver": 5}}
    settings.TUOYU_STANDARDS = {**current, "class_rules": rules}
    [violation] = standards.violations_for(Institution.objects.all(), as_of=AS_OF)[registry.nursery_a.pk]
    assert (violation.rule, violation.limit) == ("class_size", 10)


@pytest.mark.django_db
def test_checking_takes_one_query_whatever_the_number_of_institutions(registry: SmallRegistry) -> None:
    with CaptureQueriesContext(connection) as before:
        standards.violations_for(Institution.objects.all(), as_of=AS_OF)
    for serial in range(20):
        institution = Institution.objects.create(
            credit_code=credit_code(300 + serial),
            name=f"示例 №{serial}",
            ownership="private",
            form="community",
            township=registry.township_a,
        )
        CareClass.objects.create(
            institution=institution,
            name="班",
            class_type="infant",
            approved_slots=12,
            enrolled=12,
            caregivers=2,
        )
    with CaptureQueriesContext(connection) as after:
        found = standards.violations_for(Institution.objects.all(), as_of=AS_OF)
    assert len(before.captured_queries) == len(after.captured_queries) == 1
    assert len(found) == 20
