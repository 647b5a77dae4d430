import SkiffCore
import SkiffJSON
import SkiffRouting

/// MLflow's `artifacts/list`: one level of a run's artifacts, paths relative to the run's artifact root, for runs
/// whose root the server holds (`ArtifactRoots`).
struct RunArtifactRoutes {
    let tracking: TrackingService
    let roots: ArtifactRoots

    func register(_ api: APIResponder) {
        let (t, roots) = (tracking, self.roots)
        api.tagged("Artifacts").add(
            .get, "artifacts/list", prefixes: TrackingRoutes.prefixes,
            APICall(
                "listArtifacts", "One level of a run's artifacts",
                fields: [
                    .required("run_id", Wire.runID),
                    .optional("run_uuid", Wire.runID.described("Deprecated name of run_id.")),
                    .optional("path", ArtifactSchemas.relativePath),
                ],
                answer: .object([
                    .optional("root_uri", .string()), .optional("files", .array(.ref("FileInfo"))),
                ]))
        ) { q in
            let run = try await t.run(id: try q.requiredString(anyOf: "run_id", "run_uuid"))
            let relative = try ArtifactPath(validating: try q.string("path") ?? "")
            let directory = try roots.location(of: run.info.artifactURI).appending(relative)
            let entries = try await directory.store.list(directory.path) ?? []
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
