import Testing

@testable import SkiffTune

/// Worked examples: each trial reports a fixed learning curve step by step and is asked whether to stop after
/// every report; the expected prune steps (-1 = ran to the end) were computed with Optuna 5.0.0's pruners on the
/// same curves and the same sequential protocol.
@Suite("Pruners")
struct PrunerTests {
    /// Trial i's curve: a + b / (t + 1) with a = ((37 i) mod 11) / 10 and b = ((53 i) mod 7) / 3, rounded to 1e-6.
    static func curve(_ i: Int, steps: Int) -> [Double] {
        let a = Double((i * 37) % 11) / 10
        let b = Double((i * 53) % 7) / 3
        return (0..<steps).map { t in ((a + b / Double(t + 1)) * 1e6).rounded() / 1e6 }
    }

    /// Runs `count` trials one after another and returns the step each was pruned at, or -1.
    static func run(
        _ pruner: some Pruner,
        count: Int,
        steps: Int,
        direction: StudyDirection = .minimize,
        name: String = "study",
        firstStep: Int = 0
    ) -> [Int] {
        var study = Study(name: name, direction: direction)
        var prunedAt: [Int] = []
        for number in 0..<count {
            let values = curve(number, steps: steps).map { direction == .minimize ? $0 : -$0 }
            var trial = Trial(number: number, params: [:])
            var stoppedAt = -1
            for (offset, value) in values.enumerated() {
                let step = firstStep + offset
                trial.intermediateValues[step] = value
                if pruner.shouldPrune(trial: trial, step: step, history: study) {
                    stoppedAt = step
                    break
                }
            }
            trial.state = stoppedAt < 0 ? .complete : .pruned
            trial.value = stoppedAt < 0 ? values.last : nil
            study.trials.append(trial)
            prunedAt.append(stoppedAt)
        }
        return prunedAt
    }

    @Test func medianPrunerWithDefaults() throws {
        let pruner = try MedianPruner()
        #expect(Self.run(pruner, count: 12, steps: 10) == [-1, -1, -1, -1, -1, 0, 0, 6, 0, -1, 0, -1])
        #expect(
            Self.run(pruner, count: 12, steps: 10, direction: .maximize) == [-1, -1, -1, -1, -1, 0, 0, 6, 0, -1, 0, -1]
        )
    }

    @Test func medianPrunerWithWarmupAndInterval() throws {
        let pruner = try MedianPruner(configuration: .init(startupTrials: 2, warmupSteps: 3, intervalSteps: 2))
        #expect(Self.run(pruner, count: 12, steps: 10) == [-1, -1, 3, 3, 3, 3, 3, 3, 3, 3, 3, -1])
    }

    @Test func medianOfAWorkedHistory() throws {
        // Five complete trials reported 1, 2, 3, 4, 5 at step 1 (median 3).
        let history = Study(
            name: "s",
            direction: .minimize,
            trials: (1...5).map {
                Trial(number: $0 - 1, state: .complete, params: [:], intermediateValues: [1: Double($0)], value: 0)
            }
        )
        let pruner = try MedianPruner()
        let promising = Trial(number: 5, params: [:], intermediateValues: [0: 2.5, 1: 3.5])
        let lagging = Trial(number: 5, params: [:], intermediateValues: [0: 3.2, 1: 3.5])
        // The best value so far counts, not the latest one.
        #expect(!pruner.shouldPrune(trial: promising, step: 1, history: history))
        #expect(pruner.shouldPrune(trial: lagging, step: 1, history: history))
        var early = history
        early.trials.removeLast()
        #expect(!pruner.shouldPrune(trial: lagging, step: 1, history: early))
        let failing = Trial(number: 5, params: [:], intermediateValues: [1: .nan])
        #expect(pruner.shouldPrune(trial: failing, step: 1, history: history))
    }

    @Test func successiveHalvingWithExplicitMinResource() throws {
        let pruner = try SuccessiveHalvingPruner(configuration: .init(minResource: 1, reductionFactor: 2))
        #expect(Self.run(pruner, count: 12, steps: 10, firstStep: 1) == [-1, 1, 1, 1, 1, 1, 1, 2, 1, 2, 1, 4])
    }

    @Test func successiveHalvingWithAutomaticMinResource() throws {
        // Trial 0 completes at step 10, so the minimum resource becomes max(1, 10 / 100) = 1 and η = 4 puts rungs
        // at steps 1, 4 and 16. Trial 1 reports 1.733333 at step 1 against trial 0's 0.0: with two values only the
        // best continues, so it stops at step 1. Optuna 5 gives [-1, -1, 4, 1, 1, 1, 1, -1, 1, -1, 1, 1] here
        // because it records no rung value for trials that reported before the minimum resource was known
        // (trial 0); Skiff derives rung values from the intermediate values, so every trial competes.
        let pruner = try SuccessiveHalvingPruner()
        #expect(Self.run(pruner, count: 12, steps: 10, firstStep: 1) == [-1, 1, 1, 1, 1, 1, 1, 4, 1, 1, 1, 1])
        // Nothing is pruned before a trial has completed.
        let lone = Trial(number: 0, params: [:], intermediateValues: [1: 100])
        #expect(!pruner.shouldPrune(trial: lone, step: 1, history: Study(name: "s", direction: .minimize)))
    }

    @Test func successiveHalvingPromotesTheTopFraction() {
        // Of 8 values at a rung with η = 4, the best 2 continue.
        let values = [5.0, 1, 7, 3, 2, 8, 6, 4]
        let promoted = values.filter {
            SuccessiveHalvingPruner.isPromotable($0, competing: values, factor: 4, .minimize)
        }
        #expect(promoted == [1, 2])
        let promotedMax = values.filter {
            SuccessiveHalvingPruner.isPromotable($0, competing: values, factor: 4, .maximize)
        }
        #expect(promotedMax == [7, 8])
    }

    @Test func hyperbandAssignsBracketsLikeOptunaAndPrunesWithinThem() throws {
        #expect(HyperbandPruner.crc32(Array("hb_0".utf8)) == 2_407_493_257)
        #expect(HyperbandPruner.crc32(Array("hb_1".utf8)) == 4_168_637_983)
        let pruner = try HyperbandPruner(configuration: .init(minResource: 1, maxResource: 9, reductionFactor: 3))
        #expect(
            Self.run(pruner, count: 20, steps: 9, name: "hb", firstStep: 1)
                == [-1, 1, -1, -1, -1, 3, -1, 9, 3, 1, 3, 1, 3, 3, -1, 1, 9, 1, 9, 1]
        )
    }

    @Test("a report at step Int.max is decided, neither looping for ever nor trapping on overflow")
    func extremeStepsTerminate() throws {
        let halving = try SuccessiveHalvingPruner(configuration: .init(minResource: 1, reductionFactor: 2))
        var study = Study(name: "s", direction: .minimize)
        study.trials.append(Trial(number: 0, state: .complete, params: [:], intermediateValues: [.max: 1], value: 1))
        let trial = Trial(number: 1, params: [:], intermediateValues: [.max: 0.5])
        #expect(!halving.shouldPrune(trial: trial, step: .max, history: study))
        let hyperband = try HyperbandPruner(configuration: .init(minResource: 1, reductionFactor: 3))
        let budgets = try #require(hyperband.budgets(study))
        #expect(budgets.count == 40 && budgets.allSatisfy { $0 > 0 && $0 <= HyperbandPruner.maxBudget })
        _ = hyperband.shouldPrune(trial: trial, step: .max, history: study)
    }

    @Test func invalidPrunerConfigurationsAreRejected() {
        #expect(throws: TuneError.self) { try MedianPruner(configuration: .init(intervalSteps: 0)) }
        #expect(throws: TuneError.self) { try SuccessiveHalvingPruner(configuration: .init(reductionFactor: 1)) }
        #expect(throws: TuneError.self) {
            try HyperbandPruner(configuration: .init(minResource: 5, maxResource: 2))
        }
    }
}
