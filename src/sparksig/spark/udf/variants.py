"""Spark ``variant`` values (a signature's ``any``) as Arrow sends them, turned into Python values.

Arrow carries a ``VariantType`` value as ``struct<value: binary, metadata: binary>``: Spark's
binary variant encoding, whose ``metadata`` holds the object keys. A model whose input is
``any`` expects what the variant holds, JSON-like Python values, so the scoring UDF decodes
them before the model sees the batch:

* objects -> ``dict``, arrays -> ``list``, strings, booleans, ``None``;
* integers -> ``int``, floats and doubles -> ``float``; decimals (how ``parse_json`` stores a
  JSON number with a fraction) -> ``int`` when their scale is 0, else ``float``, as
  ``json.loads`` reads the same JSON;
* dates, timestamps and binary, which JSON cannot hold, keep their Python types
  (``datetime.date``, ``datetime.datetime`` in UTC, or naive for ``timestamp_ntz``, ``bytes``).

Cost: decoding is a Python loop over values (each variant is its own small binary document),
about 1 µs for a scalar and a few µs for a small object, several times faster than
``pyspark.sql.variant_utils.VariantUtils.to_python``. Object keys are read once per distinct
``metadata`` value (rows written by the same ``parse_json`` shape share one). Encodings this
module does not know fall back to pyspark's decoder, value by value.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Callable
from typing import Any

import pyarrow as pa

__all__ = ["decode", "decode_array", "has_variant", "is_variant", "to_python"]

_EPOCH_DATE = dt.date(1970, 1, 1)
_EPOCH_NTZ = dt.datetime(1970, 1, 1)
_EPOCH_UTC = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def is_variant(t: pa.DataType) -> bool:
    """Whether an Arrow type is Spark's variant encoding (two binary fields, value and metadata).

    Examples:
        >>> is_variant(pa.struct([("value", pa.binary()), ("metadata", pa.binary())]))
        True
        >>> is_variant(pa.struct([("value", pa.binary())]))
        False
    """
    if not pa.types.is_struct(t) or t.num_fields != 2:
        return False
    names = {t.field(i).name: t.field(i).type for i in range(2)}
    return set(names) == {"value", "metadata"} and all(
        pa.types.is_binary(x) or pa.types.is_large_binary(x) for x in names.values()
    )


def has_variant(t: pa.DataType) -> bool:
    """Whether a variant occurs anywhere in an Arrow type (in structs, lists or maps)."""
    if is_variant(t):
        return True
    if pa.types.is_struct(t):
        return any(has_variant(t.field(i).type) for i in range(t.num_fields))
    if pa.types.is_map(t):
        return has_variant(t.item_type)
    if _is_list(t):
        return has_variant(t.value_type)
    return False


def to_python(arr: pa.Array) -> list[Any]:
    """Python values of an array holding variants, decoded wherever they occur.

    Structs become dicts, lists lists and maps dicts; everything else is what
    ``Array.to_pylist`` gives.

    Examples:
        >>> t = pa.struct([("value", pa.binary()), ("metadata", pa.binary())])
        >>> five = {"value": b"\\x0c\\x05", "metadata": b"\\x01\\x00\\x00"}
        >>> to_python(pa.array([[five], None], type=pa.list_(t)))
        [[5], None]
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    if is_variant(t):
        return decode_array(arr)
    if not has_variant(t):
        return arr.to_pylist(maps_as_pydicts="strict")
    valid = arr.is_valid().to_pylist()
    if pa.types.is_struct(t):
        names = [t.field(i).name for i in range(t.num_fields)]
        columns = [to_python(c) for c in arr.flatten()]
        return [dict(zip(names, row)) if ok else None for ok, row in zip(valid, zip(*columns))]
    if pa.types.is_fixed_size_list(t):
        size = t.list_size
        offsets = [i * size for i in range(len(arr) + 1)]
        values = to_python(arr.values.slice(arr.offset * size, len(arr) * size))
    else:
        # .values / .keys / .items ignore the slice: cut the used range out of them
        raw = arr.offsets.to_pylist()
        start = raw[0]
        offsets = [o - start for o in raw]
        span = raw[-1] - start
        if pa.types.is_map(t):
            keys = arr.keys.slice(start, span).to_pylist()
            items = to_python(arr.items.slice(start, span))
            return [
                dict(zip(keys[a:b], items[a:b])) if ok else None
                for ok, a, b in zip(valid, offsets, offsets[1:])
            ]
        values = to_python(arr.values.slice(start, span))
    return [values[a:b] if ok else None for ok, a, b in zip(valid, offsets, offsets[1:])]


def _is_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)


def decode_array(arr: pa.Array) -> list[Any]:
    """Every variant of an Arrow variant array as a Python value (null -> ``None``).

    Examples:
        >>> t = pa.struct([("value", pa.binary()), ("metadata", pa.binary())])
        >>> five = {"value": b"\\x0c\\x05", "metadata": b"\\x01\\x00\\x00"}  # parse_json('5')
        >>> decode_array(pa.array([five, None], type=t))
        [5, None]
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    # flatten() honours the slice offset and turns null variants into null values
    values, metadata = arr.flatten()
    if arr.type.field(0).name != "value":
        values, metadata = metadata, values
    keys: dict[bytes, list[str]] = {}
    out: list[Any] = []
    for value, meta in zip(values.to_pylist(), metadata.to_pylist()):
        if value is None:
            out.append(None)
            continue
        names = keys.get(meta)
        if names is None:
            names = keys[meta] = _keys(meta)
        out.append(_decode_or_fallback(value, meta, names))
    return out


def decode(value: bytes, metadata: bytes) -> Any:
    """One variant (its ``value`` and ``metadata`` bytes) as a Python value.

    Examples:
        >>> decode(b"\\x0d\\x68\\x69", b"\\x01\\x00\\x00")  # the JSON string "hi"
        'hi'
    """
    return _decode_or_fallback(value, metadata, _keys(metadata))


def _decode_or_fallback(value: bytes, metadata: bytes, keys: list[str]) -> Any:
    try:
        return _decode(value, 0, keys)
    except _Unknown:
        from pyspark.sql.variant_utils import VariantUtils

        return _jsonlike(VariantUtils.to_python(value, metadata))


class _Unknown(Exception):
    """An encoding this decoder does not handle (pyspark's decoder takes over)."""


def _keys(metadata: bytes) -> list[str]:
    """The key dictionary of a variant's metadata."""
    size = ((metadata[0] >> 6) & 0x3) + 1
    count = int.from_bytes(metadata[1 : 1 + size], "little")
    offsets = [
        int.from_bytes(metadata[1 + (i + 1) * size : 1 + (i + 2) * size], "little")
        for i in range(count + 1)
    ]
    start = 1 + (count + 2) * size
    return [
        metadata[start + offsets[i] : start + offsets[i + 1]].decode("utf-8") for i in range(count)
    ]


def _uint(v: bytes, pos: int, size: int) -> int:
    return v[pos] if size == 1 else int.from_bytes(v[pos : pos + size], "little")


def _decode(v: bytes, pos: int, keys: list[str]) -> Any:
    header = v[pos]
    basic, info = header & 0x3, header >> 2
    if basic == 1:  # short string: the length is in the header
        return v[pos + 1 : pos + 1 + info].decode("utf-8")
    if basic == 0:
        read = _PRIMITIVES.get(info)
        if read is None:
            raise _Unknown(info)
        return read(v, pos + 1)
    if basic == 2:  # object: size, key ids, offsets, then the values
        size_bytes = 4 if (info >> 4) & 0x1 else 1
        id_size, offset_size = ((info >> 2) & 0x3) + 1, (info & 0x3) + 1
        n = _uint(v, pos + 1, size_bytes)
        ids = pos + 1 + size_bytes
        offsets = ids + n * id_size
        data = offsets + (n + 1) * offset_size
        if id_size == 1 and offset_size == 1:
            return {keys[v[ids + i]]: _decode(v, data + v[offsets + i], keys) for i in range(n)}
        return {
            keys[_uint(v, ids + i * id_size, id_size)]: _decode(
                v, data + _uint(v, offsets + i * offset_size, offset_size), keys
            )
            for i in range(n)
        }
    # array: size, offsets, then the elements
    size_bytes = 4 if (info >> 2) & 0x1 else 1
    offset_size = (info & 0x3) + 1
    n = _uint(v, pos + 1, size_bytes)
    offsets = pos + 1 + size_bytes
    data = offsets + (n + 1) * offset_size
    if offset_size == 1:
        return [_decode(v, data + v[offsets + i], keys) for i in range(n)]
    return [
        _decode(v, data + _uint(v, offsets + i * offset_size, offset_size), keys) for i in range(n)
    ]


def _decimal(width: int) -> Callable[[bytes, int], int | float]:
    def read(v: bytes, pos: int) -> int | float:
        scale = v[pos]
        unscaled = int.from_bytes(v[pos + 1 : pos + 1 + width], "little", signed=True)
        return unscaled if scale == 0 else unscaled / 10**scale

    return read


def _unpack(fmt: str) -> Callable[[bytes, int], Any]:
    unpack = struct.Struct(fmt).unpack_from
    return lambda v, pos: unpack(v, pos)[0]


def _binary(v: bytes, pos: int) -> bytes:
    n = _uint(v, pos, 4)
    return bytes(v[pos + 4 : pos + 4 + n])


_INT32 = _unpack("<i")
_INT64 = _unpack("<q")
_PRIMITIVES: dict[int, Callable[[bytes, int], Any]] = {
    0: lambda v, pos: None,
    1: lambda v, pos: True,
    2: lambda v, pos: False,
    3: _unpack("<b"),
    4: _unpack("<h"),
    5: _INT32,
    6: _INT64,
    7: _unpack("<d"),
    8: _decimal(4),
    9: _decimal(8),
    10: _decimal(16),
    11: lambda v, pos: _EPOCH_DATE + dt.timedelta(days=_INT32(v, pos)),
    12: lambda v, pos: _EPOCH_UTC + dt.timedelta(microseconds=_INT64(v, pos)),
    13: lambda v, pos: _EPOCH_NTZ + dt.timedelta(microseconds=_INT64(v, pos)),
    14: _unpack("<f"),
    15: _binary,
    16: lambda v, pos: _binary(v, pos).decode("utf-8"),
}


def _jsonlike(value: Any) -> Any:
    """pyspark's decoded value with decimals read as JSON numbers, like the fast path."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    if isinstance(value, list):
        return [_jsonlike(x) for x in value]
    if isinstance(value, dict):
        return {k: _jsonlike(x) for k, x in value.items()}
    return value
