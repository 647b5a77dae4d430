/// Split semantics, specialised per ensemble so the hot loop has no mode switch.
protocol SplitKernel: SendableMetatype {
    /// 1 when the row takes the node's true branch, 0 otherwise; an integer so that child selection compiles to
    /// arithmetic rather than a branch the CPU would mispredict half the time.
    static func goesTrue<Value: TreeScalar>(
        _ x: Value, _ node: CompiledNode<Value>, _ setWords: UnsafePointer<UInt32>, _ setOffsets: UnsafePointer<Int32>
    ) -> Int
}

/// `x < t`, NaN takes the node's missing direction (XGBoost numeric splits).
enum LessKernel: SplitKernel {
    @inline(__always)
    static func goesTrue<Value: TreeScalar>(
        _ x: Value, _ node: CompiledNode<Value>, _ setWords: UnsafePointer<UInt32>, _ setOffsets: UnsafePointer<Int32>
    ) -> Int {
        let below = x < node.value ? 1 : 0
        let missing = x.isNaN ? 1 : 0
        return below | (missing & Int(truncatingIfNeeded: (node.word >> 25) & 1))
    }
}

/// `x <= t`, NaN takes the node's missing direction (scikit-learn, LightGBM numeric splits).
enum LessOrEqualKernel: SplitKernel {
    @inline(__always)
    static func goesTrue<Value: TreeScalar>(
        _ x: Value, _ node: CompiledNode<Value>, _ setWords: UnsafePointer<UInt32>, _ setOffsets: UnsafePointer<Int32>
    ) -> Int {
        let below = x <= node.value ? 1 : 0
        let missing = x.isNaN ? 1 : 0
        return below | (missing & Int(truncatingIfNeeded: (node.word >> 25) & 1))
    }
}

/// Every node reads its own flags: comparison mode, categorical sets, zero-as-missing.
enum GeneralKernel: SplitKernel {
    @inline(__always)
    static func goesTrue<Value: TreeScalar>(
        _ x: Value, _ node: CompiledNode<Value>, _ setWords: UnsafePointer<UInt32>, _ setOffsets: UnsafePointer<Int32>
    ) -> Int {
        decide(x, node, setWords, setOffsets) ? 1 : 0
    }

    @inline(__always)
    static func decide<Value: TreeScalar>(
        _ x: Value, _ node: CompiledNode<Value>, _ setWords: UnsafePointer<UInt32>, _ setOffsets: UnsafePointer<Int32>
    ) -> Bool {
        let word = node.word
        let missingTrue = word & CompiledNode<Value>.missingTrueFlag != 0
        if x.isNaN { return missingTrue }
        if word & CompiledNode<Value>.categoricalFlag != 0 {
            let membershipTrue = word & CompiledNode<Value>.membershipTrueFlag != 0
            guard x > -1, x < 2_147_483_648 else { return !membershipTrue }
            if word >> CompiledNode<Value>.comparisonShift == 4, x != x.rounded(.towardZero) { return !membershipTrue }
            let category = Int(x)  // truncates toward zero, as the C++ libraries' casts do
            let set = Int(node.value)
            let start = Int(setOffsets[set])
            let wordIndex = category >> 5
            let isMember =
                wordIndex < Int(setOffsets[set + 1]) - start
                && setWords[start + wordIndex] & (1 << UInt32(category & 31)) != 0
            return isMember == membershipTrue
        }
        // LightGBM's zero threshold is the float 1e-35, widened.
        if word & CompiledNode<Value>.zeroMissingFlag != 0, x.magnitude <= Value(Float(1e-35)) { return missingTrue }
        switch word >> CompiledNode<Value>.comparisonShift {
        case 0: return x <= node.value
        case 1: return x < node.value
        case 2: return x >= node.value
        case 3: return x > node.value
        case 4: return x == node.value
        default: return x != node.value
        }
    }
}

extension CompiledTreeEnsemble {
    /// Rows per block: the block's features stay in L1 while all trees run over it.
    static var blockRows: Int { 128 }

    /// Adds every tree's output to `scores` for each row.
    ///
    /// - Parameters:
    ///   - rows: `rowCount × featureCount` values, row-major. NaN is a missing value.
    ///   - rowCount: The number of rows.
    ///   - scores: `rowCount × targetCount` accumulators, row-major; tree outputs are added to what they hold.
    ///   - pool: The pool large batches are spread over.
    /// Complexity: O(rows × trees × depth). Allocates nothing per row.
    // Callers reach this through generic code (`any Predictor`), so ask for the two concrete bodies explicitly:
    // unspecialised, every comparison would go through a witness table.
    @_specialize(where Value == Float)
    @_specialize(where Value == Double)
    func accumulate(
        rows: UnsafePointer<Value>, rowCount: Int, scores: UnsafeMutablePointer<Double>, pool: ComputePool
    ) {
        switch kernel {
        case .less: accumulate(LessKernel.self, rows: rows, rowCount: rowCount, scores: scores, pool: pool)
        case .lessOrEqual:
            accumulate(LessOrEqualKernel.self, rows: rows, rowCount: rowCount, scores: scores, pool: pool)
        case .general: accumulate(GeneralKernel.self, rows: rows, rowCount: rowCount, scores: scores, pool: pool)
        }
    }

    private func accumulate<Kernel: SplitKernel>(
        _ kernel: Kernel.Type, rows: UnsafePointer<Value>, rowCount: Int, scores: UnsafeMutablePointer<Double>,
        pool: ComputePool
    ) {
        let blocks = (rowCount + Self.blockRows - 1) / Self.blockRows
        // Spread over threads only when each thread gets real work.
        let work = rowCount * max(1, treeCount)
        if pool.threadCount > 1, blocks > 1, work >= 32_768 {
            let chunks = min(blocks, pool.threadCount * 4)
            let blocksPerChunk = (blocks + chunks - 1) / chunks
            let rowsAddress = UInt(bitPattern: rows)
            let scoresAddress = UInt(bitPattern: scores)
            pool.forEachChunk(chunks) { chunk in
                let rows = UnsafePointer<Value>(bitPattern: rowsAddress)!
                let scores = UnsafeMutablePointer<Double>(bitPattern: scoresAddress)!
                let start = chunk * blocksPerChunk * Self.blockRows
                let end = min(rowCount, start + blocksPerChunk * Self.blockRows)
                guard start < end else { return }
                self.accumulateRange(Kernel.self, rows: rows, start: start, end: end, scores: scores)
            }
        } else {
            accumulateRange(Kernel.self, rows: rows, start: 0, end: rowCount, scores: scores)
        }
    }

    private func accumulateRange<Kernel: SplitKernel>(
        _ kernel: Kernel.Type, rows: UnsafePointer<Value>, start: Int, end: Int, scores: UnsafeMutablePointer<Double>
    ) {
        if end - start < 8 {
            for row in start..<end {
                accumulateRowAcrossTrees(
                    Kernel.self, row: rows + row * featureCount, scores: scores + row * targetCount)
            }
            return
        }
        var blockStart = start
        while blockStart < end {
            let blockEnd = min(end, blockStart + Self.blockRows)
            for tree in 0..<treeCount {
                var row = blockStart
                while row + 8 <= blockEnd {
                    accumulateEightRows(Kernel.self, tree: tree, firstRow: row, rows: rows, scores: scores)
                    row += 8
                }
                while row < blockEnd {
                    let leaf = traverse(Kernel.self, tree: tree, row: rows + row * featureCount)
                    addLeaf(leaf, tree: tree, scores: scores + row * targetCount)
                    row += 1
                }
            }
            blockStart = blockEnd
        }
    }

    @inline(__always)
    private func step<Kernel: SplitKernel>(
        _ kernel: Kernel.Type, _ index: Int, _ row: UnsafePointer<Value>
    ) -> Int {
        let node = nodes[index]
        let x = row[Int(truncatingIfNeeded: node.word & CompiledNode<Value>.featureMask)]
        let leafStep = Int(truncatingIfNeeded: (node.word >> 24) & 1)
        let goesTrue = Kernel.goesTrue(x, node, setWords.baseAddress!, setOffsets.baseAddress!)
        let falseChild = Int(truncatingIfNeeded: node.falseChild)
        let trueChild = index &+ 1 &- leafStep
        // Branch-free select: falseChild when goesTrue is 0, trueChild when it is 1.
        return falseChild &+ goesTrue &* (trueChild &- falseChild)
    }

    @inline(__always)
    private func traverse<Kernel: SplitKernel>(_ kernel: Kernel.Type, tree: Int, row: UnsafePointer<Value>) -> Int {
        var index = Int(roots[tree])
        for _ in 0..<Int(depths[tree]) { index = step(Kernel.self, index, row) }
        return index
    }

    @inline(__always)
    private func addLeaf(_ leaf: Int, tree: Int, scores: UnsafeMutablePointer<Double>) {
        if inlineLeaves {
            scores[Int(treeTargets[tree])] += Double(nodes[leaf].value)
        } else {
            let ordinal = Int(nodes[leaf].value)
            for entry in Int(payloadOffsets[ordinal])..<Int(payloadOffsets[ordinal + 1]) {
                scores[Int(payloadTargets[entry])] += payloadWeights[entry]
            }
        }
    }

    /// Eight rows through one tree in lock step.
    @inline(__always)
    private func accumulateEightRows<Kernel: SplitKernel>(
        _ kernel: Kernel.Type, tree: Int, firstRow: Int, rows: UnsafePointer<Value>,
        scores: UnsafeMutablePointer<Double>
    ) {
        let stride = featureCount
        let r0 = rows + firstRow * stride
        let r1 = r0 + stride
        let r2 = r1 + stride
        let r3 = r2 + stride
        let r4 = r3 + stride
        let r5 = r4 + stride
        let r6 = r5 + stride
        let r7 = r6 + stride
        let root = Int(roots[tree])
        var (i0, i1, i2, i3, i4, i5, i6, i7) = (root, root, root, root, root, root, root, root)
        let depth = Int(depths[tree])
        let minimumDepth = Int(minimumDepths[tree])
        var level = 0
        while level < depth {
            // Past the shallowest leaf, stop as soon as every lane has reached a leaf (unbalanced, leaf-wise trees).
            if level >= minimumDepth {
                let all =
                    nodes[i0].word & nodes[i1].word & nodes[i2].word & nodes[i3].word & nodes[i4].word
                    & nodes[i5].word & nodes[i6].word & nodes[i7].word
                if all & CompiledNode<Value>.leafFlag != 0 { break }
            }
            i0 = step(Kernel.self, i0, r0)
            i1 = step(Kernel.self, i1, r1)
            i2 = step(Kernel.self, i2, r2)
            i3 = step(Kernel.self, i3, r3)
            i4 = step(Kernel.self, i4, r4)
            i5 = step(Kernel.self, i5, r5)
            i6 = step(Kernel.self, i6, r6)
            i7 = step(Kernel.self, i7, r7)
            level += 1
        }
        let targets = targetCount
        let base = scores + firstRow * targets
        if inlineLeaves {
            let target = Int(treeTargets[tree])
            base[target] += Double(nodes[i0].value)
            base[targets + target] += Double(nodes[i1].value)
            base[2 * targets + target] += Double(nodes[i2].value)
            base[3 * targets + target] += Double(nodes[i3].value)
            base[4 * targets + target] += Double(nodes[i4].value)
            base[5 * targets + target] += Double(nodes[i5].value)
            base[6 * targets + target] += Double(nodes[i6].value)
            base[7 * targets + target] += Double(nodes[i7].value)
        } else {
            addLeaf(i0, tree: tree, scores: base)
            addLeaf(i1, tree: tree, scores: base + targets)
            addLeaf(i2, tree: tree, scores: base + 2 * targets)
            addLeaf(i3, tree: tree, scores: base + 3 * targets)
            addLeaf(i4, tree: tree, scores: base + 4 * targets)
            addLeaf(i5, tree: tree, scores: base + 5 * targets)
            addLeaf(i6, tree: tree, scores: base + 6 * targets)
            addLeaf(i7, tree: tree, scores: base + 7 * targets)
        }
    }

    /// One row through all trees, eight trees in lock step (for batches too small to interleave rows). Trees are
    /// added in order, so sums match a tree-by-tree loop exactly.
    private func accumulateRowAcrossTrees<Kernel: SplitKernel>(
        _ kernel: Kernel.Type, row: UnsafePointer<Value>, scores: UnsafeMutablePointer<Double>
    ) {
        var tree = 0
        while tree + 8 <= treeCount {
            var i0 = Int(roots[tree])
            var i1 = Int(roots[tree + 1])
            var i2 = Int(roots[tree + 2])
            var i3 = Int(roots[tree + 3])
            var i4 = Int(roots[tree + 4])
            var i5 = Int(roots[tree + 5])
            var i6 = Int(roots[tree + 6])
            var i7 = Int(roots[tree + 7])
            var depth: Int32 = 0
            var minimumDepth = Int32.max
            for offset in 0..<8 {
                depth = max(depth, depths[tree + offset])
                minimumDepth = min(minimumDepth, minimumDepths[tree + offset])
            }
            var level: Int32 = 0
            while level < depth {
                if level >= minimumDepth {
                    let all =
                        nodes[i0].word & nodes[i1].word & nodes[i2].word & nodes[i3].word & nodes[i4].word
                        & nodes[i5].word & nodes[i6].word & nodes[i7].word
                    if all & CompiledNode<Value>.leafFlag != 0 { break }
                }
                i0 = step(Kernel.self, i0, row)
                i1 = step(Kernel.self, i1, row)
                i2 = step(Kernel.self, i2, row)
                i3 = step(Kernel.self, i3, row)
                i4 = step(Kernel.self, i4, row)
                i5 = step(Kernel.self, i5, row)
                i6 = step(Kernel.self, i6, row)
                i7 = step(Kernel.self, i7, row)
                level += 1
            }
            addLeaf(i0, tree: tree, scores: scores)
            addLeaf(i1, tree: tree + 1, scores: scores)
            addLeaf(i2, tree: tree + 2, scores: scores)
            addLeaf(i3, tree: tree + 3, scores: scores)
            addLeaf(i4, tree: tree + 4, scores: scores)
            addLeaf(i5, tree: tree + 5, scores: scores)
            addLeaf(i6, tree: tree + 6, scores: scores)
            addLeaf(i7, tree: tree + 7, scores: scores)
            tree += 8
        }
        while tree < treeCount {
            addLeaf(traverse(Kernel.self, tree: tree, row: row), tree: tree, scores: scores)
            tree += 1
        }
    }
}
