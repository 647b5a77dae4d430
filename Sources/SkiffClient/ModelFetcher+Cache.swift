import Foundation
import SkiffInference

extension ModelFetcher {
    /// The file names a cached model's native file has, one per format (and XGBoost encoding).
    static let nativeFileNames = ["model.onnx", "model.json", "model.ubj", "model.txt"]

    /// The cached native model file for a location, downloading it first when the cache has none.
    /// - Parameters:
    ///   - location: Where the model lives behind the artifact proxy.
    ///   - reference: The reference being fetched, for messages.
    ///   - client: The tracking server's client.
    /// - Returns: The local file and its format.
    func cachedModel(_ location: ModelLocation, reference: ModelReference, client: TrackingClient)
        async throws(ClientError) -> (String, ModelFormat)
    {
        let directory = cacheDirectory + "/" + Self.cacheKey(location)
        if let found = Self.nativeFile(in: directory) { return found }
        let parent = (directory as NSString).deletingLastPathComponent
        let temporary = try Self.makeTemporaryDirectory(in: parent)
        do {
            try await downloadModel(location, reference: reference, into: temporary, client: client)
            try Self.install(temporary, at: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
        guard let found = Self.nativeFile(in: directory) else {
            throw ClientError(.io, "The model cache lost a model that was just downloaded into it.")
        }
        return found
    }

    /// Downloads the `MLmodel` file and the native data file it names (or a bare model file) into a directory.
    private func downloadModel(
        _ location: ModelLocation, reference: ModelReference, into directory: String, client: TrackingClient
    ) async throws(ClientError) {
        let data: String
        let format: ModelFormat
        if location.isFile {
            guard let fileFormat = ModelFormat(path: location.artifactPath) else {
                throw ClientError(.noNativeArtifact, "\(reference) is not an ONNX, XGBoost or LightGBM model file.")
            }
            data = location.artifactPath
            format = fileFormat
        } else {
            let manifestPath = directory + "/MLmodel"
            guard try await client.download(location.artifactPath + "/MLmodel", to: manifestPath) else {
                throw ClientError(
                    .notFound,
                    "\(reference) has no MLmodel file in its artifacts on the tracking server at "
                        + "\(client.displayName); was it logged with mlflow's log_model?")
            }
            let manifest = try ModelManifest(yaml: Self.readText(manifestPath))
            let native = try manifest.nativeArtifact(for: reference.description)
            data = location.artifactPath + "/" + native.path
            format = native.format
        }
        let downloaded = directory + "/model.download"
        guard try await client.download(data, to: downloaded) else {
            throw ClientError(
                .notFound,
                "The model file of \(reference) is missing from the artifacts on the tracking server at "
                    + "\(client.displayName).")
        }
        let name = try Self.localName(of: downloaded, format: format, reference: reference)
        do {
            try FileManager.default.moveItem(atPath: downloaded, toPath: directory + "/" + name)
        } catch {
            throw ClientError(.io, "Skiff could not write a downloaded model file to its cache.", detail: "\(error)")
        }
    }

    /// The local file name for a native file: `model.onnx`, `model.json` or `model.ubj` by content, `model.txt`.
    static func localName(of path: String, format: ModelFormat, reference: ModelReference) throws(ClientError)
        -> String
    {
        switch format {
        case .onnx: return "model.onnx"
        case .lightgbm: return "model.txt"
        case .xgboost:
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw ClientError(.io, "Skiff could not read a downloaded model file in its cache.")
            }
            defer { try? handle.close() }
            let head = [UInt8](handle.readData(ofLength: 64))
            switch XGBoostEncoding(head: head) {
            case .json: return "model.json"
            case .ubjson: return "model.ubj"
            case nil:
                throw ClientError(
                    .noNativeArtifact,
                    "\(reference) is an XGBoost model in the old binary format, which Skiff does not read. Log it "
                        + "again with mlflow.xgboost.log_model(..., model_format=\"ubj\") or \"json\".")
            }
        }
    }

    /// How an XGBoost model file is encoded, told from its first bytes.
    enum XGBoostEncoding {
        case json
        case ubjson

        /// Reads the encoding from the start of a file: JSON and UBJSON both open an object with `{`; JSON then
        /// has a quoted key (or `}`) after optional whitespace, UBJSON a type marker such as `i`, `U` or `L`.
        /// - Parameter head: The file's first bytes.
        init?(head: [UInt8]) {
            let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
            var index = 0
            while index < head.count, whitespace.contains(head[index]) { index += 1 }
            guard index < head.count, head[index] == UInt8(ascii: "{") else { return nil }
            if index + 1 < head.count, Set("iUIlL$#".utf8).contains(head[index + 1]) {
                self = .ubjson
                return
            }
            index += 1
            while index < head.count, whitespace.contains(head[index]) { index += 1 }
            guard index < head.count else { return nil }
            if head[index] == UInt8(ascii: "\"") || head[index] == UInt8(ascii: "}") {
                self = .json
            } else {
                return nil
            }
        }
    }

    /// The relative cache directory of a location: `models/<name>-<hash>/<version>-<hash>` or
    /// `runs/<run id>/<hash>`. Every segment is made of safe characters, so it cannot leave the cache.
    static func cacheKey(_ location: ModelLocation) -> String {
        let where_ = hash(location.artifactPath)
        if let version = location.version {
            return "models/\(safeSegment(location.name))-\(hash(location.name))/\(safeSegment(version))-\(where_)"
        }
        return "runs/\(safeSegment(location.runID ?? "unknown"))/\(safeSegment(location.name))-\(where_)"
    }

    /// Keeps letters, digits, `.`, `_` and `-` (at most 64), replacing the rest with `_`; never `.` or `..`.
    static func safeSegment(_ text: String) -> String {
        let kept = String(
            text.unicodeScalars.prefix(64).map { scalar -> Character in
                scalar.isASCII
                    && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                        || "._-".unicodeScalars.contains(scalar))
                    ? Character(scalar) : "_"
            })
        return kept.isEmpty || kept.allSatisfy({ $0 == "." }) ? "_" + kept : kept
    }

    /// A 64-bit FNV-1a hash as 16 hex digits: stable across runs and platforms, unlike `Hasher`.
    static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value &*= 0x100_0000_01b3
        }
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The native model file in a cache directory, if it holds one.
    static func nativeFile(in directory: String) -> (String, ModelFormat)? {
        for name in nativeFileNames {
            let path = directory + "/" + name
            if FileManager.default.fileExists(atPath: path), let format = ModelFormat(path: name) {
                return (path, format)
            }
        }
        return nil
    }

    /// Creates a new empty directory next to where a model will be installed.
    static func makeTemporaryDirectory(in parent: String) throws(ClientError) -> String {
        let path = parent + "/.partial-" + UUID().uuidString
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ClientError(.io, "Skiff could not create its model cache directory.", detail: "\(error)")
        }
        return path
    }

    /// Renames a complete download into place; when another fetch installed it first, keeps that one.
    static func install(_ temporary: String, at directory: String) throws(ClientError) {
        do {
            try FileManager.default.moveItem(atPath: temporary, toPath: directory)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            guard nativeFile(in: directory) != nil else {
                throw ClientError(.io, "Skiff could not install a downloaded model in its cache.", detail: "\(error)")
            }
        }
    }

    static func readText(_ path: String) throws(ClientError) -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw ClientError(.serverError, "The model's MLmodel file cannot be read as UTF-8 text.")
        }
        return text
    }
}
