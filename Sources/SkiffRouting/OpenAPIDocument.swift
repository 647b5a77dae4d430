import SkiffJSON

/// The `info` object of an OpenAPI document.
public struct OpenAPIInfo: Sendable {
    public var title: String
    public var version: String
    public var description: String

    public init(title: String, version: String, description: String) {
        self.title = title
        self.version = version
        self.description = description
    }
}

extension RouteTable {
    /// The OpenAPI 3.1 document of every recorded operation, with `components` as its shared schemas.
    public func openAPIDocument(_ info: OpenAPIInfo, components: [(String, Schema)]) -> [UInt8] {
        var byPath: [(path: String, operations: [Operation])] = []
        for operation in operations {
            let path = operation.templatePath
            if let index = byPath.firstIndex(where: { $0.path == path }) {
                byPath[index].operations.append(operation)
            } else {
                byPath.append((path, [operation]))
            }
        }
        var w = JSONWriter(capacity: 256 * 1024)
        w.beginObject()
        w.field("openapi", "3.1.0")
        w.key("info")
        w.beginObject()
        w.field("title", info.title)
        w.field("version", info.version)
        w.field("description", info.description)
        w.endObject()
        w.key("paths")
        w.beginObject()
        for (path, operations) in byPath {
            w.key(path)
            w.beginObject()
            for operation in operations {
                w.key(operation.method.rawValue.lowercased())
                Self.write(operation, to: &w)
            }
            w.endObject()
        }
        w.endObject()
        w.key("components")
        w.beginObject()
        w.key("schemas")
        w.beginObject()
        for (name, schema) in components {
            w.key(name)
            schema.write(to: &w)
        }
        w.endObject()
        w.endObject()
        w.endObject()
        return w.bytes
    }

    /// Component names that some operation or component refers to but `components` lacks.
    public func unresolvedReferences(components: [(String, Schema)]) -> Set<String> {
        let known = Set(components.map(\.0))
        var used = components.flatMap(\.1.references)
        for operation in operations {
            used += operation.allParameters.flatMap(\.schema.references)
            used += operation.body.flatMap(\.schema.references)
            used += operation.responses.flatMap { $0.content.flatMap(\.schema.references) }
        }
        return Set(used).subtracting(known)
    }

    private static func write(_ operation: Operation, to w: inout JSONWriter) {
        w.beginObject()
        w.field("operationId", operation.id)
        w.field("summary", operation.summary)
        w.field("description", operation.description)
        w.array("tags", operation.tags) { $0.string($1) }
        w.array("parameters", operation.allParameters) { w, parameter in
            w.beginObject()
            w.field("name", parameter.name)
            w.field("in", parameter.location.rawValue)
            w.field("required", parameter.isRequired)
            w.field("description", parameter.description)
            w.key("schema")
            parameter.schema.write(to: &w)
            w.endObject()
        }
        if !operation.body.isEmpty {
            w.key("requestBody")
            w.beginObject()
            w.field("required", operation.isBodyRequired)
            writeContent(operation.body, to: &w, request: true)
            w.endObject()
        }
        w.key("responses")
        w.beginObject()
        for answer in operation.responses {
            w.key(String(answer.status))
            w.beginObject()
            w.field("description", answer.description)
            if !answer.headers.isEmpty {
                w.key("headers")
                w.beginObject()
                for (name, schema) in answer.headers {
                    w.key(name)
                    w.beginObject()
                    w.key("schema")
                    schema.write(to: &w)
                    w.endObject()
                }
                w.endObject()
            }
            if !answer.content.isEmpty { writeContent(answer.content, to: &w) }
            if !answer.links.isEmpty {
                w.key("links")
                w.beginObject()
                for link in answer.links {
                    w.key(link.name)
                    w.beginObject()
                    w.field("operationId", link.operationID)
                    if !link.parameters.isEmpty {
                        w.key("parameters")
                        w.beginObject()
                        for (name, expression) in link.parameters { w.field(name, expression) }
                        w.endObject()
                    }
                    if !link.requestBody.isEmpty {
                        w.key("requestBody")
                        w.beginObject()
                        for (name, expression) in link.requestBody { w.field(name, expression) }
                        w.endObject()
                    }
                    w.endObject()
                }
                w.endObject()
            }
            w.endObject()
        }
        w.endObject()
        w.endObject()
    }

    private static func writeContent(_ content: [Operation.Content], to w: inout JSONWriter, request: Bool = false) {
        w.key("content")
        w.beginObject()
        for item in content {
            w.key(item.mediaType)
            w.beginObject()
            w.key("schema")
            item.schema.write(to: &w, request: request)
            w.endObject()
        }
        w.endObject()
    }
}
