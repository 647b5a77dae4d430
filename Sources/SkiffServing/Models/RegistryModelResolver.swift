import SkiffClient

/// Resolves model files, `models:/name/N`, `models:/name@alias` and `runs:/id/path` through a Skiff tracking server,
/// fetching registry models' native artifacts into the local model cache.
public struct RegistryModelResolver: ModelResolver {
    private let fetcher: ModelFetcher

    /// Creates a resolver.
    /// - Parameters:
    ///   - trackingURI: The Skiff server; nil resolves model files only.
    ///   - cacheDirectory: Where fetched models are kept.
    public init(trackingURI: String?, cacheDirectory: String) {
        fetcher = ModelFetcher(trackingURI: trackingURI, cacheDirectory: cacheDirectory)
    }

    public func resolve(_ reference: String) async throws(ServingError) -> ResolvedModel {
        do {
            let fetched = try await fetcher.fetch(try ModelReference(parsing: reference))
            return ResolvedModel(
                localPath: fetched.localPath, format: fetched.format, name: fetched.name, version: fetched.version)
        } catch {
            throw ServingError(.modelLoad, "'\(reference)': \(error.description)")
        }
    }

    public func currentVersion(_ reference: String) async throws(ServingError) -> String? {
        do {
            guard case .registryAlias(let name, let alias) = try ModelReference(parsing: reference).kind else {
                return nil
            }
            return try await fetcher.aliasVersion(name: name, alias: alias)
        } catch {
            throw ServingError(.modelLoad, "'\(reference)': \(error.description)")
        }
    }
}
