"""Forms of the access, forecast and demand-zone import pages.

The forms check the input's shape; :mod:`tuoyu.planning.access` and
:mod:`tuoyu.planning.forecasting` check the rules (ranges, steps against the catchment)
and name the field at fault, so the page, the API
and the commands refuse the same input with the same words.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from tuoyu.indicators.forms import DateInput
from tuoyu.planning.access import (
    DEFAULT_CATCHMENT_M,
    DEFAULT_CIRCUITY,
    DEFAULT_MAX_CHILDREN_PER_SLOT,
    DEFAULT_MIN_CHILDREN,
    AccessParameters,
    access_parameters,
    scenarios_with_matrix,
)
from tuoyu.planning.analysis_common import today
from tuoyu.planning.forecasting import ForecastParameters, forecast_parameters

MAX_ZONE_FILE_BYTES = 5 * 1024 * 1024


def _with_defaults(data: Any, defaults: dict[str, str]) -> Any:
    """The submitted values, with the defaults in the fields left out or blank, so the form
    shows the values the page was computed with."""
    filled = data.copy()
    for name, value in defaults.items():
        if not filled.get(name):
            filled[name] = value
    return filled


def _errors_onto(form: forms.Form, error: ValidationError) -> None:
    for name, messages in error.message_dict.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)


class AccessForm(forms.Form):
    """``GET`` parameters of the access page; every field may be left out for its default."""

    as_of = forms.DateField(
        label=_("统计日期"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(),
        error_messages={"invalid": _("请输入有效日期，格式为 YYYY-MM-DD。")},
    )
    method = forms.ChoiceField(
        label=_("计算方法"),
        required=False,
        choices=[("e2sfca", _("E2SFCA（分级距离衰减）")), ("2sfca", _("2SFCA（服务半径内等权）"))],
    )
    catchment_m = forms.FloatField(
        label=_("服务半径（米）"), required=False, widget=forms.NumberInput(attrs={"step": "100"})
    )
    steps = forms.CharField(
        label=_("距离衰减分级"),
        required=False,
        max_length=200,
        help_text=_("上限米数:权重，逗号分隔；留空为 1000:1,2000:0.68,3000:0.22 按服务半径等比缩放。"),
    )
    circuity = forms.FloatField(
        label=_("绕行系数"), required=False, widget=forms.NumberInput(attrs={"step": "0.05"})
    )
    min_children = forms.FloatField(label=_("托育荒漠最少婴幼儿数"), required=False)
    max_children_per_slot = forms.FloatField(
        label=_("每托位婴幼儿数上限"), required=False, widget=forms.NumberInput(attrs={"step": "0.5"})
    )
    travel_scenario = forms.TypedChoiceField(
        label=_("距离"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("默认为直线距离 × 绕行系数；也可选用某个规划情景导入的出行成本矩阵。"),
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        defaults = {
            "as_of": today().isoformat(),
            "method": "e2sfca",
            "catchment_m": f"{DEFAULT_CATCHMENT_M:g}",
            "circuity": f"{DEFAULT_CIRCUITY:g}",
            "min_children": f"{DEFAULT_MIN_CHILDREN:g}",
            "max_children_per_slot": f"{DEFAULT_MAX_CHILDREN_PER_SLOT:g}",
        }
        super().__init__(_with_defaults(data or {}, defaults), *args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("直线距离 × 绕行系数"))]
        for pk, name in scenarios_with_matrix().items():
            choices.append((str(pk), _("出行成本矩阵：%(name)s") % {"name": name}))
        self.fields["travel_scenario"].choices = choices  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:  # the fields that are well-formed, so each bad value is named once
            access_parameters(**{name: cleaned[name] for name in self.fields if name in cleaned})
        except ValidationError as error:
            _errors_onto(self, error)
        return cleaned

    def parameters(self) -> AccessParameters:
        """The parameters of the fields that are valid; the others take their defaults, so
        the page still renders next to the errors."""
        self.is_valid()
        values = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        try:
            return access_parameters(**values)
        except ValidationError:
            return access_parameters(as_of=values.get("as_of"))


class ForecastForm(forms.Form):
    birth_trend = forms.FloatField(
        label=_("出生人口年变化率"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01"}),
        help_text=_("如 -0.05 表示每年减少 5%；留空则按各镇（街道）近五年出生趋势估计。"),
    )
    horizon = forms.IntegerField(label=_("预测年数"), required=False)

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(_with_defaults(data or {}, {"horizon": "3"}), *args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            forecast_parameters(**{name: cleaned[name] for name in self.fields if name in cleaned})
        except ValidationError as error:
            _errors_onto(self, error)
        return cleaned

    def parameters(self) -> ForecastParameters:
        self.is_valid()
        values = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        try:
            return forecast_parameters(**values)
        except ValidationError:
            return forecast_parameters()


class ZoneImportForm(forms.Form):
    file = forms.FileField(
        label=_("需求片区 CSV 文件"),
        help_text=_("UTF-8 编码（可带 BOM），第一行为列名，不超过 5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ZONE_FILE_BYTES:
            raise ValidationError(_("文件超过 5 MB。"), code="too_large")
        return upload

    def text(self) -> str:
        """The uploaded file as text; ``ValidationError`` on the file field when it is not UTF-8."""
        raw = self.cleaned_data["file"].read()
        try:
            return str(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValidationError({"file": [_("文件不是 UTF-8 编码，请另存为 UTF-8 CSV 后重试。")]}) from None
