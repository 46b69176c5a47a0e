"""The supervision lead's pages.

``MATRIX`` has the shape of the other apps' permission matrices: anonymous visitors are
sent to the login page, parents get 403; the lead and the bureau admin run everything;
township officials read their township's credit and export its published inspections;
operators read their own institution's credit; inspectors declare their conflicts.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import PASSWORD, ROLES, SmallRegistry, resident_id
from tuoyu.engine.credit import CreditRules
from tuoyu.registry.models import Employment, Institution
from tuoyu.supervision import services
from tuoyu.supervision.models import (
    BarredPerson,
    Checklist,
    Inspection,
    InspectionStatus,
    InspectorConflict,
    PlanStatus,
    RectificationOrder,
    SamplingPlan,
)
from tuoyu.supervision.tests.conftest import ITEMS, Supervision, item_id

Expected = dict[str, int]
Factory = Callable[[SmallRegistry], dict[str, Any]]

SUPERVISOR_PAGE: Expected = {
    "admin": 200,
    "township": 403,
    "operator": 403,
    "lead": 200,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
SUPERVISOR_ACTION: Expected = {**SUPERVISOR_PAGE, "admin": 302, "lead": 302}
SUPERVISOR_NOT_FOUND: Expected = {**SUPERVISOR_PAGE, "admin": 404, "lead": 404}
HOME: Expected = {**SUPERVISOR_PAGE, "township": 200, "operator": 200, "inspector": 302}
EXPORT: Expected = {**SUPERVISOR_PAGE, "township": 200}
CREDIT_LIST: Expected = {**SUPERVISOR_PAGE, "township": 200, "operator": 302}
CREDIT_OWN: Expected = {**SUPERVISOR_PAGE, "township": 200, "operator": 200}
CREDIT_OTHER: Expected = {**CREDIT_OWN, "township": 404, "operator": 404}
CONFLICTS: Expected = {**SUPERVISOR_PAGE, "inspector": 200}


# Objects built through the services ---------------------------------------------------------


def _admin() -> User:
    """The ``admin`` user of ``role_clients`` (the factories run after the fixtures)."""
    return User.objects.get(username="admin")


def _inspector(username: str, registry: SmallRegistry, *, township_b: bool = True) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "role": Role.INSPECTOR,
            "township": registry.township_b if township_b else registry.township_a,
        },
    )
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user


def _checklist(name: str = "示例检查表") -> Checklist:
    return services.checklist_create(actor=_admin(), name=name, items=ITEMS)


def _plan(registry: SmallRegistry, *, status: str = PlanStatus.DRAFT) -> SamplingPlan:
    admin = _admin()
    plan = services.plan_create(
        actor=admin,
        name="测试双随机抽查",
        checklist=_checklist(),
        due_on=timezone.localdate() + dt.timedelta(days=30),
        inspectors=[
            User.objects.get(username="inspector"),
            _inspector("inspector-b1", registry),
            _inspector("inspector-b2", registry),
        ],
        ratios={"A": 1.0, "B": 1.0, "C": 1.0, "D": 1.0},
    )
    if status in {PlanStatus.PUBLISHED, PlanStatus.DRAWN}:
        services.plan_publish(actor=admin, plan=plan)
    if status == PlanStatus.DRAWN:
        services.plan_draw(actor=admin, plan=plan)
    return plan


def _submitted(
    registry: SmallRegistry, *, institution: Institution | None = None, publish: bool = False
) -> Inspection:
    """A complaint check recorded with H1 and C1 violated, submitted (and published)."""
    checklist = _checklist()
    institution = institution or registry.nursery_a
    if institution.township_id == registry.township_a.pk:
        inspectors = [_inspector("inspector-b1", registry), _inspector("inspector-b2", registry)]
    else:
        inspectors = [
            _inspector("inspector-a1", registry, township_b=False),
            _inspector("inspector-a2", registry, township_b=False),
        ]
    inspection = services.inspection_create(
        actor=_admin(),
        institution=institution,
        kind="complaint",
        checklist=checklist,
        due_on=timezone.localdate() + dt.timedelta(days=14),
        inspectors=inspectors,
    )
    services.inspection_record(
        actor=inspectors[0],
        inspection=inspection,
        inspected_on=timezone.localdate(),
        results={
            item_id(checklist, "F1"): ("compliant", ""),
            item_id(checklist, "H1"): ("violation", "缺少消毒记录"),
            item_id(checklist, "C1"): ("violation", "午睡室无监控"),
            item_id(checklist, "P1"): ("not_applicable", ""),
        },
        submit=True,
    )
    if publish:
        services.inspection_publish(actor=_admin(), inspection=inspection)
    inspection.refresh_from_db()
    return inspection


def _complaint(registry: SmallRegistry, institution: Institution | None = None) -> dict[str, Any]:
    complaint = services.complaint_submit(
        actor=None,
        institution=institution or registry.family_b,
        category="food",
        description="午餐饭菜发凉，多次反映未改进",
        contact="13800000001",
    )
    return {"pk": complaint.pk}


def _incident(registry: SmallRegistry) -> dict[str, Any]:
    incident = services.incident_report(
        actor=User.objects.get(username="operator"),
        institution=registry.nursery_a,
        occurred_at=timezone.now() - dt.timedelta(hours=1),
        severity="minor",
        description="幼儿在户外活动时擦伤膝盖",
    )
    return {"pk": incident.pk}


MATRIX: list[tuple[str, Factory, str, Expected]] = [
    ("supervision:home", lambda r: {}, "get", HOME),
    ("supervision:checklists", lambda r: {}, "get", SUPERVISOR_PAGE),
    ("supervision:checklist_create", lambda r: {}, "get", SUPERVISOR_PAGE),
    ("supervision:checklist", lambda r: {"pk": _checklist().pk}, "get", SUPERVISOR_PAGE),
    ("supervision:checklist", lambda r: {"pk": _checklist().pk}, "post", SUPERVISOR_ACTION),
    ("supervision:checklist", lambda r: {"pk": 999999}, "get", SUPERVISOR_NOT_FOUND),
    ("supervision:plans", lambda r: {}, "get", SUPERVISOR_PAGE),
    ("supervision:plan_create", lambda r: {}, "get", SUPERVISOR_PAGE),
    ("supervision:plan", lambda r: {"pk": _plan(r).pk}, "get", SUPERVISOR_PAGE),
    ("supervision:plan", lambda r: {"pk": _plan(r, status=PlanStatus.DRAWN).pk}, "get", SUPERVISOR_PAGE),
    ("supervision:plan", lambda r: {"pk": 999999}, "get", SUPERVISOR_NOT_FOUND),
    ("supervision:plan_publish", lambda r: {"pk": _plan(r).pk}, "post", SUPERVISOR_ACTION),
    (
        "supervision:plan_draw",
        lambda r: {"pk": _plan(r, status=PlanStatus.PUBLISHED).pk},
        "post",
        SUPERVISOR_ACTION,
    ),
    ("supervision:inspection_create", lambda r: {}, "get", SUPERVISOR_PAGE),
    ("supervision:inspection_review", lambda r: {"pk": _submitted(r).pk}, "get", SUPERVISOR_PAGE),
    ("supervision:inspection_review", lambda r: {"pk": 999999}, "get", SUPERVISOR_NOT_FOUND),
    ("supervision:inspections_export", lambda r: {}, "get", EXPORT),
    ("supervision:complaints", lambda r: {}, "get", SUPERVISOR_PAGE),
    ("supervision:complaint", _complaint, "get", SUPERVISOR_PAGE),
    ("supervision:complaint", lambda r: {"pk": 999999}, "get", SUPERVISOR_NOT_FOUND),
    ("supervision:incident_close", _incident, "get", SUPERVISOR_PAGE),
    ("supervision:incident_close", lambda r: {"pk": 999999}, "get", SUPERVISOR_NOT_FOUND),
    ("supervision:credit", lambda r: {}, "get", CREDIT_LIST),
    ("supervision:credit_institution", lambda r: {"institution_pk": r.nursery_a.pk}, "get", CREDIT_OWN),
    ("supervision:credit_institution", lambda r: {"institution_pk": r.family_b.pk}, "get", CREDIT_OTHER),
    (
        "supervision:credit_event_create",
        lambda r: {"institution_pk": r.nursery_a.pk},
        "get",
        SUPERVISOR_PAGE,
    ),
    ("supervision:barred", lambda r: {}, "get", SUPERVISOR_PAGE),
    ("supervision:staff_lookup", lambda r: {}, "get", SUPERVISOR_PAGE),
    ("supervision:conflicts", lambda r: {}, "get", CONFLICTS),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url_name", "kwargs_factory", "method", "expected"),
    MATRIX,
    ids=[f"{name}-{method}-{index}" for index, (name, _k, method, _e) in enumerate(MATRIX)],
)
def test_each_role_gets_the_expected_status(
    role: str,
    url_name: str,
    kwargs_factory: Factory,
    method: str,
    expected: Expected,
    registry: SmallRegistry,
    role_clients: dict[str, Client],
) -> None:
    response = getattr(role_clients[role], method)(reverse(url_name, kwargs=kwargs_factory(registry)))
    assert response.status_code == expected[role]


def _page(client: Client, url: str, **query: Any) -> str:
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


# Checklists -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_checklist_with_one_bad_line_is_refused_whole_and_the_error_names_the_line(
    role_clients: dict[str, Client],
) -> None:
    lines = "F1|fire|critical|消防通道畅通\n\nH1|health|huge|晨午检记录\nC1|视频监控|一般|监控全覆盖\n"
    response = role_clients["lead"].post(
        reverse("supervision:checklist_create"), {"name": "坏表", "items": lines}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "第 3 行" in content
    assert "huge" in content
    assert "第 1 行" not in content and "第 4 行" not in content
    assert not Checklist.objects.filter(name="坏表").exists()


@pytest.mark.django_db
def test_a_checklist_from_lines_accepts_codes_and_chinese_labels(role_clients: dict[str, Client]) -> None:
    lines = "F1|fire|critical|消防通道畅通\nC1|视频监控|一般|监控全覆盖"
    response = role_clients["lead"].post(
        reverse("supervision:checklist_create"), {"name": "好表", "items": lines}
    )
    checklist = Checklist.objects.get(name="好表")
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:checklist", kwargs={"pk": checklist.pk})
    assert list(checklist.items.values_list("code", "category", "severity")) == [
        ("F1", "fire", "critical"),
        ("C1", "cctv", "major"),
    ]


@pytest.mark.django_db
def test_the_lead_adds_an_item_and_retires_a_checklist(role_clients: dict[str, Client]) -> None:
    checklist = _checklist()
    url = reverse("supervision:checklist", kwargs={"pk": checklist.pk})
    client = role_clients["lead"]
    client.post(
        url,
        {"action": "add_item", "code": "S1", "category": "staffing", "severity": "minor", "text": "人员配备"},
    )
    assert checklist.items.filter(code="S1").exists()
    duplicate = client.post(
        url, {"action": "add_item", "code": "S1", "category": "staffing", "severity": "minor", "text": "x"}
    )
    assert duplicate.status_code == 200
    assert checklist.items.filter(code="S1").count() == 1
    client.post(url, {"action": "retire"})
    checklist.refresh_from_db()
    assert not checklist.active


# Plans and the draw ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_plan_created_published_and_drawn_through_the_pages_shows_its_seed_and_tasks(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    client = role_clients["lead"]
    checklist = _checklist()
    pool = [
        User.objects.get(username="inspector"),
        _inspector("inspector-b1", registry),
        _inspector("inspector-b2", registry),
    ]
    form = client.get(reverse("supervision:plan_create")).content.decode()
    assert 'value="0.10"' in form or 'value="0.1"' in form
    response = client.post(
        reverse("supervision:plan_create"),
        {
            "name": "2026 年第一季度双随机抽查",
            "checklist": checklist.pk,
            "due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "ratio_a": "1",
            "ratio_b": "1",
            "ratio_c": "1",
            "ratio_d": "1",
            "inspectors_per_task": "2",
            "inspectors": [user.pk for user in pool],
            "publish_within_days": "20",
        },
    )
    plan = SamplingPlan.objects.get(name="2026 年第一季度双随机抽查")
    assert response.status_code == 302
    url = reverse("supervision:plan", kwargs={"pk": plan.pk})
    draft = _page(client, url)
    assert plan.commitment in draft
    assert 'id="plan-draw"' not in draft
    client.post(reverse("supervision:plan_publish", kwargs={"pk": plan.pk}))
    published = _page(client, url)
    assert 'id="plan-draw"' in published and "抽取将公开种子" in published
    client.post(reverse("supervision:plan_draw", kwargs={"pk": plan.pk}))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAWN
    drawn = _page(client, url)
    assert plan.seed and plan.seed in drawn
    assert plan.roster_hash in drawn
    assert registry.nursery_a.name in drawn and "inspector-b1" in drawn
    # Township B's family point can only get the inspector of A: unstaffed with k = 2.
    assert 'id="unstaffed"' in drawn and registry.family_b.name in drawn
    assert reverse("supervision:draw", kwargs={"pk": plan.pk}) in drawn


@pytest.mark.django_db
def test_a_plan_with_a_bad_ratio_names_the_field(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    response = role_clients["lead"].post(
        reverse("supervision:plan_create"),
        {
            "name": "坏计划",
            "checklist": _checklist().pk,
            "due_on": timezone.localdate().isoformat(),
            "ratio_a": "1.5",
            "ratio_b": "0.2",
            "ratio_c": "0.5",
            "ratio_d": "1",
            "inspectors_per_task": "2",
            "inspectors": [_inspector("inspector-b1", registry).pk],
            "publish_within_days": "20",
        },
    )
    content = response.content.decode()
    assert 'id="id_ratio_a_errors"' in content
    assert not SamplingPlan.objects.filter(name="坏计划").exists()


# Inspections ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_inspector_of_the_institutions_township_is_refused_on_the_inspectors_field(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    response = role_clients["lead"].post(
        reverse("supervision:inspection_create"),
        {
            "institution": registry.nursery_a.pk,
            "kind": "complaint",
            "checklist": _checklist().pk,
            "due_on": timezone.localdate().isoformat(),
            "inspectors": [
                User.objects.get(username="inspector").pk,
                _inspector("inspector-b1", registry).pk,
            ],
        },
    )
    content = response.content.decode()
    assert 'id="id_inspectors_errors"' in content and "应当回避" in content
    assert not Inspection.objects.exists()


@pytest.mark.django_db
def test_review_publishes_the_inspection_and_orders_rectification(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    inspection = _submitted(registry)
    url = reverse("supervision:inspection_review", kwargs={"pk": inspection.pk})
    client = role_clients["lead"]
    page = _page(client, url)
    assert "责令整改" in page  # two major violations, no critical one
    publish_by = inspection.publish_by()
    assert publish_by == timezone.localdate() + dt.timedelta(days=20)
    assert publish_by.isoformat() in page
    assert "缺少消毒记录" in page
    response = client.post(url, {"action": "publish"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.PUBLISHED
    assert RectificationOrder.objects.filter(finding__inspection=inspection).count() == 2
    assert 'id="review-form"' not in _page(client, url)


@pytest.mark.django_db
def test_returning_an_inspection_needs_a_note(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    inspection = _submitted(registry)
    url = reverse("supervision:inspection_review", kwargs={"pk": inspection.pk})
    client = role_clients["lead"]
    refused = client.post(url, {"action": "return", "note": ""})
    assert 'id="id_note_errors"' in refused.content.decode()
    client.post(url, {"action": "return", "note": "请补充照片"})
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.ASSIGNED
    assert "请补充照片" in inspection.summary


def _workbook(response: Any) -> Any:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _all_text(workbook: Any) -> str:
    return " ".join(
        str(value)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value
    )


@pytest.mark.django_db
def test_the_export_has_three_sheets_and_no_inspector_names(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    _submitted(registry, publish=True)
    workbook = _workbook(role_clients["lead"].get(reverse("supervision:inspections_export")))
    assert workbook.sheetnames == ["检查结果", "问题清单", "说明"]
    results = list(workbook["检查结果"].iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in results] == [registry.nursery_a.name]
    assert results[0][5] == "责令整改" and results[0][6:9] == (0, 2, 0)
    problems = list(workbook["问题清单"].iter_rows(min_row=3, values_only=True))
    assert sorted(row[2] for row in problems) == ["C1", "H1"]
    text = _all_text(workbook)
    assert "inspector-b1" not in text and "inspector-b2" not in text
    assert "13800000001" not in text


@pytest.mark.django_db
def test_a_township_officials_export_holds_only_their_township(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    _submitted(registry, publish=True)
    _submitted(registry, institution=registry.family_b, publish=True)
    everything = _workbook(role_clients["admin"].get(reverse("supervision:inspections_export")))
    assert len(list(everything["检查结果"].iter_rows(min_row=3))) == 2
    url = reverse("supervision:inspections_export")
    township = _workbook(role_clients["township"].get(url))
    rows = list(township["检查结果"].iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [registry.nursery_a.name]
    assert registry.family_b.name not in _all_text(township)
    assert role_clients["township"].get(url, {"township": registry.township_b.pk}).status_code == 400


@pytest.mark.django_db
def test_the_export_filters_by_date(registry: SmallRegistry, role_clients: dict[str, Client]) -> None:
    _submitted(registry, publish=True)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    workbook = _workbook(
        role_clients["lead"].get(reverse("supervision:inspections_export"), {"date_from": tomorrow})
    )
    assert list(workbook["检查结果"].iter_rows(min_row=3)) == []
    bad = role_clients["lead"].get(reverse("supervision:inspections_export"), {"date_from": "soon"})
    assert bad.status_code == 400


# Complaints, incidents and credit -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_complaint_page_shows_only_the_masked_contact(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    url = reverse("supervision:complaint", kwargs=_complaint(registry))
    content = _page(role_clients["lead"], url)
    assert "138****0001" in content
    assert "13800000001" not in content


@pytest.mark.django_db
def test_closing_a_substantiated_complaint_changes_the_grade_on_the_credit_page(
    registry: SmallRegistry, role_clients: dict[str, Client], settings: Any
) -> None:
    settings.TUOYU_CREDIT_RULES = {"points": {**CreditRules().points, "complaint_substantiated": -30.0}}
    credit_url = reverse("supervision:credit_institution", kwargs={"institution_pk": registry.family_b.pk})
    client = role_clients["lead"]
    assert 'data-grade="B"' in _page(client, credit_url)
    url = reverse("supervision:complaint", kwargs=_complaint(registry))
    refused = client.post(url, {"status": "closed", "response": "已责令改进"})
    assert 'id="id_substantiated_errors"' in refused.content.decode()
    client.post(url, {"status": "closed", "response": "已责令改进", "substantiated": "1"})
    page = _page(client, credit_url)
    assert 'id="current-grade" data-grade="C"' in page
    assert "投诉属实" in page
    listing = _page(client, reverse("supervision:credit"), grade="C")
    assert re.findall(r'data-institution="(\d+)"', listing) == [str(registry.family_b.pk)]


@pytest.mark.django_db
def test_closing_an_incident_as_serious_records_a_credit_event(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    url = reverse("supervision:incident_close", kwargs=_incident(registry))
    client = role_clients["lead"]
    client.post(url, {"outcome": "已约谈负责人", "serious_confirmed": "on"})
    page = _page(
        client, reverse("supervision:credit_institution", kwargs={"institution_pk": registry.nursery_a.pk})
    )
    assert "重大安全事故" in page
    assert 'data-grade="D"' in page


@pytest.mark.django_db
def test_the_operator_sees_their_own_credit_with_the_reason_and_not_anothers(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    _submitted(registry, publish=True)
    client = role_clients["operator"]
    response = client.get(reverse("supervision:credit"))
    own = reverse("supervision:credit_institution", kwargs={"institution_pk": registry.nursery_a.pk})
    assert response.status_code == 302 and response["Location"] == own
    page = _page(client, own)
    assert "一般问题×2" in page  # the reason of the grade change
    assert "检查发现一般问题 2 项" in page  # the event's own reason
    assert 'id="credit-event-form"' not in page
    other = reverse("supervision:credit_institution", kwargs={"institution_pk": registry.family_b.pk})
    assert client.get(other).status_code == 404


@pytest.mark.django_db
def test_the_lead_records_an_award_from_the_credit_page(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    url = reverse("supervision:credit_event_create", kwargs={"institution_pk": registry.family_b.pk})
    response = role_clients["lead"].post(
        url, {"kind": "award", "occurred_on": timezone.localdate().isoformat(), "reason": "临卫〔2026〕1 号"}
    )
    assert response.status_code == 302
    page = _page(role_clients["lead"], response["Location"])
    assert "临卫〔2026〕1 号" in page and "表彰" in page


# Staff -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_barred_person_is_added_through_the_page_and_shown_masked(role_clients: dict[str, Client]) -> None:
    number = resident_id(321)
    client = role_clients["lead"]
    response = client.post(
        reverse("supervision:barred"),
        {
            "name": "赵某某",
            "id_number": number,
            "reason": "虐待儿童被判刑",
            "decision": "（2026）示例刑初 1 号",
            "barred_from": "2026-01-01",
        },
    )
    assert response.status_code == 302
    assert BarredPerson.objects.count() == 1
    page = _page(client, reverse("supervision:barred"))
    assert "赵**" in page and "赵某某" not in page
    assert number[:4] + "**********" + number[-4:] in page
    assert number not in page
    again = client.post(
        reverse("supervision:barred"),
        {"name": "赵某某", "id_number": number, "reason": "x", "decision": "y", "barred_from": "2026-01-01"},
    )
    content = again.content.decode()
    assert "已在从业禁止名单中" in content and number not in content


@pytest.mark.django_db
def test_staff_lookup_shows_the_employment_history_and_never_the_full_id(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    Employment.objects.create(
        staff=registry.caregiver,
        institution=registry.family_b,
        role="caregiver",
        start=dt.date(2022, 1, 1),
        end=dt.date(2023, 12, 31),
    )
    number = resident_id(1)
    client = role_clients["lead"]
    response = client.post(reverse("supervision:staff_lookup"), {"action": "lookup", "id_number": number})
    assert response.status_code == 302
    assert number not in response["Location"]
    page = _page(client, response["Location"])
    assert registry.nursery_a.name in page and registry.family_b.name in page
    assert "2023-12-31" in page and "保育师" in page
    assert number not in page
    assert registry.caregiver.id_number_masked in page
    record = client.post(
        reverse("supervision:staff_lookup"),
        {
            "action": "record",
            "staff": registry.caregiver.pk,
            "kind": "commendation",
            "occurred_on": "2025-06-01",
            "institution": registry.nursery_a.pk,
            "reason": "市级优秀保育员",
        },
    )
    assert record.status_code == 302
    assert "市级优秀保育员" in _page(client, record["Location"])


@pytest.mark.django_db
def test_a_lookup_that_finds_nobody_does_not_echo_the_number(role_clients: dict[str, Client]) -> None:
    number = resident_id(999)
    response = role_clients["lead"].post(
        reverse("supervision:staff_lookup"), {"action": "lookup", "id_number": number}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "没有该身份证号" in content and number not in content


# Conflicts of interest -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_inspector_declares_a_conflict_and_the_lead_removes_it(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    inspector = User.objects.get(username="inspector")
    role_clients["inspector"].post(
        reverse("supervision:conflicts"),
        {"action": "declare", "institution": registry.family_b.pk, "reason": "配偶在该机构任职"},
    )
    conflict = InspectorConflict.objects.get(inspector=inspector)
    assert "配偶在该机构任职" in _page(role_clients["inspector"], reverse("supervision:conflicts"))
    role_clients["inspector"].post(
        reverse("supervision:conflicts"), {"action": "remove", "conflict": conflict.pk}
    )
    assert InspectorConflict.objects.filter(pk=conflict.pk).exists()
    role_clients["lead"].post(reverse("supervision:conflicts"), {"action": "remove", "conflict": conflict.pk})
    assert not InspectorConflict.objects.exists()


@pytest.mark.django_db
def test_the_leads_start_page_counts_the_work_to_do(
    recorded: Supervision, registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    _complaint(registry)
    page = _page(role_clients["lead"], reverse("supervision:home"))
    assert 'id="workload-open-complaints">1<' in page
    assert 'id="workload-to-review">0<' in page
    inspector = role_clients["inspector"].get(reverse("supervision:home"))
    assert inspector["Location"] == reverse("supervision:inspections")
