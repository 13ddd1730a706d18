"""Application numbers: "ərizə nömrəm AZ-2026-000123", "заявка № 1234567", "#20260045".

Without a cue word only code-like tokens count: capital letters followed by at least five
digits ("MX1234567", "AZ-2026-000123"), or a long digit run that cannot be an Azerbaijani
phone number (those start with 0 or +994).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nlu.entities.vocabulary import has_digit
from nlu.types import Entity

_CUE = (
    r"(?:№|#|no\.|nomre[^\W\d_]*|номер[^\W\d_]*|nomer[^\W\d_]*|number|"
    r"erize[^\W\d_]*|заявк[^\W\d_]*|zayavk[^\W\d_]*|application|ref\.?)"
)
_CUED = re.compile(rf"{_CUE}\s*[:#№]?\s*(?P<number>[a-z]{{0,4}}[-/]?\d[\d/-]{{3,}}\d)(?![\w])")
_CODE = re.compile(r"(?<![\w+])(?P<number>[A-Z]{1,4}-?\d{4}(?:[-/]?\d+)+|[A-Z]{1,4}\d{5,})(?!\w)")
_LONG_DIGITS = re.compile(r"(?<![\w+.,/-])(?P<number>[1-9]\d{6,14})(?![\w.,/-])")


def find_application_numbers(original: str, folded: str) -> Iterator[Entity]:
    """Yield application-number entities; ``folded`` is ``fold_aligned(original)``."""
    if not has_digit(original):  # every pattern needs one
        return
    for pattern, text in ((_CUED, folded), (_CODE, original), (_LONG_DIGITS, original)):
        for match in pattern.finditer(text):
            start, end = match.span("number")
            written = original[start:end]
            yield Entity("application_number", "".join(written.split()), written, start, end)
