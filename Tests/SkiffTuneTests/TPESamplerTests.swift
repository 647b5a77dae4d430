import Testing

@testable import SkiffTune

@Suite("TPE sampler")
struct TPESamplerTests {
    static let quadratic = try! SearchSpace(
        yaml: """
            x: {type: float, low: -10, high: 10}
            y: {type: float, low: -10, high: 10}
            """
    )

    static func objective(_ params: [String: ParameterValue]) -> Double {
        let x = params["x"]!.doubleValue!
        let y = params["y"]!.doubleValue!
        return (x - 3) * (x - 3) + (y + 2) * (y + 2)
    }

    /// Runs `trials` sequential trials and returns the best value and every suggestion.
    static func optimize<S: Sampler>(
        _ sampler: inout S,
        trials: Int,
        objective: ([String: ParameterValue]) -> Double
    ) throws -> (best: Double, suggestions: [[String: ParameterValue]]) {
        var best = Double.infinity
        var suggestions: [[String: ParameterValue]] = []
        for number in 0..<trials {
            let params = try sampler.suggest(running: [])
            suggestions.append(params)
            let value = objective(params)
            best = min(best, value)
            sampler.observe(Trial(number: number, state: .complete, params: params, value: value))
        }
        return (best, suggestions)
    }

    @Test func belowSetSizeFollowsOptunaGamma() {
        let configuration = TPESampler.Configuration()
        #expect(configuration.belowCount(finished: 10) == 1)
        #expect(configuration.belowCount(finished: 11) == 2)
        #expect(configuration.belowCount(finished: 100) == 10)
        #expect(configuration.belowCount(finished: 5000) == 25)
    }

    @Test func observationWeightsRampOlderObservations() {
        #expect(ParzenEstimator.observationWeights(count: 3) == [1, 1, 1])
        let weights = ParzenEstimator.observationWeights(count: 30)
        #expect(weights.count == 30)
        // linspace(1/30, 1, 5) for the 5 oldest, then 25 ones.
        let expected = [1.0 / 30, 0.275, 0.516_666_666_666_666_7, 0.758_333_333_333_333_4, 1.0]
        for (weight, value) in zip(weights.prefix(5), expected) {
            #expect(abs(weight - value) < 1e-12)
        }
        #expect(weights.suffix(25).allSatisfy { $0 == 1 })
    }

    @Test func bandwidthsUseTheLargerNeighbourGap() {
        // Points 0.1, 0.4 and 0.7 on [0, 1] (Optuna 5: the prior mean is not a neighbour): the middle point takes
        // its larger gap 0.3; the outermost points use their inner gap only: 0.3 each.
        let sigmas = ParzenEstimator.neighbourBandwidths([0.7, 0.1, 0.4], low: 0, high: 1)
        #expect(sigmas.count == 3)
        for sigma in sigmas { #expect(abs(sigma - 0.3) < 1e-12) }
        // One point: the larger gap to a bound.
        let single = ParzenEstimator.neighbourBandwidths([0.2], low: 0, high: 1)
        #expect(abs(single[0] - 0.8) < 1e-12)
    }

    @Test(arguments: [true, false])
    func suggestionsStayInsideTheSpaceAndRespectConditions(multivariate: Bool) throws {
        let space = try SearchSpace(
            yaml: """
                lr: {type: float, low: 1e-5, high: 1e-1, log: true}
                optimizer: {type: categorical, choices: [adam, sgd]}
                momentum: {type: float, low: 0, high: 0.99, when: {optimizer: sgd}}
                layers: {type: int, low: 2, high: 11, step: 3}
                batch: {type: int, low: 16, high: 1024, log: true}
                dropout: {type: float, low: 0.0, high: 0.5, step: 0.1}
                """
        )
        var sampler = try TPESampler(
            space: space,
            direction: .maximize,
            configuration: .init(multivariate: multivariate),
            seed: 11
        )
        let (_, suggestions) = try Self.optimize(&sampler, trials: 80) { params in
            let lr = params["lr"]!.doubleValue!
            let momentum = params["momentum"]?.doubleValue ?? 0
            return -abs(lr - 0.01) + momentum
        }
        #expect(suggestions.allSatisfy(space.isValid))
        let late = suggestions.suffix(30)
        // The objective rewards sgd with large momentum; the model should prefer it after start-up.
        #expect(late.filter { $0["optimizer"] == .string("sgd") }.count > 20)
    }

    @Test func sameSeedReproducesTheWholeRun() throws {
        var a = try TPESampler(space: Self.quadratic, direction: .minimize, seed: 5)
        var b = try TPESampler(space: Self.quadratic, direction: .minimize, seed: 5)
        var c = try TPESampler(space: Self.quadratic, direction: .minimize, seed: 6)
        let runA = try Self.optimize(&a, trials: 40, objective: Self.objective)
        let runB = try Self.optimize(&b, trials: 40, objective: Self.objective)
        let runC = try Self.optimize(&c, trials: 40, objective: Self.objective)
        #expect(runA.suggestions == runB.suggestions)
        #expect(runA.suggestions != runC.suggestions)
    }

    @Test func findsABetterOptimumThanRandomOnAQuadratic() throws {
        var tpeBest: [Double] = []
        var randomBest: [Double] = []
        for seed in UInt64(1)...7 {
            var tpe = try TPESampler(space: Self.quadratic, direction: .minimize, seed: seed)
            var random = RandomSampler(space: Self.quadratic, seed: seed)
            tpeBest.append(try Self.optimize(&tpe, trials: 60, objective: Self.objective).best)
            randomBest.append(try Self.optimize(&random, trials: 60, objective: Self.objective).best)
        }
        let tpeMedian = tpeBest.sorted()[3]
        let randomMedian = randomBest.sorted()[3]
        #expect(tpeMedian < randomMedian / 3)
        #expect(tpeBest.filter { $0 < 1 }.count >= 6)
    }

    @Test func maximizingFindsTheTopOfANegatedQuadratic() throws {
        var sampler = try TPESampler(space: Self.quadratic, direction: .maximize, seed: 2)
        let run = try Self.optimize(&sampler, trials: 60) { -Self.objective($0) }
        let best = run.suggestions.map { -Self.objective($0) }.max()!
        #expect(best > -1)
    }

    @Test func constantLiarSteersAwayFromRunningTrials() throws {
        let space = try SearchSpace(yaml: "x: {type: float, low: 0, high: 1}")
        func sampler(liar: Bool) throws -> TPESampler {
            var sampler = try TPESampler(
                space: space,
                direction: .minimize,
                configuration: .init(constantLiar: liar),
                seed: 9
            )
            // Ten complete trials; the best lies at x = 0.5.
            for number in 0..<10 {
                let x = 0.05 + 0.1 * Double(number)
                sampler.observe(
                    Trial(number: number, state: .complete, params: ["x": .float(x)], value: abs(x - 0.5))
                )
            }
            return sampler
        }
        let running = (10..<40).map { Trial(number: $0, params: ["x": .float(0.45 + 0.001 * Double($0 - 10))]) }
        var honest = try sampler(liar: false)
        var liar = try sampler(liar: true)
        func distanceFromRunning(_ sampler: inout TPESampler) throws -> Double {
            var total = 0.0
            for _ in 0..<50 {
                let x = try sampler.suggest(running: running)["x"]!.doubleValue!
                total += abs(x - 0.46)
            }
            return total / 50
        }
        let honestDistance = try distanceFromRunning(&honest)
        let liarDistance = try distanceFromRunning(&liar)
        #expect(liarDistance > honestDistance)
    }

    @Test func invalidConfigurationIsRejected() {
        #expect(throws: TuneError.self) {
            try TPESampler(space: Self.quadratic, direction: .minimize, configuration: .init(eiCandidates: 0), seed: 1)
        }
        #expect(throws: TuneError.self) {
            try TPESampler(space: Self.quadratic, direction: .minimize, configuration: .init(gammaFraction: 0), seed: 1)
        }
    }

    @Test func aboveSetIsBoundedWithoutLosingWeight() {
        let rows = (0..<5000).flatMap { [Double($0), -Double($0)] }
        let unchanged = TPESampler.bound(Array(rows.prefix(200)), width: 2, cap: 2000)
        #expect(unchanged.weights == nil)
        #expect(unchanged.rows.count == 200)
        let (kept, weights) = TPESampler.bound(rows, width: 2, cap: 2000)
        let total = ParzenEstimator.observationWeights(count: 5000).reduce(0, +)
        #expect(kept.count == 4000)
        #expect(weights?.count == 2000)
        #expect(abs((weights ?? []).reduce(0, +) - total) < 1e-9 * total)
        // The 25 newest observations keep their own kernels and weight 1, in order.
        #expect(Array(kept.suffix(50)) == Array(rows.suffix(50)))
        #expect(weights?.suffix(25).allSatisfy { $0 == 1 } == true)
    }
}
