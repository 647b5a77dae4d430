import Hummingbird
import NIOCore
import SkiffCore
import SkiffJSON
import SkiffRouting

/// `/health`, `/version` and `/api/3.0/mlflow/server-info`.
struct ServerInfoRoutes {
    func register(_ api: APIResponder) {
        api.router.on(
            Operation(
                .get, "/health", id: "health", summary: "Liveness: OK while the process serves", tags: ["Server"],
                responses: [.init(200, "OK", [.init("text/plain", .oneOf(["OK"]))])]),
            recordingIn: api.routes
        ) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "OK")))
        }
        api.router.on(
            Operation(
                .get, "/version", id: "version", summary: "The server's version", tags: ["Server"],
                responses: [.init(200, "OK", [.init("text/plain", .nonEmptyString())])]),
            recordingIn: api.routes
        ) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: SkiffVersion.string)))
        }
        let flag = Schema.boolean
        api.tagged("Server").add(
            .get, "server-info", prefixes: ["/api/3.0/mlflow", "/ajax-api/3.0/mlflow"],
            APICall(
                "getServerInfo", "The store type and the optional features this server enables",
                answer: .object([
                    .required("store_type", .string()), .required("workspaces_enabled", flag),
                    .required("trace_archival_enabled", flag), .required("multipart_uploads_enabled", flag),
                    .required("multipart_downloads_enabled", flag),
                    .required("presigned_upload_run_id_supported", flag),
                    .required("presigned_upload_model_id_supported", flag),
                    .required("features_enabled", .map(.anything)),
                ]), errors: [])
        ) { _ in
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
