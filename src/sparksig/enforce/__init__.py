"""The enforcement engine: MLflow's rules, written once, run on pandas and Arrow batches.

- :mod:`~sparksig.enforce.api` — ``enforce_schema`` and ``enforce_params`` (public).
- :mod:`~sparksig.enforce.plan` — ``compile_plan(schema)`` -> picklable ``Plan`` with
  ``enforce`` (convert or raise) and ``check`` (collect violations per batch).
- :mod:`~sparksig.enforce.rules` — lossless scalar conversions (numpy, pandas, Arrow).
- :mod:`~sparksig.enforce.nested` — arrays, objects, maps checked on Arrow offsets/children.
- :mod:`~sparksig.enforce.object_columns` — pandas columns of lists/dicts handed to Arrow.
- :mod:`~sparksig.enforce.inputs`, :mod:`~sparksig.enforce.tensors`,
  :mod:`~sparksig.enforce.params`, :mod:`~sparksig.enforce.findings`.

Nothing is imported here, so ``import sparksig.enforce`` stays free of pandas and pyarrow.
"""
