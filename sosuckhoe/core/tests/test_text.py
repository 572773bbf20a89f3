"""Folding text: the one-translate path gives what the NFD path gives, for any text."""

from hypothesis import given
from hypothesis import strategies as st

from sosuckhoe.core.text import _fold_slow, fold

VIETNAMESE = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵ"
)


def test_a_vietnamese_name_folds_to_plain_lower_case_letters():
    assert fold("Nguyễn  Thị ĐÀO ") == "nguyen thi dao"
    assert fold("Trương Vĩnh Ký") == "truong vinh ky"


def test_text_with_loose_combining_marks_takes_the_full_path():
    assert fold("Nguye\u0302\u0303n") == "nguyen"  # NFD, as some exports write it


@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " \t-'.0123456789"))
def test_folding_vietnamese_agrees_with_decomposition(text):
    assert fold(text) == _fold_slow(text)


@given(st.text())
def test_folding_any_text_agrees_with_decomposition(text):
    assert fold(text) == _fold_slow(text)
