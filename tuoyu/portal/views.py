"""The parents' portal: find a place near home that fits the child, read its disclosure.

Public and without login: the pages read only the public selectors of this app, which
publish no personal data. Dates are today in Linhai (Asia/Shanghai).
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.enrollment.selectors import rounds_open_for_applications
from tuoyu.indicators.views import township_geojson
from tuoyu.portal.forms import ParentSearchForm
from tuoyu.portal.selectors import (
    CLASS_TYPE_AGES,
    PAGE_SIZE,
    Match,
    institution_cards,
    institution_disclosure,
    institutions_for_parents,
    supervision_disclosure,
)
from tuoyu.registry.models import ClassType, Township


def _map_data(matches: list[Match]) -> dict[str, Any]:
    geojson, approximate = township_geojson(list(Township.objects.order_by("code")))
    url = reverse("portal:institution", kwargs={"pk": 0}).replace("/0/", "/{pk}/")
    return {
        "geojson": geojson,
        "approximate": approximate,
        "points": [
            {"name": m.name, "lat": m.latitude, "lon": m.longitude, "url": url.format(pk=m.pk)}
            for m in matches
            if m.latitude is not None and m.longitude is not None
        ],
        "text": {"longitude": _("经度"), "latitude": _("纬度")},
    }


def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    # Always bound: an empty query is a valid search with the defaults (start next month).
    form = ParentSearchForm(request.GET, today=today)
    matches: list[Match] = []
    fitting: tuple[str, ...] | None = None
    age_months: int | None = None
    if form.is_valid():
        filters = form.filters()
        fitting = filters.class_types
        age_months = form.age_months()
        matches = institutions_for_parents(filters=filters, as_of=today)
    paginator = Paginator(matches, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    cards = institution_cards(matches=list(page.object_list), as_of=today, fitting=fitting or ())
    labels = dict(ClassType.choices)
    return render(
        request,
        "portal/index.html",
        {
            "form": form,
            "today": today,
            "open_rounds": list(rounds_open_for_applications()[:3]),
            "page": page,
            "cards": cards,
            "count": paginator.count,
            "age_months": age_months,
            "fitting_labels": [str(labels[kind]) for kind in fitting or ()],
            "no_class_fits": fitting == (),
            "class_ages": [(labels[kind], low, high) for kind, (low, high) in CLASS_TYPE_AGES.items()],
            "previous": max(1, page.number - 1),
            "next": min(paginator.num_pages, page.number + 1),
            "map_data": _map_data(matches),
        },
    )


def institution(request: HttpRequest, pk: int) -> HttpResponse:
    today = timezone.localdate()
    card = institution_disclosure(institution_id=pk, as_of=today)
    if card is None:
        raise Http404(_("未找到该机构。"))
    disclosure = supervision_disclosure(institution=card.institution, as_of=today)
    return render(
        request, "portal/institution.html", {"card": card, "today": today, "disclosure": disclosure}
    )
