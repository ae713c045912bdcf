"""The check wing: what a table is checked against, and the two engines that check it.

- :mod:`.binding` — a signature bound to a DataFrame's schema (:class:`~.binding.TableBinding`):
  which column is which input, and the type verdicts that need no data.
- :mod:`.native` — the native engine's compiler: each data-level check as a Spark SQL
  expression over positional names (:class:`~.checks.Check`, :class:`~.checks.CheckSet`)
  and the SQL primitives they are written with (:mod:`.sql`).
- :mod:`.constraints` — a profile's row-level constraints (range, domain, length) as checks.
- :mod:`.summary` — every check counted, and examples collected, in one aggregation.
- :mod:`.arrow` — the Arrow reference engine, run on executors in ``mapInArrow``.
- :mod:`.reasons` — the ``array<struct<code, path>>`` reasons column rows are routed with.

The public verbs that use this wing live one level up, in :mod:`sparksig.spark`.
"""
