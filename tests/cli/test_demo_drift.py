"""``sparksig demo`` profiles its training table and shows the drifted column first."""

from __future__ import annotations

import re

import pyarrow.parquet as pq

from sparksig.cli.demo import DRIFTED, OUTPUTS, write_sample_tables
from sparksig.profile import Profile


def test_only_the_drifted_column_moved_between_the_sample_tables(tmp_path):
    reference, incoming = write_sample_tables(str(tmp_path))
    old, new = pq.read_table(reference), pq.read_table(incoming)
    ratio = (
        new.column(DRIFTED).drop_null().to_numpy().mean()
        / old.column(DRIFTED).drop_null().to_numpy().mean()
    )
    assert ratio > 1.5  # e^0.5 = 1.65: the incomes moved up
    assert new.column("age").null_count == 23  # the planted nulls are unchanged


def test_the_demo_ranks_the_drifted_column_first(spark, invoke, tmp_path):
    out = tmp_path / "demo"
    result = invoke("demo", "--out", out, "--no-progress")
    assert result.exit_code == 0, result.output
    said = result.stdout
    assert "4. compare the incoming batch with the training profile" in said
    ranking = re.findall(r"^│\s*(\d+)\s*│\s*(\S+)\s*│\s*(DRIFT[^│]*|ok)\s*│", said, flags=re.M)
    assert ranking, said
    first = ranking[0]
    assert (first[0], first[1]) == ("1", DRIFTED) and first[2].startswith("DRIFT")
    assert [r[1] for r in ranking if r[2].startswith("DRIFT")] == [DRIFTED]
    assert f"most drifted: {DRIFTED}" in " ".join(said.split())
    profile = Profile.from_json((out / "profile.json").read_text())
    assert "customer_id" not in profile.paths and DRIFTED in profile.paths
    assert "profile.json" in OUTPUTS  # so --overwrite may replace it
    said = " ".join(said.split())  # the type-check results are as before
    assert "958 valid rows" in said and "42 rejected rows" in said
