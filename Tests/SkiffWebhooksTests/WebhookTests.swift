import SkiffCore
import Testing

@testable import SkiffWebhooks

@Suite("Webhooks")
struct WebhookTests {
    @Test("signatures match Python's hmac/hashlib/base64 for the same inputs")
    func signature() {
        let value = WebhookSigner.signature(
            secret: "test_webhook_secret", deliveryID: "d-1", timestamp: "1700000000", payload: Array(#"{"a":1}"#.utf8))
        #expect(value == "v1,7IWsX0X54NvznHG1hrYlRJH6Vi3cEs2sKvFBWe1OyaM=")
    }

    @Test(
        "private, loopback, link-local and odd destinations are refused",
        arguments: [
            "http://127.0.0.1:8080/hook", "http://localhost/hook", "http://10.1.2.3/", "http://172.20.0.1/",
            "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[fe80::1]/",
            "http://[fd00::1]/", "http://0.0.0.0/", "http://100.64.0.1/", "http://[::ffff:127.0.0.1]/",
            "file:///etc/passwd", "gopher://example.com/", "http://user:pw@93.184.216.34/", "not a url",
        ])
    func refused(_ url: String) {
        #expect(throws: SkiffError.self) { try DestinationPolicy(allowPrivate: false).check(url) }
    }

    @Test("public IP literals pass; the allow flag admits loopback but never other schemes")
    func allowed() throws {
        try DestinationPolicy(allowPrivate: false).check("https://93.184.216.34/hook")
        try DestinationPolicy(allowPrivate: true).check("http://127.0.0.1:9/hook")
        #expect(throws: SkiffError.self) { try DestinationPolicy(allowPrivate: true).check("file:///etc/passwd") }
    }

    @Test("the payload has MLflow's shape with tags as an object and nulls kept")
    func payload() throws {
        let event = RegistryEvent(
            entity: .modelVersion, action: .created, time: 1_700_000_000_123,
            data: [
                ("name", .string("m")), ("version", .string("2")), ("run_id", .null),
                ("tags", .map([Tag(key: "k", value: "v")])),
            ])
        let text = String(decoding: WebhookDispatcher.payload(event), as: UTF8.self)
        #expect(
            text
                == #"{"action":"created","data":{"name":"m","run_id":null,"tags":{"k":"v"},"version":"2"},"entity":"model_version","timestamp":"2023-11-14T22:13:20.123Z"}"#
        )
    }
}
