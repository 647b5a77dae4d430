import Foundation
import SkiffInference

/// A model reference as a user writes it: a local model file, a registry version or alias, or a run artifact.
///
/// Parsing validates the text before anything is fetched: registered model names follow the registry's rules, a
/// version is a positive number, an alias is word characters and `-`, a run ID is alphanumeric and a run artifact
/// path is relative with no `..` segment (also after percent-decoding).
public struct ModelReference: Sendable, Hashable, CustomStringConvertible {
    /// What a reference names.
    public enum Kind: Sendable, Hashable {
        /// A local `.onnx`, `.json`/`.ubj` (XGBoost) or `.txt`/`.lgb` (LightGBM) file.
        case file(path: String)
        /// A registry version, `models:/name/3`.
        case registryVersion(name: String, version: String)
        /// A registry alias, `models:/name@champion`.
        case registryAlias(name: String, alias: String)
        /// A model directory or file among a run's artifacts, `runs:/<run id>/path`.
        case run(runID: String, path: String)
    }

    /// What the reference names.
    public let kind: Kind

    /// Creates a reference from its parts, without validation.
    /// - Parameter kind: What the reference names.
    package init(kind: Kind) {
        self.kind = kind
    }

    /// Parses and validates a reference.
    ///
    /// Accepted forms: `models:/name/3`, `models:/name@alias`, `runs:/<run id>/path`, `file:///path/model.onnx`
    /// and a plain path to a model file whose extension names its format.
    /// - Parameter text: The reference as the user wrote it.
    /// - Throws: `ClientError` with code `invalidReference` and a message that says what is wrong.
    public init(parsing text: String) throws(ClientError) {
        guard !text.isEmpty else { throw Self.invalid("The model reference is empty.") }
        guard text.count <= 2048 else { throw Self.invalid("The model reference is longer than 2048 characters.") }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Self.invalid("The model reference contains a control character.")
        }
        if text.hasPrefix("models:") {
            kind = try Self.parseRegistry(text)
        } else if text.hasPrefix("runs:") {
            kind = try Self.parseRun(text)
        } else if text.hasPrefix("file://") {
            let path = String(text.dropFirst("file://".count))
            guard path.hasPrefix("/") else {
                throw Self.invalid("Write a file URI with an absolute path, as file:///path/to/model.onnx.")
            }
            kind = try Self.parseFile(path)
        } else if let colon = text.firstIndex(of: ":"), Self.looksLikeScheme(text[..<colon]) {
            throw Self.invalid(
                "Skiff cannot fetch '\(text[..<colon]):' references. Use a model file, models:/name/VERSION, "
                    + "models:/name@ALIAS or runs:/RUN_ID/path.")
        } else {
            kind = try Self.parseFile(text)
        }
    }

    /// The reference in its text form, such as `models:/churn@champion`.
    public var description: String {
        switch kind {
        case .file(let path): path
        case .registryVersion(let name, let version): "models:/\(name)/\(version)"
        case .registryAlias(let name, let alias): "models:/\(name)@\(alias)"
        case .run(let runID, let path): "runs:/\(runID)/\(path)"
        }
    }

    // MARK: - Parsing

    private static func parseRegistry(_ text: String) throws(ClientError) -> Kind {
        guard text.hasPrefix("models:/"), !text.hasPrefix("models://") else {
            throw invalid("Write a registry reference as models:/name/VERSION or models:/name@ALIAS.")
        }
        let rest = String(text.dropFirst("models:/".count))
        if let at = rest.lastIndex(of: "@"), !rest[at...].contains("/") {
            let name = String(rest[..<at])
            let alias = String(rest[rest.index(after: at)...])
            try validateName(name)
            try validateAlias(alias)
            return .registryAlias(name: name, alias: alias)
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            if parts.count == 1, rest.hasPrefix("m-") {
                throw invalid(
                    "'\(text)' names a logged model, not a registry version. Register it and use models:/name/VERSION.")
            }
            if parts.count == 1 {
                throw invalid("'\(text)' names no version: use models:/\(rest)/VERSION or models:/\(rest)@ALIAS.")
            }
            throw invalid("Write a registry reference as models:/name/VERSION or models:/name@ALIAS.")
        }
        let name = String(parts[0])
        let version = String(parts[1])
        try validateName(name)
        guard !version.isEmpty, version.count <= 10, version.allSatisfy({ $0.isASCII && $0.isNumber }),
            version.first != "0"
        else {
            throw invalid(
                "The version in '\(text.prefix(200))' must be a positive number, as in models:/\(name)/3 "
                    + "(or use an alias: models:/\(name)@champion).")
        }
        return .registryVersion(name: name, version: version)
    }

    private static func parseRun(_ text: String) throws(ClientError) -> Kind {
        guard text.hasPrefix("runs:/"), !text.hasPrefix("runs://") else {
            throw invalid("Write a run reference as runs:/RUN_ID/path.")
        }
        let rest = text.dropFirst("runs:/".count)
        guard let slash = rest.firstIndex(of: "/") else {
            throw invalid(
                "'\(text.prefix(200))' names no artifact path: write runs:/RUN_ID/path, as runs:/RUN_ID/model.")
        }
        let runID = String(rest[..<slash])
        guard !runID.isEmpty, runID.count <= 64, runID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) })
        else {
            throw invalid("The run ID in '\(text.prefix(200))' must be 1 to 64 letters and digits.")
        }
        var path = String(rest[rest.index(after: slash)...])
        while path.hasSuffix("/") { path.removeLast() }
        try validateRelativePath(path, in: text)
        return .run(runID: runID, path: path)
    }

    private static func parseFile(_ path: String) throws(ClientError) -> Kind {
        guard ModelFormat(path: path) != nil else {
            throw invalid(
                "Cannot tell the model format of '\(path.prefix(200))': use a .onnx file, an XGBoost .json or .ubj "
                    + "file, a LightGBM .txt file, or a reference such as models:/name/VERSION.")
        }
        return .file(path: path)
    }

    /// Checks a registered model name with the registry's own rules.
    private static func validateName(_ name: String) throws(ClientError) {
        guard !name.allSatisfy(\.isWhitespace) else {
            throw invalid("The registered model name is empty: write models:/name/VERSION.")
        }
        guard name.count <= 500 else { throw invalid("The registered model name is longer than 500 characters.") }
        guard !name.contains("/"), !name.contains(":"), name != ".", name != ".." else {
            throw invalid("'\(name.prefix(200))' is not a registered model name: names cannot contain '/' or ':'.")
        }
        guard !containsPercentEscape(name) else {
            throw invalid("'\(name.prefix(200))' is not a registered model name: names cannot contain %-escapes.")
        }
    }

    /// Checks an alias with the registry's rules: word characters and `-`, at most 255.
    private static func validateAlias(_ alias: String) throws(ClientError) {
        guard !alias.isEmpty else { throw invalid("The alias is empty: write models:/name@ALIAS.") }
        guard alias.count <= 255,
            alias.unicodeScalars.allSatisfy({
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
            })
        else {
            throw invalid("'\(alias.prefix(200))' is not an alias: use letters, digits, '_' and '-'.")
        }
    }

    /// Checks a run artifact path: relative, no empty, `.` or `..` segments (after percent-decoding), no backslash.
    private static func validateRelativePath(_ path: String, in text: String) throws(ClientError) {
        guard !path.isEmpty else {
            throw invalid(
                "'\(text.prefix(200))' names no artifact path: write runs:/RUN_ID/path, as runs:/RUN_ID/model.")
        }
        guard path.count <= 1024 else { throw invalid("The artifact path is longer than 1024 characters.") }
        let decoded = fullyDecoded(path)
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: false)
        guard !decoded.hasPrefix("/"), !decoded.contains("\\"), !decoded.contains("\u{0}"),
            segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else {
            throw invalid("The artifact path in '\(text.prefix(200))' must be relative, without '.' or '..' segments.")
        }
    }

    /// Percent-decodes until the text stops changing (at most 10 rounds), as the server does before its checks.
    static func fullyDecoded(_ text: String) -> String {
        var current = text
        for _ in 0..<10 {
            guard let next = current.removingPercentEncoding, next != current else { break }
            current = next
        }
        return current
    }

    private static func containsPercentEscape(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3 else { return false }
        for index in 0..<(bytes.count - 2) where bytes[index] == UInt8(ascii: "%") {
            if isHexDigit(bytes[index + 1]) && isHexDigit(bytes[index + 2]) { return true }
        }
        return false
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte)
    }

    /// Whether the text before a colon is a URI scheme (`s3`, `https`), not a Windows drive letter or a file name.
    private static func looksLikeScheme(_ prefix: Substring) -> Bool {
        guard prefix.count >= 2, let first = prefix.first, first.isASCII, first.isLetter else { return false }
        return prefix.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }

    private static func invalid(_ message: String) -> ClientError {
        ClientError(.invalidReference, message)
    }
}
