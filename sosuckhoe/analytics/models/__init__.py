"""The analytics' tables, one module per part: counts kept current (`rollups`), target
populations (`targets`), warnings (`warnings`), planning and scheduled reports (`planning`)."""

from sosuckhoe.analytics.models.rollups import DOSE_KEY, REACTION_KEY, DoseRollup, ReactionRollup

__all__ = ["DOSE_KEY", "REACTION_KEY", "DoseRollup", "ReactionRollup"]
