"""The registry: townships, population, income, institutions, classes, fees and staff.

Dates follow the engine's conventions (``tuoyu.engine.indicators``): a start date is the
first day something holds; ``closed_on`` is the first day it no longer operates; every
other end date is the last day it still holds. Empty end dates mean open-ended.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoyu.common import crypto
from tuoyu.common.identifiers import resident_id_mask


class TownshipKind(models.TextChoices):
    SUBDISTRICT = "subdistrict", _("街道")
    TOWN = "town", _("镇")


class AgeBand(models.TextChoices):
    M0_6 = "m0_6", _("0–6 个月")
    M6_12 = "m6_12", _("6–12 个月")
    M12_18 = "m12_18", _("12–18 个月")
    M18_24 = "m18_24", _("18–24 个月")
    M24_36 = "m24_36", _("24–36 个月")


class IncomeScope(models.TextChoices):
    ALL = "all", _("全体居民")
    URBAN = "urban", _("城镇居民")
    RURAL = "rural", _("农村居民")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("公办")
    PRIVATE = "private", _("民办")


class Form(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("幼儿园托班")
    STANDALONE = "standalone", _("独立托育机构")
    COMMUNITY = "community", _("社区嵌入式")
    EMPLOYER = "employer", _("用人单位办托")
    FAMILY = "family", _("家庭托育点")


class FilingStatus(models.TextChoices):
    NOT_FILED = "not_filed", _("未备案")
    PENDING = "pending", _("备案中")
    FILED = "filed", _("已备案")
    REVOKED = "revoked", _("已注销")


class ClassType(models.TextChoices):
    INFANT = "infant", _("乳儿班")
    TODDLER = "toddler", _("托小班")
    OLDER = "older", _("托大班")
    MIXED = "mixed", _("混龄班")


class StaffRole(models.TextChoices):
    CAREGIVER = "caregiver", _("保育人员")
    TEACHER = "teacher", _("幼儿园教师")
    HEALTH = "health", _("卫生保健人员")
    DIRECTOR = "director", _("负责人")
    SUPPORT = "support", _("后勤人员")


class CertificateType(models.TextChoices):
    BAOYUSHI = "baoyushi", _("保育师")
    YUYINGYUAN = "yuyingyuan", _("育婴员/育婴师")
    CHILDCARE_1X = "childcare_1x", _("幼儿照护职业技能等级证书")
    TEACHER_QUALIFICATION = "teacher_qualification", _("幼儿园教师资格证")
    HEALTH_CARE_TRAINING = "health_care_training", _("卫生保健培训合格证")
    HEALTH = "health", _("健康证")


class Dataset(models.Model):
    """What the registry was loaded from; a synthetic dataset puts a banner on every page."""

    name = models.CharField(_("名称"), max_length=200)
    synthetic = models.BooleanField(_("示例数据"), default=False)
    seed = models.BigIntegerField(_("随机种子"), null=True, blank=True)
    loaded_at = models.DateTimeField(_("载入时间"), auto_now_add=True)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("数据集")
        verbose_name_plural = _("数据集")

    def __str__(self) -> str:
        return self.name


class Township(models.Model):
    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=20, choices=TownshipKind.choices)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    boundary = models.JSONField(_("边界 (GeoJSON)"), null=True, blank=True)
    boundary_approximate = models.BooleanField(_("边界为近似"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("镇（街道）")
        verbose_name_plural = _("镇（街道）")

    def __str__(self) -> str:
        return self.name


class ChildPopulation(models.Model):
    """Children under 3 living in a township, by year and age band."""

    township = models.ForeignKey(Township, on_delete=models.CASCADE, related_name="child_populations")
    year = models.PositiveSmallIntegerField(_("年份"))
    age_band = models.CharField(_("月龄段"), max_length=10, choices=AgeBand.choices)
    children = models.PositiveIntegerField(_("婴幼儿数"))

    class Meta:
        ordering = ["township", "year", "age_band"]
        constraints = [
            models.UniqueConstraint(fields=["township", "year", "age_band"], name="child_population_unique")
        ]
        verbose_name = _("3 岁以下婴幼儿数")
        verbose_name_plural = _("3 岁以下婴幼儿数")

    def __str__(self) -> str:
        return f"{self.township} {self.year} {self.get_age_band_display()}: {self.children}"


class TownshipYear(models.Model):
    """Births and resident population of a township in a calendar year."""

    township = models.ForeignKey(Township, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("年份"))
    births = models.PositiveIntegerField(_("出生人口"))
    population = models.PositiveIntegerField(_("常住人口"))

    class Meta:
        ordering = ["township", "year"]
        constraints = [models.UniqueConstraint(fields=["township", "year"], name="township_year_unique")]
        verbose_name = _("镇街年度人口")
        verbose_name_plural = _("镇街年度人口")

    def __str__(self) -> str:
        return f"{self.township} {self.year}"


class IncomeStat(models.Model):
    """Per-capita disposable income of the city (人均可支配收入), CNY per year."""

    year = models.PositiveSmallIntegerField(_("年份"))
    scope = models.CharField(_("口径"), max_length=10, choices=IncomeScope.choices)
    amount = models.DecimalField(_("人均可支配收入（元/年）"), max_digits=10, decimal_places=0)

    class Meta:
        ordering = ["year", "scope"]
        constraints = [models.UniqueConstraint(fields=["year", "scope"], name="income_unique")]
        verbose_name = _("人均可支配收入")
        verbose_name_plural = _("人均可支配收入")

    def __str__(self) -> str:
        return f"{self.year} {self.get_scope_display()}: {self.amount}"


class Institution(models.Model):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("机构名称"), max_length=200)
    ownership = models.CharField(_("性质"), max_length=10, choices=Ownership.choices)
    form = models.CharField(_("服务形式"), max_length=20, choices=Form.choices)
    filing_status = models.CharField(
        _("备案状态"), max_length=20, choices=FilingStatus.choices, default=FilingStatus.NOT_FILED
    )
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    filing_revoked_on = models.DateField(
        _("备案注销日期"), null=True, blank=True, help_text=_("自该日起不再计为已备案机构。")
    )
    opened_on = models.DateField(_("开办日期"), null=True, blank=True)
    closed_on = models.DateField(_("停办日期"), null=True, blank=True)
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("镇（街道）")
    )
    address = models.CharField(_("地址"), max_length=300, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    is_demonstration = models.BooleanField(_("示范机构"), default=False)
    is_service_centre = models.BooleanField(_("托育综合服务中心"), default=False)

    class Meta:
        ordering = ["township__code", "name"]
        verbose_name = _("托育机构")
        verbose_name_plural = _("托育机构")

    def __str__(self) -> str:
        return self.name

    def is_operating_on(self, day: dt.date) -> bool:
        return (self.opened_on is None or self.opened_on <= day) and (
            self.closed_on is None or day < self.closed_on
        )

    def is_filed_on(self, day: dt.date) -> bool:
        """Filed on ``day``: a filing (current or since revoked) that covers the day."""
        if self.filing_status not in (FilingStatus.FILED, FilingStatus.REVOKED) or self.filed_on is None:
            return False
        return self.filed_on <= day and (self.filing_revoked_on is None or day < self.filing_revoked_on)


class PuhuiDesignation(models.Model):
    """A 普惠 designation of a 民办 institution (公办 institutions are 普惠 by definition)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="designations")
    valid_from = models.DateField(_("认定起始日"))
    valid_to = models.DateField(_("认定截止日"), null=True, blank=True)
    document = models.CharField(_("认定文号"), max_length=100, blank=True)

    class Meta:
        ordering = ["institution", "valid_from"]
        verbose_name = _("普惠认定")
        verbose_name_plural = _("普惠认定")

    def __str__(self) -> str:
        return f"{self.institution} {self.valid_from}–{self.valid_to or ''}"

    def covers(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class CareClass(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(_("班级名称"), max_length=100)
    class_type = models.CharField(_("班型"), max_length=10, choices=ClassType.choices)
    approved_slots = models.PositiveIntegerField(_("核定托位"))
    enrolled = models.PositiveIntegerField(_("在托人数"), default=0)
    caregivers = models.PositiveIntegerField(_("配备保育人员"), default=0)
    opened_on = models.DateField(_("开班日期"), null=True, blank=True)
    closed_on = models.DateField(_("撤班日期"), null=True, blank=True)

    class Meta:
        ordering = ["institution", "class_type", "name"]
        verbose_name = _("班级")
        verbose_name_plural = _("班级")

    def __str__(self) -> str:
        return f"{self.institution.name} {self.name}"


class Fee(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="fees")
    class_type = models.CharField(_("班型"), max_length=10, choices=ClassType.choices)
    full_day_monthly = models.DecimalField(_("全日托月收费（元）"), max_digits=8, decimal_places=0)
    half_day_monthly = models.DecimalField(
        _("半日托月收费（元）"), max_digits=8, decimal_places=0, null=True, blank=True
    )
    effective_from = models.DateField(_("执行起始日"))
    effective_to = models.DateField(_("执行截止日"), null=True, blank=True)

    class Meta:
        ordering = ["institution", "class_type", "effective_from"]
        verbose_name = _("收费标准")
        verbose_name_plural = _("收费标准")

    def __str__(self) -> str:
        return f"{self.institution} {self.get_class_type_display()} {self.effective_from}"


class Staff(models.Model):
    """A person working in childcare. The ID number is encrypted; look up by blind index."""

    ID_PURPOSE = "staff.id_number"

    name = models.CharField(_("姓名"), max_length=50)
    id_number_ciphertext = models.BinaryField(_("身份证号（密文）"), editable=False)
    id_number_index = models.CharField(_("身份证号索引"), max_length=64, unique=True, editable=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("从业人员")
        verbose_name_plural = _("从业人员")

    def __str__(self) -> str:
        return self.name

    @property
    def id_number(self) -> str:
        return crypto.decrypt(self.id_number_ciphertext, purpose=self.ID_PURPOSE)

    @property
    def id_number_masked(self) -> str:
        return resident_id_mask(self.id_number)


class Certificate(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="certificates")
    cert_type = models.CharField(_("证书类型"), max_length=30, choices=CertificateType.choices)
    number = models.CharField(_("证书编号"), max_length=50, blank=True)
    issued_on = models.DateField(_("发证日期"))
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        ordering = ["staff", "cert_type", "issued_on"]
        verbose_name = _("证书")
        verbose_name_plural = _("证书")

    def __str__(self) -> str:
        return f"{self.get_cert_type_display()} {self.number}".strip()

    def is_valid_on(self, day: dt.date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)


class Employment(models.Model):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="employments")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="employments")
    role = models.CharField(_("岗位"), max_length=20, choices=StaffRole.choices)
    start = models.DateField(_("入职日期"))
    end = models.DateField(_("离职日期"), null=True, blank=True)

    class Meta:
        ordering = ["institution", "staff", "start"]
        verbose_name = _("任职记录")
        verbose_name_plural = _("任职记录")
        indexes = [models.Index(fields=["institution", "start"])]

    def __str__(self) -> str:
        return f"{self.staff} @ {self.institution} ({self.get_role_display()})"

    def is_active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)
