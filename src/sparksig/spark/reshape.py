"""Cast a column to a signature's Spark type, matching struct fields by name (lossless).

Used by every router to give the valid half the signature's types; the checks have already
refused anything a cast would lose.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.spark.check.sql import field_of
from sparksig.spark.convert import is_vector_udt

__all__ = ["nullable", "reshape"]


def reshape(expr: Column, source: T.DataType, target: T.DataType) -> Column:
    """``expr`` (of Spark type ``source``) as ``target``, matching struct fields **by name**.

    Spark's own cast pairs struct fields by position, which would swap the values of a
    struct whose fields come in another order; here every level is rebuilt: struct fields
    looked up by name (a missing optional property becomes null), arrays and maps element by
    element, a struct standing for a map turned into a map of its non-null fields (a null
    field is an absent key, as MLflow reads it), Spark ML vectors made dense, and scalars
    cast losslessly (the check already refused anything lossy).
    """
    if is_vector_udt(source):
        from pyspark.ml.functions import vector_to_array

        dense = F.when(expr.isNotNull(), vector_to_array(expr))
        return dense if isinstance(target, T.ArrayType) else dense.cast(nullable(target))
    if isinstance(target, T.VariantType) or _same(source, target):
        return expr
    if isinstance(target, T.StructType) and isinstance(source, T.StructType):
        present = {f.name: f for f in source.fields}
        fields = [
            reshape(field_of(expr, source, f.name), present[f.name].dataType, f.dataType)
            if f.name in present
            else F.lit(None).cast(nullable(f.dataType))
            for f in target.fields
        ]
        named = [c.alias(f.name) for c, f in zip(fields, target.fields)]
        return F.when(expr.isNotNull(), F.struct(*named))
    if isinstance(target, T.ArrayType) and isinstance(source, T.ArrayType):
        return F.transform(expr, lambda x: reshape(x, source.elementType, target.elementType))
    if isinstance(target, T.MapType) and isinstance(source, T.MapType):
        values = F.transform_values(
            expr, lambda _, v: reshape(v, source.valueType, target.valueType)
        )
        return values.cast(nullable(target))
    if isinstance(target, T.MapType) and isinstance(source, T.StructType):
        entries = []
        for f in source.fields:
            value = field_of(expr, source, f.name)
            entries += [F.lit(f.name), reshape(value, f.dataType, target.valueType)]
        as_map = F.map_filter(F.create_map(*entries), lambda _, v: v.isNotNull())
        return F.when(expr.isNotNull(), as_map)
    return expr.cast(nullable(target))


def _same(source: T.DataType, target: T.DataType) -> bool:
    """Equal types, nullability aside (no rebuilding needed)."""
    return nullable(source) == nullable(target)


def nullable(t: T.DataType) -> T.DataType:
    """``t`` with every nested field nullable: Spark refuses casts that tighten nullability.

    The conformed frame's non-null guarantee comes from the row check, not from Spark's
    (advisory) nullability flags.
    """
    if isinstance(t, T.StructType):
        return T.StructType([T.StructField(f.name, nullable(f.dataType), True) for f in t.fields])
    if isinstance(t, T.ArrayType):
        return T.ArrayType(nullable(t.elementType), True)
    if isinstance(t, T.MapType):
        return T.MapType(t.keyType, nullable(t.valueType), True)
    return t
