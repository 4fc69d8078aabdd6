"""Cell and row references found in worksheet XML by numpy, without parsing it: which may lie beyond
the limits, and the largest row and column named (the rectangle the reader will hold)."""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

REF_AT_RE = re.compile(rb"r=[\"']([A-Za-z]*)0*(\d*)[\"']")


XML_SPACE = b" \t\r\n"


def _is_letter(codes: np.ndarray) -> np.ndarray:
    lowered = codes | 32
    return (lowered >= ord("a")) & (lowered <= ord("z"))


def _is_digit(codes: np.ndarray) -> np.ndarray:
    return (codes >= ord("0")) & (codes <= ord("9"))


def _is_zero(codes: np.ndarray) -> np.ndarray:
    return codes == ord("0")


def references(buffer: bytes, letters: int, digits: int) -> tuple[np.ndarray, int, int]:
    """Where the references in `buffer` may lie beyond the limits, and the largest row and column they name.

    Returns the offsets of `r="…"` / `r='…'` references with at least `letters` column letters (as many
    as the last allowed column has) or a row number of at least `digits` digits (cell `r="AB123456"`,
    row `r="123456"`): every such candidate is then checked exactly. And the largest row and column
    (1-based, 0 when none) named by the references preceded by white space, read in place (at most
    `max(3, letters)` letters and 8 digits; longer ones are candidates).

    Vectorised with numpy, which releases the GIL: the scan runs beside the native reader and the
    parsing instead of holding the interpreter (a regex over every reference did, at twice the time).
    The spelling every writer uses is matched (`r="A1"`, `r='a1'`); exotic ones the native reader
    also accepts (no `r`, spaces around '=') are caught on the grid it builds (loader,
    `sheet_grid_too_large`) inside the worker's memory limit.
    """
    most_letters, most_digits = max(3, letters), max(8, digits)
    codes = np.frombuffer(buffer + bytes(most_letters + most_digits + 3), dtype=np.uint8)
    count = len(buffer)
    quote = codes[2 : count + 2]
    found = (codes[:count] == ord("r")) & (codes[1 : count + 1] == ord("="))
    found &= (quote == ord('"')) | (quote == ord("'"))
    offsets = np.flatnonzero(found)
    if not len(offsets):
        return offsets, 0, 0
    letter_count = _run_length(codes, offsets + 3, most_letters, _is_letter)
    digit_count = _run_length(codes, offsets + 3 + letter_count, most_digits, _is_digit)
    candidates = offsets[(letter_count >= letters) | (digit_count >= digits)]
    before = codes[np.maximum(offsets - 1, 0)]
    spaced = (offsets > 0) & ((before == 32) | (before == 9) | (before == 10) | (before == 13))
    if not spaced.any():
        return candidates, 0, 0
    letter_count, digit_count = letter_count[spaced], digit_count[spaced]
    starts = offsets[spaced] + 3
    col = _largest(codes, starts, letter_count, lambda code: (int(code) | 32) - ord("a") + 1, 26)
    zeros = np.minimum(_run_length(codes, starts + letter_count, most_digits, _is_zero), digit_count)
    row = _largest(codes, starts + letter_count + zeros, digit_count - zeros, lambda code: int(code) - ord("0"), 10)
    return candidates, row, col


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
