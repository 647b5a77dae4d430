import SkiffCore
import Testing

@Suite("Validation rules")
struct ValidationTests {
    @Test("entity keys", arguments: ["loss", "train/loss", "a.b-c d:e", "系统/指标"])
    func goodKeys(_ key: String) throws {
        try Validate.entityKey(key, kind: "Metric")
    }

    @Test("keys that are not names", arguments: ["", "../x", "/abs", "a//b", "a/", ".", "a/./b", "bad\u{0}", "x;y"])
    func badKeys(_ key: String) {
        #expect(throws: SkiffError.self) { try Validate.entityKey(key, kind: "Metric") }
    }

    @Test("run and experiment ids")
    func ids() throws {
        try Validate.runID("0123456789abcdef0123456789abcdef")
        #expect(throws: SkiffError.self) { try Validate.runID("../etc") }
        #expect(throws: SkiffError.self) { try Validate.runID("") }
        try Validate.experimentID("42")
        #expect(throws: SkiffError.self) { try Validate.experimentID("4a") }
        #expect(throws: SkiffError.self) { try Validate.experimentID("-1") }
    }

    @Test(
        "artifact locations that are SSRF or traversal vectors",
        arguments: [
            "http://169.254.169.254/x", "HTTPS://internal/x", "runs:/abc/model", "file:///tmp/a#frag",
            "s3://bucket/../other", "file:///tmp/%2e%2e/etc", "s3://b/a\u{0}",
        ])
    func badLocations(_ location: String) {
        #expect(throws: SkiffError.self) { try Validate.artifactLocation(location) }
    }

    @Test("artifact locations that are fine", arguments: ["s3://bucket/prefix", "file:///srv/artifacts", "/data/a"])
    func goodLocations(_ location: String) throws {
        try Validate.artifactLocation(location)
    }
}

@Suite("Artifact paths")
struct ArtifactPathTests {
    @Test(
        "refused",
        arguments: [
            "..", "../x", "a/../b", "%2e%2e/x", "%252e%252e%252fx", "a\\b", "/etc/passwd", "C:/x", "c:\\x", "a#b",
            "a;b", "a\u{0}b", "a%00b", "a\nb", "./a", "a//b", "~/x", String(repeating: "0", count: 256),
            "dir/" + String(repeating: "é", count: 128),
        ])
    func refused(_ raw: String) {
        #expect(throws: SkiffError.self) { try ArtifactPath(validating: raw) }
    }

    @Test("accepted and decoded once per round")
    func accepted() throws {
        #expect(try ArtifactPath(validating: "a/b%20c/d.txt").components == ["a", "b c", "d.txt"])
        #expect(try ArtifactPath(validating: "").isRoot)
        #expect(try ArtifactPath(validating: "dir/").components == ["dir"])
        #expect(try ArtifactPath(validating: "..a/b..").components == ["..a", "b.."])
    }

    @Test("page tokens round-trip and garbage is refused")
    func tokens() throws {
        #expect(try PageToken.decodeOffset(PageToken.encode(offset: 1234)) == 1234)
        #expect(try PageToken.decodeOffset(nil) == 0)
        #expect(throws: SkiffError.self) { try PageToken.decodeOffset("not a token") }
        #expect(throws: SkiffError.self) { try PageToken.decodeOffset(PageToken.encode(offset: -5)) }
    }
}
