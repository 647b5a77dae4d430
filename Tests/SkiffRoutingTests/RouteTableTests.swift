import HTTPTypes
import SkiffJSON
import Testing

@testable import SkiffRouting

@Suite("Route table")
struct RouteTableTests {
    static func operation(_ method: HTTPRequest.Method, _ path: String, _ id: String) -> Operation {
        Operation(method, path, id: id, summary: id, responses: [.init(200, "OK")])
    }

    @Test("patterns match literal, parameter and catch-all segments; unknown paths have no methods")
    func matching() {
        let table = RouteTable()
        table.record(Self.operation(.post, "/api/2.0/mlflow/runs/create", "a"))
        table.record(Self.operation(.get, "/api/2.0/mlflow/logged-models/:model_id", "b"))
        table.record(Self.operation(.delete, "/api/2.0/mlflow/logged-models/:model_id", "c"))
        table.record(Self.operation(.put, "/artifacts/**", "d"))
        table.record(Self.operation(.get, "/artifacts/**", "e"))
        #expect(table.methods(for: "/api/2.0/mlflow/runs/create") == [.post])
        #expect(table.methods(for: "/api/2.0/mlflow/logged-models/m-1") == [.delete, .get])
        #expect(table.methods(for: "/api/2.0/mlflow/logged-models/m-1/extra").isEmpty)
        #expect(table.methods(for: "/artifacts/a/b/c") == [.get, .put])
        #expect(table.methods(for: "/artifacts").isEmpty, "** needs at least one segment")
        #expect(table.methods(for: "/api/2.0/mlflow/runs").isEmpty)
        #expect(table.methods(for: "/").isEmpty)
    }

    @Test("a literal segment wins over a parameter, as in the router: search is not a model id")
    func literalsWin() {
        let table = RouteTable()
        table.record(Self.operation(.get, "/logged-models/:model_id", "get"))
        table.record(Self.operation(.delete, "/logged-models/:model_id", "delete"))
        table.record(Self.operation(.post, "/logged-models/search", "search"))
        table.record(Self.operation(.post, "/logged-models/:model_id/params", "params"))
        #expect(table.methods(for: "/logged-models/search") == [.post])
        #expect(table.methods(for: "/logged-models/m-1") == [.delete, .get])
        #expect(table.methods(for: "/logged-models/search/params") == [.post])
    }

    @Test("the document has every operation under its templated path, with path parameters and schemas")
    func document() throws {
        let table = RouteTable()
        table.record(
            Operation(
                .get, "/models/:name", id: "getModel", summary: "Get",
                parameters: [.init("verbose", in: .query, .boolean)],
                responses: [.init(200, "OK", [.json(.ref("Model"))])]))
        table.record(
            Operation(
                .post, "/models/:name", id: "setModel", summary: "Set",
                body: [.json(.object([.required("size", .integer(minimum: 1, maximum: 9))]))],
                responses: [.init(200, "OK")]))
        table.record(Self.operation(.put, "/files/**", "putFile"))
        let components: [(String, Schema)] = [("Model", .object([.required("name", .string(maxLength: 5))]))]
        #expect(table.unresolvedReferences(components: components).isEmpty)
        #expect(table.unresolvedReferences(components: []) == ["Model"])

        let document = try JSONParser.parse(
            table.openAPIDocument(OpenAPIInfo(title: "t", version: "1", description: "d"), components: components))
        guard case .object(let root) = document, case .object(let paths) = root["paths"] else {
            Issue.record("no paths")
            return
        }
        #expect(paths.members.map(\.key) == ["/models/{name}", "/files/{path}"])
        guard case .object(let model) = paths["/models/{name}"], case .object(let get) = model["get"],
            case .array(let parameters) = get["parameters"]
        else {
            Issue.record("no GET /models/{name}")
            return
        }
        #expect(model.members.map(\.key) == ["get", "post"])
        #expect(get["operationId"] == .string("getModel"))
        let names = parameters.compactMap { parameter -> String? in
            guard case .object(let p) = parameter, case .string(let name) = p["name"] else { return nil }
            return name
        }
        #expect(names == ["name", "verbose"], "the path parameter is implied by the pattern")
        guard case .object(let post) = model["post"], case .object(let body) = post["requestBody"] else {
            Issue.record("no request body")
            return
        }
        #expect(body["required"] == .bool(true))
        let text = String(decoding: try #require(JSONWriterProbe.text(body)), as: UTF8.self)
        #expect(
            text.contains(#""minimum":1"#) && text.contains(#""maximum":9"#) && text.contains(#""required":["size"]"#))
    }
}

/// Re-serialises a parsed value, to check the exact JSON a schema produced.
enum JSONWriterProbe {
    static func text(_ object: JSONObject) -> [UInt8]? {
        var w = JSONWriter()
        w.value(.object(object))
        return w.bytes
    }
}
