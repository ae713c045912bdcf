"""Spark ML vectors as Arrow sends them, turned into dense ``list<double>`` without row loops.

Arrow carries a ``VectorUDT`` value as its SQL form ``struct<type, size, indices, values>``:
``type`` 1 is dense (``values`` holds everything), 0 is sparse (``size`` slots, non-zeros at
``indices``). :func:`densify` scatters all rows at once with numpy; :func:`dense_vectors` does
it for vectors at any depth (inside structs, arrays and maps), through :func:`replace_leaves`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "contains",
    "dense_vectors",
    "densify",
    "has_vector",
    "is_vector_struct",
    "replace_leaves",
]

_FIELDS = ("type", "size", "indices", "values")


def is_vector_struct(t: pa.DataType) -> bool:
    """Whether an Arrow type is the SQL form of a Spark ML vector."""
    return pa.types.is_struct(t) and tuple(t.field(i).name for i in range(t.num_fields)) == _FIELDS


def densify(arr: pa.StructArray) -> pa.ListArray:
    """Dense ``list<double>`` of each vector; null vectors stay null.

    Examples:
        >>> sparse = {"type": 0, "size": 3, "indices": [2], "values": [5.0]}
        >>> dense = {"type": 1, "size": None, "indices": None, "values": [1.0, 2.0]}
        >>> t = pa.struct([("type", pa.int8()), ("size", pa.int32()),
        ...                ("indices", pa.list_(pa.int32())), ("values", pa.list_(pa.float64()))])
        >>> densify(pa.array([sparse, dense, None], type=t)).to_pylist()
        [[0.0, 0.0, 5.0], [1.0, 2.0], None]
    """
    # flatten() (unlike field()) honours the array's slice offset.
    kind_arr, size_arr, indices, values = arr.flatten()
    kind = kind_arr.fill_null(1).to_numpy(zero_copy_only=False)
    value_counts = pc.list_value_length(values).fill_null(0).to_numpy(zero_copy_only=False)
    sizes = size_arr.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    sparse = kind == 0
    lengths = np.where(sparse, sizes, value_counts).astype(np.int64)
    offsets = np.zeros(len(arr) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    out = np.zeros(int(offsets[-1]), dtype=np.float64)
    flat_values = pc.list_flatten(values).to_numpy(zero_copy_only=False)
    parents = pc.list_parent_indices(values).to_numpy(zero_copy_only=False)
    if len(flat_values):
        # Position of each stored value inside its row: its index for sparse rows, its rank
        # within the list for dense rows.
        value_offsets = values.offsets.to_numpy()
        rank = np.arange(len(flat_values)) - (value_offsets[:-1] - value_offsets[0])[parents]
        local = rank.copy()
        sparse_values = sparse[parents]
        if sparse_values.any():
            flat_indices = pc.list_flatten(indices).to_numpy(zero_copy_only=False)
            local[sparse_values] = flat_indices
        out[offsets[parents] + local] = flat_values
    mask = arr.is_null().to_numpy(zero_copy_only=False)
    return pa.ListArray.from_arrays(
        pa.array(offsets.astype(np.int32)), pa.array(out), mask=pa.array(mask)
    )


def contains(t: pa.DataType, leaf: Callable[[pa.DataType], bool]) -> bool:
    """Whether a type matching ``leaf`` occurs anywhere in ``t`` (in structs, lists or maps)."""
    if leaf(t):
        return True
    if pa.types.is_struct(t):
        return any(contains(t.field(i).type, leaf) for i in range(t.num_fields))
    if pa.types.is_map(t):
        return contains(t.item_type, leaf)
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return contains(t.value_type, leaf)
    return False


def replace_leaves(
    arr: pa.Array, leaf: Callable[[pa.DataType], bool], fn: Callable[[pa.Array], pa.Array]
) -> pa.Array:
    """``arr`` with ``fn`` applied to every child array whose type matches ``leaf``.

    Structs, lists and maps are rebuilt around the new children (their nulls kept); each
    ``fn`` call sees one whole child array, so the work stays vectorised at every depth.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    if leaf(t):
        return fn(arr)
    if not contains(t, leaf):
        return arr
    mask = arr.is_null() if arr.null_count else None
    if pa.types.is_struct(t):
        children = [replace_leaves(c, leaf, fn) for c in arr.flatten()]
        names = [t.field(i).name for i in range(t.num_fields)]
        return pa.StructArray.from_arrays(children, names=names, mask=mask)
    # .offsets follow the slice and index into the whole, unsliced child array
    offsets = arr.offsets
    if pa.types.is_map(t):
        items = replace_leaves(arr.items, leaf, fn)
        return pa.MapArray.from_arrays(offsets, arr.keys, items, mask=mask)
    values = replace_leaves(arr.values, leaf, fn)
    if pa.types.is_large_list(t):
        return pa.LargeListArray.from_arrays(offsets, values, mask=mask)
    return pa.ListArray.from_arrays(offsets, values, mask=mask)


def has_vector(t: pa.DataType) -> bool:
    """Whether a vector occurs anywhere in an Arrow type (in structs, lists or maps)."""
    return contains(t, is_vector_struct)


def dense_vectors(arr: pa.Array) -> pa.Array:
    """``arr`` with every vector in it made dense, at any depth; nulls stay null.

    Examples:
        >>> t = pa.struct([("type", pa.int8()), ("size", pa.int32()),
        ...                ("indices", pa.list_(pa.int32())), ("values", pa.list_(pa.float64()))])
        >>> sparse = {"type": 0, "size": 2, "indices": [1], "values": [7.0]}
        >>> rows = pa.array([{"v": sparse}, None], type=pa.struct([("v", t)]))
        >>> dense_vectors(rows).to_pylist()
        [{'v': [0.0, 7.0]}, None]
    """
    return replace_leaves(arr, is_vector_struct, densify)
