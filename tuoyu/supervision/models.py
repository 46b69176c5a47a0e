"""Safety supervision: checklists, random inspections (双随机、一公开), rectification,
complaints, incident reports, and the credit archives of institutions and staff.

* A **checklist** is data the bureau edits: items by category, each with a severity.
* A **sampling plan** says whom to draw (townships, forms), how much per credit grade,
  from which inspector pool and with how many inspectors per task. It commits to a secret
  seed when it is published; the draw reveals the seed and creates the inspections
  (:mod:`tuoyu.engine.draw`, re-run by anyone with ``tools/verify_draw.py``).
* An **inspection** is recorded item by item by its assigned inspectors; the supervision
  lead reviews it and its result is published on the portal within the plan's days.
* Each violation becomes a **rectification order** with a deadline: the operator submits
  evidence, an inspector verifies or reopens it; an overdue order becomes a credit event.
* **Complaints** from the public and **incident reports** from institutions are handled
  to an outcome; substantiated complaints and late reports become credit events.
* **Credit events** give each institution a score and grade A–D by the configurable
  rules of :mod:`tuoyu.engine.credit`; every grade change is kept with its reason.
* **Staff**: personal credit events and the 从业禁止 list, both keyed by the ID number's
  blind index, so a barred person is refused whichever institution tries to hire them.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoyu.common import crypto
from tuoyu.common.identifiers import name_mask, resident_id_mask
from tuoyu.registry.models import Form, Institution, Staff, Township


class PrivateStorage(FileSystemStorage):
    """Files under ``TUOYU_VAR_DIR/private``, read from the settings on every use (so a
    test's own directory is honoured), with no base URL: nothing here is ever served by
    URL, only streamed by a view that checks who asks."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property  # type: ignore[override]
    def base_location(self) -> str:
        return str(Path(settings.VAR_DIR) / "private")

    @property  # type: ignore[override]
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def private_storage() -> Storage:
    """The attachments' storage (a callable, so migrations do not freeze a path)."""
    return PrivateStorage()


class Severity(models.TextChoices):
    CRITICAL = "critical", _("严重")
    MAJOR = "major", _("一般")
    MINOR = "minor", _("轻微")


class Category(models.TextChoices):
    FIRE = "fire", _("消防安全")
    FOOD = "food", _("食品安全")
    HEALTH = "health", _("卫生保健")
    CCTV = "cctv", _("视频监控")
    STAFFING = "staffing", _("人员配备")
    PREMISES = "premises", _("场地设施")
    OTHER = "other", _("其他")


class Checklist(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-active", "name", "id"]
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(_("编号"), max_length=20)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    text = models.CharField(_("检查内容"), max_length=300)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["checklist", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="checklist_item_code_unique")
        ]
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已公布承诺值")
    DRAWN = "drawn", _("已抽取")


class SamplingPlan(models.Model):
    """One 双随机 draw: scope, ratios per credit grade, the inspector pool, and the
    commitment to its seed (published before the draw)."""

    name = models.CharField(_("名称"), max_length=100)
    townships = models.ManyToManyField(
        Township, blank=True, related_name="+", verbose_name=_("镇（街道）范围")
    )
    forms = models.JSONField(_("服务形式范围"), default=list, blank=True)
    ratios = models.JSONField(_("各信用等级抽查比例"), default=dict)
    inspectors_per_task = models.PositiveSmallIntegerField(
        _("每家机构检查人员数"), default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sampling_pools", verbose_name=_("检查人员库")
    )
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查表")
    )
    due_on = models.DateField(_("检查完成期限"))
    publish_within_days = models.PositiveSmallIntegerField(
        _("结果公示期限（天）"), default=20, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    status = models.CharField(_("状态"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    commitment = models.CharField(_("种子承诺值（SHA-256）"), max_length=64, editable=False)
    seed_ciphertext = models.BinaryField(_("种子（密文）"), editable=False)
    seed = models.CharField(_("抽取种子"), max_length=64, blank=True, editable=False)
    roster_hash = models.CharField(_("名单哈希"), max_length=64, blank=True, editable=False)
    algorithm = models.CharField(_("抽取算法"), max_length=30, blank=True, editable=False)
    published = models.JSONField(_("公示数据"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("承诺值公布时间"), null=True, blank=True, editable=False)
    drawn_at = models.DateTimeField(_("抽取时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("创建人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("抽查计划")
        verbose_name_plural = _("抽查计划")

    def __str__(self) -> str:
        return self.name

    def form_labels(self) -> list[str]:
        labels = dict(Form.choices)
        return [str(labels.get(code, code)) for code in self.forms]


class InspectorConflict(models.Model):
    """A declared conflict of interest: the inspector is never drawn for the institution."""

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conflicts",
        verbose_name=_("检查人员"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="+", verbose_name=_("机构")
    )
    reason = models.CharField(_("原因"), max_length=200)
    declared_at = models.DateTimeField(_("申报时间"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["inspector", "institution"], name="inspector_conflict_unique")
        ]
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")

    def __str__(self) -> str:
        return f"{self.inspector} ≠ {self.institution}"


class InspectionKind(models.TextChoices):
    RANDOM = "random", _("双随机抽查")
    COMPLAINT = "complaint", _("投诉核查")
    FOLLOW_UP = "follow_up", _("整改复查")


class InspectionStatus(models.TextChoices):
    ASSIGNED = "assigned", _("待检查")
    SUBMITTED = "submitted", _("待审核")
    PUBLISHED = "published", _("已公示")


class Conclusion(models.TextChoices):
    PASS = "pass", _("合格")
    RECTIFY = "rectify", _("责令整改")
    FAIL = "fail", _("不合格")


class Inspection(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("机构")
    )
    kind = models.CharField(_("类型"), max_length=20, choices=InspectionKind.choices)
    plan = models.ForeignKey(
        SamplingPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("抽查计划"),
    )
    checklist = models.ForeignKey(
        Checklist, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查表")
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", verbose_name=_("检查人员")
    )
    due_on = models.DateField(_("检查期限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=InspectionStatus.choices, default=InspectionStatus.ASSIGNED
    )
    inspected_on = models.DateField(_("检查日期"), null=True, blank=True)
    conclusion = models.CharField(_("结论"), max_length=20, choices=Conclusion.choices, blank=True)
    summary = models.TextField(_("检查情况"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        verbose_name = _("检查")
        verbose_name_plural = _("检查")

    def __str__(self) -> str:
        return f"{self.institution.name} {self.get_kind_display()} {self.due_on}"

    def publish_by(self) -> dt.date | None:
        """The last day the result may wait before it is public (一公开)."""
        if self.inspected_on is None:
            return None
        default = int(settings.TUOYU_SUPERVISION["publish_within_days"])
        days = self.plan.publish_within_days if self.plan else default
        return self.inspected_on + dt.timedelta(days=days)


class FindingResult(models.TextChoices):
    COMPLIANT = "compliant", _("符合")
    VIOLATION = "violation", _("不符合")
    NOT_APPLICABLE = "not_applicable", _("不适用")


class Finding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.ForeignKey(
        ChecklistItem, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查项")
    )
    result = models.CharField(_("结果"), max_length=20, choices=FindingResult.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        ordering = ["inspection", "item__order", "item__code"]
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="finding_item_unique")]
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")

    def __str__(self) -> str:
        return f"{self.item.code}: {self.get_result_display()}"


class Attachment(models.Model):
    """A photo or document of an inspection, a finding or a rectification; private."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="attachments")
    order = models.ForeignKey(
        "RectificationOrder", on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("文件"), storage=private_storage, upload_to="supervision/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    SUBMITTED = "submitted", _("待核验")
    VERIFIED = "verified", _("已整改")
    REOPENED = "reopened", _("退回重改")


class RectificationOrder(models.Model):
    """整改通知: one per violation, with a deadline."""

    finding = models.OneToOneField(Finding, on_delete=models.CASCADE, related_name="order")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="rectification_orders", verbose_name=_("机构")
    )
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    evidence = models.TextField(_("整改情况"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_note = models.CharField(_("核验意见"), max_length=500, blank=True)
    escalated_at = models.DateTimeField(_("逾期记录时间"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")

    def __str__(self) -> str:
        return f"{self.institution.name} {self.finding.item.code} {self.deadline}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.status in {OrderStatus.OPEN, OrderStatus.REOPENED} and today > self.deadline


class CaseStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    INVESTIGATING = "investigating", _("核查中")
    CLOSED = "closed", _("已办结")


class Complaint(models.Model):
    """A complaint from the public. The contact phone is personal data: encrypted, shown
    masked to staff, never published."""

    PHONE_PURPOSE = "supervision.complaint.phone"

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("被投诉机构")
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    description = models.TextField(_("投诉内容"))
    contact_ciphertext = models.BinaryField(_("联系电话（密文）"), editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("投诉时间"), auto_now_add=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
    substantiated = models.BooleanField(_("投诉属实"), null=True, blank=True)
    response = models.TextField(_("处理结果"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")

    def __str__(self) -> str:
        return f"{self.institution.name} {self.submitted_at:%Y-%m-%d}"

    @property
    def contact(self) -> str:
        return (
            crypto.decrypt(self.contact_ciphertext, purpose=self.PHONE_PURPOSE)
            if self.contact_ciphertext
            else ""
        )

    @property
    def contact_masked(self) -> str:
        phone = self.contact
        return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "*" * len(phone)


class IncidentSeverity(models.TextChoices):
    MINOR = "minor", _("一般")
    SERIOUS = "serious", _("重大")


class IncidentReport(models.Model):
    """An incident an institution reports itself; serious ones within a set time."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("机构")
    )
    occurred_at = models.DateTimeField(_("发生时间"))
    reported_at = models.DateTimeField(_("报告时间"))
    severity = models.CharField(_("严重程度"), max_length=10, choices=IncidentSeverity.choices)
    description = models.TextField(_("经过"))
    children_affected = models.PositiveSmallIntegerField(_("涉及婴幼儿人数"), default=0)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.RECEIVED
    )
    late = models.BooleanField(_("迟报"), default=False, editable=False)
    outcome = models.TextField(_("处理结果"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("事故报告")
        verbose_name_plural = _("事故报告")

    def __str__(self) -> str:
        return f"{self.institution.name} {self.occurred_at:%Y-%m-%d}"


class CreditEvent(models.Model):
    """One fact that counts toward an institution's credit (see tuoyu.engine.credit kinds)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="credit_events", verbose_name=_("机构")
    )
    kind = models.CharField(_("类型"), max_length=40)
    occurred_on = models.DateField(_("日期"))
    count = models.PositiveIntegerField(_("数量"), default=1)
    reason = models.CharField(_("事由"), max_length=300)
    source = models.CharField(_("来源"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("信用事件")
        verbose_name_plural = _("信用事件")

    def __str__(self) -> str:
        return f"{self.institution.name} {self.kind} {self.occurred_on}"


class CreditGrade(models.Model):
    """A grade an institution held from ``as_of`` on; a new row only when it changes."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="credit_grades", verbose_name=_("机构")
    )
    grade = models.CharField(_("信用等级"), max_length=1)
    previous = models.CharField(_("原等级"), max_length=1, blank=True)
    score = models.FloatField(_("信用分"))
    as_of = models.DateField(_("评定日期"))
    reason = models.CharField(_("评定依据"), max_length=500)
    computed_at = models.DateTimeField(_("计算时间"), auto_now_add=True)

    class Meta:
        ordering = ["institution", "-as_of", "-id"]
        verbose_name = _("信用等级")
        verbose_name_plural = _("信用等级")

    def __str__(self) -> str:
        return f"{self.institution.name} {self.grade} {self.as_of}"


class StaffCreditEvent(models.Model):
    """A personal credit event of a childcare worker, kept across institutions."""

    staff = models.ForeignKey(
        Staff, on_delete=models.PROTECT, related_name="credit_events", verbose_name=_("人员")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("时任机构"),
    )
    kind = models.CharField(
        _("类型"), max_length=20, choices=[("commendation", _("表彰")), ("violation", _("违规"))]
    )
    occurred_on = models.DateField(_("日期"))
    reason = models.CharField(_("事由"), max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("从业人员信用记录")
        verbose_name_plural = _("从业人员信用记录")

    def __str__(self) -> str:
        return f"{self.staff} {self.kind} {self.occurred_on}"


class BarredPerson(models.Model):
    """从业禁止: a person barred from childcare work, found by the ID number's blind index
    (the same index as the registry's staff, so the check needs no decryption)."""

    ID_PURPOSE = Staff.ID_PURPOSE

    id_number_ciphertext = models.BinaryField(_("身份证号（密文）"), editable=False)
    id_number_index = models.CharField(_("身份证号索引"), max_length=64, unique=True, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    reason = models.CharField(_("原因"), max_length=300)
    decision = models.CharField(_("决定文书"), max_length=100)
    barred_from = models.DateField(_("禁止起始"))
    barred_until = models.DateField(_("禁止截止"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-barred_from", "-id"]
        verbose_name = _("从业禁止人员")
        verbose_name_plural = _("从业禁止人员")

    def __str__(self) -> str:
        return f"{name_mask(self.name)} {self.barred_from}"

    @property
    def id_number_masked(self) -> str:
        return resident_id_mask(crypto.decrypt(self.id_number_ciphertext, purpose=self.ID_PURPOSE))

    def is_in_force(self, day: dt.date) -> bool:
        return self.barred_from <= day and (self.barred_until is None or day <= self.barred_until)
