"""A file sample's fixed cost: one Spark job, also when it is sized by ``max_rows``."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
from pyspark.sql import functions as F

import sparksig as ss
from sparksig import spark as sss
from sparksig.options import Mode, Sampling
from sparksig.spark.footers import file_rows
from sparksig.spark.sampling import draw

SCHEMA = ss.Schema([ss.ColSpec("long", "x")])


def _jobs(spark, action) -> int:
    context = spark.sparkContext
    group = "sparksig-sampling-cost"
    context.setJobGroup(group, "jobs of one action")
    try:
        action()
        return len(context.statusTracker().getJobIdsForGroup(group))
    finally:
        context.setLocalProperty("spark.jobGroup.id", None)


def _files(folder, sizes):
    folder.mkdir()
    for i, n in enumerate(sizes):
        values = [None if j == 0 else j for j in range(n)]
        pq.write_table(pa.table({"x": pa.array(values, pa.int64())}), folder / f"f{i}.parquet")


def test_a_sample_sized_by_max_rows_runs_one_job_on_a_parquet_read(spark, tmp_path):
    _files(tmp_path / "t", [10] * 8)
    df = spark.read.parquet(str(tmp_path / "t"))
    assert {file_rows(df, f) for f in df.inputFiles()} == {10}
    report = {}

    def run():
        report["r"] = sss.validate(df, SCHEMA, mode="sampled", sampling="files", max_rows=20)

    assert _jobs(spark, run) == 1  # the checks; the probed file's rows come from its footer
    assert (report["r"].files_read, report["r"].rows_checked) == (2, 20)
    assert [(v.code, v.count) for v in report["r"].violations] == [("null_in_required", 2)]


def test_a_filtered_table_still_counts_its_probed_file(spark, tmp_path):
    _files(tmp_path / "t", [10] * 8)
    df = spark.read.parquet(str(tmp_path / "t")).where(F.col("x") > 4)
    assert file_rows(df, df.inputFiles()[0]) is None  # the footer's rows are not df's rows
    sample = draw(df, Mode.SAMPLED, Sampling.FILES, None, 10, seed=0)
    # 5 rows per file survive the filter: 2 files for 10 rows (the footer would say 1)
    assert (sample.files_read, sample.frame.count()) == (2, 10)
