import HTTPTypes

extension HTTPField.Name {
    /// `nosniff` keeps a browser to the declared content type of a download.
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
}
