"""Forms of the planning pages. They check the input's shape; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu.planning.models import Scenario
from tuoyu.planning.services import SCENARIO_FIELDS


class ScenarioForm(forms.ModelForm):
    class Meta:
        model = Scenario
        fields = list(SCENARIO_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    FIELDSETS: tuple[tuple[Any, tuple[str, ...]], ...] = (
        (_("情景"), ("name", "description", "plan_year", "birth_trend")),
        (
            _("目标"),
            ("slots_per_1000_min", "kindergarten_share_min", "puhui_share_min", "young_infant_share_min"),
        ),
        (
            _("可用措施与成本（元）"),
            (
                "use_kindergarten_classes",
                "cost_kindergarten_class",
                "use_expansions",
                "cost_expansion_class",
                "use_sites",
                "cost_site_opening",
                "cost_kindergarten_opening",
                "cost_site_class",
                "site_monthly_fee",
                "use_designations",
                "cost_designation_per_slot",
            ),
        ),
        (_("预算与可达性"), ("budget", "catchment_m", "distance_mode", "circuity")),
        (_("求解"), ("mip_rel_gap", "time_limit_seconds")),
    )

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.FIELDSETS]


class CopyForm(forms.Form):
    name = forms.CharField(label=_("新情景名称"), max_length=100)


class TravelCostsForm(forms.Form):
    file = forms.FileField(
        label=_("出行成本 CSV"),
        help_text=_("列：origin（片区编码）、dest（机构统一社会信用代码或候选点编码）、cost（米或分钟）。"),
    )


class CompareForm(forms.Form):
    a = forms.IntegerField(label=_("方案甲"), min_value=1)
    b = forms.IntegerField(label=_("方案乙"), min_value=1)
