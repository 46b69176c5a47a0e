"""Target sets per year and the published catalog of basic public childcare services."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoyu.engine.indicators import Targets


class TargetSet(models.Model):
    """The targets of one year; the 2025 defaults are the values of the Linhai draft plan."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    fee_ratio_max = models.DecimalField(
        _("普惠收费占人均可支配收入比上限"), max_digits=5, decimal_places=4, default=0.30
    )
    slots_per_1000_min = models.DecimalField(
        _("每千名 3 岁以下婴幼儿托位数下限"), max_digits=7, decimal_places=2, default=280
    )
    kindergarten_share_min = models.DecimalField(
        _("托幼一体托位占比下限"), max_digits=5, decimal_places=4, default=0.65
    )
    puhui_share_min = models.DecimalField(_("普惠托位占比下限"), max_digits=5, decimal_places=4, default=0.90)
    certified_share_min = models.DecimalField(
        _("从业人员持证率下限"), max_digits=5, decimal_places=4, default=0.90
    )
    catalog_required = models.BooleanField(_("须建立基本公共服务目录清单"), default=True)
    slots_per_1000_population_min = models.DecimalField(
        _("每千人口托位数（国家口径）"), max_digits=6, decimal_places=2, default=4.5
    )

    class Meta:
        ordering = ["year"]
        verbose_name = _("年度目标")
        verbose_name_plural = _("年度目标")

    def __str__(self) -> str:
        return str(self.year)

    def as_engine_targets(self) -> Targets:
        return Targets(
            fee_ratio_max=float(self.fee_ratio_max),
            slots_per_1000_min=float(self.slots_per_1000_min),
            kindergarten_share_min=float(self.kindergarten_share_min),
            puhui_share_min=float(self.puhui_share_min),
            certified_share_min=float(self.certified_share_min),
            catalog_required=self.catalog_required,
            slots_per_1000_population_min=float(self.slots_per_1000_population_min),
        )


class ServiceCatalog(models.Model):
    """普惠托育基本公共服务目录清单."""

    title = models.CharField(_("标题"), max_length=200)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)

    class Meta:
        ordering = ["-published_on"]
        verbose_name = _("基本公共服务目录清单")
        verbose_name_plural = _("基本公共服务目录清单")

    def __str__(self) -> str:
        return self.title


class CatalogItem(models.Model):
    catalog = models.ForeignKey(ServiceCatalog, on_delete=models.CASCADE, related_name="items")
    service = models.CharField(_("服务项目"), max_length=200)
    eligibility = models.CharField(_("服务对象"), max_length=300)
    content = models.TextField(_("服务内容"))
    standard = models.TextField(_("服务标准"))
    department = models.CharField(_("责任单位"), max_length=200)
    funding = models.CharField(_("经费保障"), max_length=200)

    class Meta:
        ordering = ["catalog", "id"]
        verbose_name = _("目录事项")
        verbose_name_plural = _("目录事项")

    def __str__(self) -> str:
        return self.service
