import Yams

extension SearchSpace {
    /// Parses a search space from YAML, one top-level key per parameter, in file order.
    ///
    /// ```yaml
    /// lr: {type: float, low: 1e-5, high: 1e-1, log: true}
    /// batch: {type: int, low: 16, high: 256, step: 16}
    /// optimizer: {type: categorical, choices: [adam, sgd]}
    /// momentum: {type: float, low: 0, high: 0.99, when: {optimizer: sgd}}
    /// ```
    ///
    /// Keys: `type` (`float`, `int`, `categorical`), `low`, `high`, `step`, `log`, `choices`, `when`. Unknown
    /// keys are rejected so that a typo does not silently change the space.
    /// - Parameter yaml: The document's text.
    /// - Throws: ``TuneError`` (``TuneError/Code/invalidSearchSpace``) naming the parameter and the problem.
    public init(yaml: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw TuneError(.invalidSearchSpace, "the search space is not valid YAML: \(error)")
        }
        guard let root, let mapping = root.mapping else {
            throw TuneError(
                .invalidSearchSpace,
                "the search space must be a mapping of parameter names to definitions, e.g. "
                    + "'lr: {type: float, low: 1e-5, high: 1e-1, log: true}'"
            )
        }
        var parameters: [Parameter] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                throw TuneError(.invalidSearchSpace, "parameter names must be plain strings")
            }
            parameters.append(try Self.parseParameter(name: name, node: value))
        }
        try self.init(parameters: parameters)
    }

    private static let allowedKeys: Set<String> = ["type", "low", "high", "step", "log", "choices", "when"]

    private static func parseParameter(name: String, node: Node) throws -> Parameter {
        func fail(_ message: String) -> TuneError {
            TuneError(.invalidSearchSpace, parameter: name, message)
        }
        guard let mapping = node.mapping else {
            throw fail("must be a mapping such as '{type: float, low: 0, high: 1}'")
        }
        var fields: [String: Node] = [:]
        for (key, value) in mapping {
            guard let key = key.scalar?.string else { throw fail("keys must be plain strings") }
            guard allowedKeys.contains(key) else {
                throw fail("unknown key '\(key)'; expected one of \(allowedKeys.sorted().joined(separator: ", "))")
            }
            fields[key] = value
        }
        guard let type = fields["type"]?.scalar?.string else {
            throw fail("missing 'type'; use float, int or categorical")
        }
        func number(_ key: String) throws -> Double? {
            guard let node = fields[key] else { return nil }
            guard let text = node.scalar?.string, let value = Double(text.replacingOccurrences(of: "_", with: ""))
            else {
                throw fail("'\(key)' must be a number")
            }
            return value
        }
        func requiredNumber(_ key: String) throws -> Double {
            guard let value = try number(key) else { throw fail("missing '\(key)'") }
            return value
        }
        func integer(_ key: String) throws -> Int? {
            guard let value = try number(key) else { return nil }
            guard value.rounded() == value, abs(value) < 9e15 else { throw fail("'\(key)' must be an integer") }
            return Int(value)
        }
        func flag(_ key: String) throws -> Bool {
            guard let node = fields[key] else { return false }
            guard let value = node.scalar.flatMap({ Bool(yamlFlag: $0.string) }) else {
                throw fail("'\(key)' must be true or false")
            }
            return value
        }
        let distribution: Distribution
        switch type {
        case "float":
            guard fields["choices"] == nil else { throw fail("'choices' is only allowed for type categorical") }
            distribution = .float(
                low: try requiredNumber("low"),
                high: try requiredNumber("high"),
                step: try number("step"),
                log: try flag("log")
            )
        case "int":
            guard fields["choices"] == nil else { throw fail("'choices' is only allowed for type categorical") }
            guard let low = try integer("low") else { throw fail("missing 'low'") }
            guard let high = try integer("high") else { throw fail("missing 'high'") }
            distribution = .int(low: low, high: high, step: try integer("step") ?? 1, log: try flag("log"))
        case "categorical":
            for key in ["low", "high", "step", "log"] where fields[key] != nil {
                throw fail("'\(key)' is not allowed for type categorical")
            }
            guard let choices = fields["choices"]?.sequence else {
                throw fail("missing 'choices'; give a list such as [adam, sgd]")
            }
            distribution = .categorical(
                try choices.map { node in
                    guard let scalar = node.scalar else { throw fail("choices must be scalars, not lists or mappings") }
                    return ParameterValue(yamlScalar: scalar)
                }
            )
        default:
            throw fail("unknown type '\(type)'; use float, int or categorical")
        }
        var conditions: [Condition] = []
        if let when = fields["when"] {
            guard let mapping = when.mapping, !mapping.isEmpty else {
                throw fail("'when' must be a mapping such as {optimizer: sgd}")
            }
            for (key, value) in mapping {
                guard let parent = key.scalar?.string else { throw fail("'when' keys must be parameter names") }
                let nodes = value.sequence.map(Array.init) ?? [value]
                let values = try nodes.map { node in
                    guard let scalar = node.scalar else {
                        throw fail("'when' values must be scalars or a list of them")
                    }
                    return ParameterValue(yamlScalar: scalar)
                }
                conditions.append(Condition(parent: parent, values: values))
            }
        }
        return Parameter(name: name, distribution: distribution, conditions: conditions)
    }
}

extension ParameterValue {
    /// Reads a YAML scalar: quoted scalars are strings; plain ones become bools, ints or floats when they look
    /// like one (YAML 1.2 core schema), strings otherwise.
    init(yamlScalar scalar: Node.Scalar) {
        let text = scalar.string
        guard scalar.style == .plain || scalar.style == .any else {
            self = .string(text)
            return
        }
        if let flag = Bool(yamlFlag: text) {
            self = .bool(flag)
        } else if let value = Int(text) {
            self = .int(value)
        } else if let value = Double(text), text.contains(where: \.isNumber) {
            self = .float(value)
        } else {
            self = .string(text)
        }
    }
}

extension Bool {
    /// Reads `true`/`false` in the spellings YAML 1.2 accepts.
    init?(yamlFlag text: String) {
        switch text {
        case "true", "True", "TRUE": self = true
        case "false", "False", "FALSE": self = false
        default: return nil
        }
    }
}
