import Hummingbird
import NIOCore
import SkiffCore
import SkiffJSON
import SkiffRouting

/// `/health`, `/version` and `/api/3.0/mlflow/server-info`.
struct ServerInfoRoutes {
    func register(_ api: APIResponder) {
        api.router.on(.get, "/health", recordingIn: api.methods) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "OK")))
        }
        api.router.on(.get, "/version", recordingIn: api.methods) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: SkiffVersion.string)))
        }
        api.add(.get, "server-info", prefixes: ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"]) { _ in
            var w = JSONWriter()
            w.beginObject()
            w.field("store_type", "SqlStore")
            w.field("workspaces_enabled", false)
            w.field("trace_archival_enabled", false)
            w.field("multipart_uploads_enabled", false)
            w.field("multipart_downloads_enabled", false)
            w.field("presigned_upload_run_id_supported", false)
            w.field("presigned_upload_model_id_supported", false)
            w.key("features_enabled")
            w.beginObject()
            w.endObject()
            w.endObject()
            return w
        }
    }
}
