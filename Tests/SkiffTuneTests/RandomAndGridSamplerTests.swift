import SkiffTune
import Testing

@Suite("Random and grid samplers")
struct RandomAndGridSamplerTests {
    static let space = try! SearchSpace(
        yaml: """
            lr: {type: float, low: 1e-5, high: 1e-1, log: true}
            optimizer: {type: categorical, choices: [adam, sgd]}
            momentum: {type: float, low: 0, high: 0.99, when: {optimizer: sgd}}
            layers: {type: int, low: 2, high: 11, step: 3}
            batch: {type: int, low: 16, high: 1024, log: true}
            dropout: {type: float, low: 0.0, high: 0.5, step: 0.1}
            """
    )

    @Test func randomSuggestionsRespectEveryDistributionAndCondition() throws {
        var sampler = RandomSampler(space: Self.space, seed: 7)
        var sawMomentum = false
        var sawAdam = false
        var lrBelowMilli = 0
        for _ in 0..<2000 {
            let params = try sampler.suggest(running: [])
            #expect(Self.space.isValid(params))
            if params["optimizer"] == .string("sgd") {
                #expect(params["momentum"] != nil)
                sawMomentum = true
            } else {
                #expect(params["momentum"] == nil)
                sawAdam = true
            }
            if let lr = params["lr"]?.doubleValue, lr < 1e-3 { lrBelowMilli += 1 }
        }
        #expect(sawMomentum && sawAdam)
        // Log-uniform on [1e-5, 1e-1]: half the mass lies below 1e-3 (a uniform draw would put 1% there).
        #expect(lrBelowMilli > 850 && lrBelowMilli < 1150)
    }

    @Test func randomCoversIntAndStepGrids() throws {
        var sampler = RandomSampler(space: Self.space, seed: 3)
        var layers = Set<ParameterValue>()
        var dropout = Set<ParameterValue>()
        for _ in 0..<500 {
            let params = try sampler.suggest(running: [])
            layers.insert(params["layers"]!)
            dropout.insert(params["dropout"]!)
        }
        #expect(layers == [.int(2), .int(5), .int(8), .int(11)])
        #expect(dropout.count == 6)
    }

    @Test func sameSeedSameSuggestionsDifferentSeedDifferent() throws {
        var a = RandomSampler(space: Self.space, seed: 42)
        var b = RandomSampler(space: Self.space, seed: 42)
        var c = RandomSampler(space: Self.space, seed: 43)
        let first = try (0..<20).map { _ in try a.suggest(running: []) }
        let second = try (0..<20).map { _ in try b.suggest(running: []) }
        let third = try (0..<20).map { _ in try c.suggest(running: []) }
        #expect(first == second)
        #expect(first != third)
    }

    @Test func gridEnumeratesEveryCombinationOnceSkippingInactiveParameters() throws {
        let space = try SearchSpace(
            yaml: """
                optimizer: {type: categorical, choices: [adam, sgd]}
                momentum: {type: float, low: 0.5, high: 0.9, step: 0.2, when: {optimizer: sgd}}
                layers: {type: int, low: 1, high: 2}
                """
        )
        var sampler = try GridSampler(space: space)
        var seen: [[String: ParameterValue]] = []
        while let params = try? sampler.suggest(running: []) {
            seen.append(params)
        }
        // adam × 2 layers + sgd × 3 momenta × 2 layers.
        #expect(seen.count == 8)
        #expect(Set(seen).count == 8)
        #expect(seen.allSatisfy(space.isValid))
        #expect(seen[0] == ["optimizer": .string("adam"), "layers": .int(1)])
        #expect(seen[1] == ["optimizer": .string("adam"), "layers": .int(2)])
        #expect(seen[2] == ["optimizer": .string("sgd"), "momentum": .float(0.5), "layers": .int(1)])
        #expect(seen[7] == ["optimizer": .string("sgd"), "momentum": .float(0.9), "layers": .int(2)])
        #expect {
            try sampler.suggest(running: [])
        } throws: { error in
            (error as? TuneError)?.code == .searchSpaceExhausted
        }
    }

    @Test func gridRejectsContinuousFloatsByName() {
        #expect {
            try GridSampler(space: Self.space)
        } throws: { error in
            guard let error = error as? TuneError else { return false }
            return error.code == .invalidConfiguration && error.parameter == "lr"
        }
    }
}
