"""Parents' enrollment pages: register a child, apply in an open round, follow the outcome
and answer an offer.

Thin views: read through :mod:`tuoyu.enrollment.selectors`, validate with a form, call one
service from :mod:`tuoyu.enrollment.services`, redirect with a message. Who may do what:

* anonymous visitors are sent to the login page;
* the home page sends signed-in staff (bureau, township, operator) to the rounds list;
* registering a child and applying are for parents only (403 for the others);
* an application, child or offer that is not the signed-in parent's is a 404 (for staff
  too: these pages exist only for the parent).

No page shows a child's full ID number: only ``Child.id_number_masked``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuoyu.common.views import add_service_error, request_user
from tuoyu.enrollment import selectors, services
from tuoyu.enrollment.forms_parent import (
    ApplicationForm,
    ChildForm,
    OfferResponseForm,
    month_parse,
    month_value,
)
from tuoyu.enrollment.models import CONSENT_VERSION, Application, Child, Offer, OfferStatus, Round
from tuoyu.portal.selectors import class_types_for_age


def parent_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then parents only (403 for the others)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.is_parent(request.user):
            raise PermissionDenied(_("报名须使用家长账户办理。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _own_application(request: HttpRequest, pk: int) -> Application:
    application = selectors.applications_of(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404(_("没有该报名，或它不属于您。"))
    return application


def _application_url(application: Application) -> str:
    return reverse("enrollment:application", kwargs={"pk": application.pk})


def _status_text(application: Application) -> str:
    """The summary of an application; a withdrawn one says so (the selector does not)."""
    if application.withdrawn_at is not None:
        if application.round.accepts_applications():
            return _("已撤回。报名截止前可重新填报志愿。")
        return _("已撤回，不参与本轮分配。")
    return selectors.application_summary(application)


# Home ----------------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if not selectors.is_parent(request.user):
        return redirect("enrollment:rounds")
    today = timezone.localdate()
    children = list(selectors.children_of(request.user))
    applications = list(selectors.applications_of(request.user))
    by_round_child = {(a.round_id, a.child_id): a for a in applications}
    rounds = [
        {
            "round": round_,
            "children": [
                {"child": child, "application": by_round_child.get((round_.pk, child.pk))}
                for child in children
            ],
        }
        for round_ in selectors.rounds_open_for_applications()
    ]
    context = {
        "children": [
            {"child": child, "age_months": selectors.child_age_months(child, on=today)} for child in children
        ],
        "rounds": rounds,
        "applications": [
            {"application": application, "status": _status_text(application)} for application in applications
        ],
        "today": today,
    }
    return render(request, "enrollment/parent/home.html", context)


# Children ------------------------------------------------------------------------------------


@parent_required
def child_add(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = ChildForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            child = services.child_register(
                actor=request_user(request),
                name=data["name"],
                birth_date=data["birth_date"],
                id_number=data["id_number"],
                township=data["township"],
                consent=data["consent"],
                sibling_institution=data["sibling_institution"],
                parent_employer=data["parent_employer"],
                hardship_claimed=data["hardship_claimed"],
                today=today,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已登记%(name)s的信息。") % {"name": child.name})
            return redirect("enrollment:home")
    return render(
        request,
        "enrollment/parent/child_form.html",
        {"form": form, "consent_version": CONSENT_VERSION},
    )


# Applying ------------------------------------------------------------------------------------


def _open_round(pk: int) -> Round:
    round_ = selectors.rounds_open_for_applications().filter(pk=pk).first()
    if round_ is None:
        raise Http404(_("该轮次不在报名期内。"))
    return round_


def _own_child(request: HttpRequest, pk: int) -> Child:
    child = selectors.children_of(request.user).filter(pk=pk).first()
    if child is None:
        raise Http404(_("没有该婴幼儿，或您不是其登记监护人。"))
    return child


@parent_required
def apply(request: HttpRequest, round_pk: int, child_pk: int) -> HttpResponse:
    round_ = _open_round(round_pk)
    child = _own_child(request, child_pk)
    existing = Application.objects.filter(round=round_, child=child).prefetch_related("choices").first()
    months = round_.start_months()
    source = request.POST if request.method == "POST" else request.GET
    month = month_parse(source.get("start_month"))
    if month not in months:
        month = existing.start_month if existing is not None and existing.start_month in months else months[0]
    places = selectors.places_for_child(round_=round_, child=child, start_month=month)
    initial: dict[str, Any] = {"start_month": month_value(month)}
    if existing is not None:
        initial.update({f"choice_{c.rank}": str(c.place_id) for c in existing.choices.all()})
    form = ApplicationForm(
        request.POST if request.method == "POST" else None, months=months, places=places, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.chosen()
        try:
            application = services.application_submit(
                actor=request_user(request),
                round_=round_,
                child=child,
                start_month=form.month(),
                places=[place for _name, place in chosen],
            )
        except ValidationError as error:
            # The service numbers the ranks after closing gaps; name the field the parent used.
            fields = {f"choice_{rank}": name for rank, (name, _place) in enumerate(chosen, 1)}
            if hasattr(error, "error_dict"):
                named = {fields.get(key, key): value for key, value in error.error_dict.items()}
                error = ValidationError(named)
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("已提交%(name)s的报名（%(count)d 个志愿），报名截止前可随时修改。")
                % {"name": child.name, "count": len(chosen)},
            )
            return redirect(_application_url(application))
    age_months = selectors.child_age_months(child, on=month)
    portal_url = "{}?{}".format(
        reverse("portal:index"),
        urlencode({"birth_date": child.birth_date.isoformat(), "start_month": month_value(month)}),
    )
    context = {
        "round": round_,
        "child": child,
        "existing": existing,
        "form": form,
        "month": month,
        "places": places,
        "age_months": age_months,
        "age_fits_no_class": not class_types_for_age(age_months),
        "portal_url": portal_url,
    }
    return render(request, "enrollment/parent/apply.html", context)


# An application ------------------------------------------------------------------------------


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    round_ = application.round
    is_open = round_.accepts_applications()
    offer: Offer | None = getattr(application, "offer", None)
    choices = [
        {
            "choice": choice,
            "explanation": selectors.choice_explanation(choice),
            "priority": selectors.priority_explanation(choice),
        }
        for choice in sorted(application.choices.all(), key=lambda c: c.rank)
    ]
    context = {
        "application": application,
        "round": round_,
        "child": application.child,
        "status": _status_text(application),
        "choices": choices,
        "offer": offer,
        "offer_open": offer is not None and offer.status == OfferStatus.OFFERED,
        "is_open": is_open,
        "withdrawn": application.withdrawn_at is not None,
    }
    return render(request, "enrollment/parent/application.html", context)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    try:
        services.application_withdraw(actor=request_user(request), application=application)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已撤回报名 %(reference)s。") % {"reference": application.reference})
    return redirect(_application_url(application))


@login_required
@require_POST
def offer_respond(request: HttpRequest, pk: int) -> HttpResponse:
    offer = (
        Offer.objects.filter(application__in=selectors.applications_of(request.user), pk=pk)
        .select_related("application__child", "place__institution")
        .first()
    )
    if offer is None:
        raise Http404(_("没有该录取通知，或它不属于您。"))
    form = OfferResponseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(message) for message in form.errors["accept"]))
        return redirect(_application_url(offer.application))
    accept: bool = form.cleaned_data["accept"]
    try:
        services.offer_respond(actor=request_user(request), offer=offer, accept=accept)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        where = f"{offer.place.institution.name}{offer.place.get_class_type_display()}"
        if accept:
            messages.success(request, _("已接受%(where)s的录取，请按机构通知办理入托。") % {"where": where})
        else:
            messages.info(request, _("已放弃%(where)s的录取。") % {"where": where})
    return redirect(_application_url(offer.application))
