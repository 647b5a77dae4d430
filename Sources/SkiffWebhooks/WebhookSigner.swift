import Crypto
import Foundation

/// MLflow's webhook signature: `v1,` + base64 HMAC-SHA256(secret, "<delivery id>.<unix seconds>.<payload>").
public enum WebhookSigner {
    /// The `X-MLflow-Signature` header value.
    public static func signature(secret: String, deliveryID: String, timestamp: String, payload: [UInt8]) -> String {
        var message = Array("\(deliveryID).\(timestamp).".utf8)
        message.append(contentsOf: payload)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Array(secret.utf8)))
        return "v1," + Data(code).base64EncodedString()
    }
}
