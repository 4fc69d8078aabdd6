"""Whole-column text operations on pandas Series, done in Arrow compute (C++), not per cell in Python.

The sheets are read as Arrow strings; these helpers keep them there for cleaning, matching and
number parsing, and fall back to the Python parsers only for the few distinct values that the
fast path does not recognise.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_PLAIN_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


def arrow(series: pd.Series) -> pa.Array:
    """The Series as one Arrow string array (zero-copy for Arrow-backed text)."""
    array = pa.array(series, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
        array = pa.array(series.astype("object").where(series.notna()), from_pandas=True, type=pa.string())
    return array


def to_series(array: pa.Array, index: pd.Index) -> pd.Series:
    out = array.to_pandas()
    out.index = index
    return out


# Characters stripped from both ends of every cell: whitespace, non-breaking and zero-width spaces, BOM.
_STRIPPED = " \t\n\r\x0b\x0c\u00a0\u2007\u202f\u200b\ufeff\u3000"


def clean(series: pd.Series) -> pd.Series:
    """Strip whitespace, non-breaking and zero-width spaces from both ends; empty text becomes missing."""
    if series.empty:
        return series.astype("str")
    return to_series(clean_array(arrow(series)), series.index)


def clean_array(array: pa.Array) -> pa.Array:
    """`clean` for an Arrow string array."""
    return _empty_as_missing(pc.utf8_trim(array, characters=_STRIPPED))


def _empty_as_missing(array: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, array.type), array)


def upper(series: pd.Series) -> pd.Series:
    return to_series(pc.utf8_upper(arrow(series)), series.index)


#: Characters that do not show: soft hyphen, zero-width spaces and joiners, direction marks and embeddings,
#: word joiner and invisible operators, byte-order mark. A code or a name typed with one looked like another.
INVISIBLE = "[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"


def codes(series: pd.Series) -> pd.Series:
    """Row and indicator codes as keys: upper-cased, characters that do not show dropped (seen: "RA-0\u200b1"
    published, and listed as "RA-01" beside the real RA-01); nothing left is missing."""
    if series.empty:
        return upper(series)
    array = pc.replace_substring_regex(pc.utf8_upper(arrow(series)), pattern=INVISIBLE, replacement="")
    return to_series(_empty_as_missing(array), series.index)


def isin(series: pd.Series, values: Iterable[str], *, upper_case: bool = False) -> np.ndarray:
    """Boolean mask: cell text (optionally upper-cased) is one of `values`; missing is False."""
    array = arrow(series)
    if upper_case:
        array = pc.utf8_upper(array)
    return isin_array(array, values)


def isin_array(array: pa.Array, values: Iterable[str]) -> np.ndarray:
    """Boolean mask: the cell's text is one of `values`; missing is False."""
    mask = pc.is_in(array, value_set=pa.array(list(values), type=array.type))
    return mask.to_numpy(zero_copy_only=False).astype(bool)


def equals(series: pd.Series, value: str) -> np.ndarray:
    return equals_array(arrow(series), value)


def equals_array(array: pa.Array, value: str) -> np.ndarray:
    """Boolean mask: the cell's text is `value`; missing is False."""
    mask = pc.equal(array, pa.scalar(value, array.type))
    return pc.fill_null(mask, False).to_numpy(zero_copy_only=False).astype(bool)


def present(array: pa.Array) -> np.ndarray:
    """Boolean mask: the cell holds text."""
    return pc.is_valid(array).to_numpy(zero_copy_only=False).astype(bool)


def filled(series: pd.Series) -> np.ndarray:
    """`present` for a Series (in Arrow: a pandas notna() costs more on a small sheet)."""
    return present(arrow(series))


def map_distinct(series: pd.Series, function: Callable[[str], Any]) -> pd.Series:
    """Apply `function` once per distinct non-empty text and spread the results (object Series)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    results = np.empty(len(uniques) + 1, dtype=object)
    results[:-1] = [function(value) for value in uniques]
    results[-1] = None
    return pd.Series(results[codes], index=series.index, dtype=object)


def numbers(series: pd.Series, fallback: Callable[[str], float | None]) -> tuple[pd.Series, pd.Series]:
    """(float values, mask of non-empty cells that are not numbers).

    Plain numbers ("3", "-2.5", "1e-7": how numeric cells arrive) are cast in Arrow; other text
    ("88,31", "75 %") goes once per distinct value through `fallback`.
    """
    array = arrow(series)
    plain = pc.fill_null(pc.match_substring_regex(array, _PLAIN_NUMBER), False)
    values = pc.cast(pc.if_else(plain, array, pa.scalar(None, array.type)), pa.float64())
    result = values.to_numpy(zero_copy_only=False).astype("float64")
    present = series.notna().to_numpy()
    rest = present & ~plain.to_numpy(zero_copy_only=False).astype(bool)
    if rest.any():
        parsed = map_distinct(series[rest], fallback)
        result[rest] = parsed.to_numpy(dtype=float, na_value=np.nan)
    result[~np.isfinite(result)] = np.nan
    failed = present & np.isnan(result)
    return pd.Series(result, index=series.index), pd.Series(failed, index=series.index)


def lookup(
    series: pd.Series, table: dict[str, int], fallback: Callable[[str], int | None]
) -> tuple[pd.Series, pd.Series]:
    """(Int64 values, mask of non-empty cells not found): exact `table` hits in Arrow, the rest by `fallback`."""
    array = arrow(series)
    keys = list(table)
    index = pc.index_in(array, value_set=pa.array(keys, type=array.type))
    codes = index.to_numpy(zero_copy_only=False)
    mapped = np.array([table[k] for k in keys] + [0], dtype="int64")
    hit = ~np.isnan(codes.astype("float64"))
    values = np.where(hit, mapped[np.nan_to_num(codes.astype("float64"), nan=len(keys)).astype("int64")], 0)
    result = pd.array(values, dtype="Int64")
    result[~hit] = pd.NA
    present = series.notna().to_numpy()
    rest = present & ~hit
    if rest.any():
        parsed = map_distinct(series[rest], fallback)
        result[rest] = pd.array(parsed.tolist(), dtype="Int64")
    out = pd.Series(result, index=series.index)
    return out, pd.Series(present & out.isna().to_numpy(), index=series.index)
