"""Central enrollment pages for the bureau, township officials and institution operators.

Thin views: read through :mod:`tuoyu.enrollment.selectors`, validate with a form from
:mod:`tuoyu.enrollment.forms_staff`, call one service, redirect with a message. Who may do
what:

* anonymous visitors are sent to the login page; parents (the public role) get 403;
* the bureau admin sees every round, drafts included, and runs them: creates, edits,
  opens, closes, draws and allocates, adjusts places, starts the next round, exports;
* township officials read the rounds that are not drafts, export allocated ones and
  review the 困境 claims of children living in their township;
* operators read the rounds that are not drafts, the applicants naming their
  institution (names masked until a placement is accepted) and confirm enrollment;
* a round, offer or child outside the user's scope is a 404.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tuoyu.accounts.models import User
from tuoyu.common.views import add_service_error, error_text, request_user, role_required
from tuoyu.enrollment import allocation, exports, selectors, services
from tuoyu.enrollment.forms_staff import (
    EnrollForm,
    FollowUpForm,
    HardshipReviewForm,
    PlaceCapacityForm,
    RoundForm,
)
from tuoyu.enrollment.models import Offer, OfferStatus, Round, RoundPlace, RoundStatus
from tuoyu.registry.models import CareClass, Institution
from tuoyu.registry.selectors import classes_open_on

View = Callable[..., HttpResponse]

EDITABLE = {RoundStatus.DRAFT, RoundStatus.OPEN}
PLACES_EDITABLE = {RoundStatus.DRAFT, RoundStatus.OPEN, RoundStatus.CLOSED}
EXPORTABLE = {RoundStatus.ALLOCATED, RoundStatus.FINISHED}


def _is_staff(user: User) -> bool:
    return user.is_bureau_admin or user.is_township_official or user.is_institution_operator


staff_access = role_required(_is_staff, gettext_lazy("您的账户无权查看统一报名管理页面。"))
admin_only = role_required(lambda user: user.is_bureau_admin, gettext_lazy("仅市卫健局管理员可执行此操作。"))
bureau_or_township = role_required(
    lambda user: user.is_bureau_admin or user.is_township_official,
    gettext_lazy("仅市卫健局和镇（街道）工作人员可访问。"),
)
institution_access = role_required(
    lambda user: user.is_bureau_admin or user.is_institution_operator,
    gettext_lazy("仅托育机构负责人和市卫健局可访问。"),
)


def _round(request: HttpRequest, pk: int) -> Round:
    round_ = selectors.rounds_visible_to(request.user).filter(pk=pk).first()
    if round_ is None:
        raise Http404(_("没有该报名轮次。"))
    return round_


def _round_url(round_: Round, section: str = "") -> str:
    url = reverse("enrollment:round", kwargs={"pk": round_.pk})
    return f"{url}#{section}" if section else url


# Rounds -----------------------------------------------------------------------------------


@staff_access
def round_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    rounds = list(selectors.rounds_visible_to(user).select_related("previous"))
    context = {
        "rows": [(round_, selectors.round_figures(round_)) for round_ in rounds],
        "can_manage": user.is_bureau_admin,
        "operator_institution": selectors.institution_of_operator(user),
        "sees_hardship": user.is_bureau_admin or user.is_township_official,
    }
    return render(request, "enrollment/staff/round_list.html", context)


def _form_page(
    request: HttpRequest,
    form: RoundForm | FollowUpForm,
    *,
    title: str,
    cancel_url: str,
    intro: str = "",
    round_: Round | None = None,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "cancel_url": cancel_url,
        "intro": intro,
        "round": round_,
    }
    return render(request, "enrollment/staff/round_form.html", context)


@admin_only
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_create(actor=request_user(request), **form.values())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _(
                    "已创建报名轮次“%(name)s”（草稿），名额取自各机构当前空余托位："
                    "%(places)d 个名额点，共 %(seats)d 个名额。"
                )
                % {
                    "name": round_.name,
                    "places": round_.places.count(),
                    "seats": selectors.round_figures(round_).seats,
                },
            )
            return redirect(_round_url(round_))
    return _form_page(
        request,
        form,
        title=_("新建报名轮次"),
        cancel_url=reverse("enrollment:rounds"),
        intro=_(
            "新建的轮次为草稿，名额按各机构在办班级的空余托位自动生成，开放报名前可逐个调整。"
            "创建时平台即生成抽签种子并公布其承诺值，抽签时公开种子供任何人复核。"
        ),
    )


@staff_access
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    round_ = _round(request, pk)
    places = list(round_.places.select_related("institution__township"))
    counts = services.offer_counts_by_place(round_)
    allocated = round_.status in EXPORTABLE
    place_rows = [
        {
            "place": place,
            "offered": counts.get(place.pk, {}).get(OfferStatus.OFFERED, 0),
            "accepted": counts.get(place.pk, {}).get(OfferStatus.ACCEPTED, 0),
            "declined": counts.get(place.pk, {}).get(OfferStatus.DECLINED, 0)
            + counts.get(place.pk, {}).get(OfferStatus.EXPIRED, 0),
            "enrolled": counts.get(place.pk, {}).get(OfferStatus.ENROLLED, 0),
        }
        for place in places
    ]
    township_applicants = None
    if user.is_township_official and user.township_id is not None:
        township_applicants = round_.applications.filter(
            withdrawn_at__isnull=True, child__township_id=user.township_id
        ).count()
    context = {
        "round": round_,
        "figures": selectors.round_figures(round_),
        "rules": round_.rule_labels(),
        "place_rows": place_rows,
        "allocated": allocated,
        "is_admin": user.is_bureau_admin,
        "places_editable": user.is_bureau_admin and round_.status in PLACES_EDITABLE,
        "can_export": (user.is_bureau_admin or user.is_township_official) and allocated,
        "township_applicants": township_applicants,
        "township": user.township if user.is_township_official else None,
        "operator_institution": selectors.institution_of_operator(user),
        "follow_ups": list(round_.follow_ups.all()) if user.is_bureau_admin else [],
    }
    return render(request, "enrollment/staff/round_detail.html", context)


@admin_only
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    if round_.status not in EDITABLE:
        messages.error(request, _("报名已截止的轮次不能修改。"))
        return redirect(_round_url(round_))
    only_closing = round_.status == RoundStatus.OPEN
    form = RoundForm(request.POST or None, initial=RoundForm.initial_for(round_), only_closing=only_closing)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        if only_closing and values["closes_at"] == round_.closes_at.replace(second=0, microsecond=0):
            values["closes_at"] = round_.closes_at  # shown to the minute: unchanged
        try:
            services.round_update(actor=request_user(request), round_=round_, **values)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已保存报名轮次“%(name)s”。") % {"name": round_.name})
            return redirect(_round_url(round_))
    intro = (
        _("报名已开始，只能延长报名截止时间。")
        if only_closing
        else _("开放报名前可修改全部设置；名额在轮次页面逐个调整。")
    )
    return _form_page(
        request,
        form,
        title=_("修改报名轮次"),
        cancel_url=_round_url(round_),
        intro=intro,
        round_=round_,
    )


@admin_only
@require_POST
def round_place(request: HttpRequest, pk: int, place_pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    place: RoundPlace | None = round_.places.select_related("institution").filter(pk=place_pk).first()
    if place is None:
        raise Http404(_("该轮次没有这个名额点。"))
    form = PlaceCapacityForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("名额须为 0 至 10000 之间的整数。"))
        return redirect(_round_url(round_, "places"))
    try:
        services.round_place_update(
            actor=request_user(request), place=place, capacity=form.cleaned_data["capacity"]
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _("%(place)s的名额已改为 %(capacity)d 个。") % {"place": str(place), "capacity": place.capacity},
        )
    return redirect(_round_url(round_, "places"))


@admin_only
@require_POST
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    try:
        services.round_open(actor=request_user(request), round_=round_)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        figures = selectors.round_figures(round_)
        messages.success(
            request,
            _("已开放报名：%(places)d 个名额点，共 %(seats)d 个名额；报名截止于 %(closes)s。")
            % {
                "places": figures.places,
                "seats": figures.seats,
                "closes": timezone.localtime(round_.closes_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
    return redirect(_round_url(round_))


@admin_only
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    try:
        services.round_close(actor=request_user(request), round_=round_)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        figures = selectors.round_figures(round_)
        messages.success(
            request,
            _("已截止报名：共 %(applications)d 份有效报名，%(seats)d 个名额。")
            % {"applications": figures.applications, "seats": figures.seats},
        )
    return redirect(_round_url(round_))


@admin_only
@require_POST
def round_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    try:
        summary = allocation.round_allocate(actor=request_user(request), round_=round_)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(
            request,
            _(
                "已公开种子并完成抽签和分配：%(applications)d 份报名，录取 %(placed)d 人，"
                "未录取 %(unplaced)d 人（共 %(seats)d 个名额）。"
            )
            % {
                "applications": summary.applications,
                "placed": summary.placed,
                "unplaced": summary.unplaced,
                "seats": summary.seats,
            },
        )
    return redirect(_round_url(round_))


@admin_only
@require_http_methods(["GET", "POST"])
def round_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    previous = _round(request, pk)
    form = FollowUpForm(
        request.POST or None,
        initial={
            "name": _("%(name)s（第二轮）") % {"name": previous.name},
            "closes_at": previous.closes_at + (previous.closes_at - previous.opens_at),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_ = services.round_follow_up_create(
                actor=request_user(request), previous=previous, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            figures = selectors.round_figures(round_)
            messages.success(
                request,
                _(
                    "已发起“%(name)s”（草稿）：%(seats)d 个名额，%(applications)d 份未获录取的报名已转入，"
                    "请家长在开放报名后确认志愿。"
                )
                % {"name": round_.name, "seats": figures.seats, "applications": figures.applications},
            )
            return redirect(_round_url(round_))
    return _form_page(
        request,
        form,
        title=_("发起下一轮"),
        cancel_url=_round_url(previous),
        intro=_(
            "下一轮沿用本轮的入托月份、优先规则和答复期限；名额取各机构当前的空余托位"
            "（已放弃或逾期的录取所空出的名额也在其中），本轮未获录取或未接受录取的报名连同仍有效的志愿一并转入。"
            "发起后本轮状态变为“已结束”。"
        ),
        round_=previous,
    )


@bureau_or_township
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    if round_.status not in EXPORTABLE:
        raise Http404(_("该轮次尚未分配，没有可导出的结果。"))
    return exports.round_xlsx(round_)


# Institutions -----------------------------------------------------------------------------


def _institution(request: HttpRequest) -> Institution:
    """The operator's own institution; the bureau names one with ``?institution=``."""
    user = request_user(request)
    institution: Institution | None
    if user.is_bureau_admin:
        pk = request.GET.get("institution", "")
        institution = Institution.objects.filter(pk=int(pk)).first() if pk.isdigit() else None
    else:
        institution = selectors.institution_of_operator(user)
    if institution is None:
        raise Http404(_("请指定托育机构。"))
    return institution


def _institution_url(request: HttpRequest, institution: Institution) -> str:
    url = reverse("enrollment:institution")
    return f"{url}?institution={institution.pk}" if request_user(request).is_bureau_admin else url


@institution_access
def institution_applicants(request: HttpRequest) -> HttpResponse:
    institution = _institution(request)
    offers_by_round: dict[int, list[Offer]] = defaultdict(list)
    for offer in selectors.offers_at(institution=institution):
        offers_by_round[offer.application.round_id].append(offer)
    open_classes = CareClass.objects.filter(classes_open_on(timezone.localdate()), institution=institution)
    sections = []
    for round_ in selectors.rounds_public():
        applicants = [
            {
                "choice": choice,
                "age_months": selectors.child_age_months(
                    choice.application.child, on=choice.application.start_month
                ),
            }
            for choice in selectors.applicants_at(institution=institution, round_=round_)
        ]
        offers = []
        for offer in offers_by_round.get(round_.pk, []):
            form = None
            if offer.status == OfferStatus.ACCEPTED:
                classes = open_classes.filter(class_type=offer.place.class_type).order_by("name")
                form = EnrollForm(classes=classes, auto_id=f"id_offer{offer.pk}_%s")
            offers.append({"offer": offer, "form": form})
        if applicants or offers:
            sections.append({"round": round_, "applicants": applicants, "offers": offers})
    context = {
        "institution": institution,
        "sections": sections,
        "is_admin": request_user(request).is_bureau_admin,
        "accepted": OfferStatus.ACCEPTED,
    }
    return render(request, "enrollment/staff/institution.html", context)


@login_required
@require_POST
def offer_enroll(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not isinstance(user, User) or not (user.is_bureau_admin or user.is_institution_operator):
        raise PermissionDenied(_("仅托育机构负责人和市卫健局可确认入托。"))
    offer = Offer.objects.select_related("application__child", "place__institution").filter(pk=pk).first()
    if offer is None or not (user.is_bureau_admin or offer.place.institution_id == user.institution_id):
        raise Http404(_("没有该录取通知。"))
    institution = offer.place.institution
    form = EnrollForm(request.POST, classes=CareClass.objects.filter(institution=institution))
    if not form.is_valid():
        messages.error(request, _("请选择入托班级。"))
    else:
        care_class = form.cleaned_data["care_class"]
        try:
            services.offer_enroll(actor=user, offer=offer, care_class=care_class)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("已确认 %(child)s 入托%(class)s（报名编号 %(reference)s）。")
                % {
                    "child": offer.application.child.name,
                    "class": care_class.name,
                    "reference": offer.application.reference,
                },
            )
    return redirect(_institution_url(request, institution))


# 困境 claims ------------------------------------------------------------------------------


@bureau_or_township
def hardship_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    claims = selectors.hardship_claims_visible_to(user).order_by(
        "hardship_verified", "township__code", "birth_date", "pk"
    )
    context = {
        "claims": list(claims),
        "township": user.township if user.is_township_official else None,
    }
    return render(request, "enrollment/staff/hardship_list.html", context)


@bureau_or_township
@require_POST
def hardship_review(request: HttpRequest, child_pk: int) -> HttpResponse:
    child = selectors.hardship_claims_visible_to(request.user).filter(pk=child_pk).first()
    if child is None:
        raise Http404(_("没有该申报，或该婴幼儿不在您的辖区。"))
    form = HardshipReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择认定或撤销认定。"))
        return redirect("enrollment:hardship")
    verified = form.cleaned_data["verified"]
    try:
        services.child_hardship_review(actor=request_user(request), child=child, verified=verified)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        message = _("已认定 %(child)s 为困境婴幼儿。") if verified else _("已撤销 %(child)s 的困境认定。")
        messages.success(request, message % {"child": child.name_masked})
    return redirect("enrollment:hardship")
