"""The parents' enrollment pages: who may open them, and what a parent sees and does.

``MATRIX`` has the shape of the other apps' permission matrices: a parent opens their own
pages; staff are sent to the rounds list from the home page, refused (403) the parent-only
forms, and find no application or offer (404); an anonymous visitor is sent to log in.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import PASSWORD, ROLES, SmallRegistry, resident_id
from tuoyu.enrollment import selectors, services
from tuoyu.enrollment.allocation import round_allocate
from tuoyu.enrollment.models import CONSENT_VERSION, Application, Child, Offer, OfferStatus, Round, RoundPlace
from tuoyu.enrollment.tests.conftest import Enrollment, make_child

SEPTEMBER = dt.date(2026, 9, 1)

HOME = {
    "admin": 302,
    "township": 302,
    "operator": 302,
    "lead": 302,
    "inspector": 302,
    "public": 200,
    "anonymous": 302,
}
PARENT_PAGE = {
    "admin": 403,
    "township": 403,
    "operator": 403,
    "lead": 403,
    "inspector": 403,
    "public": 200,
    "anonymous": 302,
}
PARENT_NOT_FOUND = {**PARENT_PAGE, "public": 404}
OWN = {
    "admin": 404,
    "township": 404,
    "operator": 404,
    "lead": 404,
    "inspector": 404,
    "public": 200,
    "anonymous": 302,
}
OWN_DONE = {**OWN, "public": 302}
NOT_OWN = {**OWN, "public": 404}
POST_ONLY = {
    "admin": 405,
    "township": 405,
    "operator": 405,
    "lead": 405,
    "inspector": 405,
    "public": 405,
    "anonymous": 302,
}


# Objects the matrix rows need, built from the users ``role_clients`` created. ---------------


def _admin() -> User:
    return User.objects.get(username="admin")


def _parent() -> User:
    return User.objects.get(username="public")


def _round(r: SmallRegistry, *, opened: bool = True) -> Round:
    now = timezone.now()
    round_ = services.round_create(
        actor=_admin(),
        name="矩阵轮次",
        first_start_month=SEPTEMBER,
        last_start_month=dt.date(2027, 3, 1),
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=10),
        priority_rules=["resident"],
    )
    if opened:
        services.round_open(actor=_admin(), round_=round_)
    return round_


def _child(r: SmallRegistry, guardian: User | None = None) -> Child:
    guardian = guardian or _parent()
    return make_child(
        guardian=guardian,
        name="王小满",
        birth=dt.date(2025, 3, 10),
        serial=600 + guardian.pk % 100,
        township_id=r.township_a.pk,
    )


def _other_parent() -> User:
    return User.objects.create_user(username="13900000099", password=PASSWORD, role=Role.PUBLIC)


def _application(r: SmallRegistry, guardian: User | None = None) -> Application:
    round_ = _round(r)
    guardian = guardian or _parent()
    child = _child(r, guardian)
    place = round_.places.get(institution=r.nursery_a, class_type="toddler")
    return services.application_submit(
        actor=guardian, round_=round_, child=child, start_month=SEPTEMBER, places=[place]
    )


def _offer(r: SmallRegistry, guardian: User | None = None) -> Offer:
    application = _application(r, guardian)
    services.round_close(actor=_admin(), round_=application.round)
    round_allocate(actor=_admin(), round_=application.round)
    return Offer.objects.get(application=application)


def _apply_own(r: SmallRegistry) -> dict[str, Any]:
    return {"round_pk": _round(r).pk, "child_pk": _child(r).pk}


def _apply_other_child(r: SmallRegistry) -> dict[str, Any]:
    return {"round_pk": _round(r).pk, "child_pk": _child(r, _other_parent()).pk}


def _apply_draft_round(r: SmallRegistry) -> dict[str, Any]:
    return {"round_pk": _round(r, opened=False).pk, "child_pk": _child(r).pk}


def _own_application(r: SmallRegistry) -> dict[str, Any]:
    return {"pk": _application(r).pk}


def _other_application(r: SmallRegistry) -> dict[str, Any]:
    return {"pk": _application(r, _other_parent()).pk}


def _own_offer(r: SmallRegistry) -> dict[str, Any]:
    return {"pk": _offer(r).pk}


def _other_offer(r: SmallRegistry) -> dict[str, Any]:
    return {"pk": _offer(r, _other_parent()).pk}


# (url name, kwargs from the small registry, method, expected status per role)
MATRIX: list[tuple[str, Callable[[SmallRegistry], dict[str, Any]], str, dict[str, int]]] = [
    ("enrollment:home", lambda r: {}, "get", HOME),
    ("enrollment:child_add", lambda r: {}, "get", PARENT_PAGE),
    ("enrollment:child_add", lambda r: {}, "post", PARENT_PAGE),  # empty form: shown again with errors
    ("enrollment:apply", _apply_own, "get", PARENT_PAGE),
    ("enrollment:apply", _apply_own, "post", PARENT_PAGE),  # empty form: shown again with errors
    ("enrollment:apply", _apply_other_child, "get", PARENT_NOT_FOUND),
    ("enrollment:apply", _apply_draft_round, "get", PARENT_NOT_FOUND),
    ("enrollment:application", _own_application, "get", OWN),
    ("enrollment:application", _other_application, "get", NOT_OWN),
    ("enrollment:application", lambda r: {"pk": 999_999}, "get", NOT_OWN),
    ("enrollment:application_withdraw", _own_application, "get", POST_ONLY),
    ("enrollment:application_withdraw", _own_application, "post", OWN_DONE),
    ("enrollment:application_withdraw", _other_application, "post", NOT_OWN),
    ("enrollment:offer_respond", _own_offer, "get", POST_ONLY),
    ("enrollment:offer_respond", _own_offer, "post", OWN_DONE),  # no answer: a message, back to the page
    ("enrollment:offer_respond", _other_offer, "post", NOT_OWN),
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
    expected: dict[str, int],
    registry: SmallRegistry,
    role_clients: dict[str, Client],
) -> None:
    response = getattr(role_clients[role], method)(reverse(url_name, kwargs=kwargs_factory(registry)))
    assert response.status_code == expected[role]
    if role == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["admin", "township", "operator"])
def test_staff_opening_the_enrollment_home_are_sent_to_the_rounds_list(
    role: str, role_clients: dict[str, Client]
) -> None:
    response = role_clients[role].get(reverse("enrollment:home"))
    assert response["Location"] == reverse("enrollment:rounds")


# Children ----------------------------------------------------------------------------------


def _child_form(registry: SmallRegistry, birth: dt.date, serial: int, **extra: str) -> dict[str, str]:
    return {
        "name": "陈小禾",
        "birth_date": birth.isoformat(),
        "id_number": resident_id(serial, birth.strftime("%Y%m%d")),
        "township": str(registry.township_b.pk),
        "sibling_institution": "",
        "parent_employer": "",
        **extra,
    }


@pytest.mark.django_db
def test_a_child_added_with_consent_shows_the_masked_id_on_home_and_never_the_full_number(
    registry: SmallRegistry, role_clients: dict[str, Client], parent_user: User
) -> None:
    birth = timezone.localdate() - dt.timedelta(days=400)
    data = _child_form(registry, birth, 701, consent="on", hardship_claimed="on")
    response = role_clients["public"].post(reverse("enrollment:child_add"), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("enrollment:home")
    content = response.content.decode()
    child = Child.objects.get(guardian=parent_user)
    assert child.hardship_claimed and not child.hardship_verified
    assert child.id_number_masked in content
    assert data["id_number"] not in content
    assert "陈小禾" in content


@pytest.mark.django_db
def test_a_child_added_without_consent_is_refused_with_the_consent_error(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    birth = timezone.localdate() - dt.timedelta(days=400)
    data = _child_form(registry, birth, 702)
    response = role_clients["public"].post(reverse("enrollment:child_add"), data)
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    content = response.content.decode()
    assert 'id="id_consent_errors"' in content
    assert data["id_number"] not in content  # the ID number is not echoed back
    assert not Child.objects.exists()


@pytest.mark.django_db
def test_a_birth_date_contradicting_the_id_number_is_shown_on_the_birth_date_field(
    registry: SmallRegistry, role_clients: dict[str, Client]
) -> None:
    birth = timezone.localdate() - dt.timedelta(days=400)
    data = _child_form(registry, birth, 703, consent="on")
    data["birth_date"] = (birth - dt.timedelta(days=1)).isoformat()
    response = role_clients["public"].post(reverse("enrollment:child_add"), data)
    assert response.status_code == 200
    assert "birth_date" in response.context["form"].errors


@pytest.mark.django_db
def test_the_consent_text_names_its_version_and_the_retention(role_clients: dict[str, Client]) -> None:
    content = role_clients["public"].get(reverse("enrollment:child_add")).content.decode()
    assert 'id="consent-text"' in content
    assert CONSENT_VERSION in content
    assert "删除" in content


# Applying ----------------------------------------------------------------------------------


def _apply_url(enrollment: Enrollment, child: Child) -> str:
    return reverse("enrollment:apply", kwargs={"round_pk": enrollment.round.pk, "child_pk": child.pk})


def _offered(content: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'<option value="(\d+)"', content)}


@pytest.mark.django_db
def test_the_home_page_lists_the_open_round_with_an_apply_link_per_child(
    open_round: Enrollment, child: Child, role_clients: dict[str, Client]
) -> None:
    content = role_clients["public"].get(reverse("enrollment:home")).content.decode()
    assert open_round.round.name in content
    assert _apply_url(open_round, child) in content
    assert child.id_number_masked in content
    assert child.id_number not in content


@pytest.mark.django_db
def test_applying_with_the_first_and_third_choice_creates_ranks_one_and_two(
    open_round: Enrollment, child: Child, role_clients: dict[str, Client]
) -> None:
    second = RoundPlace.objects.create(
        round=open_round.round,
        institution=open_round.registry.kindergarten_a,
        class_type="toddler",
        capacity=2,
    )
    response = role_clients["public"].post(
        _apply_url(open_round, child),
        {
            "start_month": "2026-09",
            "choice_1": str(second.pk),
            "choice_3": str(open_round.nursery_toddler.pk),
        },
    )
    application = Application.objects.get(child=child)
    assert response["Location"] == reverse("enrollment:application", kwargs={"pk": application.pk})
    assert application.start_month == SEPTEMBER
    assert [(c.rank, c.place_id) for c in application.choices.order_by("rank")] == [
        (1, second.pk),
        (2, open_round.nursery_toddler.pk),
    ]


@pytest.mark.django_db
def test_a_place_that_does_not_fit_the_childs_age_is_not_offered_in_the_selects(
    open_round: Enrollment, child: Child, role_clients: dict[str, Client]
) -> None:
    content = role_clients["public"].get(_apply_url(open_round, child), {"start_month": "2026-09"}).content
    offered = _offered(content.decode())
    assert open_round.nursery_toddler.pk in offered
    assert open_round.kindergarten_older.pk not in offered
    assert "/portal/?birth_date=2025-03-10&amp;start_month=2026-09" in content.decode()


@pytest.mark.django_db
def test_a_month_with_no_fitting_place_is_said_plainly(
    open_round: Enrollment, parent_user: User, role_clients: dict[str, Client]
) -> None:
    # 36 months old from 2027-01: no class type takes the child then.
    older = make_child(
        guardian=parent_user,
        name="赵大宝",
        birth=dt.date(2024, 1, 1),
        serial=704,
        township_id=open_round.registry.township_a.pk,
    )
    content = role_clients["public"].get(_apply_url(open_round, older), {"start_month": "2027-02"}).content
    assert 'id="no-fitting-place"' in content.decode()
    assert _offered(content.decode()) == set()


@pytest.mark.django_db
def test_a_duplicate_choice_is_refused_on_its_own_field(
    open_round: Enrollment, child: Child, role_clients: dict[str, Client]
) -> None:
    place = str(open_round.nursery_toddler.pk)
    response = role_clients["public"].post(
        _apply_url(open_round, child), {"start_month": "2026-09", "choice_1": place, "choice_2": place}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"choice_2"}
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_the_apply_form_is_prefilled_from_the_existing_application(
    open_round: Enrollment, child: Child, parent_user: User, role_clients: dict[str, Client]
) -> None:
    services.application_submit(
        actor=parent_user,
        round_=open_round.round,
        child=child,
        start_month=dt.date(2026, 10, 1),
        places=[open_round.nursery_toddler],
    )
    form = role_clients["public"].get(_apply_url(open_round, child)).context["form"]
    assert form["start_month"].value() == "2026-10"
    assert form["choice_1"].value() == str(open_round.nursery_toddler.pk)


# The application and its outcome --------------------------------------------------------------


def _submit(enrollment: Enrollment, parent: User, child: Child) -> Application:
    return services.application_submit(
        actor=parent,
        round_=enrollment.round,
        child=child,
        start_month=SEPTEMBER,
        places=[enrollment.nursery_toddler],
    )


def _allocate(admin: User, enrollment: Enrollment) -> None:
    services.round_close(actor=admin, round_=enrollment.round)
    round_allocate(actor=admin, round_=enrollment.round)


@pytest.mark.django_db
def test_the_application_page_shows_the_reference_and_links_to_the_lottery(
    open_round: Enrollment, child: Child, parent_user: User, role_clients: dict[str, Client]
) -> None:
    application = _submit(open_round, parent_user, child)
    content = role_clients["public"].get(reverse("enrollment:application", kwargs={"pk": application.pk}))
    text = content.content.decode()
    assert application.reference in text
    assert reverse("enrollment:lottery", kwargs={"pk": open_round.round.pk}) in text
    assert 'id="application-withdraw"' in text
    assert child.id_number not in text


@pytest.mark.django_db
def test_after_the_draw_the_application_page_explains_each_choice(
    open_round: Enrollment,
    child: Child,
    parent_user: User,
    admin_user: User,
    role_clients: dict[str, Client],
) -> None:
    application = _submit(open_round, parent_user, child)
    _allocate(admin_user, open_round)
    content = (
        role_clients["public"]
        .get(reverse("enrollment:application", kwargs={"pk": application.pk}))
        .content.decode()
    )
    choice = application.choices.get()
    assert html.escape(selectors.choice_explanation(choice)) in content
    assert html.escape(selectors.priority_explanation(choice)) in content
    assert 'id="offer-accept"' in content
    assert 'id="application-withdraw"' not in content


@pytest.mark.django_db
def test_accepting_an_offer_changes_its_status(
    open_round: Enrollment,
    child: Child,
    parent_user: User,
    admin_user: User,
    role_clients: dict[str, Client],
) -> None:
    application = _submit(open_round, parent_user, child)
    _allocate(admin_user, open_round)
    offer = Offer.objects.get(application=application)
    response = role_clients["public"].post(
        reverse("enrollment:offer_respond", kwargs={"pk": offer.pk}), {"accept": "1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("enrollment:application", kwargs={"pk": application.pk})
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.ACCEPTED
    assert 'id="offer-accept"' not in response.content.decode()


@pytest.mark.django_db
def test_an_offer_answered_twice_gives_an_error_message_and_keeps_the_first_answer(
    open_round: Enrollment,
    child: Child,
    parent_user: User,
    admin_user: User,
    role_clients: dict[str, Client],
) -> None:
    application = _submit(open_round, parent_user, child)
    _allocate(admin_user, open_round)
    offer = Offer.objects.get(application=application)
    url = reverse("enrollment:offer_respond", kwargs={"pk": offer.pk})
    role_clients["public"].post(url, {"accept": "0"}, follow=True)
    response = role_clients["public"].post(url, {"accept": "1"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.DECLINED


@pytest.mark.django_db
def test_withdrawing_an_application_marks_it_withdrawn(
    open_round: Enrollment, child: Child, parent_user: User, role_clients: dict[str, Client]
) -> None:
    application = _submit(open_round, parent_user, child)
    response = role_clients["public"].post(
        reverse("enrollment:application_withdraw", kwargs={"pk": application.pk}), follow=True
    )
    assert Application.objects.get(pk=application.pk).withdrawn_at is not None
    assert "已撤回" in response.content.decode()


@pytest.mark.django_db
def test_another_parents_application_is_not_found(
    open_round: Enrollment, other_child: Child, other_parent: User, role_clients: dict[str, Client]
) -> None:
    application = _submit(open_round, other_parent, other_child)
    client = role_clients["public"]
    assert client.get(reverse("enrollment:application", kwargs={"pk": application.pk})).status_code == 404
    withdraw = reverse("enrollment:application_withdraw", kwargs={"pk": application.pk})
    assert client.post(withdraw).status_code == 404
    assert Application.objects.get(pk=application.pk).withdrawn_at is None
