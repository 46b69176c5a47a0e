"""The published lottery of a round: a page anyone can read and the file anyone can check.

Open to everyone, signed in or not; a draft round (or an unknown one) is not found, even
for the bureau, which sees its drafts in the staff pages. Nothing here names a child: the
lottery lists application references only. The JSON is exactly what
``tools/verify_lottery.py`` reads (:func:`tuoyu.enrollment.selectors.round_lottery_published`).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from tuoyu.enrollment import selectors
from tuoyu.enrollment.models import Round

LOTTERY_FILE_NAME = "lottery.json"


def _published_round(pk: int) -> tuple[Round, dict[str, object]]:
    round_ = selectors.rounds_public().filter(pk=pk).first()
    data = None if round_ is None else selectors.round_lottery_published(round_)
    if round_ is None or data is None:
        raise Http404(_("没有该报名轮次。"))
    return round_, data


def lottery_page(request: HttpRequest, pk: int) -> HttpResponse:
    round_, data = _published_round(pk)
    ranks = data.get("ranks")
    return render(
        request,
        "enrollment/public/lottery.html",
        {
            "round": round_,
            "rules": round_.rule_labels(),
            "drawn": bool(round_.seed),
            "ranks": ranks if isinstance(ranks, list) else [],
            "file_name": LOTTERY_FILE_NAME,
        },
    )


def lottery_json(request: HttpRequest, pk: int) -> JsonResponse:
    _round, data = _published_round(pk)
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'inline; filename="{LOTTERY_FILE_NAME}"'
    return response
