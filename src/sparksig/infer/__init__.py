"""Signature inference from pandas, numpy and Python values, and param inference.

The public entry points live in :mod:`sparksig.infer.api` and are re-exported lazily by
``sparksig`` (``sparksig.infer_signature``, ``sparksig.infer_schema``). Spark DataFrames are
handled by :mod:`sparksig.spark.infer`.
"""
