"""The bureau's, townships' and institutions' enrollment pages.

``MATRIX`` has the shape of the other apps' permission matrices: anonymous visitors are
sent to the login page, parents get 403, the bureau runs the rounds, township officials
and operators read the rounds that are not drafts, operators handle their own
institution's offers, and township officials review the 困境 claims of their township.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import PASSWORD, ROLES, SmallRegistry
from tuoyu.enrollment import services
from tuoyu.enrollment.allocation import round_allocate
from tuoyu.enrollment.models import Child, Offer, OfferStatus, Round, RoundStatus
from tuoyu.enrollment.tests.conftest import make_child
from tuoyu.registry.models import CareClass, Institution, Township

Expected = dict[str, int]
Factory = Callable[[SmallRegistry], dict[str, Any]]

SEPTEMBER = dt.date(2026, 9, 1)
PARENT_PHONE = "13900000009"

# Who gets what: anonymous visitors always go to the login page, parents always get 403.
STAFF_READ: Expected = {
    "admin": 200,
    "township": 200,
    "operator": 200,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
ADMIN_PAGE: Expected = {
    "admin": 200,
    "township": 403,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
ADMIN_ACTION: Expected = {**ADMIN_PAGE, "admin": 302}
DRAFT_READ: Expected = {**STAFF_READ, "township": 404, "operator": 404}
NOT_FOUND: Expected = {**STAFF_READ, "admin": 404, "township": 404, "operator": 404}
EXPORT: Expected = {
    "admin": 200,
    "township": 200,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
EXPORT_NOT_READY: Expected = {**EXPORT, "admin": 404, "township": 404}
ENROLL_OWN: Expected = {
    "admin": 302,
    "township": 403,
    "operator": 302,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
ENROLL_OTHER: Expected = {**ENROLL_OWN, "operator": 404}
HARDSHIP_READ: Expected = {
    "admin": 200,
    "township": 200,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 403,
    "anonymous": 302,
}
REVIEW_OWN: Expected = {**HARDSHIP_READ, "admin": 302, "township": 302}
REVIEW_OTHER: Expected = {**REVIEW_OWN, "township": 404}


# Rounds built through the services ------------------------------------------------------


def _admin() -> User:
    """The ``admin`` user of ``role_clients`` (the factories run after the fixtures)."""
    return User.objects.get(username="admin")


def _parent() -> User:
    parent, _created = User.objects.get_or_create(username=PARENT_PHONE, defaults={"role": Role.PUBLIC})
    if _created:
        parent.set_password(PASSWORD)
        parent.save()
    return parent


def _child(
    registry: SmallRegistry, *, name: str, birth: dt.date, serial: int, township: Township, **extra: Any
) -> Child:
    return make_child(
        guardian=_parent(), name=name, birth=birth, serial=serial, township_id=township.pk, **extra
    )


def _round(status: str = RoundStatus.DRAFT, *, registry: SmallRegistry | None = None) -> Round:
    """A round in ``status``; from ``closed`` on, a toddler applied to nursery_a and an
    older child to kindergarten_a; once allocated both are placed and have accepted."""
    admin = _admin()
    now = timezone.now()
    round_ = services.round_create(
        actor=admin,
        name="测试 2026 秋季统一报名",
        first_start_month=SEPTEMBER,
        last_start_month=dt.date(2027, 3, 1),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
        priority_rules=["hardship", "resident"],
    )
    if status == RoundStatus.DRAFT:
        return round_
    services.round_open(actor=admin, round_=round_)
    if status == RoundStatus.OPEN:
        return round_
    assert registry is not None
    places = {(p.institution_id, p.class_type): p for p in round_.places.all()}
    toddler = _child(
        registry, name="王小明", birth=dt.date(2025, 3, 10), serial=601, township=registry.township_a
    )
    older = _child(
        registry, name="赵大宝", birth=dt.date(2024, 6, 1), serial=602, township=registry.township_b
    )
    parent = _parent()
    for child, key in (
        (toddler, (registry.nursery_a.pk, "toddler")),
        (older, (registry.kindergarten_a.pk, "older")),
    ):
        services.application_submit(
            actor=parent, round_=round_, child=child, start_month=SEPTEMBER, places=[places[key]]
        )
    services.round_close(actor=admin, round_=round_)
    if status == RoundStatus.CLOSED:
        return round_
    round_allocate(actor=admin, round_=round_)
    for offer in Offer.objects.filter(application__round=round_):
        services.offer_respond(actor=parent, offer=offer, accept=True)
    round_.refresh_from_db()
    return round_


def _pk(status: str) -> Factory:
    return lambda r: {"pk": _round(status, registry=r).pk}


def _place(r: SmallRegistry) -> dict[str, Any]:
    round_ = _round()
    return {"pk": round_.pk, "place_pk": round_.places.get(institution=r.nursery_a).pk}


def _offer_at(institution: Callable[[SmallRegistry], Institution]) -> Factory:
    def factory(r: SmallRegistry) -> dict[str, Any]:
        round_ = _round(RoundStatus.ALLOCATED, registry=r)
        return {"pk": Offer.objects.get(application__round=round_, place__institution=institution(r)).pk}

    return factory


def _claimed(registry: SmallRegistry, *, name: str, serial: int, township: Township) -> Child:
    birth = dt.date(2025, 1, 5)
    return _child(registry, name=name, birth=birth, serial=serial, township=township, hardship_claimed=True)


def _claim(township: Callable[[SmallRegistry], Township]) -> Factory:
    def factory(r: SmallRegistry) -> dict[str, Any]:
        return {"child_pk": _claimed(r, name="困境儿", serial=611, township=township(r)).pk}

    return factory


# (url name, kwargs from the small registry, method, expected status per role)
MATRIX: list[tuple[str, Callable[[SmallRegistry], dict[str, Any]], str, Expected]] = [
    ("enrollment:rounds", lambda r: {}, "get", STAFF_READ),
    ("enrollment:round_create", lambda r: {}, "get", ADMIN_PAGE),
    ("enrollment:round_create", lambda r: {}, "post", ADMIN_PAGE),  # empty form: shown again with errors
    ("enrollment:round", _pk(RoundStatus.DRAFT), "get", DRAFT_READ),
    ("enrollment:round", _pk(RoundStatus.OPEN), "get", STAFF_READ),
    ("enrollment:round", _pk(RoundStatus.ALLOCATED), "get", STAFF_READ),
    ("enrollment:round", lambda r: {"pk": 999_999}, "get", NOT_FOUND),
    ("enrollment:round_edit", _pk(RoundStatus.DRAFT), "get", ADMIN_PAGE),
    ("enrollment:round_edit", _pk(RoundStatus.OPEN), "post", ADMIN_PAGE),  # empty form: errors
    ("enrollment:round_edit", _pk(RoundStatus.ALLOCATED), "get", ADMIN_ACTION),  # not editable: back
    ("enrollment:round_place", _place, "post", ADMIN_ACTION),
    ("enrollment:round_place", _place, "get", {**ADMIN_PAGE, "admin": 405}),
    ("enrollment:round_open", _pk(RoundStatus.DRAFT), "post", ADMIN_ACTION),
    ("enrollment:round_open", _pk(RoundStatus.DRAFT), "get", {**ADMIN_PAGE, "admin": 405}),
    ("enrollment:round_close", _pk(RoundStatus.OPEN), "post", ADMIN_ACTION),
    ("enrollment:round_allocate", _pk(RoundStatus.CLOSED), "post", ADMIN_ACTION),
    ("enrollment:round_allocate", lambda r: {"pk": 999_999}, "post", {**ADMIN_PAGE, "admin": 404}),
    ("enrollment:round_follow_up", _pk(RoundStatus.ALLOCATED), "get", ADMIN_PAGE),
    ("enrollment:round_follow_up", _pk(RoundStatus.ALLOCATED), "post", ADMIN_PAGE),  # empty form
    ("enrollment:round_export", _pk(RoundStatus.ALLOCATED), "get", EXPORT),
    ("enrollment:round_export", _pk(RoundStatus.OPEN), "get", EXPORT_NOT_READY),
    ("enrollment:round_export", _pk(RoundStatus.DRAFT), "get", EXPORT_NOT_READY),
    # The bureau must name the institution (?institution=); without it, not found.
    (
        "enrollment:institution",
        lambda r: {},
        "get",
        {
            "admin": 404,
            "township": 403,
            "operator": 200,
            "lead": 403,
            "inspector": 403,
            "public": 403,
            "anonymous": 302,
        },
    ),
    ("enrollment:offer_enroll", _offer_at(lambda r: r.nursery_a), "post", ENROLL_OWN),
    # The operator runs nursery_a: an offer of kindergarten_a is not theirs.
    ("enrollment:offer_enroll", _offer_at(lambda r: r.kindergarten_a), "post", ENROLL_OTHER),
    ("enrollment:hardship", lambda r: {}, "get", HARDSHIP_READ),
    ("enrollment:hardship_review", _claim(lambda r: r.township_a), "post", REVIEW_OWN),
    # The township official is of township A: a child living in B is outside their scope.
    ("enrollment:hardship_review", _claim(lambda r: r.township_b), "post", REVIEW_OTHER),
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
    kwargs_factory: Callable[[SmallRegistry], dict[str, Any]],
    method: str,
    expected: Expected,
    registry: SmallRegistry,
    role_clients: dict[str, Client],
) -> None:
    url = reverse(url_name, kwargs=kwargs_factory(registry))
    response = getattr(role_clients[role], method)(url)
    assert response.status_code == expected[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


# Helpers ----------------------------------------------------------------------------------


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _round_url(round_: Round) -> str:
    return reverse("enrollment:round", kwargs={"pk": round_.pk})


ROUND_FORM = {
    "name": "2027 春季统一报名",
    "first_start_month": "2027-03",
    "last_start_month": "2027-08",
    "opens_at": "2027-01-10T09:00",
    "closes_at": "2027-01-31T17:00",
    "offer_days": "5",
    "rule_1": "hardship",
    "rule_2": "resident",
    "rule_3": "",
    "rule_4": "",
}


# Rounds -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_bureau_creates_a_round_through_the_page(role_clients: dict[str, Client]) -> None:
    content = _page(role_clients["admin"], reverse("enrollment:round_create"))
    assert 'type="month"' in content and 'type="datetime-local"' in content
    assert "第 1 优先" in content and "抽签" in content

    response = role_clients["admin"].post(reverse("enrollment:round_create"), ROUND_FORM)

    round_ = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _round_url(round_)
    assert round_.status == RoundStatus.DRAFT
    assert round_.priority_rules == ["hardship", "resident"]
    assert (round_.first_start_month, round_.last_start_month) == (dt.date(2027, 3, 1), dt.date(2027, 8, 1))
    shanghai = ZoneInfo("Asia/Shanghai")
    assert round_.opens_at == dt.datetime(2027, 1, 10, 9, 0, tzinfo=shanghai)
    assert round_.opens_at == dt.datetime(2027, 1, 10, 1, 0, tzinfo=dt.UTC)
    assert round_.closes_at == dt.datetime(2027, 1, 31, 17, 0, tzinfo=shanghai)
    assert round_.offer_days == 5
    assert round_.places.count() == 2


@pytest.mark.django_db
def test_a_rule_chosen_twice_is_refused_next_to_its_select(role_clients: dict[str, Client]) -> None:
    response = role_clients["admin"].post(
        reverse("enrollment:round_create"), {**ROUND_FORM, "rule_2": "hardship"}
    )
    assert response.status_code == 200
    assert "rule_2" in response.context["form"].errors
    assert not Round.objects.exists()


@pytest.mark.django_db
def test_a_rule_left_blank_in_between_is_skipped_keeping_the_order(role_clients: dict[str, Client]) -> None:
    role_clients["admin"].post(
        reverse("enrollment:round_create"),
        {**ROUND_FORM, "rule_1": "sibling", "rule_2": "", "rule_3": "hardship"},
    )
    assert Round.objects.get().priority_rules == ["sibling", "hardship"]


@pytest.mark.django_db
def test_a_service_error_is_shown_on_the_field_it_names(role_clients: dict[str, Client]) -> None:
    response = role_clients["admin"].post(
        reverse("enrollment:round_create"), {**ROUND_FORM, "closes_at": "2027-01-01T09:00"}
    )
    assert response.status_code == 200
    assert "closes_at" in response.context["form"].errors
    assert not Round.objects.exists()


@pytest.mark.django_db
def test_the_list_shows_drafts_to_the_bureau_only(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    draft = _round()
    url = reverse("enrollment:rounds")
    admin_page = _page(role_clients["admin"], url)
    assert f'data-round="{draft.pk}"' in admin_page
    assert "新建轮次" in admin_page
    for role in ("township", "operator"):
        content = _page(role_clients[role], url)
        assert f'data-round="{draft.pk}"' not in content
        assert "新建轮次" not in content
    services.round_open(actor=_admin(), round_=draft)
    assert f'data-round="{draft.pk}"' in _page(role_clients["township"], url)


@pytest.mark.django_db
def test_the_operator_gets_a_link_to_their_institution_from_the_list(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    link = reverse("enrollment:institution")
    assert link in _page(role_clients["operator"], reverse("enrollment:rounds"))
    assert f'href="{link}"' not in _page(role_clients["township"], reverse("enrollment:rounds"))


@pytest.mark.django_db
def test_the_bureau_changes_a_place_capacity_inline(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _round()
    place = round_.places.get(institution=registry.nursery_a)
    url = reverse("enrollment:round_place", kwargs={"pk": round_.pk, "place_pk": place.pk})
    assert url in _page(role_clients["admin"], _round_url(round_))

    response = role_clients["admin"].post(url, {"capacity": "1"})

    assert response.status_code == 302
    place.refresh_from_db()
    assert place.capacity == 1
    services.round_open(actor=_admin(), round_=round_)
    assert url in _page(role_clients["admin"], _round_url(round_))
    assert url not in _page(role_clients["township"], _round_url(round_))


@pytest.mark.django_db
def test_a_round_without_seats_cannot_open_and_the_page_says_why(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _round()
    round_.places.update(capacity=0)
    response = role_clients["admin"].post(reverse("enrollment:round_open", kwargs={"pk": round_.pk}))
    assert response.status_code == 302
    assert any("没有任何名额" in message for message in _messages(response))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DRAFT


@pytest.mark.django_db
def test_opening_and_closing_a_round_report_the_figures(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _round()
    opened = role_clients["admin"].post(reverse("enrollment:round_open", kwargs={"pk": round_.pk}))
    assert any("共 5 个名额" in message for message in _messages(opened))
    closed = role_clients["admin"].post(reverse("enrollment:round_close", kwargs={"pk": round_.pk}))
    assert any("0 份有效报名" in message for message in _messages(closed))
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED


@pytest.mark.django_db
def test_an_open_round_only_lets_its_closing_time_move_later(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _round(RoundStatus.OPEN)
    url = reverse("enrollment:round_edit", kwargs={"pk": round_.pk})
    content = _page(role_clients["admin"], url)
    assert "只能延长报名截止时间" in content
    later = timezone.localtime(round_.closes_at + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    # The other fields are disabled: whatever is posted for them is ignored.
    response = role_clients["admin"].post(url, {**ROUND_FORM, "closes_at": later})
    assert response.status_code == 302
    changed = Round.objects.get(pk=round_.pk)
    assert changed.name == round_.name
    assert changed.priority_rules == ["hardship", "resident"]
    assert timezone.localtime(changed.closes_at).strftime("%Y-%m-%dT%H:%M") == later


@pytest.mark.django_db
def test_the_allocate_button_reveals_the_seed_on_the_page(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _round(RoundStatus.CLOSED, registry=registry)
    seed = services.round_seed(round_)
    before = _page(role_clients["admin"], _round_url(round_))
    assert round_.commitment in before
    assert seed not in before
    assert "抽签并分配" in before and "公开本轮的种子" in before

    response = role_clients["admin"].post(
        reverse("enrollment:round_allocate", kwargs={"pk": round_.pk}), follow=True
    )

    content = response.content.decode()
    assert seed in content
    assert "录取 2 人" in content and "未录取 0 人" in content
    assert reverse("enrollment:lottery", kwargs={"pk": round_.pk}) in content
    assert "发起下一轮" in content and "导出 Excel" in content
    assert seed in _page(role_clients["operator"], _round_url(round_))


@pytest.mark.django_db
def test_allocating_twice_is_refused_with_a_message(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _round(RoundStatus.ALLOCATED, registry=registry)
    response = role_clients["admin"].post(reverse("enrollment:round_allocate", kwargs={"pk": round_.pk}))
    assert response.status_code == 302
    assert any("只有已截止的轮次可以分配" in message for message in _messages(response))


@pytest.mark.django_db
def test_a_township_official_sees_how_many_applicants_live_in_their_township(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _round(RoundStatus.CLOSED, registry=registry)
    content = _page(role_clients["township"], _round_url(round_))
    # Of the two applicants one lives in township A.
    assert re.search(r"居住在示例街道甲的报名：<strong>1</strong>", content)
    assert "township-applicants" not in _page(role_clients["admin"], _round_url(round_))


@pytest.mark.django_db
def test_the_bureau_starts_the_next_round_through_the_page(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    previous = _round(RoundStatus.ALLOCATED, registry=registry)
    url = reverse("enrollment:round_follow_up", kwargs={"pk": previous.pk})
    assert "第二轮" in _page(role_clients["admin"], url)
    response = role_clients["admin"].post(
        url, {"name": "第二轮", "opens_at": "2027-01-10T09:00", "closes_at": "2027-01-20T17:00"}
    )
    follow_up = Round.objects.get(previous=previous)
    assert response["Location"] == _round_url(follow_up)
    previous.refresh_from_db()
    assert previous.status == RoundStatus.FINISHED


# Export -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_export_has_three_sheets_and_no_child_name(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    round_ = _round(RoundStatus.ALLOCATED, registry=registry)
    response = role_clients["township"].get(reverse("enrollment:round_export", kwargs={"pk": round_.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'enrollment-round-{round_.pk}.xlsx"')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["名额", "志愿", "说明"]
    cells = [
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    text = "\n".join(cells)
    for child in Child.objects.all():
        assert child.name not in text
        assert child.id_number not in text
    references = set(round_.applications.values_list("reference", flat=True))
    assert references <= set(cells)


# Institutions -----------------------------------------------------------------------------


def _with_a_pending_offer(registry: SmallRegistry) -> tuple[Round, Offer, Offer]:
    """An allocated round where nursery_a has an accepted offer and one still offered."""
    admin = _admin()
    round_ = _round(RoundStatus.OPEN)
    parent = _parent()
    place = round_.places.get(institution=registry.nursery_a)
    accepting = _child(
        registry, name="王小明", birth=dt.date(2025, 3, 10), serial=601, township=registry.township_a
    )
    waiting = _child(
        registry, name="孙小雨", birth=dt.date(2025, 4, 2), serial=603, township=registry.township_b
    )
    for child in (accepting, waiting):
        services.application_submit(
            actor=parent, round_=round_, child=child, start_month=SEPTEMBER, places=[place]
        )
    services.round_close(actor=admin, round_=round_)
    round_allocate(actor=admin, round_=round_)
    accepted = Offer.objects.get(application__child=accepting)
    services.offer_respond(actor=parent, offer=accepted, accept=True)
    return round_, Offer.objects.get(pk=accepted.pk), Offer.objects.get(application__child=waiting)


@pytest.mark.django_db
def test_the_operator_sees_masked_names_and_the_full_name_only_for_an_accepted_offer(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    _, accepted, pending = _with_a_pending_offer(registry)
    content = _page(role_clients["operator"], reverse("enrollment:institution"))
    # Accepted: name, birth date and the guardian's phone, to enroll the child.
    assert "王小明" in content
    assert "2025-03-10" in content
    assert PARENT_PHONE in content
    # Still offered: masked in the offers, and every applicant is masked.
    assert "孙小雨" not in content
    assert "孙**" in content
    assert content.count("王**") == 1  # the applicants' table
    assert reverse("enrollment:offer_enroll", kwargs={"pk": accepted.pk}) in content
    assert reverse("enrollment:offer_enroll", kwargs={"pk": pending.pk}) not in content
    assert "托小一班" in content


@pytest.mark.django_db
def test_the_operator_sees_nothing_of_another_institution(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    _round(RoundStatus.ALLOCATED, registry=registry)
    content = _page(role_clients["operator"], reverse("enrollment:institution"))
    assert "赵" not in content  # the child placed at kindergarten_a
    assert "王小明" in content


@pytest.mark.django_db
def test_confirming_enrollment_raises_the_class_enrolled_count(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    _, accepted, _pending = _with_a_pending_offer(registry)
    before = registry.nursery_class.enrolled

    response = role_clients["operator"].post(
        reverse("enrollment:offer_enroll", kwargs={"pk": accepted.pk}),
        {"care_class": registry.nursery_class.pk},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("enrollment:institution")
    assert CareClass.objects.get(pk=registry.nursery_class.pk).enrolled == before + 1
    accepted.refresh_from_db()
    assert accepted.status == OfferStatus.ENROLLED
    assert accepted.care_class == registry.nursery_class


@pytest.mark.django_db
def test_a_class_of_another_institution_is_refused_with_a_message(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    _, accepted, _pending = _with_a_pending_offer(registry)
    response = role_clients["operator"].post(
        reverse("enrollment:offer_enroll", kwargs={"pk": accepted.pk}),
        {"care_class": registry.kindergarten_class.pk},
    )
    assert response.status_code == 302
    assert _messages(response)
    accepted.refresh_from_db()
    assert accepted.status == OfferStatus.ACCEPTED


@pytest.mark.django_db
def test_the_bureau_opens_an_institution_page_by_naming_it_and_returns_there(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    _, accepted, _pending = _with_a_pending_offer(registry)
    url = f"{reverse('enrollment:institution')}?institution={registry.nursery_a.pk}"
    assert "王小明" in _page(role_clients["admin"], url)
    assert (
        role_clients["admin"].get(f"{reverse('enrollment:institution')}?institution=999999").status_code
        == 404
    )
    response = role_clients["admin"].post(
        reverse("enrollment:offer_enroll", kwargs={"pk": accepted.pk}),
        {"care_class": registry.nursery_class.pk},
    )
    assert response["Location"] == url


# 困境 claims ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_township_official_verifies_a_hardship_claim_of_their_township(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    own = _child(
        registry,
        name="困境甲",
        birth=dt.date(2025, 1, 5),
        serial=621,
        township=registry.township_a,
        hardship_claimed=True,
    )
    other = _child(
        registry,
        name="困境乙",
        birth=dt.date(2025, 1, 6),
        serial=622,
        township=registry.township_b,
        hardship_claimed=True,
    )
    content = _page(role_clients["township"], reverse("enrollment:hardship"))
    assert f'data-child="{own.pk}"' in content
    assert f'data-child="{other.pk}"' not in content
    assert "困**" in content and "困境甲" not in content
    assert own.id_number not in content and own.id_number_masked in content

    url = reverse("enrollment:hardship_review", kwargs={"child_pk": own.pk})
    response = role_clients["township"].post(url, {"verified": "1"})

    assert response.status_code == 302
    own.refresh_from_db()
    assert own.hardship_verified
    role_clients["township"].post(url, {"verified": "0"})
    own.refresh_from_db()
    assert not own.hardship_verified


@pytest.mark.django_db
def test_the_bureau_sees_every_hardship_claim(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    claims = [
        _child(
            registry,
            name="困境甲",
            birth=dt.date(2025, 1, 5),
            serial=621,
            township=registry.township_a,
            hardship_claimed=True,
        ),
        _child(
            registry,
            name="困境乙",
            birth=dt.date(2025, 1, 6),
            serial=622,
            township=registry.township_b,
            hardship_claimed=True,
        ),
    ]
    content = _page(role_clients["admin"], reverse("enrollment:hardship"))
    for child in claims:
        assert f'data-child="{child.pk}"' in content
