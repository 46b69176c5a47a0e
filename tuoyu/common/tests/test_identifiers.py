import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuoyu.common.identifiers import (
    CREDIT_CODE_ALPHABET,
    IdentifierError,
    credit_code_check_char,
    credit_code_normalize,
    resident_id_check_char,
    resident_id_mask,
    resident_id_normalize,
)

# The example of GB 11643-1999 itself. Digits × weights (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2):
#   1·7 + 1·9 + 0·10 + 1·5 + 0·8 + 5·4 + 1·2 + 9·1 + 4·6 + 9·3 + 7·1 + 2·9 + 3·10 + 1·5 + 0·8 + 0·4
#   + 2·2 = 167; 167 mod 11 = 2; "10X98765432"[2] = "X".
STANDARD_RESIDENT_ID = "11010519491231002X"

# The example code of GB 32100-2015, with M = 21 and Y = 30 in the alphabet 0–9 A–H J–N P–R T U W–Y.
# Characters × weights (1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28):
#   9·1 + 1·3 + 3·9 + 5·27 + 0·19 + 1·26 + 0·16 + 0·17 + 21·20 + 0·29 + 0·25 + 0·13 + 1·8 + 0·24
#   + 0·10 + 30·30 + 4·28 = 1640; 1640 mod 31 = 28; 31 − 28 = 3, so the check character is "3".
STANDARD_CREDIT_CODE = "91350100M000100Y43"


# Resident ID numbers (GB 11643) ---------------------------------------------------------------------


# 110105194912310038: the sequence digit 2 → 3 adds 1 × 2 to the sum, 169 mod 11 = 4 → "8".
# 331082199001010028: 21+27+10+0+64+8+2+9+54+0+0+9+0+5+0+0+4 = 213, 213 mod 11 = 4 → "8".
@pytest.mark.parametrize("number", [STANDARD_RESIDENT_ID, "110105194912310038", "331082199001010028"])
def test_a_valid_resident_id_number_normalises_to_itself(number: str) -> None:
    assert resident_id_normalize(number) == number


def test_the_check_character_of_the_standard_example_is_x() -> None:
    assert resident_id_check_char(STANDARD_RESIDENT_ID[:17]) == "X"


def test_a_lower_case_x_and_surrounding_spaces_are_accepted_and_normalised() -> None:
    assert resident_id_normalize(" 11010519491231002x ") == STANDARD_RESIDENT_ID


def test_a_wrong_check_digit_is_rejected_as_such() -> None:
    with pytest.raises(IdentifierError, match="校验位"):
        resident_id_normalize("110105194912310021")


@pytest.mark.parametrize("number", ["11010519491231002", "11010519491231002X0", "", "110105491231002"])
def test_a_number_of_the_wrong_length_is_rejected_with_its_length(number: str) -> None:
    with pytest.raises(IdentifierError, match=f"实际 {len(number)} 位"):
        resident_id_normalize(number)


@pytest.mark.parametrize(
    "number",
    [
        "1101051949123100XX",  # X only as the last character
        "11010519491231002A",
        "A1010519491231002X",
        "11010519491231-02X",
        "１１０１０５１９４９１２３１００２X",  # full-width digits would give another blind index
        "110105194912310²2X",  # "²".isdigit() is true, but int("²") fails
    ],
)
def test_letters_and_non_ascii_digits_are_rejected(number: str) -> None:
    with pytest.raises(IdentifierError, match="前 17 位应为数字"):
        resident_id_normalize(number)


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490001", "20230229", "00000101"])
def test_an_impossible_birth_date_is_rejected_as_such(birth: str) -> None:
    first17 = f"110105{birth}002"
    with pytest.raises(IdentifierError, match="出生日期"):
        resident_id_normalize(first17 + resident_id_check_char(first17))


def test_a_leap_day_is_a_possible_birth_date() -> None:
    first17 = "11010520240229002"
    assert resident_id_normalize(first17 + resident_id_check_char(first17)).startswith(first17)


def test_masking_keeps_the_first_four_and_the_last_four_characters() -> None:
    assert resident_id_mask(STANDARD_RESIDENT_ID) == "1101**********002X"


def test_masking_a_short_value_hides_all_of_it() -> None:
    assert resident_id_mask("12345678") == "********"


# Unified social credit codes (GB 32100) -------------------------------------------------------------


def test_the_standard_credit_code_is_valid() -> None:
    assert credit_code_check_char(STANDARD_CREDIT_CODE[:17]) == "3"
    assert credit_code_normalize(STANDARD_CREDIT_CODE) == STANDARD_CREDIT_CODE


def test_a_lower_case_credit_code_is_upper_cased() -> None:
    assert credit_code_normalize(" 91350100m000100y43 ") == STANDARD_CREDIT_CODE


def test_a_wrong_check_character_is_rejected_as_such() -> None:
    with pytest.raises(IdentifierError, match="校验位"):
        credit_code_normalize("91350100M000100Y44")


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_the_letters_i_o_z_s_and_v_are_rejected_by_name(letter: str) -> None:
    with pytest.raises(IdentifierError, match=f"无效字符 {letter} "):
        credit_code_normalize(f"91350100M000100{letter}43")


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y433", ""])
def test_a_credit_code_of_the_wrong_length_is_rejected_with_its_length(code: str) -> None:
    with pytest.raises(IdentifierError, match=f"实际 {len(code)} 位"):
        credit_code_normalize(code)


def test_a_division_code_with_a_letter_is_rejected_even_with_a_matching_check_character() -> None:
    first17 = "9135A100M000100Y4"
    with pytest.raises(IdentifierError, match="行政区划代码"):
        credit_code_normalize(first17 + credit_code_check_char(first17))


# Properties -----------------------------------------------------------------------------------------

DIGITS = "0123456789"


@st.composite
def resident_id_first17(draw: st.DrawFn) -> str:
    region = draw(st.text(DIGITS, min_size=6, max_size=6))
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
    sequence = draw(st.text(DIGITS, min_size=3, max_size=3))
    return f"{region}{birth:%Y%m%d}{sequence}"


@st.composite
def credit_code_first17(draw: st.DrawFn) -> str:
    authority = draw(st.text(CREDIT_CODE_ALPHABET, min_size=2, max_size=2))
    division = draw(st.text(DIGITS, min_size=6, max_size=6))
    subject = draw(st.text(CREDIT_CODE_ALPHABET, min_size=9, max_size=9))
    return authority + division + subject


def _replace(value: str, position: int, char: str) -> str:
    return value[:position] + char + value[position + 1 :]


@given(resident_id_first17())
def test_any_seventeen_digits_with_a_valid_date_and_their_check_character_are_a_valid_number(
    first17: str,
) -> None:
    number = first17 + resident_id_check_char(first17)
    assert resident_id_normalize(number) == number


@given(resident_id_first17(), st.integers(0, 17), st.sampled_from(DIGITS + "X"))
def test_changing_any_single_character_of_a_resident_id_number_makes_it_invalid(
    first17: str, position: int, char: str
) -> None:
    number = first17 + resident_id_check_char(first17)
    if char == number[position] or (char == "X" and position < 17):
        char = "0" if number[position] != "0" else "1"
    with pytest.raises(IdentifierError):
        resident_id_normalize(_replace(number, position, char))


@given(credit_code_first17())
def test_any_seventeen_characters_of_the_alphabet_and_their_check_character_are_a_valid_code(
    first17: str,
) -> None:
    code = first17 + credit_code_check_char(first17)
    assert credit_code_normalize(code) == code


@given(credit_code_first17(), st.integers(0, 17), st.sampled_from(CREDIT_CODE_ALPHABET))
def test_changing_any_single_character_of_a_credit_code_makes_it_invalid(
    first17: str, position: int, char: str
) -> None:
    code = first17 + credit_code_check_char(first17)
    if char == code[position]:
        char = CREDIT_CODE_ALPHABET[(CREDIT_CODE_ALPHABET.index(char) + 1) % len(CREDIT_CODE_ALPHABET)]
    with pytest.raises(IdentifierError):
        credit_code_normalize(_replace(code, position, char))
