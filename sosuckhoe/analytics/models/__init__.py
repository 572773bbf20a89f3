"""The analytics' tables, one module per part: counts kept current (`rollups`), target
populations (`targets`), warnings (`warnings`), planning and scheduled reports (`planning`)."""

from sosuckhoe.analytics.models.overdue import OverdueCount, OverduePerson
from sosuckhoe.analytics.models.planning import (
    ExpectedShipment,
    ReportKind,
    ReportSubscription,
    ShipmentStatus,
)
from sosuckhoe.analytics.models.plans import CoveragePlan
from sosuckhoe.analytics.models.rollups import (
    DOSE_KEY,
    DOSE_TOTAL_KEY,
    LOT_KEY,
    REACTION_KEY,
    DoseRollup,
    DoseTotal,
    LotDoses,
    ReactionRollup,
)
from sosuckhoe.analytics.models.targets import ALL_AGES, ALL_GROUPS, TargetPopulation
from sosuckhoe.analytics.models.warnings import Warning, WarningDigest, WarningKind

__all__ = [
    "ALL_AGES",
    "ALL_GROUPS",
    "DOSE_KEY",
    "DOSE_TOTAL_KEY",
    "LOT_KEY",
    "REACTION_KEY",
    "CoveragePlan",
    "DoseRollup",
    "DoseTotal",
    "ExpectedShipment",
    "LotDoses",
    "OverdueCount",
    "OverduePerson",
    "ReactionRollup",
    "ReportKind",
    "ReportSubscription",
    "ShipmentStatus",
    "TargetPopulation",
    "Warning",
    "WarningDigest",
    "WarningKind",
]
