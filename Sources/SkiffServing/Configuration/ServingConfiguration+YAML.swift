import Yams

extension ServingConfiguration {
    /// Reads a `serving.yaml`:
    ///
    /// ```yaml
    /// port: 8080
    /// tracking_uri: http://127.0.0.1:5000
    /// batching: {max_batch_size: 256, max_batch_delay: 2ms, max_queue: 1024}
    /// log_predictions: ./predictions
    /// models:
    ///   - name: churn
    ///     model: models:/churn@champion
    ///     canary: {model: models:/churn/4, weight: 10}
    ///     shadow: [models:/churn/5]
    ///     sticky_header: X-User-Id
    /// ```
    /// - Throws: `ServingError` `configuration` naming the key at fault.
    public static func load(yaml text: String) throws(ServingError) -> ServingConfiguration {
        func fail(_ message: String) -> ServingError { ServingError(.configuration, "serving config: \(message)") }
        let root: [String: Any]
        do {
            guard let loaded = try Yams.load(yaml: text) as? [String: Any] else {
                throw fail("the file must be a mapping with a 'models' list.")
            }
            root = loaded
        } catch let error as ServingError {
            throw error
        } catch {
            throw fail("not valid YAML (\(String(describing: error).prefix(200))).")
        }
        let known: Set<String> = [
            "host", "port", "tracking_uri", "poll_interval", "request_timeout", "max_body_size", "threads", "batching",
            "log_predictions", "access_log", "models",
        ]
        for key in root.keys where !known.contains(key) {
            throw fail("unknown key '\(key)'; known keys: \(known.sorted().joined(separator: ", ")).")
        }
        var configuration = ServingConfiguration()
        if let host = root["host"] {
            guard let host = host as? String else { throw fail("host must be a string.") }
            configuration.host = host
        }
        if let port = root["port"] {
            guard let port = port as? Int else { throw fail("port must be an integer.") }
            configuration.port = port
        }
        if let uri = root["tracking_uri"] {
            guard let uri = uri as? String else { throw fail("tracking_uri must be a string.") }
            configuration.trackingURI = uri
        }
        if let value = root["poll_interval"] { configuration.pollInterval = try duration(value, "poll_interval") }
        if let value = root["request_timeout"] { configuration.requestTimeout = try duration(value, "request_timeout") }
        if let value = root["max_body_size"] {
            guard let bytes = value as? Int else { throw fail("max_body_size must be a number of bytes.") }
            configuration.maxBodyBytes = bytes
        }
        if let value = root["threads"] {
            guard let threads = value as? Int else { throw fail("threads must be an integer.") }
            configuration.threads = threads
        }
        if let value = root["access_log"] {
            guard let flag = value as? Bool else { throw fail("access_log must be true or false.") }
            configuration.accessLog = flag
        }
        if let value = root["batching"] {
            guard let batching = value as? [String: Any] else { throw fail("batching must be a mapping.") }
            for key in batching.keys where !["max_batch_size", "max_batch_delay", "max_queue"].contains(key) {
                throw fail("unknown batching key '\(key)'.")
            }
            if let size = batching["max_batch_size"] {
                guard let size = size as? Int else { throw fail("batching.max_batch_size must be an integer.") }
                configuration.batching.maxRows = size
            }
            if let delay = batching["max_batch_delay"] {
                configuration.batching.maxDelay = try duration(delay, "batching.max_batch_delay")
            }
            if let queue = batching["max_queue"] {
                guard let queue = queue as? Int else { throw fail("batching.max_queue must be an integer.") }
                configuration.batching.maxQueued = queue
            }
        }
        if let value = root["log_predictions"] {
            if let directory = value as? String {
                configuration.predictionLogDirectory = directory
            } else if let log = value as? [String: Any], let directory = log["directory"] as? String {
                configuration.predictionLogDirectory = directory
                if let bytes = log["segment_bytes"] {
                    guard let bytes = bytes as? Int else { throw fail("log_predictions.segment_bytes must be bytes.") }
                    configuration.predictionLogSegmentBytes = bytes
                }
                if let records = log["buffer"] {
                    guard let records = records as? Int else {
                        throw fail("log_predictions.buffer must be an integer.")
                    }
                    configuration.predictionLogBufferRecords = records
                }
            } else {
                throw fail("log_predictions must be a directory or a mapping with 'directory'.")
            }
        }
        guard let models = root["models"] as? [Any], !models.isEmpty else {
            throw fail("'models' must be a non-empty list of {name, model, canary, shadow}.")
        }
        for (index, item) in models.enumerated() {
            configuration.routes.append(try route(item, index: index))
        }
        return configuration
    }

    private static func route(_ item: Any, index: Int) throws(ServingError) -> Route {
        func fail(_ message: String) -> ServingError {
            ServingError(.configuration, "serving config: models[\(index)]: \(message)")
        }
        guard let entry = item as? [String: Any] else { throw fail("must be a mapping with 'model'.") }
        for key in entry.keys where !["name", "model", "canary", "shadow", "sticky_header"].contains(key) {
            throw fail("unknown key '\(key)'; known keys: name, model, canary, shadow, sticky_header.")
        }
        guard let model = entry["model"] as? String, !model.isEmpty else { throw fail("'model' must be a string.") }
        var route = Route(model: model)
        if let name = entry["name"] {
            guard let name = name as? String else { throw fail("'name' must be a string.") }
            route.name = name
        }
        if let canary = entry["canary"] {
            guard let canary = canary as? [String: Any], let model = canary["model"] as? String else {
                throw fail("'canary' must be a mapping with 'model' and 'weight'.")
            }
            let weight: Double
            switch canary["weight"] {
            case let value as Int: weight = Double(value)
            case let value as Double: weight = value
            default: throw fail("'canary.weight' must be a percentage between 0 and 100.")
            }
            route.canary = Canary(model: model, weight: weight)
        }
        switch entry["shadow"] {
        case nil: break
        case let single as String: route.shadows = [single]
        case let list as [Any]:
            for shadow in list {
                guard let shadow = shadow as? String else { throw fail("'shadow' must list model references.") }
                route.shadows.append(shadow)
            }
        default: throw fail("'shadow' must be a model reference or a list of them.")
        }
        if let header = entry["sticky_header"] {
            guard let header = header as? String else { throw fail("'sticky_header' must be a header name.") }
            route.stickyHeader = header
        }
        return route
    }

    private static func duration(_ value: Any, _ key: String) throws(ServingError) -> Duration {
        let text: String
        switch value {
        case let string as String: text = string
        case let number as Int: text = String(number)
        case let number as Double: text = String(number)
        default: throw ServingError(.configuration, "serving config: \(key) must be a duration such as 2ms or 10s.")
        }
        guard let duration = DurationText.parse(text) else {
            throw ServingError(.configuration, "serving config: \(key) must be a duration such as 2ms or 10s.")
        }
        return duration
    }
}
