/// Skiff's own version, reported by `skiff --version`.
enum SkiffVersion {
    static let string = "0.1.0"
}
