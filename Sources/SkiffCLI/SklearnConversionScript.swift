/// The Python program `skiff convert` runs to turn a scikit-learn model into ONNX with skl2onnx.
///
/// It takes one argument, a JSON object: `model_path`, `serialization_format` (skops, cloudpickle or pickle),
/// `trusted_types` (skops types the MLmodel trusts), `signature_names`, `converted_from` and `output`. It writes the
/// ONNX file to `output` and one JSON line about the model to standard output. Exit codes: 0 converted; 3 a Python
/// package is missing (standard error names them); 4 the model cannot be loaded or converted (standard error says
/// why). Classifiers are converted without ZipMap; the input is `input`, float `[None, n_features]`, and the
/// training column names go in the metadata entry `skiff.feature_names`, which Skiff's ONNX loader reads.
enum SklearnConversionScript {
    /// The program's source.
    static let source = #"""
        # Converts a scikit-learn model saved by MLflow's sklearn flavor to ONNX with skl2onnx (run by `skiff convert`).
        import json
        import sys


        def fail(code, message):
            sys.stderr.write(message.rstrip() + "\n")
            sys.exit(code)


        if sys.version_info < (3, 8):
            fail(3, "skiff convert needs Python 3.8 or newer.")

        missing = []
        for module in ("numpy", "sklearn", "onnx", "skl2onnx"):
            try:
                __import__(module)
            except ImportError:
                missing.append(module)
        if missing:
            fail(3, "missing Python packages: " + ", ".join(missing))

        import numpy as np
        import onnx
        import skl2onnx
        import sklearn
        from sklearn.base import is_classifier
        from skl2onnx import to_onnx
        from skl2onnx.common.data_types import FloatTensorType

        args = json.loads(sys.argv[1])
        path = args["model_path"]
        fmt = args["serialization_format"]
        if fmt == "skops":
            try:
                import skops.io
            except ImportError:
                fail(3, "missing Python packages: skops")
            try:
                model = skops.io.load(path, trusted=args.get("trusted_types") or None)
            except Exception as error:  # skops raises UntrustedTypesFoundException for types the MLmodel does not trust
                fail(4, f"skops refused to load the model: {error}")
        elif fmt in ("pickle", "cloudpickle"):
            try:
                loader = __import__(fmt)
            except ImportError:
                fail(3, f"missing Python packages: {fmt}")
            with open(path, "rb") as f:
                model = loader.load(f)
        else:
            fail(4, f"unknown serialization format {fmt!r}")

        n_features = getattr(model, "n_features_in_", None)
        names = getattr(model, "feature_names_in_", None)
        names = [str(n) for n in names] if names is not None else None
        signature_names = args.get("signature_names")
        if names is None and signature_names and (n_features is None or len(signature_names) == n_features):
            names = list(signature_names)
        if n_features is None:
            if names is None:
                fail(4, "the model does not record how many features it takes (no n_features_in_ and no column signature)")
            n_features = len(names)

        options = {}
        def mark_classifiers(estimator, depth=0):
            if depth > 20:
                return
            if is_classifier(estimator):
                options[id(estimator)] = {"zipmap": False}
            for step in getattr(estimator, "steps", None) or []:
                mark_classifiers(step[1], depth + 1)
            for name, sub, *_ in getattr(estimator, "transformers_", None) or []:
                if hasattr(sub, "fit"):
                    mark_classifiers(sub, depth + 1)
            for sub in getattr(estimator, "estimators_", None) or []:
                if hasattr(sub, "fit"):
                    mark_classifiers(sub, depth + 1)
        mark_classifiers(model)

        try:
            onx = to_onnx(model, initial_types=[("input", FloatTensorType([None, int(n_features)]))], options=options or None)
        except Exception as error:
            fail(4, f"skl2onnx cannot convert {type(model).__name__}: {error}")

        def note(key, value):
            entry = onx.metadata_props.add()
            entry.key = key
            entry.value = value

        if names is not None:
            note("skiff.feature_names", json.dumps(names))
        if args.get("converted_from"):
            note("skiff.converted_from", args["converted_from"])
        onnx.save_model(onx, args["output"])
        print(json.dumps({
            "model_class": f"{type(model).__module__}.{type(model).__qualname__}",
            "n_features": int(n_features),
            "feature_names": names,
            "classifier": bool(is_classifier(model)),
            "onnx_version": onnx.__version__,
            "skl2onnx_version": skl2onnx.__version__,
            "sklearn_version": sklearn.__version__,
            "python_version": ".".join(map(str, sys.version_info[:3])),
        }))
        """#
}
