"""The UDF wing: a model wrapped in a Spark pandas UDF that enforces its signature on executors.

- :mod:`.scoring` — :func:`~.scoring.spark_udf` and :func:`~.scoring.resolve_model`.
- :mod:`.arguments` — a call's columns bound to the signature's inputs
  (:class:`~.arguments.ArgumentBinding`).
- :mod:`.enforcer` — the per-batch input enforcer (:class:`~.enforcer.InputEnforcer`).
- :mod:`.outputs` — a model's output checked and converted to the UDF's result type.
- :mod:`.vectors`, :mod:`.variants` — Spark ML vectors and ``VARIANT`` values on the wire.

The public verbs live one level up, in :mod:`sparksig.spark`.
"""
