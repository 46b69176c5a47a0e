"""Access and deserts computed by ``tuoyu.planning.access`` on a tiny map.

Two zones on one meridian and two 普惠 institutions of the small registry
(``tuoyu/conftest.py``), placed so every cost can be checked by hand. One degree of
latitude is 111,195 m on the engine's sphere, and costs are straight lines × 1.3:

* zone Z1 and the public kindergarten (托大班, 20 slots) at 28.860 N: cost 0;
* the 普惠 nursery (托小班, 15 slots) at 28.869 N: 1,000.8 m from both zones, cost 1,301;
* zone Z2 at 28.878 N: 2,001.5 m from Z1, cost 2,602 to the kindergarten.

Z1 has 100 children under 3 (80 under 2), Z2 60 (40 under 2). The family point of
township B is not 普惠, so its slots never count.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tuoyu.accounts.models import User
from tuoyu.conftest import AS_OF, SmallRegistry
from tuoyu.planning import access, access_tables, services
from tuoyu.planning.models import DemandZone, Scenario
from tuoyu.registry.models import ChildPopulation, Township, TownshipYear

LON = 121.12


def place(registry: SmallRegistry) -> None:
    """Coordinates for the three institutions of the small registry."""
    for institution, lat in (
        (registry.kindergarten_a, 28.860),
        (registry.nursery_a, 28.869),
        (registry.family_b, 28.861),
    ):
        institution.latitude, institution.longitude = lat, LON
        institution.save()


def two_zones(registry: SmallRegistry) -> tuple[DemandZone, DemandZone]:
    place(registry)
    z1 = DemandZone.objects.create(
        code="Z1",
        name="甲社区",
        township=registry.township_a,
        latitude=28.860,
        longitude=LON,
        year=2025,
        children_under_3=100,
        children_under_2=80,
    )
    z2 = DemandZone.objects.create(
        code="Z2",
        name="乙村",
        township=registry.township_a,
        latitude=28.878,
        longitude=LON,
        year=2025,
        children_under_3=60,
        children_under_2=40,
    )
    return z1, z2


def run(**values: object) -> access.AccessResult:
    return access.access_analysis(parameters=access.access_parameters(as_of=AS_OF, **values))  # type: ignore[arg-type]


def by_code(result: access.AccessResult, group: str) -> dict[str, access_tables.ZoneRow]:
    return {row.code: row for row in access_tables.zone_rows(result, group=group)}


# Parameters ------------------------------------------------------------------------------


def test_the_defaults_are_e2sfca_over_3_km_with_the_usual_steps() -> None:
    parameters = access.access_parameters(as_of=AS_OF)
    assert parameters.method == "e2sfca"
    assert parameters.catchment_m == 3000
    assert parameters.steps_text == "1000:1,2000:0.68,3000:0.22"
    assert (parameters.circuity, parameters.min_children, parameters.max_children_per_slot) == (1.3, 50, 3)


def test_the_default_steps_scale_with_the_catchment() -> None:
    assert access.access_parameters(as_of=AS_OF, catchment_m=1500).steps_text == "500:1,1000:0.68,1500:0.22"
    assert access.access_parameters(catchment_m=6000).steps_text == "2000:1,4000:0.68,6000:0.22"


def test_given_steps_are_used_as_typed() -> None:
    parameters = access.access_parameters(catchment_m=2000, steps="500:1, 2000:0.5")
    assert parameters.steps == ((500.0, 1.0), (2000.0, 0.5))
    assert parameters.steps_given


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"steps": "1000:1,900:0.5"}, "steps"),
        ({"steps": "abc"}, "steps"),
        ({"steps": "1000:1,4000:0.2"}, "steps"),  # past the 3 km catchment
        ({"catchment_m": 0}, "catchment_m"),
        ({"circuity": 0.9}, "circuity"),
        ({"min_children": -1}, "min_children"),
        ({"max_children_per_slot": 0}, "max_children_per_slot"),
        ({"method": "3sfca"}, "method"),
        ({"as_of": dt.date(1999, 12, 31)}, "as_of"),
    ],
)
def test_bad_parameters_are_refused_naming_the_field(values: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        access.access_parameters(**values)  # type: ignore[arg-type]
    assert set(caught.value.message_dict) == {field}


# Access ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_plain_2sfca_shares_each_institution_among_every_zone_in_reach(registry: SmallRegistry) -> None:
    two_zones(registry)
    result = run(method="2sfca")
    young, older = by_code(result, "young"), by_code(result, "older")
    # 小月龄: the nursery's 15 slots serve 80 + 40 children under 2 -> 0.125 each.
    assert young["Z1"].access == pytest.approx(0.125)
    assert young["Z2"].access == pytest.approx(0.125)
    assert young["Z1"].children_per_slot == pytest.approx(8.0)
    assert young["Z1"].slots_in_reach == 15 and young["Z2"].slots_in_reach == 15
    # 2–3 岁: the kindergarten's 20 slots serve 20 + 20 children of 24–36 months -> 0.5 each.
    assert older["Z1"].children == 20 and older["Z2"].children == 20
    assert older["Z1"].access == pytest.approx(0.5)
    assert older["Z2"].access == pytest.approx(0.5)
    assert older["Z1"].slots_in_reach == 20


@pytest.mark.django_db
def test_e2sfca_weighs_far_pairs_less_in_both_steps(registry: SmallRegistry) -> None:
    two_zones(registry)
    result = run()
    young, older = by_code(result, "young"), by_code(result, "older")
    # Nursery: both zones at step 2 (0.68): R = 15 / (0.68 × 120); A = 0.68 × R = 0.125.
    assert young["Z1"].access == pytest.approx(0.125)
    assert young["Z2"].access == pytest.approx(0.125)
    # Kindergarten: Z1 at step 1, Z2 at step 3 (0.22): R = 20 / (20 + 0.22 × 20) = 0.8197.
    ratio = 20 / (20 + 0.22 * 20)
    assert older["Z1"].access == pytest.approx(ratio)
    assert older["Z2"].access == pytest.approx(0.22 * ratio)


@pytest.mark.django_db
def test_only_puhui_slots_of_filed_operating_institutions_count(registry: SmallRegistry) -> None:
    two_zones(registry)
    result = run()
    assert sorted(s.name for s in result.supply) == sorted(
        [registry.kindergarten_a.name, registry.nursery_a.name]
    )
    assert result.summaries["young"].slots == 15
    assert result.summaries["older"].slots == 20
    # A class closed before the date no longer counts.
    registry.nursery_class.closed_on = dt.date(2025, 6, 1)
    registry.nursery_class.save()  # through the audit log, as every change: a new revision
    assert run().summaries["young"].slots == 0


@pytest.mark.django_db
def test_institutions_without_coordinates_are_reported_not_placed(registry: SmallRegistry) -> None:
    two_zones(registry)
    registry.nursery_a.latitude = None
    registry.nursery_a.save()
    result = run()
    assert result.unplaced_institutions == 1
    assert result.unplaced_slots == 15
    assert by_code(result, "young")["Z1"].slots_in_reach == 0


# Deserts ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_zone_with_many_children_and_too_few_slots_is_a_desert(registry: SmallRegistry) -> None:
    two_zones(registry)
    result = run(method="2sfca")
    young = by_code(result, "young")
    # Z1: 80 children ≥ 50 and 8 children per slot > 3 -> desert; Z2: only 40 children.
    assert young["Z1"].desert
    assert not young["Z2"].desert
    assert not any(row.desert for row in access_tables.zone_rows(result, group="older"))
    summary = result.summaries["young"]
    assert (summary.zones, summary.children, summary.deserts, summary.children_in_deserts) == (2, 120, 1, 80)
    assert summary.share_in_deserts == pytest.approx(80 / 120)


@pytest.mark.django_db
def test_a_zone_with_no_slot_in_reach_is_a_desert(registry: SmallRegistry) -> None:
    two_zones(registry)
    # 1 km: Z1 reaches only the kindergarten (no 小月龄 slots); Z2 reaches nothing.
    result = run(method="2sfca", catchment_m=1000)
    young, older = by_code(result, "young"), by_code(result, "older")
    assert young["Z1"].slots_in_reach == 0 and young["Z1"].children_per_slot is None
    assert young["Z1"].desert
    assert older["Z1"].access == pytest.approx(1.0)
    assert older["Z2"].slots_in_reach == 0
    assert result.summaries["young"].zones_without_slots == 2


@pytest.mark.django_db
def test_the_desert_rule_is_a_parameter(registry: SmallRegistry) -> None:
    two_zones(registry)
    assert by_code(run(method="2sfca", max_children_per_slot=10), "young")["Z1"].desert is False
    assert by_code(run(method="2sfca", min_children=30), "young")["Z2"].desert is True


# Demand ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_zone_children_are_scaled_to_the_as_of_year_by_the_township_forecast(registry: SmallRegistry) -> None:
    two_zones(registry)
    # Township A's forecast for 2026: 600 children under 3 (500 in 2025), 400 under 2 (unchanged).
    result = access.access_analysis(parameters=access.access_parameters(as_of=dt.date(2026, 12, 31)))
    assert result.children_forecast and result.children_year == 2026
    assert by_code(result, "young")["Z1"].children == pytest.approx(80.0)
    assert float(result.children_under_3[0]) == pytest.approx(120.0)
    assert by_code(result, "older")["Z1"].children == pytest.approx(40.0)


@pytest.mark.django_db
def test_without_zones_township_centres_stand_in(registry: SmallRegistry) -> None:
    place(registry)
    result = run(method="2sfca", catchment_m=5000)
    assert result.township_fallback
    assert [p.code for p in result.points] == [registry.township_a.code, registry.township_b.code]
    # Township A: 500 children under 3, 400 under 2; B: 250 and 200 (the 2025 figures).
    assert list(result.children_under_3) == [500.0, 250.0]
    young = by_code(result, "young")
    assert young[registry.township_a.code].children == 400
    # Township A's centre is the kindergarten's position; the nursery is 1.3 km (by road) away.
    assert young[registry.township_a.code].access == pytest.approx(15 / 400)
    assert young[registry.township_a.code].desert
    # B's centre is ~22 km away: nothing in reach.
    assert young[registry.township_b.code].slots_in_reach == 0


@pytest.mark.django_db
def test_townships_without_a_centre_are_counted_out_of_the_fallback(registry: SmallRegistry) -> None:
    Township.objects.filter(pk=registry.township_b.pk).update(latitude=None, longitude=None)
    result = run()
    assert [p.code for p in result.points] == [registry.township_a.code]
    assert result.unplaced_townships == 1


@pytest.mark.django_db
def test_without_population_history_zone_counts_are_used_as_they_are(registry: SmallRegistry) -> None:
    two_zones(registry)
    ChildPopulation.objects.all().delete()
    TownshipYear.objects.all().delete()
    result = access.access_analysis(parameters=access.access_parameters(as_of=dt.date(2027, 6, 1)))
    assert not result.children_forecast
    assert list(result.children_under_3) == [100.0, 60.0]


# The table, records and cache ------------------------------------------------------------


@pytest.mark.django_db
def test_the_zone_table_sorts_and_pages_on_the_server(registry: SmallRegistry) -> None:
    two_zones(registry)
    result = run()
    table = access_tables.zone_table(result, group="older", sort="access", descending=True, page=1)
    assert [row.code for row in table.rows] == ["Z1", "Z2"]
    table = access_tables.zone_table(result, group="older", sort="access", descending=False, page=1)
    assert [row.code for row in table.rows] == ["Z2", "Z1"]
    paged = access_tables.zone_table(
        result, group="young", sort="zone", descending=False, page=2, page_size=1
    )
    assert (paged.number, paged.pages, [row.code for row in paged.rows]) == (2, 2, ["Z2"])
    assert (
        access_tables.zone_table(result, group="young", sort="nonsense", descending=False, page=9).sort
        == "township"
    )


@pytest.mark.django_db
def test_records_hold_both_groups_as_plain_values(registry: SmallRegistry) -> None:
    two_zones(registry)
    result = run(method="2sfca")
    records = access_tables.zone_records(result)
    assert records[0]["code"] == "Z1"
    assert records[0]["young"] == {
        "children": 80.0,
        "slots_in_reach": 15.0,
        "access": pytest.approx(0.125),
        "children_per_slot": pytest.approx(8.0),
        "desert": True,
    }
    summary = access_tables.summary_record(result)
    assert summary["groups"]["young"]["deserts"] == 1
    assert summary["parameters"]["method"] == "2sfca" and summary["parameters"]["steps"] is None


@pytest.mark.django_db
def test_a_new_zone_is_seen_at_once_despite_the_cache(registry: SmallRegistry) -> None:
    two_zones(registry)
    assert len(run().points) == 2
    DemandZone.objects.create(
        code="Z3",
        name="丙村",
        township=registry.township_b,
        latitude=28.99,
        longitude=120.92,
        year=2025,
        children_under_3=10,
        children_under_2=5,
    )
    assert len(run().points) == 3


def test_a_scenario_travel_matrix_replaces_straight_lines(registry: SmallRegistry, admin_user: User) -> None:
    # By the matrix Z1 reaches only the nursery (its 15 托小班 slots), Z2 nothing at all:
    # the straight-line pairs (Z1 to both institutions, Z2 to the nursery) no longer count.
    two_zones(registry)
    scenario = Scenario.objects.create(name="矩阵情景", plan_year=2026, created_by=admin_user)
    services.scenario_travel_costs_import(
        actor=admin_user,
        scenario=scenario,
        text=f"origin,dest,cost\nZ1,{registry.nursery_a.credit_code},400\n",
    )
    result = run(method="2sfca", travel_scenario=scenario.pk)
    young, older = by_code(result, "young"), by_code(result, "older")
    assert young["Z1"].slots_in_reach == 15 and young["Z2"].slots_in_reach == 0
    assert older["Z1"].slots_in_reach == 0
    assert young["Z1"].access == pytest.approx(15 / 80)


def test_a_scenario_without_a_matrix_cannot_stand_for_distance(
    registry: SmallRegistry, admin_user: User
) -> None:
    scenario = Scenario.objects.create(name="无矩阵", plan_year=2026, created_by=admin_user)
    with pytest.raises(ValidationError) as caught:
        access.access_parameters(as_of=AS_OF, travel_scenario=scenario.pk)
    assert "travel_scenario" in caught.value.message_dict
