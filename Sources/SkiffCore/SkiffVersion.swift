/// Skiff's own version, reported by `skiff --version` and `GET /version`.
///
/// It must parse as a version below 3.4: MLflow clients switch traces to OTLP for servers at 3.4 and above.
public enum SkiffVersion {
    public static let string = "0.1.0"
}
