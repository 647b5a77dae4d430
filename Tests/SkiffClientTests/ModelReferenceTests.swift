import SkiffClient
import Testing

@Suite("Model references")
struct ModelReferenceTests {
    @Test(
        "Well-formed references parse to their kind and print back as written",
        arguments: [
            ("models:/churn/3", ModelReference.Kind.registryVersion(name: "churn", version: "3")),
            ("models:/churn@champion", .registryAlias(name: "churn", alias: "champion")),
            ("models:/fraud model v2/12", .registryVersion(name: "fraud model v2", version: "12")),
            ("models:/a@b/1", .registryVersion(name: "a@b", version: "1")),
            ("models:/churn@blue-green_2", .registryAlias(name: "churn", alias: "blue-green_2")),
            (
                "runs:/0123456789abcdef0123456789abcdef/model",
                .run(runID: "0123456789abcdef0123456789abcdef", path: "model")
            ),
            ("runs:/abc123/nested/model.onnx", .run(runID: "abc123", path: "nested/model.onnx")),
            ("churn.onnx", .file(path: "churn.onnx")),
            ("/srv/models/booster.ubj", .file(path: "/srv/models/booster.ubj")),
            ("../models/ranker.txt", .file(path: "../models/ranker.txt")),
            ("models/xgb.json", .file(path: "models/xgb.json")),
        ])
    func parsesGoodReferences(text: String, kind: ModelReference.Kind) throws {
        let reference = try ModelReference(parsing: text)
        #expect(reference.kind == kind)
        #expect(reference.description == text)
    }

    @Test("A file URI becomes a file path")
    func fileURI() throws {
        let reference = try ModelReference(parsing: "file:///srv/models/churn.onnx")
        #expect(reference.kind == .file(path: "/srv/models/churn.onnx"))
    }

    @Test("A trailing slash after a run artifact path is dropped")
    func runTrailingSlash() throws {
        #expect(try ModelReference(parsing: "runs:/abc/model/").kind == .run(runID: "abc", path: "model"))
    }

    @Test(
        "Malformed and hostile references are refused as invalidReference",
        arguments: [
            "",
            "models:/",
            "models:/churn",
            "models:/churn/",
            "models:/churn/latest",
            "models:/churn/Production",
            "models:/churn/0",
            "models:/churn/03",
            "models:/churn/-1",
            "models:/churn/1.5",
            "models:/churn/12345678901",
            "models:/churn/3/extra",
            "models:/churn@",
            "models:/@champion",
            "models:/ /3",
            "models://host/churn/3",
            "models:/..%2F..%2Fetc/1",
            "models:/churn%2Fx/1",
            "models:/churn@champ ion",
            "models:/churn@champ;rm",
            "models:/m-0123456789abcdef",
            "runs:/",
            "runs:/abc",
            "runs:/abc/",
            "runs://abc/model",
            "runs:/ab-c/model",
            "runs:/abc/../other/model",
            "runs:/abc/model/../../x",
            "runs:/abc/%2e%2e/x",
            "runs:/abc/%252e%252e/x",
            "runs:/abc//model",
            "runs:/abc/./model",
            "runs:/abc/model\\..\\x",
            "runs:/abc/model\u{0}.onnx",
            "s3://bucket/model.onnx",
            "https://example.com/model.onnx",
            "file://relative/model.onnx",
            "model.pkl",
            "model",
            "churn.onnx\n",
        ])
    func refusesBadReferences(text: String) {
        #expect {
            try ModelReference(parsing: text)
        } throws: { error in
            (error as? ClientError)?.code == .invalidReference
        }
    }

    @Test("The message for a version-less registry reference shows both correct forms")
    func versionlessMessage() {
        do {
            _ = try ModelReference(parsing: "models:/churn")
            Issue.record("parsed")
        } catch {
            #expect(error.description.contains("models:/churn/VERSION"))
            #expect(error.description.contains("models:/churn@ALIAS"))
        }
    }

    @Test("A very long reference is refused without echoing all of it")
    func longReference() {
        let text = "models:/" + String(repeating: "x", count: 5000) + "/1"
        do {
            _ = try ModelReference(parsing: text)
            Issue.record("parsed")
        } catch {
            #expect(error.code == .invalidReference)
            #expect(error.description.count < 400)
        }
    }
}
