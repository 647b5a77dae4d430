/// The scalar type of a compiled ensemble's thresholds and inputs: `Float` (XGBoost, ONNX) or `Double` (LightGBM,
/// ONNX `*_as_tensor`).
protocol TreeScalar: BinaryFloatingPoint, Sendable {}

extension Float: TreeScalar {}
extension Double: TreeScalar {}

/// One node of a compiled ensemble: 12 bytes for `Float`, 16 for `Double`.
///
/// `value` is the threshold of a numeric split, the category-set index of a categorical split, the leaf weight of an
/// inline leaf, or the payload ordinal of a payload leaf. `word` holds the feature in its low 24 bits and the flags in
/// its high 8. `falseChild` is the index of the false branch; the true branch is always the next node. A leaf points
/// both branches at itself (feature 0, `falseChild` = its own index), so a traversal may take more steps than the
/// path is long and stay put: this is what lets several traversals run in lock step without a per-step exit test.
struct CompiledNode<Value: TreeScalar>: Sendable {
    var value: Value
    var word: UInt32
    var falseChild: Int32

    static var leafFlag: UInt32 { 1 << 24 }
    static var missingTrueFlag: UInt32 { 1 << 25 }
    static var categoricalFlag: UInt32 { 1 << 26 }
    static var membershipTrueFlag: UInt32 { 1 << 27 }
    static var zeroMissingFlag: UInt32 { 1 << 28 }
    static var comparisonShift: UInt32 { 29 }
    static var featureMask: UInt32 { 0xFF_FFFF }
}

/// A decision-tree ensemble compiled into flat arrays for fast, allocation-free batch prediction.
///
/// ## Layout, and why
/// All trees' nodes live in one contiguous array of 12-byte (`Float`) or 16-byte (`Double`) nodes in depth-first
/// pre-order, the true child immediately after its parent and only the false child stored as an index — the
/// array-of-structs node of XGBoost's CPU predictor and onnxruntime (which also stores one child link), with the
/// threshold, feature and link in one cache line fetch. Thresholds keep the source format's type, so comparisons are
/// exactly the source library's: `Float` for XGBoost and ONNX (`x` is rounded to float first, as they do), `Double`
/// for LightGBM.
///
/// Pointer-chasing traversal is latency bound: each level waits for a node load, then a feature load, then a
/// compare (onnxruntime spends 30–40 ns per row per tree this way), and a data-dependent branch per level is
/// mispredicted about half the time. Instead of generating code per model (treelite, lleaves) or rewriting trees into
/// bit vectors (QuickScorer: at most 64 leaves per tree and a per-feature sorted threshold scan, a poor fit for
/// LightGBM's deep leaf-wise trees and for NaN defaults), the predictor interleaves eight independent traversals in
/// lock step: eight rows through one tree for batches, or one row through eight trees for batches under eight rows.
/// The split kernel returns 0 or 1 and the next index is computed arithmetically, so there is no data-dependent
/// branch; leaves loop on themselves, so lanes that arrive early simply stay, and the only exit test (all eight lanes
/// at a leaf) starts at the tree's shallowest leaf. The eight dependency chains overlap in the CPU's out-of-order
/// window. Rows are processed in blocks of 128 with trees inside blocks (as onnxruntime and XGBoost's blocked
/// predictor do), so a block's features stay in L1 while the trees stream through L2. Split semantics are
/// specialised per ensemble: `x < t` with a NaN default (XGBoost), `x <= t` with a NaN default (scikit-learn,
/// LightGBM without zero-as-missing), or a general per-node kernel (mixed modes, categorical sets, zero-as-missing)
/// — onnxruntime's `same_mode_` idea. Trees are always summed in model order, so a row's score does not depend on
/// the batch it is in.
///
/// Memory is owned by the instance and immutable after `init`, so one ensemble can predict from many threads.
final class CompiledTreeEnsemble<Value: TreeScalar>: @unchecked Sendable {
    // @unchecked: the buffers are written only in `init` and freed in `deinit`; prediction only reads them.

    enum Kernel: Sendable {
        case less
        case lessOrEqual
        case general
    }

    let featureCount: Int
    let targetCount: Int
    let treeCount: Int
    let kernel: Kernel
    /// True when each leaf carries one weight inline and each tree adds to one target.
    let inlineLeaves: Bool

    let nodes: UnsafeMutableBufferPointer<CompiledNode<Value>>
    let roots: UnsafeMutableBufferPointer<Int32>
    let depths: UnsafeMutableBufferPointer<Int32>
    /// The depth of each tree's shallowest leaf: lock-step traversal needs no exit test before it.
    let minimumDepths: UnsafeMutableBufferPointer<Int32>
    let treeTargets: UnsafeMutableBufferPointer<Int32>
    /// Category bitsets: set `k` is `setWords[setOffsets[k] ..< setOffsets[k + 1]]`.
    let setWords: UnsafeMutableBufferPointer<UInt32>
    let setOffsets: UnsafeMutableBufferPointer<Int32>
    /// Payload leaves: leaf ordinal `k` adds `payloadWeights[j]` to target `payloadTargets[j]` for `j` in
    /// `payloadOffsets[k] ..< payloadOffsets[k + 1]`.
    let payloadOffsets: UnsafeMutableBufferPointer<Int32>
    let payloadTargets: UnsafeMutableBufferPointer<Int32>
    let payloadWeights: UnsafeMutableBufferPointer<Double>

    /// Validates and compiles a specification.
    /// - Throws: `corruptModel` for out-of-range features or children, cycles, shared subtrees or empty trees.
    init(_ specification: TreeSpecification) throws {
        let featureCount = max(1, specification.featureCount)
        guard specification.featureCount <= Int(CompiledNode<Value>.featureMask) else {
            throw InferenceError(.unsupportedModel, "The model has more than 16,777,215 features.")
        }
        guard specification.targetCount >= 1, specification.targetCount <= 1 << 20 else {
            throw InferenceError.corrupt("The tree ensemble has an invalid number of outputs.")
        }
        self.featureCount = featureCount
        self.targetCount = specification.targetCount
        self.treeCount = specification.trees.count

        // Inline leaves when every leaf has exactly one entry, every tree one target, and weights fit `Value`.
        var inline = true
        var targets = [Int32]()
        for tree in specification.trees {
            var target: Int?
            for node in tree.nodes {
                guard case .leaf(let entries) = node else { continue }
                guard entries.count == 1,
                    Double(Value(entries[0].weight)) == entries[0].weight
                        || entries[0].weight.isNaN
                else {
                    inline = false
                    break
                }
                if let target, target != entries[0].target { inline = false }
                target = entries[0].target
            }
            targets.append(Int32(clamping: target ?? 0))
            if !inline { break }
        }
        inlineLeaves = inline

        var compiled = [CompiledNode<Value>]()
        var rootList = [Int32]()
        var depthList = [Int32]()
        var minimumDepthList = [Int32]()
        var words = [UInt32]()
        var offsets: [Int32] = [0]
        var leafOffsets: [Int32] = [0]
        var leafTargets = [Int32]()
        var leafWeights = [Double]()
        var general = false
        var sawLess = false
        var sawLessOrEqual = false

        for (treeIndex, tree) in specification.trees.enumerated() {
            guard !tree.nodes.isEmpty, tree.root >= 0, tree.root < tree.nodes.count else {
                throw InferenceError.corrupt("Tree \(treeIndex) is empty or its root is out of range.")
            }
            guard compiled.count + tree.nodes.count < Int(Int32.max) else {
                throw InferenceError(.unsupportedModel, "The tree ensemble is too large.")
            }
            var position = [Int32](repeating: -1, count: tree.nodes.count)
            // Pending false-child links: (compiled index of the parent, specification index of the child).
            var links = [(Int, Int)]()
            var stack: [(node: Int, depth: Int)] = [(tree.root, 0)]
            var maximumDepth = 0
            var minimumLeafDepth = Int.max
            rootList.append(Int32(compiled.count))
            while let (index, depth) = stack.popLast() {
                guard index >= 0, index < tree.nodes.count else {
                    throw InferenceError.corrupt("Tree \(treeIndex) has a child index out of range.")
                }
                guard position[index] < 0 else {
                    throw InferenceError.corrupt("Tree \(treeIndex) is not a tree: node \(index) is reached twice.")
                }
                let here = compiled.count
                position[index] = Int32(here)
                maximumDepth = max(maximumDepth, depth)
                switch tree.nodes[index] {
                case .leaf(let entries):
                    minimumLeafDepth = min(minimumLeafDepth, depth)
                    if inline {
                        let weight = entries.first?.weight ?? 0
                        compiled.append(
                            CompiledNode(
                                value: Value(weight), word: CompiledNode<Value>.leafFlag, falseChild: Int32(here)))
                    } else {
                        let ordinal = leafOffsets.count - 1
                        guard Double(Value(ordinal)) == Double(ordinal) else {
                            throw InferenceError(.unsupportedModel, "The tree ensemble has too many leaves.")
                        }
                        for entry in entries {
                            guard entry.target >= 0, entry.target < specification.targetCount else {
                                throw InferenceError.corrupt("Tree \(treeIndex) has a leaf for an output out of range.")
                            }
                            leafTargets.append(Int32(entry.target))
                            leafWeights.append(entry.weight)
                        }
                        leafOffsets.append(Int32(leafTargets.count))
                        compiled.append(
                            CompiledNode(
                                value: Value(ordinal), word: CompiledNode<Value>.leafFlag, falseChild: Int32(here)))
                    }
                case .numeric(
                    let feature, let threshold, let comparison, let missingGoesTrue, let zeroIsMissing, let trueChild,
                    let falseChild):
                    guard feature >= 0, feature < featureCount, feature < specification.featureCount else {
                        throw InferenceError.corrupt("Tree \(treeIndex) splits on feature \(feature), out of range.")
                    }
                    var word = UInt32(feature) | UInt32(comparison.rawValue) << CompiledNode<Value>.comparisonShift
                    if missingGoesTrue { word |= CompiledNode<Value>.missingTrueFlag }
                    if zeroIsMissing {
                        word |= CompiledNode<Value>.zeroMissingFlag
                        general = true
                    }
                    switch comparison {
                    case .less: sawLess = true
                    case .lessOrEqual: sawLessOrEqual = true
                    default: general = true
                    }
                    compiled.append(CompiledNode(value: Value(threshold), word: word, falseChild: -1))
                    links.append((here, falseChild))
                    stack.append((falseChild, depth + 1))
                    stack.append((trueChild, depth + 1))
                case .categorical(
                    let feature, let categories, let membershipIsTrue, let missingGoesTrue, let trueChild,
                    let falseChild, let exactMembership):
                    guard feature >= 0, feature < featureCount, feature < specification.featureCount else {
                        throw InferenceError.corrupt("Tree \(treeIndex) splits on feature \(feature), out of range.")
                    }
                    let setIndex = offsets.count - 1
                    guard Double(Value(setIndex)) == Double(setIndex) else {
                        throw InferenceError(.unsupportedModel, "The tree ensemble has too many category sets.")
                    }
                    words.append(contentsOf: categories)
                    offsets.append(Int32(clamping: words.count))
                    var word = UInt32(feature) | CompiledNode<Value>.categoricalFlag
                    if missingGoesTrue { word |= CompiledNode<Value>.missingTrueFlag }
                    if membershipIsTrue { word |= CompiledNode<Value>.membershipTrueFlag }
                    // Categorical nodes use no comparison mode; mode `equal` marks exact (integral-only) membership.
                    if exactMembership {
                        word |=
                            UInt32(TreeSpecification.Comparison.equal.rawValue) << CompiledNode<Value>.comparisonShift
                    }
                    general = true
                    compiled.append(CompiledNode(value: Value(setIndex), word: word, falseChild: -1))
                    links.append((here, falseChild))
                    stack.append((falseChild, depth + 1))
                    stack.append((trueChild, depth + 1))
                }
            }
            for (parent, child) in links {
                compiled[parent].falseChild = position[child]
            }
            depthList.append(Int32(maximumDepth))
            minimumDepthList.append(Int32(min(minimumLeafDepth, maximumDepth)))
        }
        if sawLess && sawLessOrEqual { general = true }
        kernel = general ? .general : (sawLess ? .less : .lessOrEqual)

        func copy<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
            let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, array.count))
            _ = buffer.initialize(from: array)
            return buffer
        }
        nodes = copy(compiled)
        roots = copy(rootList)
        depths = copy(depthList)
        minimumDepths = copy(minimumDepthList)
        treeTargets = copy(targets.count == specification.trees.count ? targets : [Int32](repeating: 0, count: 1))
        setWords = copy(words.isEmpty ? [0] : words)
        setOffsets = copy(offsets)
        payloadOffsets = copy(leafOffsets)
        payloadTargets = copy(leafTargets.isEmpty ? [0] : leafTargets)
        payloadWeights = copy(leafWeights.isEmpty ? [0] : leafWeights)
        if inline {
            for target in targets where target < 0 || Int(target) >= specification.targetCount {
                throw InferenceError.corrupt("A tree adds to an output out of range.")
            }
        }
    }

    deinit {
        nodes.deallocate()
        roots.deallocate()
        depths.deallocate()
        minimumDepths.deallocate()
        treeTargets.deallocate()
        setWords.deallocate()
        setOffsets.deallocate()
        payloadOffsets.deallocate()
        payloadTargets.deallocate()
        payloadWeights.deallocate()
    }
}
