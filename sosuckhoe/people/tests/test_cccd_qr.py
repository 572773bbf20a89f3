import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from sosuckhoe.people.cccd_qr import cccd_qr_parse, is_cccd_qr

ADDRESS = "Số 5, Phường Nam Định, Ninh Bình"


def test_the_seven_field_string_gives_every_field():
    qr = cccd_qr_parse(f"036090123456|012345678|NGUYỄN VĂN AN|01011990|Nam|{ADDRESS}|15042021")
    assert qr.cccd == "036090123456"
    assert qr.cmnd == "012345678"
    assert qr.full_name == "Nguyễn Văn An"
    assert qr.birth_date == dt.date(1990, 1, 1)
    assert qr.sex == "M"
    assert qr.address == ADDRESS
    assert qr.issued_on == dt.date(2021, 4, 15)


def test_an_empty_cmnd_is_accepted():
    qr = cccd_qr_parse(f"036190123456||Trần Thị Bình|02031990|Nữ|{ADDRESS}|15042021")
    assert qr.cmnd == ""
    assert (qr.full_name, qr.sex) == ("Trần Thị Bình", "F")


def test_the_six_field_string_without_cmnd_is_accepted():
    qr = cccd_qr_parse(f"036190123456|TRẦN THỊ BÌNH|02031990|Nữ|{ADDRESS}|15042021")
    assert (qr.cmnd, qr.full_name, qr.birth_date) == ("", "Trần Thị Bình", dt.date(1990, 3, 2))
    assert qr.issued_on == dt.date(2021, 4, 15)


@pytest.mark.parametrize(
    "text",
    [
        f"036090123456|012345678|NGUYỄN VĂN AN|01011990|Nam|{ADDRESS}|15042021|",
        f"036090123456|NGUYỄN VĂN AN|01011990|Nam|{ADDRESS}|15042021|",
        f"  036090123456|012345678|NGUYỄN VĂN AN|01011990|Nam|{ADDRESS}|15042021\n",
    ],
)
def test_a_trailing_separator_or_blank_is_ignored(text):
    qr = cccd_qr_parse(text)
    assert (qr.cccd, qr.full_name, qr.issued_on) == (
        "036090123456",
        "Nguyễn Văn An",
        dt.date(2021, 4, 15),
    )


def test_a_name_in_decomposed_unicode_is_composed():
    decomposed = "NGUYE\u0302\u0303N VA\u0306N AN"
    qr = cccd_qr_parse(f"036090123456||{decomposed}|01011990|Nam|{ADDRESS}|15042021")
    assert qr.full_name == "Nguyễn Văn An"


@pytest.mark.parametrize(
    "text",
    [
        "036090123456",
        "03609012345|012345678|NGUYỄN VĂN AN|01011990|Nam|x|15042021",  # 11 digits
        "036090123456|012345678|NGUYỄN VĂN AN|31021990|Nam|x|15042021",  # no 31 February
        "036090123456|012345678|NGUYỄN VĂN AN|01011990|Khác|x|15042021",
        "036090123456|012345678||01011990|Nam|x|15042021",
        "036090123456|012345678|NGUYỄN VĂN AN|01011990|Nam|x|15042021|extra|more",
    ],
)
def test_a_string_that_is_not_a_card_is_refused_with_its_code(text):
    with pytest.raises(ValidationError) as refused:
        cccd_qr_parse(text)
    assert refused.value.code == "cccd_qr_invalid"


def test_only_a_string_with_separators_is_taken_for_a_qr_code():
    assert is_cccd_qr("036090123456||A|01011990|Nam|x|15042021")
    assert not is_cccd_qr("036090123456")
    assert not is_cccd_qr("nguyen van an")
