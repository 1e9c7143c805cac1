"""Property tests: any NIK built from a real date, sex and Berau kecamatan parses back to
them, whatever a spreadsheet or a person adds around it; anything else is refused, never crashes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from clients.nik import clean_number, make_nik, parse_kk, parse_nik

TODAY = datetime.date(2026, 11, 28)
KECAMATAN = [f"64.03.{n:02d}" for n in range(1, 14)]


@settings(max_examples=300, deadline=None)
@given(
    kecamatan=st.sampled_from(KECAMATAN),
    birth=st.dates(min_value=datetime.date(1926, 11, 29), max_value=TODAY),  # two digits of year: a century
    sex=st.sampled_from("LP"),
    serial=st.integers(min_value=1, max_value=9999),
    wrapper=st.sampled_from(["{}", " {} ", "'{}", "{}.0"]),
)
def test_a_built_nik_parses_back_to_its_parts(kecamatan, birth, sex, serial, wrapper):
    nik = make_nik(kecamatan_code=kecamatan, birth_date=birth, sex=sex, serial=serial)
    info = parse_nik(wrapper.format(nik), today=TODAY)
    assert info.nik == nik
    assert info.sex == sex
    assert info.birth_date == birth
    assert info.region_code == kecamatan


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=30))
def test_any_text_either_parses_or_raises_a_validation_error(text):
    try:
        info = parse_nik(text, today=TODAY)
    except ValidationError as error:
        assert error.messages and error.code
    else:
        assert len(info.nik) == 16 and info.nik.isdigit()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789 .'-", max_size=24))
def test_kk_numbers_are_16_digits_after_cleaning_or_refused(text):
    try:
        kk = parse_kk(text)
    except ValidationError:
        assert len(clean_number(text)) != 16 or not clean_number(text).isdigit()
    else:
        assert len(kk) == 16 and kk == clean_number(text)


@pytest.mark.parametrize("number", ["6.40305E+15", "6,40305E+15", "6403055E+9"])
def test_scientific_notation_is_never_mistaken_for_a_nik(number):
    with pytest.raises(ValidationError):
        parse_nik(number, today=TODAY)
