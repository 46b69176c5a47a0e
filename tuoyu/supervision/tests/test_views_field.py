"""The inspectors' and operators' supervision pages: inspections and their recording,
attachments, rectification orders, incident reports.

``MATRIX`` has the shape of the other apps' permission matrices: anonymous visitors are
sent to the login page and parents get 403 everywhere; an inspection, order or
attachment the user may not see is a 404, one they see but may not change a 403. The
shared ``inspector`` (township A) is not assigned to the nursery's inspection, so its
pages are 404 for them; a second inspection, of the family point in township B, is
assigned to them.

Attachments are written under a temporary directory, never into the repository.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import PASSWORD, ROLES, SmallRegistry
from tuoyu.registry.models import Institution, Township
from tuoyu.supervision import services
from tuoyu.supervision.models import (
    Attachment,
    Checklist,
    CreditEvent,
    IncidentReport,
    Inspection,
    InspectionStatus,
    OrderStatus,
    RectificationOrder,
)
from tuoyu.supervision.tests.conftest import ITEMS, Supervision, item_id

Expected = dict[str, int]
Factory = Callable[[SmallRegistry], dict[str, Any]]

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


# Who gets what --------------------------------------------------------------------------

SUPERVISION_READ: Expected = {
    "admin": 200,
    "township": 200,
    "operator": 200,
    "lead": 200,
    "inspector": 200,
    "public": 403,
    "anonymous": 302,
}
# The nursery's inspection (township A), assigned to the inspectors of B, not yet published.
UNPUBLISHED: Expected = {**SUPERVISION_READ, "township": 404, "operator": 404, "inspector": 404}
# The same once published: its township and its operator read it; the shared inspector still not.
PUBLISHED: Expected = {**SUPERVISION_READ, "inspector": 404}
# The family point's inspection (township B), assigned to the shared inspector.
OWN_TASK: Expected = {**SUPERVISION_READ, "township": 404, "operator": 404}
NOT_FOUND: Expected = {
    **SUPERVISION_READ,
    **dict.fromkeys(("admin", "township", "operator", "lead", "inspector"), 404),
}
RECORD_UNPUBLISHED: Expected = {**UNPUBLISHED, "admin": 403, "lead": 403}
RECORD_OWN_TASK: Expected = {**OWN_TASK, "admin": 403, "lead": 403}
RECORD_PUBLISHED: Expected = {**PUBLISHED, "admin": 403, "lead": 403, "township": 403, "operator": 403}
UPLOAD_OWN_TASK: Expected = {**RECORD_OWN_TASK, "inspector": 302}  # an empty post: "choose a file"
UPLOAD_PUBLISHED: Expected = RECORD_PUBLISHED  # not assigned, and no order named
UPLOAD_GET: Expected = {
    **SUPERVISION_READ,
    **dict.fromkeys(("admin", "township", "operator", "lead", "inspector"), 405),
}
# Answering the nursery's open order: its operator (and the bureau admin on its behalf); an
# empty post shows the form again with its error.
ORDER_SUBMIT: Expected = {**PUBLISHED, "township": 403, "lead": 403}
ORDER_SUBMIT_DONE: Expected = {**ORDER_SUBMIT, "admin": 302, "operator": 302}  # nothing to submit
# Verifying the nursery's submitted order: supervisors (its inspectors are b1 and b2).
ORDER_VERIFY: Expected = {**PUBLISHED, "township": 403, "operator": 403}
ORDER_VERIFY_NOT_SUBMITTED: Expected = {**ORDER_VERIFY, "admin": 302, "lead": 302}
# The family point's order: its inspector may verify; township A and the nursery don't see it.
OWN_ORDER_READ: Expected = OWN_TASK
OWN_ORDER_VERIFY: Expected = {**OWN_TASK, "township": 404, "operator": 404}
INCIDENTS: Expected = {**SUPERVISION_READ, "inspector": 403}
INCIDENT_REPORT: Expected = {
    "admin": 403,
    "township": 403,
    "operator": 200,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}


# Inspections built through the services ------------------------------------------------------


def _admin() -> User:
    """The ``admin`` user of ``role_clients`` (the factories run after the fixtures)."""
    return User.objects.get(username="admin")


def _inspector(username: str, township: Township) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": Role.INSPECTOR, "township": township}
    )
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user


def _checklist() -> Checklist:
    existing = Checklist.objects.filter(name="托育机构安全检查表（矩阵）").first()
    return existing or services.checklist_create(
        actor=_admin(), name="托育机构安全检查表（矩阵）", items=ITEMS
    )


def _inspection(institution: Institution, inspectors: list[User]) -> Inspection:
    return services.inspection_create(
        actor=_admin(),
        institution=institution,
        kind="complaint",
        checklist=_checklist(),
        due_on=timezone.localdate() + dt.timedelta(days=14),
        inspectors=inspectors,
    )


def _nursery_inspection(r: SmallRegistry) -> Inspection:
    """The nursery (township A), assigned to inspectors b1 and b2 of township B."""
    return _inspection(
        r.nursery_a, [_inspector("inspector-b1", r.township_b), _inspector("inspector-b2", r.township_b)]
    )


def _own_task(r: SmallRegistry) -> Inspection:
    """The family point (township B), assigned to the shared inspector and one more of A."""
    return _inspection(
        r.family_b, [User.objects.get(username="inspector"), _inspector("inspector-a2", r.township_a)]
    )


def _publish(inspection: Inspection) -> Inspection:
    """Recorded by its first inspector with H1 and C1 violated, then published."""
    checklist = inspection.checklist
    services.inspection_record(
        actor=inspection.inspectors.order_by("username").first(),  # type: ignore[arg-type]
        inspection=inspection,
        inspected_on=timezone.localdate(),
        results={
            item_id(checklist, "F1"): ("compliant", ""),
            item_id(checklist, "H1"): ("violation", "缺少 11 月消毒记录"),
            item_id(checklist, "C1"): ("violation", "午睡室无监控"),
            item_id(checklist, "P1"): ("not_applicable", ""),
        },
        summary="矩阵检查",
        submit=True,
    )
    services.inspection_publish(actor=_admin(), inspection=inspection)
    inspection.refresh_from_db()
    return inspection


def _order_of(inspection: Inspection, *, submitted: bool = False) -> RectificationOrder:
    order = RectificationOrder.objects.filter(finding__inspection=inspection).order_by("pk").first()
    assert order is not None
    if submitted:
        services.order_submit(actor=_admin(), order=order, evidence="已整改（代为提交）")
    return order


def _photo(
    inspection: Inspection, *, by: User | None = None, order: RectificationOrder | None = None
) -> Attachment:
    actor = by or inspection.inspectors.order_by("username").first()
    assert actor is not None
    return services.attachment_add(actor=actor, inspection=inspection, upload=_png(), order=order)


def _pk(obj: Any) -> dict[str, Any]:
    return {"pk": obj.pk}


MATRIX: list[tuple[str, Factory, str, Expected]] = [
    ("supervision:inspections", lambda r: {}, "get", SUPERVISION_READ),
    ("supervision:inspection", lambda r: _pk(_nursery_inspection(r)), "get", UNPUBLISHED),
    ("supervision:inspection", lambda r: _pk(_publish(_nursery_inspection(r))), "get", PUBLISHED),
    ("supervision:inspection", lambda r: _pk(_own_task(r)), "get", OWN_TASK),
    ("supervision:inspection", lambda r: {"pk": 999999}, "get", NOT_FOUND),
    ("supervision:inspection_record", lambda r: _pk(_nursery_inspection(r)), "get", RECORD_UNPUBLISHED),
    ("supervision:inspection_record", lambda r: _pk(_own_task(r)), "get", RECORD_OWN_TASK),
    ("supervision:inspection_record", lambda r: _pk(_own_task(r)), "post", RECORD_OWN_TASK),
    (
        "supervision:inspection_record",
        lambda r: _pk(_publish(_nursery_inspection(r))),
        "get",
        RECORD_PUBLISHED,
    ),
    ("supervision:attachment_upload", lambda r: _pk(_own_task(r)), "post", UPLOAD_OWN_TASK),
    ("supervision:attachment_upload", lambda r: _pk(_own_task(r)), "get", UPLOAD_GET),
    (
        "supervision:attachment_upload",
        lambda r: _pk(_publish(_nursery_inspection(r))),
        "post",
        UPLOAD_PUBLISHED,
    ),
    ("supervision:attachment", lambda r: _pk(_photo(_nursery_inspection(r))), "get", UNPUBLISHED),
    ("supervision:attachment", lambda r: _pk(_photo(_publish(_nursery_inspection(r)))), "get", PUBLISHED),
    ("supervision:attachment", lambda r: _pk(_photo(_own_task(r))), "get", OWN_TASK),
    (
        "supervision:attachment",
        lambda r: _pk(
            _photo(
                inspection := _publish(_nursery_inspection(r)),
                by=User.objects.get(username="operator"),
                order=_order_of(inspection),
            )
        ),
        "get",
        PUBLISHED,
    ),
    ("supervision:attachment", lambda r: {"pk": 999999}, "get", NOT_FOUND),
    ("supervision:orders", lambda r: {}, "get", SUPERVISION_READ),
    ("supervision:order", lambda r: _pk(_order_of(_publish(_nursery_inspection(r)))), "get", PUBLISHED),
    ("supervision:order", lambda r: _pk(_order_of(_publish(_own_task(r)))), "get", OWN_ORDER_READ),
    ("supervision:order", lambda r: {"pk": 999999}, "get", NOT_FOUND),
    (
        "supervision:order_submit",
        lambda r: _pk(_order_of(_publish(_nursery_inspection(r)))),
        "post",
        ORDER_SUBMIT,
    ),
    (
        "supervision:order_submit",
        lambda r: _pk(_order_of(_publish(_nursery_inspection(r)), submitted=True)),
        "post",
        ORDER_SUBMIT_DONE,
    ),
    (
        "supervision:order_verify",
        lambda r: _pk(_order_of(_publish(_nursery_inspection(r)), submitted=True)),
        "post",
        ORDER_VERIFY,
    ),
    (
        "supervision:order_verify",
        lambda r: _pk(_order_of(_publish(_nursery_inspection(r)))),
        "post",
        ORDER_VERIFY_NOT_SUBMITTED,
    ),
    (
        "supervision:order_verify",
        lambda r: _pk(_order_of(_publish(_own_task(r)), submitted=True)),
        "post",
        OWN_ORDER_VERIFY,
    ),
    ("supervision:incidents", lambda r: {}, "get", INCIDENTS),
    ("supervision:incident_report", lambda r: {}, "get", INCIDENT_REPORT),
    ("supervision:incident_report", lambda r: {}, "post", INCIDENT_REPORT),
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
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


# Behaviour ------------------------------------------------------------------------------------


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _record_data(checklist: Checklist, action: str, **results: tuple[str, str]) -> dict[str, str]:
    data = {"inspected_on": timezone.localdate().isoformat(), "summary": "现场检查", "action": action}
    for code, (result, note) in results.items():
        data[f"item_{item_id(checklist, code)}"] = result
        data[f"note_{item_id(checklist, code)}"] = note
    return data


@pytest.mark.django_db
def test_an_assigned_inspector_records_a_violation_through_the_page_and_submits_it(
    assigned: Supervision,
) -> None:
    client = _client_for(assigned.inspector_b1)
    inspection, checklist = assigned.inspection, assigned.checklist
    url = reverse("supervision:inspection_record", kwargs={"pk": inspection.pk})
    detail = client.get(reverse("supervision:inspection", kwargs={"pk": inspection.pk})).content.decode()
    assert 'id="record-link"' in detail and 'id="attachment-form"' in detail
    page = client.get(url).content.decode()
    assert page.count('class="card mb-3 item-card') == len(ITEMS)
    assert "符合" in page and "不符合" in page and "不适用" in page

    # A draft may be partial; it is kept and shown again.
    response = client.post(url, _record_data(checklist, "save", H1=("violation", "缺少 11 月消毒记录")))
    assert response.status_code == 302
    assert any("已保存草稿" in message for message in _messages(response))
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.ASSIGNED
    assert inspection.findings.get().note == "缺少 11 月消毒记录"
    page = client.get(url).content.decode()
    h1 = item_id(checklist, "H1")
    assert f'value="violation" class="btn-check" autocomplete="off" id="id_item_{h1}_1" checked' in page
    assert "缺少 11 月消毒记录" in page

    # Submitting names each item still missing, and a violation without a note, on its card.
    response = client.post(url, _record_data(checklist, "submit", C1=("violation", "")))
    assert response.status_code == 200
    page = response.content.decode()
    for code in ("F1", "C1", "P1"):
        assert f'id="id_item_{item_id(checklist, code)}_errors"' in page
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.ASSIGNED

    response = client.post(
        url,
        _record_data(
            checklist,
            "submit",
            F1=("compliant", ""),
            H1=("violation", "缺少 11 月消毒记录"),
            C1=("violation", "午睡室无监控"),
            P1=("not_applicable", ""),
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:inspection", kwargs={"pk": inspection.pk})
    assert any("责令整改" in message for message in _messages(response))
    inspection.refresh_from_db()
    assert (inspection.status, inspection.conclusion) == (InspectionStatus.SUBMITTED, "rectify")
    # Submitted: the record page only says so.
    again = client.get(url)
    assert again.status_code == 302
    assert 'id="record-link"' not in client.get(again["Location"]).content.decode()


@pytest.mark.django_db
def test_a_note_without_a_result_is_refused_next_to_its_item(assigned: Supervision) -> None:
    client = _client_for(assigned.inspector_b2)
    url = reverse("supervision:inspection_record", kwargs={"pk": assigned.inspection.pk})
    f1 = item_id(assigned.checklist, "F1")
    data = _record_data(assigned.checklist, "save")
    data[f"note_{f1}"] = "灭火器过期"
    response = client.post(url, data)
    assert response.status_code == 200
    assert f'id="id_item_{f1}_errors"' in response.content.decode()
    assert not assigned.inspection.findings.exists()


@pytest.mark.django_db
def test_an_inspector_not_assigned_gets_404_on_record(assigned: Supervision, inspector_user: User) -> None:
    client = _client_for(inspector_user)
    url = reverse("supervision:inspection_record", kwargs={"pk": assigned.inspection.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, _record_data(assigned.checklist, "submit")).status_code == 404


@pytest.mark.django_db
def test_an_inspector_sees_open_tasks_first_with_their_due_dates(assigned: Supervision) -> None:
    done = services.inspection_create(
        actor=_admin(),
        institution=assigned.registry.kindergarten_a,
        kind="complaint",
        checklist=assigned.checklist,
        due_on=timezone.localdate() + dt.timedelta(days=30),
        inspectors=[assigned.inspector_b1, assigned.inspector_b2],
    )
    Inspection.objects.filter(pk=done.pk).update(status=InspectionStatus.SUBMITTED)
    page = _client_for(assigned.inspector_b1).get(reverse("supervision:inspections")).content.decode()
    first, second = (
        page.index(f'data-inspection="{assigned.inspection.pk}"'),
        page.index(f'data-inspection="{done.pk}"'),
    )
    assert first < second
    assert assigned.inspection.due_on.isoformat() in page


@pytest.mark.django_db
def test_supervisors_filter_the_inspections_by_status(recorded: Supervision, lead_user: User) -> None:
    client = _client_for(lead_user)
    marker = f'data-inspection="{recorded.inspection.pk}"'
    assert marker in client.get(reverse("supervision:inspections"), {"status": "published"}).content.decode()
    assert (
        marker not in client.get(reverse("supervision:inspections"), {"status": "assigned"}).content.decode()
    )


@pytest.mark.django_db
def test_the_operator_sees_the_published_inspection_and_submits_evidence_with_a_png(
    recorded: Supervision, operator_user: User, tmp_path: Path
) -> None:
    client = _client_for(operator_user)
    listing = client.get(reverse("supervision:inspections")).content.decode()
    assert f'data-inspection="{recorded.inspection.pk}"' in listing
    detail = client.get(reverse("supervision:inspection", kwargs={"pk": recorded.inspection.pk}))
    content = detail.content.decode()
    assert "午睡室无监控" in content and "责令整改" in content
    assert 'id="record-link"' not in content and 'id="attachment-form"' not in content

    order = RectificationOrder.objects.get(finding__item__code="C1")
    page = client.get(reverse("supervision:order", kwargs={"pk": order.pk})).content.decode()
    assert 'id="submit-form"' in page and 'id="verify-form"' not in page
    response = client.post(
        reverse("supervision:order_submit", kwargs={"pk": order.pk}),
        {"evidence": "午睡室已加装监控，保存 90 天", "file": _png("monitor.png")},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SUBMITTED
    attachment = Attachment.objects.get(order=order)
    assert (attachment.name, attachment.content_type, attachment.uploaded_by) == (
        "monitor.png",
        "image/png",
        operator_user,
    )
    assert Path(attachment.file.path).is_relative_to(tmp_path)
    page = client.get(reverse("supervision:order", kwargs={"pk": order.pk})).content.decode()
    assert "monitor.png" in page and 'id="submit-form"' not in page


@pytest.mark.django_db
def test_evidence_with_a_file_of_the_wrong_type_is_not_submitted(
    recorded: Supervision, operator_user: User
) -> None:
    order = RectificationOrder.objects.get(finding__item__code="H1")
    response = _client_for(operator_user).post(
        reverse("supervision:order_submit", kwargs={"pk": order.pk}),
        {"evidence": "已补齐", "file": SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")},
    )
    assert response.status_code == 200
    assert 'id="id_file_errors"' in response.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.OPEN
    assert not Attachment.objects.exists()


@pytest.mark.django_db
def test_the_operators_open_orders_come_first_and_overdue_ones_are_marked(
    recorded: Supervision, operator_user: User
) -> None:
    h1, c1 = (RectificationOrder.objects.get(finding__item__code=code) for code in ("H1", "C1"))
    services.order_submit(actor=operator_user, order=h1, evidence="已补齐")
    RectificationOrder.objects.filter(pk=c1.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    page = _client_for(operator_user).get(reverse("supervision:orders")).content.decode()
    assert page.index(f'data-order="{c1.pk}"') < page.index(f'data-order="{h1.pk}"')
    assert page.count("badge-unmet overdue") == 1


@pytest.mark.django_db
def test_an_inspector_verifies_a_submitted_rectification(recorded: Supervision, operator_user: User) -> None:
    h1, c1 = (RectificationOrder.objects.get(finding__item__code=code) for code in ("H1", "C1"))
    for order in (h1, c1):
        services.order_submit(actor=operator_user, order=order, evidence="已整改")
    client = _client_for(recorded.inspector_b2)
    listing = client.get(reverse("supervision:orders")).content.decode()
    assert f'data-order="{h1.pk}"' in listing
    page = client.get(reverse("supervision:order", kwargs={"pk": h1.pk})).content.decode()
    assert 'id="verify-form"' in page

    response = client.post(reverse("supervision:order_verify", kwargs={"pk": h1.pk}), {"decision": "accept"})
    assert response.status_code == 302
    h1.refresh_from_db()
    assert (h1.status, h1.verified_by) == (OrderStatus.VERIFIED, recorded.inspector_b2)

    # Sending back needs a reason, shown next to the note.
    url = reverse("supervision:order_verify", kwargs={"pk": c1.pk})
    response = client.post(url, {"decision": "reopen", "note": ""})
    assert response.status_code == 200
    assert 'id="id_note_errors"' in response.content.decode()
    later = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(url, {"decision": "reopen", "note": "监控未覆盖午睡室", "new_deadline": later})
    assert response.status_code == 302
    c1.refresh_from_db()
    assert (c1.status, c1.deadline, c1.review_note) == (OrderStatus.REOPENED, later, "监控未覆盖午睡室")


@pytest.mark.django_db
def test_the_attachment_downloads_for_its_operator_and_is_404_for_another(
    recorded: Supervision, operator_user: User, other_operator_user: User
) -> None:
    order = RectificationOrder.objects.get(finding__item__code="C1")
    attachment = services.attachment_add(
        actor=operator_user, inspection=recorded.inspection, upload=_png("监控.png"), order=order
    )
    url = reverse("supervision:attachment", kwargs={"pk": attachment.pk})
    response = _client_for(operator_user).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]
    assert _client_for(other_operator_user).get(url).status_code == 404
    # The inspectors of the inspection see it too; the inspector of another township not.
    assert _client_for(recorded.inspector_b1).get(url).status_code == 200


@pytest.mark.django_db
def test_an_assigned_inspector_attaches_a_photo_and_a_wrong_type_is_refused_with_a_message(
    assigned: Supervision,
) -> None:
    client = _client_for(assigned.inspector_b1)
    url = reverse("supervision:attachment_upload", kwargs={"pk": assigned.inspection.pk})
    response = client.post(url, {"file": _png("现场.png")})
    assert response.status_code == 302
    assert Attachment.objects.filter(inspection=assigned.inspection, order=None).count() == 1
    response = client.post(
        url, {"file": SimpleUploadedFile("a.exe", b"MZ", content_type="application/x-msdownload")}
    )
    assert any("JPEG" in message for message in _messages(response))
    assert Attachment.objects.count() == 1
    page = client.get(
        reverse("supervision:inspection", kwargs={"pk": assigned.inspection.pk})
    ).content.decode()
    assert "现场.png" in page


@pytest.mark.django_db
def test_an_incident_reported_late_shows_the_late_message(
    registry: SmallRegistry, operator_user: User
) -> None:
    client = _client_for(operator_user)
    page = client.get(reverse("supervision:incidents")).content.decode()
    assert 'id="incident-report-link"' in page
    occurred = timezone.localtime(timezone.now() - dt.timedelta(hours=5))
    response = client.post(
        reverse("supervision:incident_report"),
        {
            "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
            "severity": "serious",
            "description": "幼儿午睡时从床上摔下，送医检查",
            "children_affected": "1",
        },
        follow=True,
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "迟报" in content and "2 小时" in content
    incident = IncidentReport.objects.get()
    assert incident.late and incident.institution == registry.nursery_a
    assert incident.occurred_at == occurred.replace(second=0, microsecond=0)
    assert CreditEvent.objects.filter(kind="incident_late_report").exists()


@pytest.mark.django_db
def test_an_incident_reported_in_time_is_not_late(registry: SmallRegistry, operator_user: User) -> None:
    occurred = timezone.localtime(timezone.now() - dt.timedelta(hours=1))
    response = _client_for(operator_user).post(
        reverse("supervision:incident_report"),
        {
            "occurred_at": occurred.strftime("%Y-%m-%dT%H:%M"),
            "severity": "minor",
            "description": "幼儿擦伤膝盖",
            "children_affected": "1",
        },
    )
    assert response.status_code == 302
    assert any("按时" in message for message in _messages(response))
    assert not IncidentReport.objects.get().late


@pytest.mark.django_db
def test_an_incident_in_the_future_is_refused_next_to_its_time(operator_user: User) -> None:
    later = timezone.localtime(timezone.now() + dt.timedelta(days=1))
    response = _client_for(operator_user).post(
        reverse("supervision:incident_report"),
        {
            "occurred_at": later.strftime("%Y-%m-%dT%H:%M"),
            "severity": "minor",
            "description": "x",
            "children_affected": "0",
        },
    )
    assert response.status_code == 200
    assert 'id="id_occurred_at_errors"' in response.content.decode()
    assert not IncidentReport.objects.exists()


@pytest.mark.django_db
def test_township_officials_read_their_townships_incidents_and_supervisors_may_close_them(
    registry: SmallRegistry, operator_user: User, township_user: User, lead_user: User
) -> None:
    incident = services.incident_report(
        actor=operator_user,
        institution=registry.nursery_a,
        occurred_at=timezone.now() - dt.timedelta(minutes=30),
        severity="minor",
        description="幼儿擦伤",
    )
    marker = f'data-incident="{incident.pk}"'
    close = reverse("supervision:incident_close", kwargs={"pk": incident.pk})
    township_page = _client_for(township_user).get(reverse("supervision:incidents")).content.decode()
    assert marker in township_page and close not in township_page
    assert 'id="incident-report-link"' not in township_page
    assert close in _client_for(lead_user).get(reverse("supervision:incidents")).content.decode()
