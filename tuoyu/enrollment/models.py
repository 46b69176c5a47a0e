"""Central enrollment: children registered by their guardians, rounds, applications, offers.

A round is one city-wide intake. The bureau sets its start months and its priority rules
(data, not code: an ordered list of :class:`PriorityRule` codes, then the lottery), and
the places each institution offers, by class type, are taken from the registry's
vacancies when the round is created. Parents apply once per child with up to five
ranked places; after the round closes the platform reveals the seed it committed to,
draws the lottery, runs child-proposing deferred acceptance and writes, for every
choice, what happened and why. A later round of the same intake fills declined and new
places.

Children's data is sensitive personal information: only what allocation needs is kept,
the ID number is encrypted with a blind index (as for staff), and every change is in
the audit log.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu.common import crypto
from tuoyu.common.identifiers import name_mask, resident_id_mask
from tuoyu.registry.models import CareClass, ClassType, Institution, Township

MAX_CHOICES = 5
CONSENT_VERSION = "2026-1"


class PriorityRule(models.TextChoices):
    """What can put a child ahead at a place, before the lottery."""

    HARDSHIP = "hardship", _("困境婴幼儿（经认定）")
    SIBLING = "sibling", _("兄弟姐妹在该机构在托")
    EMPLOYER = "employer", _("父母在举办该托育点的用人单位工作")
    RESIDENT = "resident", _("居住在机构所在镇（街道）")


class Child(models.Model):
    """A child under 3, registered by a guardian who consented to the processing."""

    ID_PURPOSE = "enrollment.child.id_number"

    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("监护人"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    birth_date = models.DateField(_("出生日期"))
    id_number_ciphertext = models.BinaryField(_("身份证号（密文）"), editable=False)
    id_number_index = models.CharField(_("身份证号索引"), max_length=64, unique=True, editable=False)
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("居住镇（街道）")
    )
    sibling_institution = models.ForeignKey(
        Institution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("兄弟姐妹在托的机构"),
    )
    parent_employer = models.ForeignKey(
        Institution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("父母所在单位举办的托育点"),
    )
    hardship_claimed = models.BooleanField(_("申报困境婴幼儿"), default=False)
    hardship_verified = models.BooleanField(_("困境婴幼儿已认定"), default=False)
    consent_version = models.CharField(_("同意书版本"), max_length=20)
    consent_at = models.DateTimeField(_("同意时间"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["guardian", "birth_date", "id"]
        verbose_name = _("婴幼儿")
        verbose_name_plural = _("婴幼儿")

    def __str__(self) -> str:
        return self.name_masked

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_ciphertext, purpose=self.ID_PURPOSE)

    @property
    def id_number_masked(self) -> str:
        return resident_id_mask(self.id_number)

    @property
    def name_masked(self) -> str:
        return name_mask(self.name)


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("报名中")
    CLOSED = "closed", _("已截止")
    ALLOCATED = "allocated", _("已分配")
    FINISHED = "finished", _("已结束")


class Round(models.Model):
    """One intake; ``previous`` links a later round that fills declined and new places."""

    name = models.CharField(_("名称"), max_length=100)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("上一轮"),
    )
    first_start_month = models.DateField(_("最早入托月份"))
    last_start_month = models.DateField(_("最晚入托月份"))
    opens_at = models.DateTimeField(_("报名开始"))
    closes_at = models.DateTimeField(_("报名截止"))
    offer_days = models.PositiveSmallIntegerField(
        _("答复期限（天）"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    priority_rules = models.JSONField(_("优先规则（按顺序）"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=RoundStatus.choices, default=RoundStatus.DRAFT
    )
    commitment = models.CharField(_("种子承诺值（SHA-256）"), max_length=64, editable=False)
    seed_ciphertext = models.BinaryField(_("种子（密文）"), editable=False)
    seed = models.CharField(_("抽签种子"), max_length=64, blank=True, editable=False)
    roster_hash = models.CharField(_("报名名单哈希"), max_length=64, blank=True, editable=False)
    algorithm = models.CharField(_("抽签算法"), max_length=30, blank=True, editable=False)
    allocated_at = models.DateTimeField(_("分配时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("报名轮次")
        verbose_name_plural = _("报名轮次")

    def __str__(self) -> str:
        return self.name

    def accepts_applications(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == RoundStatus.OPEN and self.opens_at <= now < self.closes_at

    def start_months(self, *, from_day: dt.date | None = None) -> list[dt.date]:
        """The round's start months, from the month of ``from_day`` on when given."""
        months: list[dt.date] = []
        month = self.first_start_month.replace(day=1)
        if from_day is not None:
            month = max(month, from_day.replace(day=1))
        while month <= self.last_start_month:
            months.append(month)
            month = (month + dt.timedelta(days=32)).replace(day=1)
        return months

    def rule_labels(self) -> list[str]:
        labels = dict(PriorityRule.choices)
        return [str(labels.get(code, code)) for code in self.priority_rules]


class RoundPlace(models.Model):
    """Places an institution offers in a round for one class type."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="places", verbose_name=_("轮次"))
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="round_places", verbose_name=_("机构")
    )
    class_type = models.CharField(_("班型"), max_length=10, choices=ClassType.choices)
    capacity = models.PositiveIntegerField(_("名额"))

    class Meta:
        ordering = ["round", "institution__name", "class_type"]
        constraints = [
            models.UniqueConstraint(fields=["round", "institution", "class_type"], name="round_place_unique")
        ]
        verbose_name = _("招生名额")
        verbose_name_plural = _("招生名额")

    def __str__(self) -> str:
        return f"{self.institution.name} {self.get_class_type_display()}"


class Application(models.Model):
    """One child's application in one round; ``reference`` is the public pseudonym in the
    published lottery."""

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="applications", verbose_name=_("轮次")
    )
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, related_name="applications", verbose_name=_("婴幼儿")
    )
    reference = models.CharField(_("报名编号"), max_length=20, unique=True, editable=False)
    start_month = models.DateField(_("入托月份"))
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    lottery_number = models.CharField(_("抽签值"), max_length=64, blank=True, editable=False)
    lottery_rank = models.PositiveIntegerField(_("抽签序号"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["round", "reference"]
        constraints = [models.UniqueConstraint(fields=["round", "child"], name="application_one_per_round")]
        verbose_name = _("报名")
        verbose_name_plural = _("报名")

    def __str__(self) -> str:
        return self.reference


class Outcome(models.TextChoices):
    PENDING = "pending", _("待分配")
    PLACED = "placed", _("录取")
    PASSED_OVER = "passed_over", _("未录取（候补）")
    NOT_REACHED = "not_reached", _("无需分配（已被更靠前的志愿录取）")


class Choice(models.Model):
    """One ranked place of an application, with what the allocation decided there."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="choices", verbose_name=_("报名")
    )
    rank = models.PositiveSmallIntegerField(
        _("志愿顺序"), validators=[MinValueValidator(1), MaxValueValidator(MAX_CHOICES)]
    )
    place = models.ForeignKey(
        RoundPlace, on_delete=models.PROTECT, related_name="choices", verbose_name=_("志愿")
    )
    outcome = models.CharField(_("结果"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    priority_reasons = models.JSONField(_("满足的优先规则"), default=list, blank=True)
    applicants_ahead = models.PositiveIntegerField(_("优先级更高的申请人"), null=True, blank=True)
    seats = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    waitlist_position = models.PositiveIntegerField(_("候补位次"), null=True, blank=True)

    class Meta:
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="choice_rank_unique"),
            models.UniqueConstraint(fields=["application", "place"], name="choice_place_unique"),
        ]
        verbose_name = _("志愿")
        verbose_name_plural = _("志愿")

    def __str__(self) -> str:
        return f"{self.application} #{self.rank}"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", _("待答复")
    ACCEPTED = "accepted", _("已接受")
    DECLINED = "declined", _("已放弃")
    EXPIRED = "expired", _("逾期未答复")
    ENROLLED = "enrolled", _("已入托")


class Offer(models.Model):
    """The place an application was given; the parent accepts or declines by the deadline,
    and the institution confirms enrollment of an accepted offer."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="offer", verbose_name=_("报名")
    )
    place = models.ForeignKey(
        RoundPlace, on_delete=models.PROTECT, related_name="offers", verbose_name=_("名额")
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    deadline = models.DateTimeField(_("答复截止"))
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    care_class = models.ForeignKey(
        CareClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("入托班级"),
    )
    enrolled_at = models.DateTimeField(_("入托确认时间"), null=True, blank=True)

    class Meta:
        ordering = ["place", "application"]
        verbose_name = _("录取通知")
        verbose_name_plural = _("录取通知")

    def __str__(self) -> str:
        return f"{self.application} → {self.place}"

    def holds_seat(self) -> bool:
        """An offer keeps its seat until it is declined or lapses."""
        return self.status in {OfferStatus.OFFERED, OfferStatus.ACCEPTED}
