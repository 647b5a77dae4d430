import Crypto
import Foundation
import Testing

@testable import SkiffArtifacts

/// Signatures checked against botocore's (`scripts/fixtures/make_sigv4_fixtures.py`), the first of them the
/// worked example of the S3 Signature V4 documentation.
@Suite("S3 request signing")
struct S3SigningTests {
    struct Vector: Decodable {
        var method: String
        var host: String
        var path: String
        var query: [[String]]
        var headers: [[String]]
        var body: String
        var when: String
        var region: String
        var key_id: String
        var secret: String
        var token: String?
        var authorization: String
        var amz_date: String
    }

    static let vectors: [Vector] = {
        let url = Bundle.module.url(forResource: "Fixtures/sigv4", withExtension: "json")!
        return try! JSONDecoder().decode([Vector].self, from: Data(contentsOf: url))
    }()

    @Test("Authorization matches botocore for every vector", arguments: vectors.indices)
    func matchesBotocore(_ index: Int) throws {
        let vector = Self.vectors[index]
        let parser = ISO8601DateFormatter()
        parser.formatOptions = [.withFullDate, .withFullTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        parser.timeZone = TimeZone(identifier: "UTC")
        let date = try #require(parser.date(from: vector.when + "Z"))
        let signer = SigV4(
            credentials: .init(accessKeyID: vector.key_id, secretAccessKey: vector.secret, sessionToken: vector.token),
            region: vector.region)
        let payloadHash = SigV4.hex(SHA256.hash(data: Data(vector.body.utf8)))
        let headers = [("host", vector.host)] + vector.headers.map { ($0[0], $0[1]) }
        let signed = signer.sign(
            method: vector.method, path: vector.path, query: vector.query.map { ($0[0], $0[1]) }, headers: headers,
            payloadHash: payloadHash, date: date)
        let authorization = signed.first { $0.0 == "Authorization" }?.1
        #expect(authorization == vector.authorization)
        #expect(signed.first { $0.0 == "x-amz-date" }?.1 == vector.amz_date)
        if let token = vector.token { #expect(signed.contains { $0 == ("x-amz-security-token", token) }) }
    }

    @Test("keys are encoded once, slashes kept; query values encode slashes too")
    func encoding() {
        #expect(SigV4.encode("a b/ü+%=x.bin", keepSlash: true) == "a%20b/%C3%BC%2B%25%3Dx.bin")
        #expect(SigV4.encode("exp 1/run/") == "exp%201%2Frun%2F")
        #expect(SigV4.encode("A-Za-z0-9-._~") == "A-Za-z0-9-._~")
    }
}

@Suite("S3 XML")
struct S3XMLTests {
    @Test("a listing with entities, CDATA, a declaration and a namespace reads into a tree")
    func listing() throws {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name>\
            <Prefix>p/</Prefix><IsTruncated>true</IsTruncated>\
            <Contents><Key>p/a &amp; b&#x2F;&#252;.txt</Key><Size>12</Size></Contents>\
            <Contents><Key><![CDATA[p/<raw>]]></Key><Size>0</Size></Contents>\
            <CommonPrefixes><Prefix>p/dir/</Prefix></CommonPrefixes>\
            <NextContinuationToken>tok/+=</NextContinuationToken><Empty/></ListBucketResult>
            """
        let root = try S3XML.parse(Array(text.utf8))
        #expect(root.name == "ListBucketResult")
        #expect(root.all("Contents").map { $0.value("Key") } == ["p/a & b/ü.txt", "p/<raw>"])
        #expect(root.child("CommonPrefixes")?.value("Prefix") == "p/dir/")
        #expect(root.value("NextContinuationToken") == "tok/+=")
        #expect(root.value("Empty") == "")
    }

    @Test(
        "malformed documents are refused, not guessed at",
        arguments: [
            "", "plain", "<a>", "<a></b>", "<a>&bogus;</a>", "<a>&#0;</a>", "<a><b></a></b>", "<a x=\"1>",
            String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100),
        ])
    func malformed(_ text: String) {
        #expect(throws: S3XML.Malformed.self) { _ = try S3XML.parse(Array(text.utf8)) }
    }

    @Test("request text is escaped")
    func escape() {
        #expect(S3XML.escape("a&b<c>\"'") == "a&amp;b&lt;c&gt;&quot;&apos;")
    }

    @Test("Last-Modified dates read as seconds since the epoch")
    func httpDate() {
        #expect(HTTPDate.secondsSinceEpoch("Wed, 21 Oct 2015 07:28:00 GMT") == 1_445_412_480)
        #expect(HTTPDate.secondsSinceEpoch("yesterday") == nil)
    }
}

@Suite("S3 configuration")
struct S3ConfigurationTests {
    let credentials = ["AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret", "HOME": "/nonexistent"]

    @Test("s3://bucket/prefix with an endpoint is path-style; without one it is AWS, virtual-hosted")
    func locations() throws {
        let local = try S3Configuration.resolve(
            uri: "s3://my-bucket/team/artifacts/", endpoint: "http://127.0.0.1:9000", environment: credentials)
        #expect(local.bucket == "my-bucket" && local.prefix == "team/artifacts")
        #expect(local.pathStyle && local.host == "127.0.0.1" && local.port == 9000 && local.scheme == "http")
        #expect(local.region == "us-east-1")
        var env = credentials
        env["AWS_REGION"] = "eu-central-1"
        let aws = try S3Configuration.resolve(uri: "s3://my-bucket", endpoint: nil, environment: env)
        #expect(!aws.pathStyle && aws.host == "s3.eu-central-1.amazonaws.com" && aws.prefix == "")
        env["MLFLOW_S3_ENDPOINT_URL"] = "https://minio.example:9443"
        let minio = try S3Configuration.resolve(uri: "s3://my-bucket", endpoint: nil, environment: env)
        #expect(minio.pathStyle && minio.port == 9443 && minio.endpointDescription == "https://minio.example:9443")
    }

    @Test(
        "bad buckets, prefixes, endpoints, regions and missing credentials are refused with a reason",
        arguments: [
            ("s3://", "http://h:1"), ("s3://AB", "http://h:1"), ("s3://-bucket", "http://h:1"),
            ("s3://a..b", "http://h:1"),
            ("s3://bucket/../x", "http://h:1"), ("s3://bucket/a/./b", "http://h:1"), ("s3://bucket", "ftp://h"),
            ("s3://bucket", "http://user:pw@h:1"), ("s3://bucket", "http://h:1/path"),
            ("s3://bucket", "http://h:99999"),
        ])
    func refused(_ uri: String, _ endpoint: String) {
        #expect(throws: (any Error).self) {
            _ = try S3Configuration.resolve(uri: uri, endpoint: endpoint, environment: credentials)
        }
    }

    @Test("credentials come from the variables or the shared file's profile, and are required")
    func credentialsSources() throws {
        #expect(throws: (any Error).self) {
            _ = try S3Configuration.resolve(uri: "s3://bucket", endpoint: nil, environment: ["HOME": "/nonexistent"])
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-aws-\(UUID().uuidString)").path
        try """
        [default]
        aws_access_key_id = DEFAULTID
        aws_secret_access_key = defaultsecret
        [ci]
        aws_access_key_id=CIID
        aws_secret_access_key=cisecret
        aws_session_token=citoken
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let env = ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "ci"]
        let config = try S3Configuration.resolve(uri: "s3://bucket", endpoint: nil, environment: env)
        #expect(config.credentials.accessKeyID == "CIID" && config.credentials.sessionToken == "citoken")
        var env2 = credentials
        env2["AWS_REGION"] = "us-east-1; rm -rf /"
        #expect(throws: (any Error).self) {
            _ = try S3Configuration.resolve(uri: "s3://bucket", endpoint: nil, environment: env2)
        }
    }
}
