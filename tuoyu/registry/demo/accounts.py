"""The demo accounts: one per role, with documented (public) passwords."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from tuoyu.accounts.models import Role, User
from tuoyu.registry.demo.common import DATA_AS_OF
from tuoyu.registry.models import FilingStatus, Institution, Ownership, Township

DEMO_PASSWORDS = {
    "admin": "tuoyu-demo-admin",
    "township": "tuoyu-demo-township",
    "operator": "tuoyu-demo-operator",
    "lead": "tuoyu-demo-lead",
    "inspector": "tuoyu-demo-inspector",
    "public": "tuoyu-demo-public",
}
"""Documented demo passwords; they are public, so never use the demo accounts in production."""
DEMO_USERNAMES = tuple(DEMO_PASSWORDS)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    scope: str


def _operator_institution() -> Institution | None:
    """A filed institution of 大洋街道 operating on DATA_AS_OF, preferably a 普惠 民办 one
    (it has a designation and fee history to show); else any filed, operating one."""
    operating = (
        Institution.objects.filter(filing_status=FilingStatus.FILED, filed_on__lte=DATA_AS_OF)
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lte=DATA_AS_OF))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=DATA_AS_OF))
        .order_by("township__code", "credit_code")
    )
    dayang = operating.filter(township__name="大洋街道")
    designated = dayang.filter(
        Q(designations__valid_to__isnull=True) | Q(designations__valid_to__gte=DATA_AS_OF),
        ownership=Ownership.PRIVATE,
        designations__valid_from__lte=DATA_AS_OF,
    ).distinct()
    return designated.first() or dayang.first() or operating.first()


def create_demo_accounts() -> list[DemoAccount]:
    """One account per role with the documented demo passwords; creates or updates, and
    changes nothing when the accounts are already as they should be."""
    township = Township.objects.filter(name="古城街道").first() or Township.objects.order_by("code").first()
    institution = _operator_institution()
    wanted: list[tuple[str, str, Township | None, Institution | None, str]] = [
        ("admin", Role.BUREAU_ADMIN, None, None, "全市 / whole city; Django admin"),
        (
            "township",
            Role.TOWNSHIP_OFFICIAL,
            township,
            None,
            f"{township.name} / township {township.code}" if township else "",
        ),
        (
            "operator",
            Role.INSTITUTION_OPERATOR,
            None,
            institution,
            f"{institution.name}（{institution.credit_code}）" if institution else "",
        ),
        ("lead", Role.SUPERVISION_LEAD, None, None, "全市安全监管 / city-wide supervision"),
        (
            "inspector",
            Role.INSPECTOR,
            township,
            None,
            f"{township.name}（回避本镇街） / based in {township.code}" if township else "",
        ),
        ("public", Role.PUBLIC, None, None, "家长，两个示例婴幼儿 / a parent with two synthetic children"),
    ]
    accounts = []
    with transaction.atomic():
        for username, role, scope_township, scope_institution, scope in wanted:
            if role == Role.TOWNSHIP_OFFICIAL and scope_township is None:
                continue
            if role == Role.INSTITUTION_OPERATOR and scope_institution is None:
                continue
            password = DEMO_PASSWORDS[username]
            superuser = role == Role.BUREAU_ADMIN
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username)
            fields = {
                "role": role,
                "township": scope_township,
                "institution": scope_institution,
                "is_staff": superuser,
                "is_superuser": superuser,
                "is_active": True,
            }
            changed = user.pk is None
            for name, value in fields.items():
                if getattr(user, name) != value:
                    setattr(user, name, value)
                    changed = True
            if not user.check_password(password):
                user.set_password(password)
                changed = True
            if changed:
                user.full_clean(exclude=["password"])
                user.save()
            accounts.append(DemoAccount(username, password, str(role), scope))
    return accounts
