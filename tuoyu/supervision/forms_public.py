"""The public complaint form. It checks the input's shape; the service checks the rules,
and a service's ``ValidationError`` is attached to the field it names."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tuoyu.registry.models import Institution
from tuoyu.registry.selectors import counted_on
from tuoyu.supervision.models import Category


def complainable_institutions(today: dt.date) -> Any:
    """Institutions one may complain about: filed and operating (those the portal lists)."""
    return (
        Institution.objects.filter(counted_on(today))
        .select_related("township")
        .order_by("township__code", "name", "pk")
    )


class InstitutionChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.township.name}）"


class ComplaintForm(forms.Form):
    institution = InstitutionChoiceField(
        label=_("被投诉机构"), queryset=Institution.objects.none(), empty_label=_("请选择")
    )
    category = forms.ChoiceField(label=_("投诉类别"), choices=[("", _("请选择")), *Category.choices])
    description = forms.CharField(
        label=_("投诉内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("请写明时间、地点和具体情况（至少 10 个字）。请勿填写孩子的姓名或身份证号码。"),
    )
    contact = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("仅用于答复您的投诉，加密保存，不公开，也不告知被投诉机构。"),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = complainable_institutions(today)  # type: ignore[attr-defined]
