"""Public supervision pages: anyone may complain, and every draw is published (一公开).

Open to everyone, signed in or not. A draft plan (or an unknown one) is not found, even for
the supervisors, who see their drafts in the staff pages. The draw's JSON is exactly what
``tools/verify_draw.py`` reads (the plan's stored ``published`` data); before the draw it
holds the commitment only. Inspectors appear under the pseudonyms of the published file
(``inspector-12`` is “检查人员 12”), never by account name; institutions by name and
unified social credit code, which they publish themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuoyu.common.views import add_service_error
from tuoyu.registry.models import Institution
from tuoyu.supervision import selectors, services
from tuoyu.supervision.forms_public import ComplaintForm
from tuoyu.supervision.models import PlanStatus, SamplingPlan

DRAW_FILE_NAME = "draw.json"
INSPECTOR_PREFIX = "inspector-"


# Complaints ------------------------------------------------------------------------------


def complaint_submit(request: HttpRequest) -> HttpResponse:
    """The form; ``?institution=<pk>`` preselects the institution (the portal's link).
    After a complaint the browser is sent to ``?received=1`` (so a reload never files it
    twice), which says it was received."""
    if request.method != "POST" and request.GET.get("received") == "1":
        return render(request, "supervision/public/complaint_received.html")
    today = timezone.localdate()
    initial: dict[str, Any] = {}
    preselected = request.GET.get("institution", "")
    if preselected.isdigit():
        initial["institution"] = int(preselected)
    form = ComplaintForm(request.POST or None, today=today, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.complaint_submit(
                actor=request.user if request.user.is_authenticated else None,  # type: ignore[arg-type]
                institution=data["institution"],
                category=data["category"],
                description=data["description"],
                contact=data["contact"],
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            return redirect(f"{reverse('supervision:complain')}?received=1")
    return render(request, "supervision/public/complaint_form.html", {"form": form})


# The published draws --------------------------------------------------------------------------


def draw_published(plan: SamplingPlan) -> dict[str, object] | None:
    """The public data of a plan: None for a draft; before the draw only ``plan``, ``name``
    and ``commitment``; after it exactly the stored publication (what the verifier reads)."""
    if plan.status == PlanStatus.DRAFT:
        return None
    if plan.status == PlanStatus.DRAWN and plan.published is not None:
        return dict(plan.published)
    return {"plan": plan.pk, "name": plan.name, "commitment": plan.commitment}


def inspector_pseudonym(inspector_id: str) -> str:
    """``inspector-12`` -> “检查人员 12”, the same number as in the published file."""
    return _("检查人员 %(number)s") % {"number": inspector_id.removeprefix(INSPECTOR_PREFIX)}


@dataclass(frozen=True)
class TaskLine:
    institution_name: str
    credit_code: str
    inspectors: list[str]


@dataclass(frozen=True)
class UnstaffedLine:
    institution_name: str
    credit_code: str


def _public_plan(pk: int) -> tuple[SamplingPlan, dict[str, object]]:
    plan = selectors.plans_public().filter(pk=pk).first()
    data = None if plan is None else draw_published(plan)
    if plan is None or data is None:
        raise Http404(_("没有该抽查计划。"))
    return plan, data


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _outcome(data: dict[str, object]) -> tuple[list[TaskLine], list[UnstaffedLine]]:
    raw = data.get("tasks")
    tasks = [task for task in raw if isinstance(task, dict)] if isinstance(raw, list) else []
    unstaffed = _strings(data.get("unstaffed"))
    codes = {str(task.get("institution", "")) for task in tasks} | set(unstaffed)
    names = dict(Institution.objects.filter(credit_code__in=codes).values_list("credit_code", "name"))
    task_lines = [
        TaskLine(
            names.get(str(task.get("institution", "")), ""),
            str(task.get("institution", "")),
            [inspector_pseudonym(key) for key in _strings(task.get("inspectors"))],
        )
        for task in tasks
    ]
    return task_lines, [UnstaffedLine(names.get(code, ""), code) for code in unstaffed]


def draw_page(request: HttpRequest, pk: int) -> HttpResponse:
    plan, data = _public_plan(pk)
    drawn = plan.status == PlanStatus.DRAWN
    tasks, unstaffed = _outcome(data) if drawn else ([], [])
    ratios = [
        (grade, f"{float(value) * 100:g}%")
        for grade, value in sorted(plan.ratios.items())
        if isinstance(value, int | float)
    ]
    return render(
        request,
        "supervision/public/draw.html",
        {
            "plan": plan,
            "townships": [township.name for township in plan.townships.order_by("code")],
            "forms": plan.form_labels(),
            "ratios": ratios,
            "drawn": drawn,
            "tasks": tasks,
            "unstaffed": unstaffed,
            "file_name": DRAW_FILE_NAME,
        },
    )


def draw_json(request: HttpRequest, pk: int) -> JsonResponse:
    _plan, data = _public_plan(pk)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'inline; filename="{DRAW_FILE_NAME}"'
    return response
