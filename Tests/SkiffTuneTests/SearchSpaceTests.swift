import SkiffTune
import Testing

@Suite("Search space from YAML")
struct SearchSpaceTests {
    static let issueExample = """
        lr: {type: float, low: 1e-5, high: 1e-1, log: true}
        optimizer: {type: categorical, choices: [adam, sgd]}
        momentum: {type: float, low: 0, high: 0.99, when: {optimizer: sgd}}
        layers: {type: int, low: 1, high: 8, step: 1}
        batch: {type: int, low: 16, high: 1024, log: true}
        dropout: {type: float, low: 0.0, high: 0.5, step: 0.1}
        """

    @Test func parsesTheIssueExampleInFileOrder() throws {
        let space = try SearchSpace(yaml: Self.issueExample)
        #expect(space.parameters.map(\.name) == ["lr", "optimizer", "momentum", "layers", "batch", "dropout"])
        #expect(space["lr"]?.distribution == .float(low: 1e-5, high: 1e-1, step: nil, log: true))
        #expect(space["optimizer"]?.distribution == .categorical([.string("adam"), .string("sgd")]))
        #expect(space["momentum"]?.distribution == .float(low: 0, high: 0.99, step: nil, log: false))
        #expect(space["momentum"]?.conditions == [Condition(parent: "optimizer", values: [.string("sgd")])])
        #expect(space["layers"]?.distribution == .int(low: 1, high: 8, step: 1, log: false))
        #expect(space["batch"]?.distribution == .int(low: 16, high: 1024, step: 1, log: true))
        #expect(space["dropout"]?.distribution == .float(low: 0, high: 0.5, step: 0.1, log: false))
    }

    @Test func categoricalChoicesKeepTheirYAMLTypes() throws {
        let space = try SearchSpace(yaml: #"x: {type: categorical, choices: [1, 2.5, true, "7", relu]}"#)
        #expect(
            space["x"]?.distribution
                == .categorical([.int(1), .float(2.5), .bool(true), .string("7"), .string("relu")])
        )
    }

    @Test func conditionAcceptsAListOfValues() throws {
        let space = try SearchSpace(
            yaml: """
                opt: {type: categorical, choices: [adam, sgd, rmsprop]}
                momentum: {type: float, low: 0, high: 1, when: {opt: [sgd, rmsprop]}}
                """
        )
        let momentum = try #require(space["momentum"])
        #expect(momentum.isActive(given: ["opt": .string("sgd")]))
        #expect(momentum.isActive(given: ["opt": .string("rmsprop")]))
        #expect(!momentum.isActive(given: ["opt": .string("adam")]))
        #expect(!momentum.isActive(given: [:]))
    }

    @Test func validityRequiresActiveAndForbidsInactiveParameters() throws {
        let space = try SearchSpace(yaml: Self.issueExample)
        var assignment: [String: ParameterValue] = [
            "lr": .float(0.01), "optimizer": .string("adam"), "layers": .int(3), "batch": .int(64),
            "dropout": .float(0.2),
        ]
        #expect(space.isValid(assignment))
        assignment["momentum"] = .float(0.9)
        #expect(!space.isValid(assignment))
        assignment["optimizer"] = .string("sgd")
        #expect(space.isValid(assignment))
        assignment["momentum"] = nil
        #expect(!space.isValid(assignment))
        assignment["momentum"] = .float(1.5)
        #expect(!space.isValid(assignment))
        assignment["momentum"] = .float(0.5)
        assignment["dropout"] = .float(0.25)
        #expect(!space.isValid(assignment))
    }

    static let invalidDocuments: [(yaml: String, parameter: String?, fragment: String)] = [
        ("lr: {type: float, low: 0, high: 1, log: true}", "lr", "log scale needs low > 0"),
        ("lr: {type: float, low: 1, high: 0}", "lr", "must not be greater than high"),
        ("lr: {type: float, low: 0.1, high: 1, log: true, step: 0.1}", "lr", "step and log cannot be used together"),
        ("lr: {type: float, low: 0, high: 1, step: 0}", "lr", "step must be a positive number"),
        ("lr: {type: float, high: 1}", "lr", "missing 'low'"),
        ("lr: {type: float, low: abc, high: 1}", "lr", "'low' must be a number"),
        ("lr: {type: double, low: 0, high: 1}", "lr", "unknown type 'double'"),
        ("lr: {low: 0, high: 1}", "lr", "missing 'type'"),
        ("lr: {type: float, low: 0, hihg: 1}", "lr", "unknown key 'hihg'"),
        ("n: {type: int, low: 0, high: 10, log: true}", "n", "log scale needs low >= 1"),
        ("n: {type: int, low: 1, high: 10, step: 2, log: true}", "n", "cannot be combined with a step"),
        ("n: {type: int, low: 1.5, high: 10}", "n", "'low' must be an integer"),
        ("c: {type: categorical, choices: []}", "c", "choices must not be empty"),
        ("c: {type: categorical, choices: [a, a]}", "c", "listed twice"),
        ("c: {type: categorical}", "c", "missing 'choices'"),
        ("c: {type: categorical, choices: [a], low: 1}", "c", "'low' is not allowed"),
        ("m: {type: float, low: 0, high: 1, when: {opt: sgd}}", "m", "unknown parameter 'opt'"),
        (
            "m: {type: float, low: 0, high: 1, when: {opt: sgd}}\nopt: {type: categorical, choices: [sgd]}", "m",
            "must be declared before"
        ),
        (
            "opt: {type: categorical, choices: [adam]}\nm: {type: float, low: 0, high: 1, when: {opt: sgd}}", "m",
            "can never take"
        ),
        ("lr: {type: float, low: 0, high: 1}\nlr: {type: float, low: 0, high: 2}", "lr", "declared twice"),
        ("- lr\n- momentum", nil, "must be a mapping"),
        ("lr: [1, 2]", "lr", "must be a mapping"),
        ("lr: {type: float, low: 0, high: 1, log: maybe}", "lr", "'log' must be true or false"),
        ("", nil, "must be a mapping"),
    ]

    @Test(arguments: invalidDocuments)
    func rejectsInvalidDocumentsNamingParameterAndProblem(yaml: String, parameter: String?, fragment: String) {
        #expect {
            try SearchSpace(yaml: yaml)
        } throws: { error in
            guard let error = error as? TuneError, error.code == .invalidSearchSpace else { return false }
            if let parameter, error.parameter != parameter { return false }
            return error.description.contains(fragment)
        }
    }

    @Test func distributionsContainTheirGridOnly() {
        let stepped = Distribution.float(low: 0, high: 1, step: 0.3, log: false)
        #expect(stepped.allValues == [.float(0), .float(0.3), .float(0.6), .float(0.8999999999999999)])
        #expect(stepped.contains(.float(0.6)))
        #expect(!stepped.contains(.float(0.5)))
        #expect(!stepped.contains(.float(1.0)))
        let ints = Distribution.int(low: 2, high: 11, step: 3, log: false)
        #expect(ints.allValues == [.int(2), .int(5), .int(8), .int(11)])
        #expect(!ints.contains(.int(4)))
        #expect(!ints.contains(.float(5)))
    }
}
