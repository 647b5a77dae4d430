/// ai.onnx.ml TreeEnsembleClassifier and TreeEnsembleRegressor (opset 1 and 3), compiled into a
/// `CompiledTreeEnsemble` at load.
///
/// Thresholds stay float32 unless the model gives `nodes_values_as_tensor` in double. Each node's mode
/// (`BRANCH_LEQ`, `BRANCH_LT`, `BRANCH_GTE`, `BRANCH_GT`, `BRANCH_EQ`, `BRANCH_NEQ`) picks the comparison; NaN goes
/// to the true branch when `nodes_missing_value_tracks_true` is 1, otherwise to where the comparison sends it (false,
/// except for `BRANCH_NEQ`). Classifier outputs follow onnxruntime's conventions, including its binary case: when
/// two classes have weights only for one of them, the score `s` gives `[1−s, s]` when all weights are non-negative
/// (forest votes, label 1 when `s > 0.5`) and otherwise `[σ(−s), σ(s)]` (LOGISTIC) or `[−s, s]` (NONE) with label 1
/// when `s > 0`.
struct TreeEnsembleOperator: ONNXOperator {
    enum Ensemble: Sendable {
        case float(CompiledTreeEnsemble<Float>)
        case double(CompiledTreeEnsemble<Double>)
    }

    enum Kind: Sendable {
        case classifier(ClassLabels, binaryClass: Int?, allWeightsNonNegative: Bool)
        case regressor(average: Bool)
    }

    let attributes: NodeAttributes
    let ensemble: Ensemble
    let kind: Kind
    let baseValues: [Double]
    let transform: PostTransform
    let treeCount: Int
    let targetCount: Int
    let featureCount: Int

    init(_ attributes: NodeAttributes, classifier: Bool) throws {
        self.attributes = attributes
        let prefix = classifier ? "class" : "target"
        guard let treeIDs = attributes.ints("nodes_treeids"), let nodeIDs = attributes.ints("nodes_nodeids"),
            let featureIDs = attributes.ints("nodes_featureids"), let modes = attributes.strings("nodes_modes"),
            let trueIDs = attributes.ints("nodes_truenodeids"), let falseIDs = attributes.ints("nodes_falsenodeids"),
            let thresholds = try attributes.doubles("nodes_values")
        else {
            throw attributes.missing("nodes_*")
        }
        let nodeCount = treeIDs.count
        let tracks = attributes.ints("nodes_missing_value_tracks_true") ?? []
        guard nodeCount > 0, nodeIDs.count == nodeCount, featureIDs.count == nodeCount, modes.count == nodeCount,
            trueIDs.count == nodeCount, falseIDs.count == nodeCount, thresholds.count == nodeCount,
            tracks.isEmpty || tracks.count == nodeCount
        else {
            throw InferenceError.corrupt(
                "Node '\(attributes.node)' (\(attributes.opType)) has node arrays of different lengths.")
        }
        guard let leafTrees = attributes.ints("\(prefix)_treeids"),
            let leafNodes = attributes.ints("\(prefix)_nodeids"),
            let leafTargets = attributes.ints("\(prefix)_ids"),
            let leafWeights = try attributes.doubles("\(prefix)_weights"),
            leafNodes.count == leafTrees.count, leafTargets.count == leafTrees.count,
            leafWeights.count == leafTrees.count
        else {
            throw InferenceError.corrupt("Node '\(attributes.node)' (\(attributes.opType)) has invalid leaf arrays.")
        }

        let targetCount: Int
        if classifier {
            let labels = try ClassLabels(attributes)
            let used = Set(leafTargets)
            guard used.allSatisfy({ $0 >= 0 && $0 < labels.count }) else { throw attributes.invalid("class_ids") }
            let binaryClass = labels.count == 2 && used.count == 1 ? Int(used.first!) : nil
            kind = .classifier(
                labels, binaryClass: binaryClass, allWeightsNonNegative: leafWeights.allSatisfy { $0 >= 0 })
            targetCount = labels.count
        } else {
            let aggregate = try attributes.string("aggregate_function", default: "SUM")
            guard aggregate == "SUM" || aggregate == "AVERAGE" else {
                throw attributes.unsupported("aggregate_function '\(aggregate)'")
            }
            kind = .regressor(average: aggregate == "AVERAGE")
            targetCount = try attributes.int("n_targets", default: 1)
            guard targetCount >= 1, targetCount <= 1 << 20,
                leafTargets.allSatisfy({ $0 >= 0 && $0 < targetCount })
            else { throw attributes.invalid("target_ids") }
        }
        self.targetCount = targetCount
        transform = try PostTransform(try attributes.string("post_transform", default: "NONE"), attributes)
        baseValues = try attributes.doubles("base_values") ?? []

        // Resolve (tree id, node id) pairs to per-tree positions.
        var treeOrder = [Int64: Int]()
        var positions = [Int64: [Int64: Int]]()
        var nodesPerTree = [[Int]]()
        for index in 0..<nodeCount {
            let tree = treeIDs[index]
            if treeOrder[tree] == nil {
                treeOrder[tree] = nodesPerTree.count
                nodesPerTree.append([])
                positions[tree] = [:]
            }
            let ordinal = treeOrder[tree]!
            guard positions[tree]![nodeIDs[index]] == nil else {
                throw InferenceError.corrupt("Node '\(attributes.node)': tree \(tree) repeats node \(nodeIDs[index]).")
            }
            positions[tree]![nodeIDs[index]] = nodesPerTree[ordinal].count
            nodesPerTree[ordinal].append(index)
        }
        var leaves = [Int64: [Int64: [(target: Int, weight: Double)]]]()
        for index in 0..<leafTrees.count {
            leaves[leafTrees[index], default: [:]][leafNodes[index], default: []].append(
                (Int(leafTargets[index]), leafWeights[index]))
        }
        var maximumFeature = -1
        var trees = [TreeSpecification.Tree]()
        for (tree, ordinal) in treeOrder.sorted(by: { $0.value < $1.value }) {
            let local = positions[tree]!
            var nodes = [TreeSpecification.Node]()
            for index in nodesPerTree[ordinal] {
                let mode = modes[index]
                if mode == "LEAF" {
                    nodes.append(.leaf(leaves[tree]?[nodeIDs[index]] ?? []))
                    continue
                }
                let comparison: TreeSpecification.Comparison
                switch mode {
                case "BRANCH_LEQ": comparison = .lessOrEqual
                case "BRANCH_LT": comparison = .less
                case "BRANCH_GTE": comparison = .greaterOrEqual
                case "BRANCH_GT": comparison = .greater
                case "BRANCH_EQ": comparison = .equal
                case "BRANCH_NEQ": comparison = .notEqual
                default: throw attributes.unsupported("node mode '\(mode)'")
                }
                guard let trueChild = local[trueIDs[index]], let falseChild = local[falseIDs[index]] else {
                    throw InferenceError.corrupt(
                        "Node '\(attributes.node)': tree \(tree) has a child that does not exist.")
                }
                guard featureIDs[index] >= 0, featureIDs[index] < 1 << 24 else {
                    throw attributes.invalid("nodes_featureids")
                }
                let feature = Int(featureIDs[index])
                maximumFeature = max(maximumFeature, feature)
                let tracksTrue = !tracks.isEmpty && tracks[index] != 0
                nodes.append(
                    .numeric(
                        feature: feature, threshold: thresholds[index], comparison: comparison,
                        missingGoesTrue: tracksTrue || comparison == .notEqual, zeroIsMissing: false,
                        trueChild: trueChild, falseChild: falseChild))
            }
            // The root is the node no other node points to (converters put it first, but need not).
            var referenced = [Bool](repeating: false, count: nodes.count)
            for node in nodes {
                switch node {
                case .numeric(_, _, _, _, _, let trueChild, let falseChild),
                    .categorical(_, _, _, _, let trueChild, let falseChild, _):
                    referenced[trueChild] = true
                    referenced[falseChild] = true
                case .leaf: break
                }
            }
            guard let root = referenced.firstIndex(of: false) else {
                throw InferenceError.corrupt("Node '\(attributes.node)': tree \(tree) has no root.")
            }
            trees.append(TreeSpecification.Tree(nodes: nodes, root: root))
        }
        treeCount = trees.count
        featureCount = maximumFeature + 1
        let specification = TreeSpecification(trees: trees, featureCount: featureCount, targetCount: targetCount)
        if attributes.has("nodes_values_as_tensor"),
            case .double = try attributes.tensor("nodes_values_as_tensor")?.storage
        {
            ensemble = .double(try CompiledTreeEnsemble<Double>(specification))
        } else {
            ensemble = .float(try CompiledTreeEnsemble<Float>(specification))
        }
    }

    /// The ensemble's per-row, per-target sums for input `x` (`[rows, ≥ featureCount]`).
    static func sums(
        of ensemble: Ensemble, _ x: Tensor, targetCount: Int, featureCount: Int, _ attributes: NodeAttributes,
        pool: ComputePool
    ) throws -> [Double] {
        let rows = x.shape.count <= 1 ? (x.count > 0 ? 1 : 0) : x.shape[0]
        let columns = rows == 0 ? 0 : x.count / rows
        guard rows == 0 || columns >= featureCount else {
            throw InferenceError(
                .invalidInput,
                "Node '\(attributes.node)' (\(attributes.opType)) needs \(featureCount) features per row.")
        }
        var scores = [Double](repeating: 0, count: rows * targetCount)
        if rows > 0 {
            scores.withUnsafeMutableBufferPointer { output in
                switch ensemble {
                case .float(let compiled):
                    let values = packed(x.floats, rows: rows, columns: columns, width: compiled.featureCount)
                    values.withUnsafeBufferPointer {
                        compiled.accumulate(
                            rows: $0.baseAddress!, rowCount: rows, scores: output.baseAddress!, pool: pool)
                    }
                case .double(let compiled):
                    let values = packed(x.doubles, rows: rows, columns: columns, width: compiled.featureCount)
                    values.withUnsafeBufferPointer {
                        compiled.accumulate(
                            rows: $0.baseAddress!, rowCount: rows, scores: output.baseAddress!, pool: pool)
                    }
                }
            }
        }
        return scores
    }

    func run(_ inputs: [Tensor?], pool: ComputePool) throws -> [Tensor] {
        let x = try ElementwiseOperators.input(inputs, 0, attributes)
        let rows = x.shape.count <= 1 ? (x.count > 0 ? 1 : 0) : x.shape[0]
        var scores = try Self.sums(
            of: ensemble, x, targetCount: targetCount, featureCount: featureCount, attributes, pool: pool)
        switch kind {
        case .regressor(let average):
            for row in 0..<rows {
                var slice = scores[row * targetCount..<(row + 1) * targetCount]
                for index in slice.indices {
                    if average && treeCount > 0 { slice[index] /= Double(treeCount) }
                    let target = index - slice.startIndex
                    if target < baseValues.count { slice[index] += baseValues[target] }
                }
                transform.apply(&slice)
                scores.replaceSubrange(row * targetCount..<(row + 1) * targetCount, with: slice)
            }
            return [Tensor(shape: [rows, targetCount], storage: .float(scores.map { Float($0) }))]
        case .classifier(let labels, let binaryClass, let allWeightsNonNegative):
            var classes = [Int](repeating: 0, count: rows)
            var probabilities = [Float](repeating: 0, count: rows * targetCount)
            for row in 0..<rows {
                if let binaryClass {
                    var score = scores[row * 2 + binaryClass]
                    if baseValues.count == 2 {
                        score += baseValues[1]
                    } else if baseValues.count == 1 {
                        score += baseValues[0]
                    }
                    let pair: (Double, Double)
                    if allWeightsNonNegative {
                        classes[row] = score > 0.5 ? 1 : 0
                        pair = (1 - score, score)
                    } else {
                        classes[row] = score > 0 ? 1 : 0
                        pair =
                            transform == .logistic
                            ? (PostTransform.logistic(-score), PostTransform.logistic(score)) : (-score, score)
                    }
                    probabilities[row * 2] = Float(pair.0)
                    probabilities[row * 2 + 1] = Float(pair.1)
                } else {
                    var slice = scores[row * targetCount..<(row + 1) * targetCount]
                    for index in slice.indices where index - slice.startIndex < baseValues.count {
                        slice[index] += baseValues[index - slice.startIndex]
                    }
                    var best = slice.startIndex
                    for index in slice.indices where slice[index] > slice[best] { best = index }
                    classes[row] = best - slice.startIndex
                    transform.apply(&slice)
                    for (offset, value) in slice.enumerated() {
                        probabilities[row * targetCount + offset] = Float(value)
                    }
                }
            }
            return [labels.tensor(classes), Tensor(shape: [rows, targetCount], storage: .float(probabilities))]
        }
    }

    /// Copies rows into a `width`-column layout (the compiled ensemble reads `featureCount` columns per row).
    private static func packed<T: TreeScalar>(_ values: [T], rows: Int, columns: Int, width: Int) -> [T] {
        if columns == width { return values }
        var result = [T](repeating: 0, count: rows * width)
        for row in 0..<rows {
            for column in 0..<min(columns, width) { result[row * width + column] = values[row * columns + column] }
        }
        return result
    }
}
