"""The products and schedule rules load from data/, check their EU DCC codes, and load again
without change."""

import csv
import json
from io import StringIO

import pytest
from django.core.management import call_command

from sosuckhoe.supply.models import Basis, Product, ScheduleRule
from sosuckhoe.supply.reference import DATA_DIR, dcc_codes_check, supply_reference_load

ISSUE_PRODUCTS = {
    "vaxzevria", "comirnaty", "comirnaty-paediatric", "spikevax", "bbibp-corv", "sputnik-v",
    "abdala", "hayat-vax", "covaxin",
}  # fmt: skip


def test_the_products_of_the_issue_load_with_codes_of_the_dcc_value_sets(products):
    assert set(products) == ISSUE_PRODUCTS
    assert products["vaxzevria"].dcc_code == "EU/1/21/1529"
    assert products["comirnaty"].dcc_code == products["comirnaty-paediatric"].dcc_code
    assert str(products["comirnaty-paediatric"].dose_ml) == "0.20"
    medicinal = json.loads((DATA_DIR / "vaccine-medicinal-product.json").read_text())
    for product in products.values():
        assert medicinal["valueSetValues"][product.dcc_code]["active"], product.key


def test_a_product_code_outside_the_value_sets_is_refused():
    with (DATA_DIR / "products.csv").open(encoding="utf-8") as f:
        row = next(csv.DictReader(f))
    dcc_codes_check(row)
    with pytest.raises(ValueError, match="not in the EU DCC value sets"):
        dcc_codes_check({**row, "holder": "ORG-99999999"})
    with pytest.raises(ValueError, match="encoding instructions"):
        dcc_codes_check({**row, "vaccine_type": "1119349007"})  # an mRNA Vaxzevria


def test_loading_again_changes_nothing(products):
    report = supply_reference_load()
    assert (report.created, report.updated, report.removed) == (0, 0, 0)
    assert report.unchanged == Product.objects.count() + ScheduleRule.objects.count()


def test_a_changed_rule_is_brought_back_to_the_file(products):
    rule = ScheduleRule.objects.get(code="primary-2-vaxzevria")
    rule.interval_min = 4
    rule.save()
    rule.products.clear()
    assert supply_reference_load().updated == 1
    rule.refresh_from_db()
    assert rule.interval_min == 8
    assert [p.key for p in rule.products.all()] == ["vaxzevria"]


def test_every_rule_names_its_source_and_basis(products):
    for rule in ScheduleRule.objects.all():
        assert rule.source.strip(), rule.code
        assert rule.basis in Basis.values
    superseded = ScheduleRule.objects.filter(valid_until__isnull=False)
    assert all("SUPERSEDED" in r.source for r in superseded)


def test_the_command_loads_the_reference_data(db):
    out = StringIO()
    call_command("load_supply_reference", stdout=out)
    assert "created" in out.getvalue()
    assert ScheduleRule.objects.filter(code="booster-1-same").exists()
