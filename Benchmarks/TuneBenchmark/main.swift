// Measures TPE suggestion time with thousands of completed trials held in memory.
//
// Usage: swift run -c release TuneBenchmark [trials ...]   (default: 1000 5000)
//        swift run -c release TuneBenchmark quality FUNCTIONS SEEDS BUDGETS   (e.g. branin,hartmann6 20 50,100,200)
// The quality mode runs TPE with Optuna 5's defaults on the benchmark functions, sequentially, and prints one JSON
// line per (function, seed) with the best value after each budget, like scripts/bench/optuna_quality.py.
// For each history size it feeds that many completed trials (random points of the space, quadratic objective)
// to a TPE sampler with Optuna 5's defaults, then times 200 ask/tell steps: a suggestion with 8 running trials
// (constant liar) followed by recording its result, so the model changes before every suggestion as in a study.
import Foundation
import SkiffTune

let spaces: [(name: String, yaml: String)] = [
    (
        "2-D float",
        """
        x: {type: float, low: -10, high: 10}
        y: {type: float, low: -10, high: 10}
        """
    ),
    (
        "6-D mixed, conditional",
        """
        lr: {type: float, low: 1e-5, high: 1e-1, log: true}
        optimizer: {type: categorical, choices: [adam, sgd, rmsprop]}
        momentum: {type: float, low: 0, high: 0.99, when: {optimizer: [sgd, rmsprop]}}
        layers: {type: int, low: 1, high: 8}
        batch: {type: int, low: 16, high: 1024, log: true}
        dropout: {type: float, low: 0.0, high: 0.5, step: 0.05}
        """
    ),
]

func objective(_ params: [String: ParameterValue]) -> Double {
    params.values.reduce(0) { sum, value in
        let x = value.doubleValue ?? (value == .string("sgd") ? 1 : 0)
        return sum + x * x
    }
}

if CommandLine.arguments.count == 5, CommandLine.arguments[1] == "quality" {
    let functions = CommandLine.arguments[2].split(separator: ",").compactMap {
        BenchmarkFunction(rawValue: String($0))
    }
    let seeds = Int(CommandLine.arguments[3]) ?? 20
    let budgets = CommandLine.arguments[4].split(separator: ",").compactMap { Int($0) }.sorted()
    for function in functions {
        let space = try SearchSpace(yaml: function.spaceYAML)
        for seed in 0..<seeds {
            var sampler = try TPESampler(space: space, direction: .minimize, seed: UInt64(seed))
            var best = Double.infinity
            var results: [String] = []
            for number in 0..<(budgets.last ?? 0) {
                let params = try sampler.suggest(running: [])
                let x = (0..<function.bounds.count).map { params["x\($0)"]!.doubleValue! }
                let value = function(x)
                best = min(best, value)
                sampler.observe(Trial(number: number, state: .complete, params: params, value: value))
                if budgets.contains(number + 1) { results.append("\"\(number + 1)\": \(best)") }
            }
            print(
                "{\"function\": \"\(function.rawValue)\", \"seed\": \(seed), \"best\": {\(results.joined(separator: ", "))}}"
            )
        }
    }
    exit(0)
}

let sizes = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let clock = ContinuousClock()
let suggestions = 200
for size in sizes.isEmpty ? [1000, 5000] : sizes {
    for (name, yaml) in spaces {
        let space = try SearchSpace(yaml: yaml)
        var random = RandomSampler(space: space, seed: 1)
        var sampler = try TPESampler(space: space, direction: .minimize, seed: 1)
        for number in 0..<size {
            let params = try random.suggest(running: [])
            sampler.observe(Trial(number: number, state: .complete, params: params, value: objective(params)))
        }
        let running = try (0..<8).map { Trial(number: size + $0, params: try random.suggest(running: [])) }
        var checksum = 0.0
        let elapsed = try clock.measure {
            for step in 0..<suggestions {
                let params = try sampler.suggest(running: running)
                let value = objective(params)
                checksum += value
                sampler.observe(Trial(number: size + 8 + step, state: .complete, params: params, value: value))
            }
        }
        let perSuggestion = elapsed / suggestions
        let ms =
            Double(perSuggestion.components.seconds) * 1e3 + Double(perSuggestion.components.attoseconds) * 1e-15
        print(
            "\(name): \(size) completed trials: \(String(format: "%.3f", ms)) ms per suggestion"
                + " (checksum \(String(format: "%.3g", checksum)))"
        )
    }
}
