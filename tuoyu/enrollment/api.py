"""The central-enrollment API: published rounds, parents' applications, the bureau's rounds
and the institutions' applicants.

Reads go through :mod:`tuoyu.enrollment.selectors`, writes through
:mod:`tuoyu.enrollment.services` and :mod:`tuoyu.enrollment.allocation`, like the pages,
so the API shares their validation and audit log.

* Public (``auth=None``): the rounds that are not drafts, their places and their
  published lottery. A draft is 404 for everyone here (the bureau sees drafts in the UI).
* Parents (the ``public`` role): their own children, applications and offers. Another
  parent's child, application or offer is 404; a signed-in user of another role gets 403,
  an anonymous caller 401.
* The bureau admin creates, opens, closes and allocates rounds (others 403).
* An institution's operator (and the bureau admin) reads the applicants naming the
  institution, names masked, and confirms enrollment of accepted offers; another
  institution is 404 to an operator, and 403 to roles that never see applicants.

A service's field errors are renamed to the body's fields: ``township_id``,
``place_ids`` (``place_ids.1`` for the second place), ``care_class_id``.
"""

from __future__ import annotations

from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status

from tuoyu.accounts.models import User
from tuoyu.common.api import aware, fields_renamed
from tuoyu.enrollment import allocation, selectors, services
from tuoyu.enrollment.models import (
    Application,
    Child,
    Choice,
    Offer,
    OfferStatus,
    Outcome,
    PriorityRule,
    Round,
    RoundPlace,
    RoundStatus,
)
from tuoyu.enrollment.schemas import (
    AllocationOut,
    ApplicantOut,
    ApplicationIn,
    ApplicationOut,
    ChildIn,
    ChildOut,
    ChoiceOut,
    EnrollIn,
    LotteryOut,
    OfferOut,
    PlaceOut,
    PriorityRuleOut,
    RoundIn,
    RoundOut,
)
from tuoyu.registry.api import _actor
from tuoyu.registry.models import CareClass, ClassType, Institution, Township
from tuoyu.registry.schemas import ErrorOut, ValidationErrorOut

router = Router(tags=["enrollment"])

RoundId = Annotated[int, Path(description="轮次编号 / round id")]
ChildId = Annotated[int, Path(description="婴幼儿编号 / child id")]
ApplicationId = Annotated[int, Path(description="报名编号（数字）/ application id")]
OfferId = Annotated[int, Path(description="录取通知编号 / offer id")]
InstitutionId = Annotated[int, Path(description="机构编号 / institution id")]

PUBLIC_ERRORS: dict[int, type] = {404: ErrorOut, 422: ValidationErrorOut}
READ_ERRORS: dict[int, type] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, type] = READ_ERRORS


# Who may call -----------------------------------------------------------------------------


def _parent(request: HttpRequest) -> User:
    user = _actor(request)
    if not selectors.is_parent(user):
        raise PermissionDenied(_("请使用家长账户办理报名。"))
    return user


def _bureau(request: HttpRequest) -> User:
    user = _actor(request)
    if not user.is_bureau_admin:
        raise PermissionDenied(_("仅市卫健局管理员可执行此操作。"))
    return user


def _institution_staff(request: HttpRequest) -> User:
    """The bureau admin or an institution's operator; the services decide per institution."""
    user = _actor(request)
    if not (user.is_bureau_admin or user.is_institution_operator):
        raise PermissionDenied(_("仅托育机构负责人和市卫健局管理员可查看报名情况。"))
    return user


def _institution_of(user: User, institution_id: int) -> Institution:
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None or not (user.is_bureau_admin or user.institution_id == institution.pk):
        raise Http404(_("没有该机构。"))
    return institution


def _public_round(round_id: int) -> Round:
    round_ = selectors.rounds_public().filter(pk=round_id).first()
    if round_ is None:
        raise Http404(_("没有该报名轮次。"))
    return round_


def _any_round(round_id: int) -> Round:
    round_ = Round.objects.filter(pk=round_id).first()
    if round_ is None:
        raise Http404(_("没有该报名轮次。"))
    return round_


def _application_field(field: str) -> str:
    if field == "choices":
        return "place_ids"
    if field.startswith("choice_") and field[7:].isdigit():
        return f"place_ids.{int(field[7:]) - 1}"
    return field


# Output -----------------------------------------------------------------------------------


def _round_out(round_: Round) -> RoundOut:
    labels = dict(PriorityRule.choices)
    return RoundOut(
        id=round_.pk,
        name=round_.name,
        status=RoundStatus(round_.status),
        status_label=str(round_.get_status_display()),  # type: ignore[attr-defined]
        first_start_month=round_.first_start_month,
        last_start_month=round_.last_start_month,
        start_months=round_.start_months(),
        opens_at=round_.opens_at,
        closes_at=round_.closes_at,
        offer_days=round_.offer_days,
        priority_rules=[
            PriorityRuleOut(code=PriorityRule(code), label=str(labels.get(code, code)))
            for code in round_.priority_rules
        ],
        commitment=round_.commitment,
        seed=round_.seed,
        roster_hash=round_.roster_hash,
        algorithm=round_.algorithm,
        allocated_at=round_.allocated_at,
    )


def _place_out(place: RoundPlace) -> PlaceOut:
    institution = place.institution
    return PlaceOut(
        id=place.pk,
        institution_id=institution.pk,
        institution_name=institution.name,
        township_code=institution.township.code,
        township_name=institution.township.name,
        class_type=ClassType(place.class_type),
        class_type_label=str(place.get_class_type_display()),  # type: ignore[attr-defined]
        capacity=place.capacity,
    )


def _child_out(child: Child) -> ChildOut:
    return ChildOut(
        id=child.pk,
        name=child.name,
        birth_date=child.birth_date,
        id_number_masked=child.id_number_masked,
        township_id=child.township_id,
        township_name=child.township.name,
        sibling_institution_id=child.sibling_institution_id,
        parent_employer_id=child.parent_employer_id,
        hardship_claimed=child.hardship_claimed,
        hardship_verified=child.hardship_verified,
        consent_version=child.consent_version,
        consent_at=child.consent_at,
    )


def _offer_out(offer: Offer) -> OfferOut:
    place = offer.place
    return OfferOut(
        id=offer.pk,
        place_id=place.pk,
        institution_id=place.institution_id,
        institution_name=place.institution.name,
        class_type=ClassType(place.class_type),
        class_type_label=str(place.get_class_type_display()),  # type: ignore[attr-defined]
        status=OfferStatus(offer.status),
        status_label=str(offer.get_status_display()),  # type: ignore[attr-defined]
        deadline=offer.deadline,
        responded_at=offer.responded_at,
        care_class_id=offer.care_class_id,
        enrolled_at=offer.enrolled_at,
    )


def _choice_out(choice: Choice) -> ChoiceOut:
    place = choice.place
    return ChoiceOut(
        rank=choice.rank,
        place_id=place.pk,
        institution_id=place.institution_id,
        institution_name=place.institution.name,
        class_type=ClassType(place.class_type),
        class_type_label=str(place.get_class_type_display()),  # type: ignore[attr-defined]
        outcome=Outcome(choice.outcome),
        outcome_label=str(choice.get_outcome_display()),  # type: ignore[attr-defined]
        priority_reasons=[PriorityRule(code) for code in choice.priority_reasons],
        applicants_ahead=choice.applicants_ahead,
        seats=choice.seats,
        waitlist_position=choice.waitlist_position,
        explanation=selectors.choice_explanation(choice),
        priority_explanation=selectors.priority_explanation(choice),
    )


def _application_out(application: Application) -> ApplicationOut:
    offer: Offer | None = getattr(application, "offer", None)
    return ApplicationOut(
        id=application.pk,
        reference=application.reference,
        round_id=application.round_id,
        round_name=application.round.name,
        round_status=RoundStatus(application.round.status),
        child_id=application.child_id,
        child_name=application.child.name,
        start_month=application.start_month,
        submitted_at=application.submitted_at,
        updated_at=application.updated_at,
        withdrawn_at=application.withdrawn_at,
        lottery_rank=application.lottery_rank,
        summary=selectors.application_summary(application),
        choices=[_choice_out(choice) for choice in application.choices.all()],
        offer=None if offer is None else _offer_out(offer),
    )


def _applicant_out(choice: Choice) -> ApplicantOut:
    application = choice.application
    offer: Offer | None = getattr(application, "offer", None)
    here = offer is not None and offer.place_id == choice.place_id
    return ApplicantOut(
        round_id=application.round_id,
        reference=application.reference,
        child_name=application.child.name_masked,
        age_months=selectors.child_age_months(application.child, on=application.start_month),
        start_month=application.start_month,
        place_id=choice.place_id,
        class_type=ClassType(choice.place.class_type),
        class_type_label=str(choice.place.get_class_type_display()),  # type: ignore[attr-defined]
        choice_rank=choice.rank,
        outcome=Outcome(choice.outcome),
        outcome_label=str(choice.get_outcome_display()),  # type: ignore[attr-defined]
        priority_reasons=[PriorityRule(code) for code in choice.priority_reasons],
        lottery_rank=application.lottery_rank,
        waitlist_position=choice.waitlist_position,
        offer_id=offer.pk if here and offer is not None else None,
        offer_status=OfferStatus(offer.status) if here and offer is not None else None,
    )


# Public -----------------------------------------------------------------------------------


@router.get(
    "/enrollment/rounds",
    operation_id="enrollment_list_rounds",
    auth=None,
    response={200: list[RoundOut]},
    summary="报名轮次（公开）/ enrollment rounds (public)",
)
def round_list_api(request: HttpRequest) -> list[RoundOut]:
    """Every round that is not a draft, latest first, with its commitment and, after the
    draw, its seed, roster hash and algorithm."""
    return [_round_out(round_) for round_ in selectors.rounds_public()]


@router.get(
    "/enrollment/rounds/{round_id}",
    operation_id="enrollment_get_round",
    auth=None,
    response={200: RoundOut, **PUBLIC_ERRORS},
    summary="报名轮次（公开）/ an enrollment round (public)",
)
def round_get_api(request: HttpRequest, round_id: RoundId) -> RoundOut:
    """404 for a draft, for everyone."""
    return _round_out(_public_round(round_id))


@router.get(
    "/enrollment/rounds/{round_id}/lottery",
    operation_id="enrollment_get_lottery",
    auth=None,
    response={200: LotteryOut, **PUBLIC_ERRORS},
    exclude_none=True,
    summary="抽签公示（公开）/ the published lottery (public)",
)
def round_lottery_api(request: HttpRequest, round_id: RoundId) -> dict[str, object]:
    """Before the draw only the commitment; after it the file that
    ``python tools/verify_lottery.py lottery.json --commitment C`` checks."""
    data = selectors.round_lottery_published(_public_round(round_id))
    if data is None:
        raise Http404(_("没有该报名轮次。"))
    return data


@router.get(
    "/enrollment/rounds/{round_id}/places",
    operation_id="enrollment_list_places",
    auth=None,
    response={200: list[PlaceOut], **PUBLIC_ERRORS},
    summary="轮次名额（公开）/ the places of a round (public)",
)
def round_places_api(request: HttpRequest, round_id: RoundId) -> list[PlaceOut]:
    round_ = _public_round(round_id)
    places = round_.places.select_related("institution__township").order_by("institution__name", "class_type")
    return [_place_out(place) for place in places]


# Parents ----------------------------------------------------------------------------------


@router.get(
    "/enrollment/children",
    operation_id="enrollment_list_children",
    response={200: list[ChildOut], **READ_ERRORS},
    summary="我登记的婴幼儿 / my children",
)
def child_list_api(request: HttpRequest) -> list[ChildOut]:
    """The caller's children; the ID number only masked."""
    return [_child_out(child) for child in selectors.children_of(_parent(request))]


def _institution_or_error(institution_id: int | None, field: str) -> Institution | None:
    if institution_id is None:
        return None
    institution = Institution.objects.filter(pk=institution_id).first()
    if institution is None:
        raise ValidationError({field: _("没有该机构。")})
    return institution


@router.post(
    "/enrollment/children",
    operation_id="enrollment_register_child",
    response={201: ChildOut, **WRITE_ERRORS},
    summary="登记婴幼儿 / register a child",
)
def child_register_api(request: HttpRequest, payload: ChildIn) -> Status[ChildOut]:
    """A child under 3, with the guardian's consent; the ID number is checked against the
    birth date and stored encrypted."""
    user = _parent(request)
    township = Township.objects.filter(pk=payload.township_id).first()
    if township is None:
        raise ValidationError({"township_id": _("没有该镇（街道）。")})
    sibling = _institution_or_error(payload.sibling_institution_id, "sibling_institution_id")
    employer = _institution_or_error(payload.parent_employer_id, "parent_employer_id")
    renamed = {
        "township": "township_id",
        "sibling_institution": "sibling_institution_id",
        "parent_employer": "parent_employer_id",
    }
    with fields_renamed(lambda field: renamed.get(field, field)):
        child = services.child_register(
            actor=user,
            name=payload.name,
            birth_date=payload.birth_date,
            id_number=payload.id_number,
            township=township,
            consent=payload.consent,
            sibling_institution=sibling,
            parent_employer=employer,
            hardship_claimed=payload.hardship_claimed,
        )
    return Status(201, _child_out(child))


@router.get(
    "/enrollment/applications",
    operation_id="enrollment_list_applications",
    response={200: list[ApplicationOut], **READ_ERRORS},
    summary="我的报名 / my applications",
)
def application_list_api(request: HttpRequest) -> list[ApplicationOut]:
    """The caller's applications, latest round first, each choice with what happened and why."""
    return [_application_out(application) for application in selectors.applications_of(_parent(request))]


@router.get(
    "/enrollment/applications/{application_id}",
    operation_id="enrollment_get_application",
    response={200: ApplicationOut, **READ_ERRORS},
    summary="报名详情 / an application",
)
def application_get_api(request: HttpRequest, application_id: ApplicationId) -> ApplicationOut:
    application = selectors.applications_of(_parent(request)).filter(pk=application_id).first()
    if application is None:
        raise Http404(_("没有该报名。"))
    return _application_out(application)


@router.put(
    "/enrollment/rounds/{round_id}/applications/{child_id}",
    operation_id="enrollment_submit_application",
    response={200: ApplicationOut, **WRITE_ERRORS},
    summary="提交或修改报名 / apply, or change the application",
)
def application_submit_api(
    request: HttpRequest, round_id: RoundId, child_id: ChildId, payload: ApplicationIn
) -> ApplicationOut:
    """While the round is open: 1 to 5 distinct places of the round in order of preference,
    each fitting the child's age at the start month. Sending again replaces the choices."""
    user = _parent(request)
    round_ = _public_round(round_id)
    child = selectors.children_of(user).filter(pk=child_id).first()
    if child is None:
        raise Http404(_("没有该婴幼儿。"))
    found = {place.pk: place for place in round_.places.filter(pk__in=payload.place_ids)}
    missing = {
        f"place_ids.{index}": _("第 %(rank)d 志愿不属于本轮次。") % {"rank": index + 1}
        for index, place_id in enumerate(payload.place_ids)
        if place_id not in found
    }
    if missing:
        raise ValidationError(missing)
    with fields_renamed(_application_field):
        application = services.application_submit(
            actor=user,
            round_=round_,
            child=child,
            start_month=payload.start_month,
            places=[found[place_id] for place_id in payload.place_ids],
        )
    return _application_out(selectors.applications_of(user).get(pk=application.pk))


def _own_offer(user: User, offer_id: int) -> Offer:
    offer = (
        Offer.objects.filter(pk=offer_id, application__child__in=selectors.children_of(user))
        .select_related("application__child", "place__institution")
        .first()
    )
    if offer is None:
        raise Http404(_("没有该录取通知。"))
    return offer


@router.post(
    "/enrollment/offers/{offer_id}/accept",
    operation_id="enrollment_accept_offer",
    response={200: OfferOut, **WRITE_ERRORS},
    summary="接受录取 / accept an offer",
)
def offer_accept_api(request: HttpRequest, offer_id: OfferId) -> OfferOut:
    user = _parent(request)
    return _offer_out(services.offer_respond(actor=user, offer=_own_offer(user, offer_id), accept=True))


@router.post(
    "/enrollment/offers/{offer_id}/decline",
    operation_id="enrollment_decline_offer",
    response={200: OfferOut, **WRITE_ERRORS},
    summary="放弃录取 / decline an offer",
)
def offer_decline_api(request: HttpRequest, offer_id: OfferId) -> OfferOut:
    """The seat goes to the next round of the intake."""
    user = _parent(request)
    return _offer_out(services.offer_respond(actor=user, offer=_own_offer(user, offer_id), accept=False))


# The bureau -------------------------------------------------------------------------------


@router.post(
    "/enrollment/rounds",
    operation_id="enrollment_create_round",
    response={201: RoundOut, **WRITE_ERRORS},
    summary="新建报名轮次 / create a round",
)
def round_create_api(request: HttpRequest, payload: RoundIn) -> Status[RoundOut]:
    """A draft with its secret seed and the commitment to it; its places are today's
    vacancies. Times without a zone are Linhai time."""
    user = _bureau(request)
    round_ = services.round_create(
        actor=user,
        name=payload.name,
        first_start_month=payload.first_start_month,
        last_start_month=payload.last_start_month,
        opens_at=aware(payload.opens_at),
        closes_at=aware(payload.closes_at),
        priority_rules=[str(rule.value) for rule in payload.priority_rules],
        offer_days=payload.offer_days,
    )
    return Status(201, _round_out(round_))


@router.post(
    "/enrollment/rounds/{round_id}/open",
    operation_id="enrollment_open_round",
    response={200: RoundOut, **WRITE_ERRORS},
    summary="开放报名 / open a round",
)
def round_open_api(request: HttpRequest, round_id: RoundId) -> RoundOut:
    """Publishes the round and its commitment."""
    user = _bureau(request)
    return _round_out(services.round_open(actor=user, round_=_any_round(round_id)))


@router.post(
    "/enrollment/rounds/{round_id}/close",
    operation_id="enrollment_close_round",
    response={200: RoundOut, **WRITE_ERRORS},
    summary="截止报名 / close a round",
)
def round_close_api(request: HttpRequest, round_id: RoundId) -> RoundOut:
    user = _bureau(request)
    return _round_out(services.round_close(actor=user, round_=_any_round(round_id)))


@router.post(
    "/enrollment/rounds/{round_id}/allocate",
    operation_id="enrollment_allocate_round",
    response={200: AllocationOut, **WRITE_ERRORS},
    summary="抽签并分配 / draw and allocate a closed round",
)
def round_allocate_api(request: HttpRequest, round_id: RoundId) -> AllocationOut:
    """Reveals the seed, draws the lottery, allocates and makes the offers."""
    user = _bureau(request)
    summary = allocation.round_allocate(actor=user, round_=_any_round(round_id))
    return AllocationOut(
        round_id=round_id,
        applications=summary.applications,
        placed=summary.placed,
        unplaced=summary.unplaced,
        seats=summary.seats,
    )


# Institutions -----------------------------------------------------------------------------


@router.get(
    "/enrollment/institutions/{institution_id}/applicants",
    operation_id="enrollment_list_applicants",
    response={200: list[ApplicantOut], **READ_ERRORS},
    summary="本机构的报名 / the applicants naming an institution",
)
def applicants_api(
    request: HttpRequest,
    institution_id: InstitutionId,
    round_id: Annotated[int | None, Query(description="只看该轮次 / only this round")] = None,
) -> list[ApplicantOut]:
    """Every choice naming the institution in the published rounds (latest first), best
    priority first once allocated; children's names masked."""
    user = _institution_staff(request)
    institution = _institution_of(user, institution_id)
    rounds = selectors.rounds_public()
    if round_id is not None:
        rounds = rounds.filter(pk=round_id)
    return [
        _applicant_out(choice)
        for round_ in rounds
        for choice in selectors.applicants_at(institution=institution, round_=round_)
    ]


@router.post(
    "/enrollment/offers/{offer_id}/enroll",
    operation_id="enrollment_enroll_offer",
    response={200: OfferOut, **WRITE_ERRORS},
    summary="确认入托 / confirm that the child has started",
)
def offer_enroll_api(request: HttpRequest, offer_id: OfferId, payload: EnrollIn) -> OfferOut:
    """For an offer the parent accepted: the class's enrolled count grows by one."""
    user = _institution_staff(request)
    offer = Offer.objects.select_related("place__institution", "application").filter(pk=offer_id).first()
    if offer is None or not (user.is_bureau_admin or user.institution_id == offer.place.institution_id):
        raise Http404(_("没有该录取通知。"))
    care_class = CareClass.objects.filter(pk=payload.care_class_id).first()
    if care_class is None:
        raise ValidationError({"care_class_id": _("没有该班级。")})
    with fields_renamed(lambda field: "care_class_id" if field == "care_class" else field):
        offer = services.offer_enroll(actor=user, offer=offer, care_class=care_class)
    return _offer_out(offer)
