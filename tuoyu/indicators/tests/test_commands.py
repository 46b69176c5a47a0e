import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tuoyu.conftest import SmallRegistry


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("compute_indicators", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_command_prints_every_figure_for_the_city_and_each_township_as_json(
    registry: SmallRegistry,
) -> None:
    payload = json.loads(_run("--as-of", "2025-12-31"))
    assert payload["as_of"] == "2025-12-31"
    assert set(payload["areas"]) == {"city", registry.township_a.code, registry.township_b.code}
    # Township A: 20 + 15 slots for 500 children under 3 -> 70 per 1,000.
    assert payload["areas"][registry.township_a.code]["slots_per_1000"]["value"] == pytest.approx(70.0)
    assert payload["areas"]["city"]["slots_per_1000"]["numerator"] == 40


@pytest.mark.django_db
def test_the_command_prints_csv_rows_with_a_header(registry: SmallRegistry) -> None:
    rows = list(csv.reader(io.StringIO(_run("--as-of", "2025-12-31", "--format", "csv"))))
    assert rows[0] == ["area", "code", "numerator", "denominator", "value", "target", "met"]
    assert rows[1 + 3][:2] == ["city", "puhui_share"]  # city rows come first, in dashboard order
    assert len(rows) == 1 + 3 * 9


@pytest.mark.django_db
def test_a_bad_date_is_refused_with_a_message_naming_the_option(registry: SmallRegistry) -> None:
    with pytest.raises(CommandError, match="--as-of"):
        _run("--as-of", "2025-13-01")
