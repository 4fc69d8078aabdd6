"""Cell and row references found in worksheet XML by numpy, without parsing it: which must be read exactly
(unusual spellings, or possibly beyond the limits), the largest row and column the plain ones name, and the
`<c>` and `<row>` elements without a reference (the reader places those by counting)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

#: An `r` attribute in every spelling an XML parser accepts: white space around '=', either quote. The value
#: is taken whole (up to 256 characters) and parsed apart, so no spelling of it is ever skipped.
REF_ATTRIBUTE_RE = re.compile(rb"r[ \t\r\n]*=[ \t\r\n]*(?:\"([^\"<]{0,256})\"|'([^'<]{0,256})')")

#: A reference value the reader places: column letters (either case, none for a row) and a row number
#: (leading zeros allowed, as the reader reads them).
REF_VALUE_RE = re.compile(rb"([A-Za-z]*)([0-9]+)")

#: The local name of the element an attribute sits in (after '<', an optional prefix).
ELEMENT_NAME_RE = re.compile(rb"(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")

XML_SPACE = b" \t\r\n"


def _table(characters: str) -> np.ndarray:
    """A lookup table over byte values: True for `characters` (indexing it beats np.isin by far)."""
    table = np.zeros(256, dtype=bool)
    table[[ord(c) for c in characters]] = True
    return table


_SPACE = _table(" \t\r\n")
_DELIMITER = _table(" \t\r\n/>")


@dataclass
class References:
    """What `references` finds in one buffer."""

    exact: np.ndarray  # offsets of `r` attributes to read exactly in Python (see `references`)
    rows: int  # the largest row the other references name (1-based, 0 when none)
    cols: int  # the largest column the other references name (1-based, 0 when none)
    attributes: np.ndarray  # offsets of every `r` attribute name (preceded by white space)


def _is_space(codes: np.ndarray) -> np.ndarray:
    return _SPACE[codes]


def _is_letter(codes: np.ndarray) -> np.ndarray:
    lowered = codes | 32
    return (lowered >= ord("a")) & (lowered <= ord("z"))


def _is_digit(codes: np.ndarray) -> np.ndarray:
    return (codes >= ord("0")) & (codes <= ord("9"))


def references(buffer: bytes, letters: int, digits: int) -> References:
    """The `r` attributes of `buffer`: which to read exactly, and the largest row and column of the others.

    An `r` attribute is an 'r' after white space, followed by '=' (or white space, then '='). The plain
    spelling every writer uses, `r="AB123"` / `r='ab123'` with at most three letters and a row of one to
    eight digits without a leading zero, closed by its quote, is read here in place: the largest row and
    column it names. Every other one is returned in `exact`, to be read in Python: white space around
    '=', leading zeros, long runs, character references or anything else in the value, and references with
    at least `letters` column letters or `digits` row digits (which may lie beyond the limits).

    Vectorised with numpy, which releases the GIL: the scan runs beside the native reader and the
    parsing instead of holding the interpreter.
    """
    most_letters, most_digits = max(3, letters) + 1, max(8, digits) + 1
    codes = np.frombuffer(buffer + bytes(most_letters + most_digits + 4), dtype=np.uint8)
    count = len(buffer)
    at = np.flatnonzero(codes[:count] == ord("r"))
    at = at[at > 0]
    at = at[_is_space(codes[at - 1])]
    following = codes[at + 1]
    spaced = _is_space(following)
    attributes = at[(following == ord("=")) | spaced]
    if not len(attributes):
        return References(attributes, 0, 0, attributes)
    quote = codes[attributes + 2]
    plain = (codes[attributes + 1] == ord("=")) & ((quote == ord('"')) | (quote == ord("'")))
    starts = attributes + 3
    letter_count = _run_length(codes, starts, most_letters, _is_letter)
    digit_count = _run_length(codes, starts + letter_count, most_digits, _is_digit)
    closing = codes[starts + letter_count + digit_count]
    plain &= (
        (closing == quote)
        & (letter_count < letters)
        & (digit_count >= 1)
        & (digit_count < min(digits, 9))
        & (codes[starts + letter_count] != ord("0"))
    )
    exact = attributes[~plain]
    if not plain.any():
        return References(exact, 0, 0, attributes)
    letter_count, digit_count, starts = letter_count[plain], digit_count[plain], starts[plain]
    col = _largest(codes, starts, letter_count, lambda code: (int(code) | 32) - ord("a") + 1, 26)
    row = _largest(codes, starts + letter_count, digit_count, lambda code: int(code) - ord("0"), 10)
    return References(exact, row, col, attributes)


def _run_length(
    codes: np.ndarray, starts: np.ndarray, most: int, accepts: Callable[[np.ndarray], np.ndarray]
) -> np.ndarray:
    """How many characters from each start `accepts` in a row (at most `most`)."""
    length = np.zeros(len(starts), dtype=np.int64)
    active = np.ones(len(starts), dtype=bool)
    for k in range(most):
        active &= accepts(codes[starts + k])
        if not active.any():
            break
        length += active
    return length


def _largest(codes: np.ndarray, starts: np.ndarray, lengths: np.ndarray, digit: Callable[[int], int], base: int) -> int:
    """The largest number written at `starts` (`lengths` digits of `base`, no leading zero), found by
    narrowing: most digits first, then the largest digit at each place (no full parse of every number)."""
    most = int(lengths.max())
    if most == 0:
        return 0
    chosen = starts[lengths == most]
    value = 0
    for k in range(most):
        place = codes[chosen + k] | 32 if base == 26 else codes[chosen + k]
        top = place.max()
        chosen = chosen[place == top]
        value = value * base + digit(top)
    return value


def _element_starts(codes: np.ndarray, opens: np.ndarray, name: bytes) -> np.ndarray:
    """The offsets in `opens` (of '<') that start an element called `name` (prefix included)."""
    for k, byte in enumerate(name, 1):  # narrowed byte by byte: most '<' are gone after the first
        opens = opens[codes[opens + k] == byte]
    return opens[_DELIMITER[codes[opens + len(name) + 1]]]


@dataclass
class Implicit:
    """Elements without a reference in one buffer: the reader places each one after the one before it."""

    rows: int  # <row> elements without `r`
    most_cells: int  # the most <c> elements without `r` in one row (the open row carried in included)
    open_row_cells: int  # <c> elements without `r` in the buffer's last row (carried into the next buffer)


def _without_reference(
    codes: np.ndarray, starts: np.ndarray, name_length: int, attributes: np.ndarray, closes: Callable[[], np.ndarray]
) -> np.ndarray:
    """The element starts among `starts` whose tag holds no `r` attribute (of those at `attributes`)."""
    # The spelling every writer uses, `<c r=` / `<row r=`, answered in place; any other tag is looked at whole.
    after = starts + name_length + 1
    plain = _is_space(codes[after]) & (codes[after + 1] == ord("r")) & (codes[after + 2] == ord("="))
    others = starts[~plain]
    if not len(others):
        return others
    ends = np.append(closes(), len(codes))[np.searchsorted(closes(), others)]
    first = np.append(attributes, len(codes))[np.searchsorted(attributes, others)]
    return others[first >= ends]


def implicit(buffer: bytes, attributes: np.ndarray, prefix: bytes, carried: int) -> Implicit:
    """The `<row>` and `<c>` elements of `buffer` that carry no `r` attribute (at `attributes`).

    The reader places such a row after the row before it, and such a cell after the cell before it in its
    row: the rows bound the extent by their count, the cells by their most in one row. `carried` is the
    count of the row left open by the buffer before (its cells continue here until the first row starts).
    """
    size = 8 + len(prefix)
    codes = np.frombuffer(buffer + bytes(size), dtype=np.uint8)
    opens = np.flatnonzero(codes[: len(buffer)] == ord("<"))
    rows = _element_starts(codes, opens, prefix + b"row")
    cells = _element_starts(codes, opens, prefix + b"c")
    found: list[np.ndarray] = []

    def closes() -> np.ndarray:
        if not found:
            found.append(np.flatnonzero(codes[: len(buffer)] == ord(">")))
        return found[0]

    implicit_rows = _without_reference(codes, rows, len(prefix) + 3, attributes, closes)
    implicit_cells = _without_reference(codes, cells, len(prefix) + 1, attributes, closes)
    if not len(implicit_cells):
        return Implicit(len(implicit_rows), carried, 0 if len(rows) else carried)
    per_row = np.bincount(np.searchsorted(rows, implicit_cells), minlength=len(rows) + 1)
    per_row[0] += carried
    return Implicit(len(implicit_rows), int(per_row.max()), int(per_row[-1]))
