import pytest

from tuoyu.accounts.models import Role, User
from tuoyu.conftest import SmallRegistry, resident_id
from tuoyu.registry.selectors import (
    institution_editable_by,
    institutions_visible_to,
    staff_find_by_id_number,
    staff_visible_to,
    townships_visible_to,
)


@pytest.mark.django_db
def test_a_township_official_without_a_township_sees_nothing(registry: SmallRegistry) -> None:
    official = User.objects.create(username="unscoped", role=Role.TOWNSHIP_OFFICIAL)
    assert not institutions_visible_to(official).exists()
    assert not townships_visible_to(official).exists()


@pytest.mark.django_db
def test_an_operator_without_an_institution_sees_nothing(registry: SmallRegistry) -> None:
    operator = User.objects.create(username="unscoped", role=Role.INSTITUTION_OPERATOR)
    assert not institutions_visible_to(operator).exists()
    assert not institution_editable_by(operator, registry.nursery_a)


@pytest.mark.django_db
def test_a_township_official_sees_only_the_institutions_of_their_township(
    registry: SmallRegistry, township_user: User
) -> None:
    assert set(institutions_visible_to(township_user)) == {registry.kindergarten_a, registry.nursery_a}
    assert not institution_editable_by(township_user, registry.nursery_a)


@pytest.mark.django_db
def test_an_inactive_bureau_admin_sees_nothing(registry: SmallRegistry, admin_user: User) -> None:
    admin_user.is_active = False
    assert not institutions_visible_to(admin_user).exists()


@pytest.mark.django_db
def test_staff_are_found_by_id_number_only_where_the_user_may_see_them(
    registry: SmallRegistry, operator_user: User, other_operator_user: User
) -> None:
    number = resident_id(1)
    assert staff_find_by_id_number(operator_user, number) == registry.caregiver
    assert staff_find_by_id_number(other_operator_user, number) is None
    assert staff_find_by_id_number(operator_user, "not an id number") is None
    assert registry.caregiver not in staff_visible_to(other_operator_user)
