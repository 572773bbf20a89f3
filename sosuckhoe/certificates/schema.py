"""The DCC JSON schema and the value sets a payload's codes must come from (data/README.md)."""

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

_DATA = Path(__file__).resolve().parent / "data"
_SUPPLY_DATA = Path(__file__).resolve().parent.parent / "supply" / "data"
# Which fields of an entry of each type take their codes from which value set.
_VALUE_SETS = {
    "v": {
        "tg": _DATA / "disease-agent-targeted.json",
        "vp": _SUPPLY_DATA / "vaccine-prophylaxis.json",
        "mp": _SUPPLY_DATA / "vaccine-medicinal-product.json",
        "ma": _SUPPLY_DATA / "vaccine-mah-manf.json",
        "co": _DATA / "country-2-codes.json",
    },
    "t": {"tg": _DATA / "disease-agent-targeted.json", "co": _DATA / "country-2-codes.json"},
    "r": {"tg": _DATA / "disease-agent-targeted.json", "co": _DATA / "country-2-codes.json"},
}


@cache
def _validator() -> Any:
    """jsonschema-rs rather than jsonschema: the same draft 2020-12 with formats checked, in
    about a microsecond instead of a quarter of a millisecond, which was more than the
    signature check itself (bench/certificates.py)."""
    schema = json.loads((_DATA / "DCC.combined-schema.json").read_text())
    return jsonschema_rs.validator_for(schema, validate_formats=True)


@cache
def _codes(path: Path) -> frozenset[str]:
    return frozenset(json.loads(path.read_text())["valueSetValues"])


@cache
def _displays(path: Path) -> dict[str, str]:
    values = json.loads(path.read_text())["valueSetValues"]
    return {code: value.get("display", code) for code, value in values.items()}


def vaccination_value_sets() -> dict[str, dict[str, str]]:
    """The codes (with their display names) each coded field of a vaccination entry takes:
    what the verifier page checks and shows in the browser."""
    return {field: _displays(path) for field, path in _VALUE_SETS["v"].items()}


def schema_valid(payload: dict[str, Any]) -> bool:
    return _validator().is_valid(payload)


@cache
def _fields_codes() -> tuple[tuple[str, tuple[tuple[str, frozenset[str]], ...]], ...]:
    """(type, ((field, its codes), …)) for each certificate type: looked up as they are,
    with no file path hashed for every field of every certificate verified."""
    return tuple(
        (kind, tuple((field, _codes(path)) for field, path in fields.items()))
        for kind, fields in _VALUE_SETS.items()
    )


def value_sets_valid(payload: dict[str, Any]) -> bool:
    """Every coded field of every entry is a code of its value set (run after the schema,
    which has made sure that the entries and their fields are there and are strings)."""
    for kind, fields in _fields_codes():
        for entry in payload.get(kind, ()):
            for field, codes in fields:
                if field in entry and entry[field] not in codes:
                    return False
    return True
