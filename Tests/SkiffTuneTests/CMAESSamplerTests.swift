import Foundation
import Testing

@testable import SkiffTune

@Suite("CMA-ES sampler")
struct CMAESSamplerTests {
    static let sphere = try! SearchSpace(
        yaml: """
            x: {type: float, low: -5, high: 5}
            y: {type: float, low: -5, high: 5}
            z: {type: float, low: -5, high: 5}
            """
    )

    static func quadratic(_ params: [String: ParameterValue]) -> Double {
        let x = params["x"]!.doubleValue!
        let y = params["y"]!.doubleValue!
        let z = params["z"]!.doubleValue!
        return (x - 1) * (x - 1) + 2 * (y + 2) * (y + 2) + 0.5 * (z - 0.5) * (z - 0.5)
    }

    static func run(seed: UInt64, trials: Int) throws -> (best: Double, suggestions: [[String: ParameterValue]]) {
        var sampler = try CMAESSampler(space: sphere, direction: .minimize, seed: seed)
        var best = Double.infinity
        var suggestions: [[String: ParameterValue]] = []
        for number in 0..<trials {
            let params = try sampler.suggest(running: [])
            suggestions.append(params)
            let value = quadratic(params)
            best = min(best, value)
            sampler.observe(Trial(number: number, state: .complete, params: params, value: value))
        }
        return (best, suggestions)
    }

    @Test func populationSizeFollowsTheCmaesDefault() throws {
        let sampler = try CMAESSampler(space: Self.sphere, direction: .minimize, seed: 1)
        #expect(sampler.populationSize(dimensions: 2) == 6)
        #expect(sampler.populationSize(dimensions: 3) == 7)
        #expect(sampler.populationSize(dimensions: 10) == 10)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func convergesOnAQuadratic(seed: UInt64) throws {
        let (best, _) = try Self.run(seed: seed, trials: 300)
        // Random search reaches ~0.5 on this bowl with 300 trials; CMA-ES gets to the optimum's neighbourhood.
        #expect(best < 1e-3)
    }

    @Test func seededRunsAreReproducible() throws {
        let first = try Self.run(seed: 42, trials: 40)
        let second = try Self.run(seed: 42, trials: 40)
        let other = try Self.run(seed: 43, trials: 40)
        #expect(first.suggestions == second.suggestions)
        #expect(first.suggestions != other.suggestions)
    }

    @Test func maximisesWhenAsked() throws {
        var sampler = try CMAESSampler(space: Self.sphere, direction: .maximize, seed: 7)
        var best = -Double.infinity
        for number in 0..<200 {
            let params = try sampler.suggest(running: [])
            let value = -Self.quadratic(params)
            best = max(best, value)
            sampler.observe(Trial(number: number, state: .complete, params: params, value: value))
        }
        #expect(best > -1e-2)
    }

    @Test func categoricalIntAndConditionalParametersStayValid() throws {
        let space = try SearchSpace(
            yaml: """
                lr: {type: float, low: 1e-5, high: 1e-1, log: true}
                layers: {type: int, low: 1, high: 8}
                dropout: {type: float, low: 0.0, high: 0.5, step: 0.1}
                optimizer: {type: categorical, choices: [adam, sgd]}
                momentum: {type: float, low: 0, high: 0.99, when: {optimizer: sgd}}
                """
        )
        var sampler = try CMAESSampler(space: space, direction: .minimize, seed: 3)
        var optimizers = Set<ParameterValue>()
        for number in 0..<60 {
            let params = try sampler.suggest(running: [])
            #expect(space.isValid(params))
            optimizers.insert(params["optimizer"]!)
            let value = log(params["lr"]!.doubleValue!) + params["layers"]!.doubleValue!
            sampler.observe(Trial(number: number, state: .complete, params: params, value: value))
        }
        #expect(optimizers.count == 2)
    }

    @Test func eigenDecompositionReconstructsTheMatrix() {
        let matrix = [4.0, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]
        let (values, vectors) = SymmetricEigen.decompose(matrix, size: 3)
        for i in 0..<3 {
            for j in 0..<3 {
                var sum = 0.0
                for k in 0..<3 { sum += vectors[i * 3 + k] * values[k] * vectors[j * 3 + k] }
                #expect(abs(sum - matrix[i * 3 + j]) < 1e-10)
            }
        }
    }
}
