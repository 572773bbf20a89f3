# A ledger line's facility and lot are indexed first in stockmovement_facility_lot and
# stockmovement_lot_at: their indexes of their own only cost inserts (one a dose given).

import django.db.models.deletion
from django.db import migrations, models

from sosuckhoe.core.migration_ops import foreign_key_index_dropped


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0003_unit_successors"),
        ("supply", "0002_stock_ledger_append_only"),
    ]

    operations = [
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="stockmovement",
                name="facility",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="+",
                    to="places.facility",
                ),
            ),
            table="supply_stockmovement",
            index="supply_stockmovement_facility_id_8fe0e6fa",
        ),
        foreign_key_index_dropped(
            migrations.AlterField(
                model_name="stockmovement",
                name="lot",
                field=models.ForeignKey(
                    db_index=False,
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="movements",
                    to="supply.lot",
                ),
            ),
            table="supply_stockmovement",
            index="supply_stockmovement_lot_id_08e64283",
        ),
    ]
