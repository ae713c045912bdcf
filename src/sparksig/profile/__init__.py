"""Training-data profiles: statistics per column, row-level constraints and drift.

A :class:`Profile` (:mod:`sparksig.profile.model`) records what a model's training inputs looked
like; :mod:`sparksig.profile.constraints` turns it into row-level constraints (ranges, allowed
values, maximum lengths) users can declare, loosen or drop in code or YAML;
:mod:`sparksig.profile.drift` compares scoring data with it. A profile is built from pandas by
:func:`sparksig.profile.pandas.infer_profile` and from Spark by
``sparksig.spark.profiling.infer_profile``; it is stored as ``profile.json`` beside ``MLmodel``.

Importing this package loads neither numpy, pandas nor pyspark.
"""

from __future__ import annotations

from sparksig.profile.constraint_files import (
    ConstraintFile,
    apply_yaml,
    dump_yaml,
    load_yaml,
    loads_yaml,
)
from sparksig.profile.constraints import Constraint, Domain, MaxLength, Range, suggest
from sparksig.profile.drift import DriftReport, ObservedCounts, Thresholds, drift
from sparksig.profile.model import PROFILE_VERSION, ColumnProfile, Kind, Profile
from sparksig.profile.statistics import (
    HISTOGRAM_PROBABILITIES,
    QUANTILE_PROBABILITIES,
    TOP_CATEGORIES,
    Categories,
    Histogram,
    Lengths,
    Quantiles,
    bin_index,
    histogram_edges,
)

__all__ = [
    "HISTOGRAM_PROBABILITIES",
    "PROFILE_VERSION",
    "QUANTILE_PROBABILITIES",
    "TOP_CATEGORIES",
    "Categories",
    "ColumnProfile",
    "Constraint",
    "ConstraintFile",
    "Domain",
    "DriftReport",
    "Histogram",
    "Kind",
    "Lengths",
    "MaxLength",
    "ObservedCounts",
    "Profile",
    "Quantiles",
    "Range",
    "Thresholds",
    "apply_yaml",
    "bin_index",
    "drift",
    "dump_yaml",
    "histogram_edges",
    "load_yaml",
    "loads_yaml",
    "suggest",
]
