import SkiffCore
import SkiffJSON

/// MLflow's `artifacts/list`: one level of a run's artifacts, paths relative to the run's artifact root,
/// read through the artifact store for runs whose root the server's proxy holds.
struct RunArtifactRoutes {
    let tracking: TrackingService
    let store: any ArtifactStore

    func register(_ api: APIResponder) {
        let (t, store) = (tracking, self.store)
        api.add(.get, "artifacts/list", prefixes: TrackingRoutes.prefixes) { q in
            let run = try await t.run(id: try q.requiredString(anyOf: "run_id", "run_uuid"))
            let relative = try ArtifactPath(validating: try q.string("path") ?? "")
            let root = try UIHelperRoutes.proxiedRoot(run.info.artifactURI)
            let entries = try await store.list(root.appending(relative)) ?? []
            return TrackingRoutes.object { w in
                w.field("root_uri", run.info.artifactURI)
                w.array("files", entries) { w, entry in
                    w.beginObject()
                    w.field("path", relative.isRoot ? entry.name : "\(relative)/\(entry.name)")
                    w.field("is_dir", entry.isDirectory)
                    w.field("file_size", entry.size)
                    w.endObject()
                }
            }
        }
    }
}
