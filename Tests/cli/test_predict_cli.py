"""`skiff predict` end to end: the CSV contract, stdin/stdout, and the errors a user sees for bad input."""

import csv
import io
import json
import math
import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SKIFF = os.environ.get("SKIFF_BIN", str(REPO / ".build" / "debug" / "skiff"))
FIXTURES = REPO / "Tests" / "SkiffInferenceTests" / "Fixtures"


def case(name):
    return json.loads((FIXTURES / f"{name}.case.json").read_text())


def write_inputs(path, inputs):
    """One CSV column per element of each named input; a single 2-D input becomes f0..fn."""
    columns, data = [], []
    for tensor in inputs:
        rows, width = tensor["shape"][0], (tensor["shape"][1] if len(tensor["shape"]) > 1 else 1)
        names = [tensor["name"]] if width == 1 and len(inputs) > 1 else [f"f{i}" for i in range(width)]
        columns += names
        data.append([tensor["data"][r * width:(r + 1) * width] for r in range(rows)])
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in range(len(data[0])):
            row = []
            for block in data:
                row += ["" if v is None else (v if isinstance(v, str) else repr(v)) for v in block[r]]
            w.writerow(row)


def predict(*args, stdin=None):
    return subprocess.run([SKIFF, "predict", *map(str, args)], input=stdin, capture_output=True, text=True, timeout=120)


def read_csv(text):
    return list(csv.DictReader(io.StringIO(text)))


def close(a, b, tol):
    return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)


def test_lightgbm_probabilities_and_raw_margins(tmp_path):
    c = case("lgb_binary")
    write_inputs(tmp_path / "in.csv", c["inputs"])
    out = predict(FIXTURES / c["model"], "--input", tmp_path / "in.csv", "--output", tmp_path / "out.csv")
    assert out.returncode == 0, out.stderr
    rows = read_csv((tmp_path / "out.csv").read_text())
    expected = c["outputs"][0]["data"]
    assert list(rows[0]) == ["prediction"] and len(rows) == len(expected)
    assert all(close(r["prediction"], e, 1e-6) for r, e in zip(rows, expected))
    raw = predict(FIXTURES / c["model"], "--input", tmp_path / "in.csv", "--output", "-", "--raw")
    assert raw.returncode == 0, raw.stderr
    assert all(close(r["prediction"], e, 1e-6) for r, e in zip(read_csv(raw.stdout), c["raw_outputs"][0]["data"]))


def test_onnx_named_inputs_label_and_probability_columns(tmp_path):
    c = case("onnx_column_transformer_logreg")
    write_inputs(tmp_path / "in.csv", c["inputs"])
    out = predict(FIXTURES / c["model"], "--input", "-", "--output", "-", stdin=(tmp_path / "in.csv").read_text())
    assert out.returncode == 0, out.stderr
    rows = read_csv(out.stdout)
    assert list(rows[0]) == ["label", "probabilities_0", "probabilities_1"]
    labels = next(o for o in c["outputs"] if o["name"] == "label")["data"]
    probs = next(o for o in c["outputs"] if o["name"] == "probabilities")["data"]
    assert [int(r["label"]) for r in rows] == labels
    assert all(close(r["probabilities_1"], probs[2 * i + 1], 1e-5) for i, r in enumerate(rows))


def test_missing_column_is_named(tmp_path):
    c = case("onnx_column_transformer_logreg")
    write_inputs(tmp_path / "in.csv", c["inputs"])
    text = (tmp_path / "in.csv").read_text().replace("age", "agee", 1)
    out = predict(FIXTURES / c["model"], "--input", "-", "--output", "-", stdin=text)
    assert out.returncode != 0
    assert "age" in out.stderr
    assert "Traceback" not in out.stderr and "Fatal error" not in out.stderr


def test_non_numeric_value_names_row_and_column(tmp_path):
    c = case("lgb_binary")
    write_inputs(tmp_path / "in.csv", c["inputs"])
    lines = (tmp_path / "in.csv").read_text().splitlines()
    cells = lines[3].split(",")
    cells[2] = "abc"
    lines[3] = ",".join(cells)
    out = predict(FIXTURES / c["model"], "--input", "-", "--output", "-", stdin="\n".join(lines) + "\n")
    assert out.returncode != 0
    assert "abc" in out.stderr or "f2" in out.stderr
    assert "4" in out.stderr or "3" in out.stderr


@pytest.mark.parametrize("suffix,content", [(".onnx", b"\x08\x07garbage" * 10), (".json", b'{"learner": '), (".txt", b"tree\nnot a model\n"), (".ubj", b"")])
def test_corrupt_or_mislabelled_models_get_a_clear_error(tmp_path, suffix, content):
    model = tmp_path / f"bad{suffix}"
    model.write_bytes(content)
    (tmp_path / "in.csv").write_text("a,b\n1,2\n")
    out = predict(model, "--input", tmp_path / "in.csv", "--output", "-")
    assert out.returncode != 0
    assert out.stderr.strip(), "an error message is printed"
    assert "Fatal error" not in out.stderr and "Segmentation" not in out.stderr


def test_a_lightgbm_file_named_onnx_is_refused(tmp_path):
    model = tmp_path / "model.onnx"
    model.write_bytes((FIXTURES / "lgb_binary.txt").read_bytes())
    (tmp_path / "in.csv").write_text("a,b\n1,2\n")
    out = predict(model, "--input", tmp_path / "in.csv", "--output", "-")
    assert out.returncode != 0 and out.stderr.strip()


def write_parquet(csv_path, parquet_path, **options):
    """The CSV's table as pandas would save it: pyarrow's own CSV reader and Parquet writer."""
    import pyarrow.csv
    import pyarrow.parquet

    pyarrow.parquet.write_table(pyarrow.csv.read_csv(csv_path), parquet_path, **options)


@pytest.mark.parametrize("options", [{}, {"compression": "zstd", "row_group_size": 7}, {"use_dictionary": False, "data_page_version": "2.0"}])
def test_parquet_input_predicts_like_its_csv(tmp_path, options):
    for name in ["lgb_binary", "onnx_column_transformer_logreg"]:
        c = case(name)
        write_inputs(tmp_path / "in.csv", c["inputs"])
        write_parquet(tmp_path / "in.csv", tmp_path / "in.parquet", **options)
        from_csv = predict(FIXTURES / c["model"], "--input", tmp_path / "in.csv", "--output", "-")
        from_parquet = predict(FIXTURES / c["model"], "--input", tmp_path / "in.parquet", "--output", "-")
        assert from_csv.returncode == 0 and from_parquet.returncode == 0, from_parquet.stderr
        assert from_parquet.stdout == from_csv.stdout and len(read_csv(from_parquet.stdout)) > 5


def test_a_truncated_parquet_file_is_named_not_a_crash(tmp_path):
    c = case("lgb_binary")
    write_inputs(tmp_path / "in.csv", c["inputs"])
    write_parquet(tmp_path / "in.csv", tmp_path / "in.parquet")
    whole = (tmp_path / "in.parquet").read_bytes()
    for cut in [0, 3, len(whole) // 2, len(whole) - 1]:
        (tmp_path / "cut.parquet").write_bytes(whole[:cut])
        out = predict(FIXTURES / c["model"], "--input", tmp_path / "cut.parquet", "--output", "-")
        assert out.returncode != 0
        assert "cut.parquet" in out.stderr, out.stderr
        assert "Fatal error" not in out.stderr and "Segmentation" not in out.stderr
    out = predict(FIXTURES / c["model"], "--input", "-", "--format", "parquet", "--output", "-", stdin="")
    assert out.returncode != 0 and "standard input" in out.stderr
