"""The as-of date every indicator page is computed for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


def today() -> dt.date:
    """Today in the platform's time zone (Asia/Shanghai)."""
    return timezone.localdate()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)  # type: ignore[arg-type]


class AsOfForm(forms.Form):
    """``?as_of=YYYY-MM-DD``; empty means today. An invalid date is a form error, and the
    page falls back to today so it still renders."""

    as_of = forms.DateField(
        label=_("统计日期"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=DateInput(attrs={"class": "form-control form-control-sm"}),
        error_messages={"invalid": _("请输入有效日期，格式为 YYYY-MM-DD。")},
    )

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and not data.get("as_of"):
            data = data.copy()  # other parameters given, no date: show today's date in the field
            data["as_of"] = today().isoformat()
        super().__init__(data, *args, **kwargs)
        self.fields["as_of"].initial = today()

    def clean_as_of(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("as_of")
        if value is not None and not (EARLIEST <= value <= LATEST):
            raise forms.ValidationError(
                _("统计日期须在 %(start)s 至 %(end)s 之间。"),
                params={"start": EARLIEST.isoformat(), "end": LATEST.isoformat()},
            )
        return value

    def valid_data(self) -> dict[str, Any]:
        """The fields that are valid (all of them for an unbound form: none given)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return self.cleaned_data

    def as_of_date(self) -> dt.date:
        return self.valid_data().get("as_of") or today()
