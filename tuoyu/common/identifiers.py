"""Check digits of Chinese national identifiers.

* 居民身份证号码 (resident ID number), GB 11643-1999: ISO 7064 MOD 11-2, last character
  0–9 or X.
* 统一社会信用代码 (unified social credit code), GB 32100-2015: MOD 31 over a 31-character
  alphabet without I, O, Z, S and V.
* 手机号码 (mainland mobile number): 11 digits ``1[3-9]xxxxxxxxx``; no check digit, only
  the shape is checked.

Pure functions, no Django: forms, services, the importers and the demo generator share them.
"""

from __future__ import annotations

import datetime as dt
import re

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"

CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# [0-9], not \d: \d also matches full-width and other Unicode digits.
MOBILE_PHONE = re.compile(r"1[3-9][0-9]{9}")


class IdentifierError(ValueError):
    """An identifier is malformed; the message says what is wrong in plain words."""


def resident_id_check_char(first17: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are given."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK[total % 11]


def resident_id_normalize(value: str) -> str:
    """Return the ID number in canonical form (upper-case X) or raise IdentifierError."""
    number = value.strip().upper()
    if len(number) != 18:
        raise IdentifierError(f"居民身份证号码应为 18 位，实际 {len(number)} 位 / must be 18 characters")
    # isascii: str.isdigit() also accepts full-width and superscript digits ("１", "²").
    if not number.isascii() or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdentifierError("居民身份证号码前 17 位应为数字，末位为数字或 X / digits, last may be X")
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdentifierError("居民身份证号码中的出生日期无效 / the birth date in it is invalid") from None
    if resident_id_check_char(number[:17]) != number[17]:
        raise IdentifierError("居民身份证号码校验位错误 / wrong check digit (GB 11643)")
    return number


def name_mask(name: str) -> str:
    """The family name and a star per other character: 王小明 -> 王**."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def resident_id_mask(number: str) -> str:
    """Show the first four and last four characters only: 3310**********123X."""
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * weight
        for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_normalize(value: str) -> str:
    """Return the credit code upper-cased or raise IdentifierError."""
    code = value.strip().upper()
    if len(code) != 18:
        raise IdentifierError(f"统一社会信用代码应为 18 位，实际 {len(code)} 位 / must be 18 characters")
    bad = sorted({char for char in code if char not in CREDIT_CODE_ALPHABET})
    if bad:
        raise IdentifierError(
            f"统一社会信用代码含无效字符 {''.join(bad)} / invalid characters (I, O, Z, S, V are not used)"
        )
    if not code[2:8].isdigit():
        raise IdentifierError("统一社会信用代码第 3–8 位应为行政区划代码 / characters 3–8 must be digits")
    if credit_code_check_char(code[:17]) != code[17]:
        raise IdentifierError("统一社会信用代码校验位错误 / wrong check character (GB 32100)")
    return code


def phone_normalize(value: str) -> str:
    """Return a mainland mobile number as its 11 digits or raise IdentifierError.

    Spaces and hyphens are ignored, and a leading ``+86`` or ``86`` (the country code) is
    dropped: ``+86 138-0013-8000`` -> ``13800138000``.
    """
    number = re.sub(r"[\s-]", "", value)
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("86") and len(number) == 13:
        number = number[2:]
    if not MOBILE_PHONE.fullmatch(number):
        raise IdentifierError(
            "手机号码应为 11 位中国大陆手机号码，以 13–19 开头 / must be an 11-digit mainland mobile number"
        )
    return number
