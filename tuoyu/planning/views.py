"""Planning pages: scenarios, running a plan with its progress, the plan, comparing two.

Thin views: read through :mod:`tuoyu.planning.selectors`, validate with a form, call one
service from :mod:`tuoyu.planning.services`. Who may do what: anonymous visitors are
sent to the login page; the bureau admin plans; township officials read; everybody else
gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from tuoyu.accounts.models import User
from tuoyu.common.views import add_service_error
from tuoyu.indicators.views import township_geojson
from tuoyu.planning import exports, presenters, services
from tuoyu.planning.forms import CompareForm, CopyForm, ScenarioForm, TravelCostsForm
from tuoyu.planning.models import PlanRun, RunStage, RunStatus, Scenario
from tuoyu.planning.selectors import (
    candidate_counts,
    plan_runs_visible_to,
    plans_editable_by,
    scenarios_visible_to,
    sees_planning,
)
from tuoyu.registry.models import Township
from tuoyu.registry.selectors import dataset_is_synthetic


def planning_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then the bureau and township officials only (403 for the others)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sees_planning(request.user):
            raise PermissionDenied(_("您的账户无权查看供需规划。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def planner_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Log in first; then the bureau admin only."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not plans_editable_by(request.user):
            raise PermissionDenied(_("仅市卫健局管理员可管理规划情景。"))
        return view(request, *args, **kwargs)

    return login_required(wrapped)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _scenario(request: HttpRequest, pk: int) -> Scenario:
    scenario = scenarios_visible_to(request.user).filter(pk=pk).first()
    if scenario is None:
        raise Http404(_("没有该规划情景。"))
    return scenario


def _run(request: HttpRequest, pk: int) -> PlanRun:
    run = plan_runs_visible_to(request.user).filter(pk=pk).first()
    if run is None:
        raise Http404(_("没有该规划方案。"))
    return run


@planning_access
def index(request: HttpRequest) -> HttpResponse:
    scenarios = list(scenarios_visible_to(request.user))
    runs = list(plan_runs_visible_to(request.user)[:50])
    latest: dict[int, PlanRun] = {}
    for run in runs:
        latest.setdefault(run.scenario_id, run)
    context = {
        "scenarios": [(scenario, latest.get(scenario.pk)) for scenario in scenarios],
        "runs": [run for run in runs if run.status == RunStatus.DONE],
        "can_plan": plans_editable_by(request.user),
        "synthetic": dataset_is_synthetic(),
    }
    return render(request, "planning/index.html", context)


def _form_page(
    request: HttpRequest, form: Any, *, title: str, cancel_url: str, intro: str = ""
) -> HttpResponse:
    return render(
        request,
        "planning/scenario_form.html",
        {"form": form, "title": title, "cancel_url": cancel_url, "intro": intro},
    )


@planner_only
@require_http_methods(["GET", "POST"])
def scenario_create(request: HttpRequest) -> HttpResponse:
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            scenario = services.scenario_create(actor=_user(request), values=form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已创建规划情景“%(name)s”。") % {"name": scenario.name})
            return redirect("planning:scenario_detail", pk=scenario.pk)
    return _form_page(
        request,
        form,
        title=_("新建规划情景"),
        cancel_url=reverse("planning:index"),
        intro=_("目标默认取 2025 年目标值；成本为每班或每托位的估算，可按本地实际调整。"),
    )


@planner_only
@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    form = ScenarioForm(request.POST or None, instance=scenario)
    if request.method == "POST" and form.is_valid():
        try:
            services.scenario_update(actor=_user(request), scenario=scenario, values=form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("已保存。已有方案保留其计算时的参数。"))
            return redirect("planning:scenario_detail", pk=scenario.pk)
    return _form_page(
        request,
        form,
        title=_("修改规划情景"),
        cancel_url=reverse("planning:scenario_detail", args=[scenario.pk]),
    )


@planning_access
def scenario_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    runs = list(plan_runs_visible_to(request.user).filter(scenario=scenario))
    context = {
        "scenario": scenario,
        "fieldsets": ScenarioForm(instance=scenario).fieldsets(),
        "runs": runs,
        "running": any(not run.is_finished for run in runs),
        "can_plan": plans_editable_by(request.user),
        "copy_form": CopyForm(initial={"name": _("%(name)s（副本）") % {"name": scenario.name}}),
        "travel_form": TravelCostsForm(),
        "travel_pairs": sum(len(row) for row in (scenario.travel_costs or {}).values()),
        "candidates": candidate_counts(),
    }
    return render(request, "planning/scenario_detail.html", context)


@planner_only
@require_POST
def scenario_copy(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    form = CopyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写新情景名称。"))
        return redirect("planning:scenario_detail", pk=scenario.pk)
    try:
        copy = services.scenario_copy(actor=_user(request), scenario=scenario, name=form.cleaned_data["name"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("planning:scenario_detail", pk=scenario.pk)
    messages.success(request, _("已复制为“%(name)s”。") % {"name": copy.name})
    return redirect("planning:scenario_detail", pk=copy.pk)


@planner_only
@require_http_methods(["GET", "POST"])
def scenario_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    if request.method == "POST":
        try:
            services.scenario_delete(actor=_user(request), scenario=scenario)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("planning:scenario_detail", pk=scenario.pk)
        messages.success(request, _("已删除规划情景及其方案。"))
        return redirect("planning:index")
    return render(request, "planning/scenario_delete.html", {"scenario": scenario})


@planner_only
@require_POST
def scenario_run(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    try:
        run = services.plan_run_start(actor=_user(request), scenario=scenario)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("planning:scenario_detail", pk=scenario.pk)
    return redirect("planning:run_detail", pk=run.pk)


@planner_only
@require_POST
def scenario_travel_costs(request: HttpRequest, pk: int) -> HttpResponse:
    scenario = _scenario(request, pk)
    form = TravelCostsForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择要导入的 CSV 文件。"))
        return redirect("planning:scenario_detail", pk=scenario.pk)
    upload = form.cleaned_data["file"]
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        messages.error(request, _("%(file)s 不是 UTF-8 编码的 CSV 文件。") % {"file": upload.name})
        return redirect("planning:scenario_detail", pk=scenario.pk)
    try:
        pairs = services.scenario_travel_costs_import(
            actor=_user(request), scenario=scenario, text=text, file=upload.name
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages) + " " + _("未导入任何内容。"))
    else:
        messages.success(
            request,
            ngettext("已导入 %(pairs)s 条出行成本。", "已导入 %(pairs)s 条出行成本。", pairs)
            % {"pairs": pairs},
        )
    return redirect("planning:scenario_detail", pk=scenario.pk)


def _stages() -> list[tuple[str, str]]:
    """The stages a run goes through, as the progress list shows them."""
    hidden = {RunStage.WAITING, RunStage.FINISHED}
    return [(value, str(label)) for value, label in RunStage.choices if value not in hidden]


@planning_access
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    context: dict[str, Any] = {
        "run": run,
        "scenario": run.scenario,
        "can_plan": plans_editable_by(request.user),
        "synthetic": dataset_is_synthetic(),
        "stages": _stages(),
    }
    if run.status == RunStatus.DONE and run.result:
        plan = presenters.plan_view(run)
        geojson, approximate = township_geojson(list(Township.objects.order_by("code")))
        plan.map_data["geojson"] = geojson
        context["plan"] = plan
        context["approximate_outline"] = approximate
    return render(request, "planning/run_detail.html", context)


@planning_access
def run_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the run page polls while the plan is computed."""
    run = _run(request, pk)
    response = render(request, "planning/_run_progress.html", {"run": run, "stages": _stages()})
    if run.is_finished:
        # htmx reloads the whole page to show the finished plan.
        response["HX-Refresh"] = "true"
    return response


@planning_access
def run_export(request: HttpRequest, pk: int) -> HttpResponse:
    run = _run(request, pk)
    if run.status != RunStatus.DONE or not run.result:
        raise Http404(_("该方案尚未计算完成。"))
    return exports.plan_xlsx(presenters.plan_view(run))


@planning_access
def compare(request: HttpRequest) -> HttpResponse:
    runs = list(plan_runs_visible_to(request.user).filter(status=RunStatus.DONE)[:100])
    form = CompareForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "runs": runs}
    if request.GET and form.is_valid():
        visible = {run.pk: run for run in runs}
        chosen = [visible.get(form.cleaned_data[key]) for key in ("a", "b")]
        if any(run is None for run in chosen):
            form.add_error(None, _("请选择两个已完成的方案。"))
        else:
            context["comparison"] = presenters.comparison(
                [presenters.plan_view(run) for run in chosen if run]
            )
    return render(request, "planning/compare.html", context)
