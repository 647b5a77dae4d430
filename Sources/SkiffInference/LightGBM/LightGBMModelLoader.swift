/// Loads LightGBM text model files (`Booster.save_model`, format `version=v4`) into a compiled predictor.
///
/// Semantics copied from LightGBM's `Tree::Decision`: thresholds and sums stay in double; a numeric split goes left
/// when `x <= threshold`. Missing values follow each node's `decision_type` (bit 1 default-left, bits 2–3 missing
/// type): with missing type None, NaN is read as 0; with Zero, NaN and `|x| <= 1e-35` take the default direction;
/// with NaN, NaN does. A categorical split goes left when `Int(x)` is set in the node's bitset, right for NaN,
/// negative codes and unset or out-of-range bits. Tree `i` adds to class `i % num_tree_per_iteration`; the initial
/// score is already in the first trees, so there is no base score.
///
/// Not supported (rejected with `unsupportedModel`): linear trees, and objectives whose output transform is not
/// listed in `transform(for:)`.
enum LightGBMModelLoader {
    /// Loads a model from the bytes of a `.txt` file.
    /// - Throws: `unsupportedFormat` when the bytes are not a LightGBM text model, `corruptModel` when it is
    ///   malformed or truncated, `unsupportedModel` for linear trees and unknown objectives.
    static func load(_ bytes: [UInt8]) throws -> any Predictor {
        guard bytes.starts(with: Array("tree\n".utf8)) || bytes.starts(with: Array("tree\r\n".utf8)) else {
            throw InferenceError(
                .unsupportedFormat, "The file is not a LightGBM text model (it does not start with 'tree').")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var header = [String: String]()
        var blocks = [[String: String]]()
        var current: [String: String]?
        var sawEnd = false
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let line = Substring(rawLine)
            if line.hasPrefix("end of trees") {
                sawEnd = true
                break
            }
            if line.hasPrefix("Tree=") {
                if let current { blocks.append(current) }
                current = [:]
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                // Flags such as `average_output` stand alone on their line.
                if current == nil { header[String(line)] = "" }
                continue
            }
            let key = String(line[..<equals])
            let value = String(line[line.index(after: equals)...])
            if current != nil {
                current![key] = value
            } else {
                header[key] = value
            }
        }
        if let current { blocks.append(current) }
        guard sawEnd else {
            throw InferenceError.corrupt("The LightGBM model file is truncated: it has no 'end of trees' line.")
        }
        guard let maximumFeature = header["max_feature_idx"].flatMap({ Int($0) }), maximumFeature >= -1,
            maximumFeature < 16_777_215
        else {
            throw InferenceError.corrupt("The LightGBM model has no valid max_feature_idx.")
        }
        let featureCount = maximumFeature + 1
        let classCount = header["num_class"].flatMap { Int($0) } ?? 1
        let treesPerIteration = header["num_tree_per_iteration"].flatMap { Int($0) } ?? classCount
        guard classCount >= 1, classCount <= 1 << 16, treesPerIteration >= 1, treesPerIteration <= 1 << 16 else {
            throw InferenceError.corrupt("The LightGBM model's num_class or num_tree_per_iteration is invalid.")
        }
        let transform = try self.transform(for: header["objective"] ?? "regression")

        var trees = [TreeSpecification.Tree]()
        trees.reserveCapacity(blocks.count)
        for (index, block) in blocks.enumerated() {
            trees.append(try tree(block, index: index, target: index % treesPerIteration, featureCount: featureCount))
        }
        let specification = TreeSpecification(
            trees: trees, featureCount: featureCount, targetCount: treesPerIteration)
        let ensemble = try CompiledTreeEnsemble<Double>(specification)
        let iterations = Double(trees.count / treesPerIteration)
        let names = header["feature_names"].map { $0.split(separator: " ").map(String.init) } ?? []
        return BoostedTreePredictor<Double>(
            ensemble: ensemble, baseMargins: [Double](repeating: 0, count: treesPerIteration),
            averageDivisor: header["average_output"] != nil && iterations > 0 ? iterations : nil,
            transform: transform, featureNames: names.count == featureCount ? names : [],
            ensembleFeatureCount: featureCount)
    }

    /// The output transform of an `objective=` line such as `binary sigmoid:1` or `multiclass num_class:3`.
    static func transform(for objective: String) throws -> ScoreTransform {
        let parts = objective.split(separator: " ")
        let name = parts.first.map(String.init) ?? ""
        var sigmoid = 1.0
        for part in parts.dropFirst() where part.hasPrefix("sigmoid:") {
            guard let value = Double(part.dropFirst("sigmoid:".count)) else {
                throw InferenceError.corrupt("The LightGBM objective has an invalid sigmoid parameter.")
            }
            sigmoid = value
        }
        switch name {
        case "binary", "multiclassova", "multiclass_ova", "ova", "ovr": return .sigmoid(sigmoid)
        case "cross_entropy", "xentropy": return .sigmoid(1)
        case "multiclass", "softmax": return .softmax
        case "poisson", "gamma", "tweedie": return .exponential
        case "regression", "regression_l2", "l2", "mean_squared_error", "mse", "regression_l1", "l1",
            "mean_absolute_error", "mae", "huber", "fair", "quantile", "mape", "lambdarank", "rank_xendcg",
            "custom", "none":
            return .identity
        default:
            throw InferenceError(.unsupportedModel, "The LightGBM objective '\(name)' is not supported.")
        }
    }

    private static func doubles(_ block: [String: String], _ key: String, count: Int, tree: Int) throws -> [Double] {
        guard let text = block[key] else {
            throw InferenceError.corrupt("LightGBM tree \(tree) has no '\(key)'.")
        }
        var values = [Double]()
        values.reserveCapacity(count)
        for part in text.split(separator: " ") {
            guard let value = Double(part) else {
                throw InferenceError.corrupt("LightGBM tree \(tree) has a non-numeric value in '\(key)'.")
            }
            values.append(value)
        }
        guard values.count == count else {
            throw InferenceError.corrupt("LightGBM tree \(tree) has \(values.count) values in '\(key)', not \(count).")
        }
        return values
    }

    private static func integers(_ block: [String: String], _ key: String, count: Int?, tree: Int) throws -> [Int] {
        guard let text = block[key] else {
            throw InferenceError.corrupt("LightGBM tree \(tree) has no '\(key)'.")
        }
        var values = [Int]()
        for part in text.split(separator: " ") {
            guard let value = Int(part) else {
                throw InferenceError.corrupt("LightGBM tree \(tree) has a non-integer value in '\(key)'.")
            }
            values.append(value)
        }
        if let count, values.count != count {
            throw InferenceError.corrupt("LightGBM tree \(tree) has \(values.count) values in '\(key)', not \(count).")
        }
        return values
    }

    private static func tree(
        _ block: [String: String], index: Int, target: Int, featureCount: Int
    ) throws -> TreeSpecification.Tree {
        guard let leafCount = block["num_leaves"].flatMap({ Int($0) }), leafCount >= 1, leafCount <= 1 << 24 else {
            throw InferenceError.corrupt("LightGBM tree \(index) has no valid num_leaves.")
        }
        if let linear = block["is_linear"], linear != "0" {
            throw InferenceError(.unsupportedModel, "LightGBM linear trees are not supported.")
        }
        let leafValues = try doubles(block, "leaf_value", count: leafCount, tree: index)
        let internalCount = leafCount - 1
        if internalCount == 0 {
            return TreeSpecification.Tree(nodes: [.leaf([(target, leafValues[0])])], root: 0)
        }
        let features = try integers(block, "split_feature", count: internalCount, tree: index)
        let thresholds = try doubles(block, "threshold", count: internalCount, tree: index)
        let decisions = try integers(block, "decision_type", count: internalCount, tree: index)
        let leftChildren = try integers(block, "left_child", count: internalCount, tree: index)
        let rightChildren = try integers(block, "right_child", count: internalCount, tree: index)
        let categoryCount = block["num_cat"].flatMap { Int($0) } ?? 0
        var boundaries = [Int]()
        var bitsets = [UInt32]()
        if categoryCount > 0 {
            boundaries = try integers(block, "cat_boundaries", count: categoryCount + 1, tree: index)
            let words = try integers(block, "cat_threshold", count: nil, tree: index)
            guard words.allSatisfy({ $0 >= 0 && $0 <= Int(UInt32.max) }) else {
                throw InferenceError.corrupt("LightGBM tree \(index) has an invalid categorical bitset.")
            }
            bitsets = words.map { UInt32($0) }
        }
        // Internal node i is at i; leaf j (child index ~j) is at internalCount + j.
        func position(_ child: Int) throws -> Int {
            let resolved = child >= 0 ? child : internalCount + ~child
            guard resolved >= 0, resolved < internalCount + leafCount else {
                throw InferenceError.corrupt("LightGBM tree \(index) has a child index out of range.")
            }
            return resolved
        }
        var nodes = [TreeSpecification.Node]()
        nodes.reserveCapacity(internalCount + leafCount)
        for node in 0..<internalCount {
            let decision = decisions[node]
            let defaultLeft = decision & 2 != 0
            let missingType = (decision >> 2) & 3
            let trueChild = try position(leftChildren[node])
            let falseChild = try position(rightChildren[node])
            if decision & 1 != 0 {
                let set = Int(exactly: thresholds[node]) ?? -1
                guard set >= 0, set < categoryCount, boundaries[set] >= 0, boundaries[set] <= boundaries[set + 1],
                    boundaries[set + 1] <= bitsets.count
                else {
                    throw InferenceError.corrupt("LightGBM tree \(index) has a categorical split out of range.")
                }
                nodes.append(
                    .categorical(
                        feature: features[node], categories: Array(bitsets[boundaries[set]..<boundaries[set + 1]]),
                        membershipIsTrue: true, missingGoesTrue: false, trueChild: trueChild, falseChild: falseChild))
            } else {
                let threshold = thresholds[node]
                let missingGoesTrue: Bool
                switch missingType {
                case 0: missingGoesTrue = 0 <= threshold  // NaN is read as 0
                default: missingGoesTrue = defaultLeft
                }
                nodes.append(
                    .numeric(
                        feature: features[node], threshold: threshold, comparison: .lessOrEqual,
                        missingGoesTrue: missingGoesTrue, zeroIsMissing: missingType == 1, trueChild: trueChild,
                        falseChild: falseChild))
            }
        }
        for leaf in 0..<leafCount {
            nodes.append(.leaf([(target, leafValues[leaf])]))
        }
        return TreeSpecification.Tree(nodes: nodes, root: 0)
    }
}
