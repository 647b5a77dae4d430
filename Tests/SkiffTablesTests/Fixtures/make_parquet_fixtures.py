"""Writes the Parquet fixtures of ParquetReaderTests and, for each, the values pyarrow reads back.

Run from anywhere with the project's virtual environment (versions pinned in requirements.txt):

    .venv/bin/python Tests/SkiffTablesTests/Fixtures/make_parquet_fixtures.py

Each `parquet/<name>.parquet` gets `parquet/expected/<name>.json`: the columns in file order, each with the type
Skiff should read it as and its values from `to_pylist()`. Floats are JSON numbers; NaN and the infinities are
the strings "NaN", "Infinity" and "-Infinity", so that NaN and null (JSON null) stay distinct.
"""

import json
import math
import pathlib

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

HERE = pathlib.Path(__file__).resolve().parent / "parquet"
EXPECTED = HERE / "expected"


def skiff_type(t: pa.DataType) -> str:
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_float32(t):
        return "float32"
    if pa.types.is_float64(t) or pa.types.is_null(t):
        return "float64"
    if pa.types.is_integer(t) or pa.types.is_date32(t) or pa.types.is_timestamp(t):
        return "int64"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    raise ValueError(f"no Skiff type for {t}")


def json_value(v):
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
    return v


def write_expected(name: str) -> None:
    table = pq.read_table(HERE / f"{name}.parquet")
    columns = []
    for field, column in zip(table.schema, table.columns):
        if pa.types.is_date32(field.type):
            column = column.cast(pa.int32())
        elif pa.types.is_timestamp(field.type):
            column = column.cast(pa.int64())
        values = [json_value(v) for v in column.to_pylist()]
        columns.append({"name": field.name, "type": skiff_type(field.type), "values": values})
    document = {"rows": table.num_rows, "columns": columns}
    (EXPECTED / f"{name}.json").write_text(json.dumps(document, indent=None, allow_nan=False) + "\n")


def mixed_table(rows: int, seed: int) -> pa.Table:
    """Every supported type, each with nulls; floats with NaN and infinities; int64 with its extremes."""
    rng = np.random.default_rng(seed)
    null = rng.random(rows) < 0.15

    def masked(values, pa_type):
        return pa.array([None if n else v for n, v in zip(null, values)], type=pa_type)

    ints64 = rng.integers(-(10**12), 10**12, rows).tolist()
    ints64[1] = 2**63 - 1
    ints64[2] = -(2**63)
    floats = rng.normal(0, 100, rows).tolist()
    floats[3] = math.nan
    floats[4] = math.inf
    floats[5] = -math.inf
    floats[6] = -0.0
    words = ["alpha", "beta", "gamma", "délta", "", "epsilon zeta", "η"]
    null = np.roll(null, 1)  # a different pattern per column
    i32 = masked(rng.integers(-(2**31), 2**31, rows).tolist(), pa.int32())
    null = np.roll(null, 1)
    i64 = masked(ints64, pa.int64())
    null = np.roll(null, 1)
    f32 = masked(np.float32(rng.normal(0, 10, rows)).tolist(), pa.float32())
    null = np.roll(null, 1)
    f64 = masked(floats, pa.float64())
    null = np.roll(null, 1)
    flags = masked((rng.random(rows) < 0.5).tolist(), pa.bool_())
    null = np.roll(null, 1)
    text = masked([words[k] for k in rng.integers(0, len(words), rows)], pa.string())
    required = pa.array(range(rows), type=pa.int64())
    return pa.table(
        {"id": required, "i32": i32, "i64": i64, "f32": f32, "f64": f64, "flag": flags, "text": text}
    )


def write(name: str, table: pa.Table, **options) -> None:
    pq.write_table(table, HERE / f"{name}.parquet", **options)
    write_expected(name)


def main() -> None:
    HERE.mkdir(exist_ok=True)
    EXPECTED.mkdir(exist_ok=True)
    table = mixed_table(200, seed=1)
    for codec in ["none", "snappy", "zstd", "gzip"]:
        write(f"codec_{codec}", table, compression=codec)
    write("page_v2", table, compression="snappy", data_page_version="2.0")
    write("page_v2_plain", table, compression="zstd", data_page_version="2.0", use_dictionary=False)
    write("page_v2_uncompressed", table, compression="none", data_page_version="2.0")
    write("plain", table, compression="none", use_dictionary=False)

    # Several row groups, several pages per chunk, and a string dictionary that falls back to plain mid-chunk.
    many = mixed_table(300, seed=2)
    unique = pa.array([f"value-{i}" if i % 9 else None for i in range(300)], type=pa.string())
    many = many.append_column("unique", unique)
    write(
        "row_groups", many, compression="snappy", row_group_size=80, data_page_size=512,
        dictionary_pagesize_limit=256, write_batch_size=64,
    )

    # DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT.
    delta = mixed_table(300, seed=3)
    write(
        "encodings", delta, compression="none", use_dictionary=False,
        column_encoding={
            "id": "DELTA_BINARY_PACKED", "i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED",
            "f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT", "text": "DELTA_LENGTH_BYTE_ARRAY",
        },
    )
    write(
        "encodings_v2", delta, compression="zstd", use_dictionary=False, data_page_version="2.0",
        column_encoding={"id": "DELTA_BINARY_PACKED", "i64": "BYTE_STREAM_SPLIT", "text": "DELTA_BYTE_ARRAY"},
    )

    # pandas' own output, with its index stored as a column.
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(
        {
            "age": rng.integers(18, 90, 120),
            "score": rng.normal(0.5, 0.2, 120),
            "city": rng.choice(["Oslo", "Lima", "Pune", None], 120),
            "member": rng.random(120) < 0.3,
        },
        index=pd.Index(range(1000, 1120), dtype="int64") * 3,
    )
    frame.loc[frame.index[::7], "score"] = np.nan
    frame.to_parquet(HERE / "pandas.parquet", engine="pyarrow")
    write_expected("pandas")

    # Integer widths and logical types that read as int64, and an all-null column.
    n = 64
    logical = pa.table(
        {
            "i8": pa.array([(i * 37) % 256 - 128 for i in range(n)], type=pa.int8()),
            "i16": pa.array([i * 900 - 30000 for i in range(n)], type=pa.int16()),
            "u8": pa.array([(i * 11) % 256 for i in range(n)], type=pa.uint8()),
            "u32": pa.array([2**32 - 1 - i * 999 for i in range(n)], type=pa.uint32()),
            "u64": pa.array([i * 12345 for i in range(n)], type=pa.uint64()),
            "day": pa.array([18000 + i for i in range(n)], type=pa.date32()),
            "at": pa.array([1_600_000_000_000_000 + i for i in range(n)], type=pa.timestamp("us")),
            "nothing": pa.nulls(n),
        }
    )
    write("logical", logical, compression="snappy")

    write("empty", mixed_table(200, seed=5).slice(0, 0), compression="none")

    # Not read: nested columns and fixed-length types. No expected values.
    nested = pa.table(
        {
            "flat": pa.array([1, 2, 3], type=pa.int64()),
            "tags": pa.array([["a"], [], ["b", "c"]], type=pa.list_(pa.string())),
            "point": pa.array([{"x": 1.0, "y": 2.0}] * 3, type=pa.struct([("x", pa.float64()), ("y", pa.float64())])),
        }
    )
    pq.write_table(nested, HERE / "nested.parquet")
    fixed = pa.table(
        {
            "flat": pa.array([1, 2, 3], type=pa.int64()),
            "price": pa.array([1, 2, 3], type=pa.decimal128(10, 2)),
            "hash": pa.array([b"abcd", b"efgh", b"ijkl"], type=pa.binary(4)),
        }
    )
    pq.write_table(fixed, HERE / "fixed.parquet", store_decimal_as_integer=False)


if __name__ == "__main__":
    main()
