/// ai.onnx.ml TreeEnsemble (opset 5): interior nodes and leaves in separate arrays, `uint8` modes including
/// `BRANCH_MEMBER` with NaN-separated `membership_values`, and integer aggregate / post-transform codes.
///
/// Comparison semantics are those of `TreeEnsembleOperator`; a `BRANCH_MEMBER` node holds when `x` is one of its
/// set's values (integral values only; Skiff stores sets as bitsets). The output `Y` is `[rows, n_targets]`.
struct TreeEnsembleV5Operator: ONNXOperator {
    let attributes: NodeAttributes
    let ensemble: TreeEnsembleOperator.Ensemble
    let transform: PostTransform
    let average: Bool
    let treeCount: Int
    let targetCount: Int
    let featureCount: Int

    init(_ attributes: NodeAttributes) throws {
        self.attributes = attributes
        guard let features = attributes.ints("nodes_featureids"),
            let modes = try attributes.tensor("nodes_modes")?.int64s,
            let splitsTensor = try attributes.tensor("nodes_splits"),
            let trueIDs = attributes.ints("nodes_truenodeids"), let falseIDs = attributes.ints("nodes_falsenodeids"),
            let roots = attributes.ints("tree_roots"), let leafTargets = attributes.ints("leaf_targetids"),
            let leafWeights = try attributes.tensor("leaf_weights")?.doubles
        else {
            throw attributes.missing("nodes_* / leaf_* / tree_roots")
        }
        let splits = splitsTensor.doubles
        let count = features.count
        let trueLeafs = attributes.ints("nodes_trueleafs") ?? [Int64](repeating: 0, count: count)
        let falseLeafs = attributes.ints("nodes_falseleafs") ?? [Int64](repeating: 0, count: count)
        let tracks = attributes.ints("nodes_missing_value_tracks_true") ?? [Int64](repeating: 0, count: count)
        guard modes.count == count, splits.count == count, trueIDs.count == count, falseIDs.count == count,
            trueLeafs.count == count, falseLeafs.count == count, tracks.count == count,
            leafTargets.count == leafWeights.count
        else {
            throw InferenceError.corrupt("Node '\(attributes.node)' (TreeEnsemble) has arrays of different lengths.")
        }
        let targets = try attributes.int("n_targets", default: 1)
        targetCount = targets
        guard targets >= 1, targets <= 1 << 20, leafTargets.allSatisfy({ $0 >= 0 && $0 < targets }) else {
            throw attributes.invalid("n_targets")
        }
        switch try attributes.int("aggregate_function", default: 1) {
        case 0: average = true
        case 1: average = false
        default: throw attributes.unsupported("aggregate_function MIN or MAX")
        }
        switch try attributes.int("post_transform", default: 0) {
        case 0: transform = .none
        case 1: transform = .softmax
        case 2: transform = .logistic
        case 3: transform = .softmaxZero
        default: throw attributes.unsupported("post_transform PROBIT")
        }

        // Membership sets, in node order, separated by NaN.
        var sets = [[UInt32]]()
        if let membership = try attributes.tensor("membership_values")?.doubles {
            var current = [Double]()
            func close() throws {
                var words = [UInt32]()
                for value in current {
                    guard value >= 0, value < 1_048_576, value == value.rounded() else {
                        throw attributes.unsupported("a BRANCH_MEMBER set with non-integral or negative values")
                    }
                    let category = Int(value)
                    if words.count <= category >> 5 {
                        words.append(contentsOf: repeatElement(0, count: (category >> 5) + 1 - words.count))
                    }
                    words[category >> 5] |= 1 << UInt32(category & 31)
                }
                sets.append(words)
                current = []
            }
            for value in membership {
                if value.isNaN { try close() } else { current.append(value) }
            }
            if !current.isEmpty { try close() }
        }
        var nextSet = 0
        var setOfNode = [Int: [UInt32]]()
        for index in 0..<count where modes[index] == 6 {
            guard nextSet < sets.count else { throw attributes.invalid("membership_values") }
            setOfNode[index] = sets[nextSet]
            nextSet += 1
        }

        var maximumFeature = -1
        var trees = [TreeSpecification.Tree]()
        for root in roots {
            guard root >= 0, root < count else { throw attributes.invalid("tree_roots") }
            // Breadth-first from the root; each reference to a leaf gets its own copy (a single-leaf tree points
            // both branches of its root at one leaf), and an interior node reached twice is an error.
            var queue: [(index: Int, isLeaf: Bool)] = [(Int(root), false)]
            var children = [Int: (Int, Int)]()
            var seen = Set<Int>()
            var head = 0
            while head < queue.count {
                let (index, isLeaf) = queue[head]
                let position = head
                head += 1
                if isLeaf {
                    guard index >= 0, index < leafTargets.count else { throw attributes.invalid("leaf index") }
                    continue
                }
                guard index >= 0, index < count else { throw attributes.invalid("node index") }
                guard seen.insert(index).inserted else {
                    throw InferenceError.corrupt("Node '\(attributes.node)': a tree reaches node \(index) twice.")
                }
                children[position] = (queue.count, queue.count + 1)
                queue.append((Int(trueIDs[index]), trueLeafs[index] != 0))
                queue.append((Int(falseIDs[index]), falseLeafs[index] != 0))
            }
            var nodes = [TreeSpecification.Node]()
            nodes.reserveCapacity(queue.count)
            for (position, entry) in queue.enumerated() {
                let index = entry.index
                if entry.isLeaf {
                    nodes.append(.leaf([(Int(leafTargets[index]), leafWeights[index])]))
                    continue
                }
                let feature = Int(features[index])
                guard feature >= 0, feature < 1 << 24 else { throw attributes.invalid("nodes_featureids") }
                maximumFeature = max(maximumFeature, feature)
                let (trueChild, falseChild) = children[position]!
                let tracksTrue = tracks[index] != 0
                if modes[index] == 6 {
                    nodes.append(
                        .categorical(
                            feature: feature, categories: setOfNode[index] ?? [], membershipIsTrue: true,
                            missingGoesTrue: tracksTrue, trueChild: trueChild, falseChild: falseChild,
                            exactMembership: true))
                    continue
                }
                guard modes[index] >= 0,
                    let comparison = TreeSpecification.Comparison(rawValue: UInt8(clamping: modes[index]))
                else {
                    throw attributes.unsupported("node mode \(modes[index])")
                }
                nodes.append(
                    .numeric(
                        feature: feature, threshold: splits[index], comparison: comparison,
                        missingGoesTrue: tracksTrue || comparison == .notEqual, zeroIsMissing: false,
                        trueChild: trueChild, falseChild: falseChild))
            }
            trees.append(TreeSpecification.Tree(nodes: nodes, root: 0))
        }
        treeCount = trees.count
        featureCount = maximumFeature + 1
        let specification = TreeSpecification(trees: trees, featureCount: maximumFeature + 1, targetCount: targets)
        if case .double = splitsTensor.storage {
            ensemble = .double(try CompiledTreeEnsemble<Double>(specification))
        } else {
            ensemble = .float(try CompiledTreeEnsemble<Float>(specification))
        }
    }

    func run(_ inputs: [Tensor?], pool: ComputePool) throws -> [Tensor] {
        let x = try ElementwiseOperators.input(inputs, 0, attributes)
        var scores = try TreeEnsembleOperator.sums(
            of: ensemble, x, targetCount: targetCount, featureCount: featureCount, attributes, pool: pool)
        let rows = x.shape.count <= 1 ? (x.count > 0 ? 1 : 0) : x.shape[0]
        for row in 0..<rows {
            var slice = scores[row * targetCount..<(row + 1) * targetCount]
            if average && treeCount > 0 {
                for index in slice.indices { slice[index] /= Double(treeCount) }
            }
            transform.apply(&slice)
            scores.replaceSubrange(row * targetCount..<(row + 1) * targetCount, with: slice)
        }
        if case .double = x.storage {
            return [Tensor(shape: [rows, targetCount], storage: .double(scores))]
        }
        return [Tensor(shape: [rows, targetCount], storage: .float(scores.map { Float($0) }))]
    }
}
