"""`skiff data convert` end to end, judged by pyarrow and pandas: the Parquet files Skiff writes read back in
pyarrow as pandas read the CSV they came from, and Parquet files pyarrow writes come out as the same CSV rows."""

import os
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
SKIFF = os.environ.get("SKIFF_BIN", str(REPO / ".build" / "debug" / "skiff"))


def convert(*args):
    return subprocess.run([SKIFF, "data", "convert", *map(str, args)], capture_output=True, text=True, timeout=300)


def frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    df = pd.DataFrame({
        "id": np.arange(rows, dtype=np.int64) * 9973 - 10**9,
        "x": rng.normal(size=rows) * 10.0 ** rng.integers(-3, 6, size=rows),
        "name": rng.choice(["alpha", "β, \"quoted\"", "multi\nline", "plain"], rows),
        "flag": rng.random(rows) < 0.4,
    })
    df.loc[df.index[::11], "x"] = np.nan
    df.loc[df.index[::13], "name"] = None
    return df


@pytest.mark.parametrize("compression", ["snappy", "zstd", "gzip", "none"])
def test_csv_to_parquet_reads_back_in_pyarrow_as_pandas_reads_the_csv(tmp_path, compression):
    frame(200_000).to_csv(tmp_path / "in.csv", index=False)
    out = convert(tmp_path / "in.csv", tmp_path / "out.parquet", "--compression", compression)
    assert out.returncode == 0, out.stderr
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.names == ["id", "x", "name", "flag"]
    assert [str(t) for t in table.schema.types] == ["int64", "double", "string", "bool"]
    # pandas parses floats exactly only with float_precision="round_trip"; Skiff always does.
    expected = pd.read_csv(tmp_path / "in.csv", float_precision="round_trip")
    got = table.to_pandas()
    assert got["id"].tolist() == expected["id"].tolist()
    assert np.array_equal(got["x"].to_numpy(), expected["x"].to_numpy(), equal_nan=True)
    assert got["name"].where(got["name"].notna(), None).tolist() == expected["name"].where(expected["name"].notna(), None).tolist()
    assert got["flag"].tolist() == expected["flag"].tolist()
    codec = pq.ParquetFile(tmp_path / "out.parquet").metadata.row_group(0).column(1).compression
    assert codec == {"none": "UNCOMPRESSED"}.get(compression, compression.upper())


def test_pyarrow_parquet_to_csv_gives_pandas_values(tmp_path):
    df = frame(5_000)
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), tmp_path / "in.parquet", row_group_size=999)
    out = convert(tmp_path / "in.parquet", tmp_path / "out.csv", "--columns", "id,x,name")
    assert out.returncode == 0, out.stderr
    back = pd.read_csv(tmp_path / "out.csv", float_precision="round_trip")
    assert back.columns.tolist() == ["id", "x", "name"]
    assert back["id"].tolist() == df["id"].tolist()
    assert np.array_equal(back["x"].to_numpy(), df["x"].to_numpy(), equal_nan=True)
    assert back["name"].where(back["name"].notna(), None).tolist() == df["name"].tolist()


def test_declared_types_and_bad_input_get_clear_errors(tmp_path):
    (tmp_path / "w.csv").write_text("a,b\n" + "".join(f"{i},{i}\n" for i in range(5)) + "2.5,7\n")
    out = convert(tmp_path / "w.csv", tmp_path / "w.parquet", "--inference-rows", "3")
    assert out.returncode == 1 and "--type a=float64" in out.stderr, out.stderr
    out = convert(tmp_path / "w.csv", tmp_path / "w.parquet", "--inference-rows", "3", "--type", "a=float64", "--type", "b=string")
    assert out.returncode == 0, out.stderr
    table = pq.read_table(tmp_path / "w.parquet")
    assert table.column("a").to_pylist() == [0.0, 1.0, 2.0, 3.0, 4.0, 2.5]
    assert table.column("b").to_pylist() == ["0", "1", "2", "3", "4", "7"]
    whole = (tmp_path / "w.parquet").read_bytes()
    (tmp_path / "cut.parquet").write_bytes(whole[: len(whole) - 5])
    out = convert(tmp_path / "cut.parquet", "-")
    assert out.returncode == 1 and "cut.parquet" in out.stderr and "Fatal" not in out.stderr
    out = convert(tmp_path / "w.csv", tmp_path / "x.parquet", "--type", "a=decimal")
    assert out.returncode == 64 and "--type" in out.stderr
