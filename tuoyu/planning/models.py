"""Supply–demand planning: demand zones, expansion candidates, scenarios and their plans.

A scenario is what the bureau asks ("meet the targets in 2027 at least cost, with these
unit costs"); a plan run is one answer, computed from the registry as it stood when the
run started and kept with the parameters it used, so later edits never change an old
answer.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoyu.registry.models import ClassType, Institution, Township


class DemandZone(models.Model):
    """A village or community (村/社区) whose children need care nearby."""

    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    township = models.ForeignKey(
        Township, on_delete=models.CASCADE, related_name="demand_zones", verbose_name=_("镇（街道）")
    )
    latitude = models.FloatField(_("纬度"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("经度"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    year = models.PositiveSmallIntegerField(_("统计年份"))
    children_under_3 = models.PositiveIntegerField(_("3 岁以下婴幼儿数"))
    children_under_2 = models.PositiveIntegerField(_("2 岁以下婴幼儿数"))

    class Meta:
        ordering = ["township__code", "code"]
        verbose_name = _("需求片区")
        verbose_name_plural = _("需求片区")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SiteForm(models.TextChoices):
    COMMUNITY = "community", _("社区嵌入式托育点")
    KINDERGARTEN = "kindergarten", _("幼儿园（尚未开设托班）")


class CandidateSite(models.Model):
    """A place where a new institution could enter the registry: a community-embedded site
    (社区嵌入式托育点), or a kindergarten not yet taking children under 3 that could open 托班."""

    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    township = models.ForeignKey(
        Township, on_delete=models.CASCADE, related_name="candidate_sites", verbose_name=_("镇（街道）")
    )
    latitude = models.FloatField(_("纬度"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("经度"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    form = models.CharField(_("类型"), max_length=20, choices=SiteForm.choices, default=SiteForm.COMMUNITY)
    max_classes = models.PositiveSmallIntegerField(_("可设班级数"), validators=[MinValueValidator(1)])
    cost_factor = models.DecimalField(
        _("成本系数"),
        max_digits=4,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
        help_text=_("相对情景单价的倍数（如场地租金较高时大于 1）。"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["township__code", "code"]
        verbose_name = _("社区托育候选点")
        verbose_name_plural = _("社区托育候选点")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ExpansionKind(models.TextChoices):
    KINDERGARTEN_CLASS = "kindergarten_class", _("幼儿园开设托班")
    EXPAND = "expand", _("机构扩班")


class ExpansionOption(models.Model):
    """Room for more classes at an existing institution (spare rooms, a free floor)."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="expansion_options", verbose_name=_("机构")
    )
    kind = models.CharField(_("类型"), max_length=30, choices=ExpansionKind.choices)
    class_type = models.CharField(_("班型"), max_length=10, choices=ClassType.choices)
    max_classes = models.PositiveSmallIntegerField(_("可增班级数"), validators=[MinValueValidator(1)])
    slots_per_class = models.PositiveSmallIntegerField(_("每班托位"), validators=[MinValueValidator(1)])
    cost_factor = models.DecimalField(
        _("成本系数"), max_digits=4, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["institution__township__code", "institution__name", "kind", "class_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "kind", "class_type"], name="expansion_option_unique"
            )
        ]
        verbose_name = _("扩容潜力")
        verbose_name_plural = _("扩容潜力")

    def __str__(self) -> str:
        return f"{self.institution} {self.get_kind_display()} {self.get_class_type_display()}"


class DistanceMode(models.TextChoices):
    STRAIGHT = "straight", _("直线距离 × 绕行系数")
    MATRIX = "matrix", _("导入的出行成本矩阵")


class Scenario(models.Model):
    """The question a plan answers: which year, which targets, which actions at what cost."""

    name = models.CharField(_("情景名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    plan_year = models.PositiveSmallIntegerField(
        _("规划年份"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    # Targets the plan must meet in every township and citywide.
    slots_per_1000_min = models.DecimalField(
        _("每千名 3 岁以下婴幼儿托位数不低于"), max_digits=6, decimal_places=1, default=280
    )
    kindergarten_share_min = models.DecimalField(
        _("托幼一体托位占比不低于"), max_digits=4, decimal_places=3, default="0.650"
    )
    puhui_share_min = models.DecimalField(
        _("普惠托位占比不低于"), max_digits=4, decimal_places=3, default="0.900"
    )
    young_infant_share_min = models.DecimalField(
        _("小月龄托位占比不低于"),
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("留空表示不作要求。"),
    )
    birth_trend = models.DecimalField(
        _("出生人口年变化率"),
        max_digits=5,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("如 -0.050 表示每年减少 5%；留空则按历史趋势估计。"),
    )
    # Which kinds of action the plan may use, and their unit costs (CNY).
    use_kindergarten_classes = models.BooleanField(_("可在幼儿园开设托班"), default=True)
    use_expansions = models.BooleanField(_("可在现有机构扩班"), default=True)
    use_sites = models.BooleanField(_("可新建社区嵌入式托育点"), default=True)
    use_designations = models.BooleanField(_("可认定民办机构为普惠"), default=True)
    cost_kindergarten_class = models.DecimalField(
        _("幼儿园托班每班成本（元）"), max_digits=12, decimal_places=0, default=150000
    )
    cost_expansion_class = models.DecimalField(
        _("扩班每班成本（元）"), max_digits=12, decimal_places=0, default=250000
    )
    cost_site_opening = models.DecimalField(
        _("新建托育点固定成本（元）"), max_digits=12, decimal_places=0, default=600000
    )
    cost_kindergarten_opening = models.DecimalField(
        _("幼儿园首次开设托班固定成本（元）"), max_digits=12, decimal_places=0, default=200000
    )
    cost_site_class = models.DecimalField(
        _("新建托育点每班成本（元）"), max_digits=12, decimal_places=0, default=200000
    )
    cost_designation_per_slot = models.DecimalField(
        _("普惠认定每托位补助（元）"), max_digits=12, decimal_places=0, default=6000
    )
    site_monthly_fee = models.DecimalField(
        _("新建托育点全日托月收费（元）"), max_digits=8, decimal_places=0, default=1500
    )
    budget = models.DecimalField(
        _("预算上限（元）"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("留空：求满足全部目标的最低成本方案；填写：在预算内使服务半径内覆盖的婴幼儿最多。"),
    )
    # Access: how far parents go, and how distance is measured.
    catchment_m = models.PositiveIntegerField(_("服务半径（米）"), default=3000)
    distance_mode = models.CharField(
        _("距离计算"), max_length=10, choices=DistanceMode.choices, default=DistanceMode.STRAIGHT
    )
    circuity = models.DecimalField(_("绕行系数"), max_digits=4, decimal_places=2, default="1.30")
    travel_costs = models.JSONField(
        _("出行成本矩阵"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("片区编码 → 地点编码 → 出行成本（米或分钟）。"),
    )
    mip_rel_gap = models.DecimalField(
        _("允许最优性差距"), max_digits=5, decimal_places=4, default=0, help_text=_("0 表示求证最优。")
    )
    time_limit_seconds = models.PositiveIntegerField(_("求解时限（秒）"), default=60)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("规划情景")
        verbose_name_plural = _("规划情景")

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("计算中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class RunStage(models.TextChoices):
    WAITING = "waiting", _("等待开始")
    LOADING = "loading", _("读取登记数据")
    FORECAST = "forecast", _("预测婴幼儿数")
    CANDIDATES = "candidates", _("整理候选措施")
    SOLVING = "solving", _("求解优化模型")
    SAVING = "saving", _("保存方案")
    FINISHED = "finished", _("完成")


class PlanRun(models.Model):
    """One computed plan for a scenario, kept with the parameters and registry it used."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="runs", verbose_name=_("情景")
    )
    status = models.CharField(_("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    stage = models.CharField(_("进度"), max_length=12, choices=RunStage.choices, default=RunStage.WAITING)
    parameters = models.JSONField(_("计算参数"), default=dict)
    result = models.JSONField(_("方案"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    plan_status = models.CharField(_("求解结果"), max_length=20, blank=True)
    total_cost = models.DecimalField(
        _("总成本（元）"), max_digits=16, decimal_places=0, null=True, blank=True
    )
    mip_gap = models.FloatField(_("最优性差距"), null=True, blank=True)
    solve_seconds = models.FloatField(_("求解耗时（秒）"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("发起人"),
    )
    requested_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("规划方案")
        verbose_name_plural = _("规划方案")

    def __str__(self) -> str:
        return f"{self.scenario} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)
