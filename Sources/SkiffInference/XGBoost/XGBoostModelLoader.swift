import Foundation

/// Loads XGBoost model files (JSON or UBJSON, as `Booster.save_model` writes them) into a compiled predictor.
///
/// Semantics copied from XGBoost's CPU predictor: inputs are rounded to float32; a numeric split goes left when
/// `x < threshold` (both float32); NaN follows `default_left`; a categorical split goes right when `Int(x)` is in the
/// node's category list and left otherwise (negative or unseen codes go left). `base_score` is stored in output
/// space: its inverse link (logit for logistic objectives, log for exponential ones) gives the base margin; since
/// XGBoost 3.1 it is a list with one entry per class, used for each class's margin.
///
/// Not supported (rejected with `unsupportedModel`): `gblinear`, `dart`, vector-leaf (multi-output) trees.
enum XGBoostModelLoader {
    /// Loads a model from the bytes of a `.json` or `.ubj` file; the format is detected from the first byte.
    /// - Throws: `unsupportedFormat` when the bytes are not an XGBoost model, `corruptModel` when it is malformed,
    ///   `unsupportedModel` for boosters and objectives Skiff does not implement.
    static func load(_ bytes: [UInt8]) throws -> any Predictor {
        guard let first = bytes.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) else {
            throw InferenceError(.corruptModel, "The XGBoost model file is empty.")
        }
        let document: DocumentValue
        if first == UInt8(ascii: "{") && bytes.count > 1 && isJSON(bytes) {
            document = try JSONDocumentParser.parse(bytes)
        } else if first == UInt8(ascii: "{") {
            document = try UBJSONDocumentParser.parse(bytes)
        } else {
            throw InferenceError(.unsupportedFormat, "The file is not an XGBoost JSON or UBJSON model.")
        }
        guard let learner = document["learner"] else {
            throw InferenceError(.unsupportedFormat, "The file is not an XGBoost model: it has no 'learner'.")
        }
        return try build(learner: learner)
    }

    /// JSON text continues after `{` with whitespace or a quoted key; UBJSON continues with a type or length marker.
    private static func isJSON(_ bytes: [UInt8]) -> Bool {
        guard let start = bytes.firstIndex(of: UInt8(ascii: "{")) else { return false }
        for byte in bytes[(start + 1)...] {
            if [0x20, 0x0A, 0x0D, 0x09].contains(byte) { continue }
            return byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "}")
        }
        return false
    }

    private static func build(learner: DocumentValue) throws -> any Predictor {
        let objective =
            try learner.member("objective", in: "the learner").member("name", in: "the objective")
            .stringValue ?? ""
        let parameters = try learner.member("learner_model_param", in: "the learner")
        let classCount = Int(parameters["num_class"]?.numberValue ?? 0)
        let targetParameter = Int(parameters["num_target"]?.numberValue ?? 1)
        guard let featureCountValue = parameters["num_feature"]?.numberValue, featureCountValue >= 0,
            featureCountValue < 16_777_216, classCount >= 0, classCount <= 1 << 16, targetParameter >= 1,
            targetParameter <= 1 << 16
        else {
            throw InferenceError.corrupt("The XGBoost model's num_feature, num_class or num_target is invalid.")
        }
        let featureCount = Int(featureCountValue)
        let outputCount = max(1, classCount, targetParameter)

        let booster = try learner.member("gradient_booster", in: "the learner")
        let boosterName = booster["name"]?.stringValue ?? ""
        guard boosterName == "gbtree" else {
            throw InferenceError(
                .unsupportedModel,
                "XGBoost '\(boosterName)' boosters are not supported; only 'gbtree' is."
            )
        }
        let model = try booster.member("model", in: "the gradient booster")
        guard case .array(let treeDocuments) = try model.member("trees", in: "the model") else {
            if model["trees"]?.count == 0 {
                return try finish(
                    trees: [], treeInfo: [], objective: objective, parameters: parameters, outputCount: outputCount,
                    featureCount: featureCount, learner: learner)
            }
            throw InferenceError.corrupt("The XGBoost model's 'trees' is not a list.")
        }
        guard let treeInfo = try model.member("tree_info", in: "the model").int32Array(),
            treeInfo.count == treeDocuments.count
        else {
            throw InferenceError.corrupt("The XGBoost model's tree_info does not match its trees.")
        }
        var trees = [TreeSpecification.Tree]()
        trees.reserveCapacity(treeDocuments.count)
        for (index, document) in treeDocuments.enumerated() {
            trees.append(try tree(document, index: index))
        }

        // The scikit-learn wrapper predicts with the best iteration when early stopping recorded one.
        if let best = learner["attributes"]?["best_iteration"]?.numberValue, best >= 0,
            let pointers = model["iteration_indptr"]?.int32Array(), Int(best) + 1 < pointers.count
        {
            let end = Int(pointers[Int(best) + 1])
            if end >= 0, end <= trees.count {
                trees.removeSubrange(end...)
                return try finish(
                    trees: trees, treeInfo: Array(treeInfo[..<end]), objective: objective, parameters: parameters,
                    outputCount: outputCount, featureCount: featureCount, learner: learner)
            }
        }
        return try finish(
            trees: trees, treeInfo: treeInfo, objective: objective, parameters: parameters, outputCount: outputCount,
            featureCount: featureCount, learner: learner)
    }

    private static func finish(
        trees: [TreeSpecification.Tree], treeInfo: [Int32], objective: String, parameters: DocumentValue,
        outputCount: Int, featureCount: Int, learner: DocumentValue
    ) throws -> any Predictor {
        var assigned = trees
        for index in assigned.indices {
            let group = Int(treeInfo[index])
            guard group >= 0, group < outputCount else {
                throw InferenceError.corrupt("XGBoost tree \(index) belongs to output \(group), out of range.")
            }
            for node in assigned[index].nodes.indices {
                if case .leaf(let entries) = assigned[index].nodes[node] {
                    assigned[index].nodes[node] = .leaf([(group, entries[0].weight)])
                }
            }
        }
        let specification = TreeSpecification(trees: assigned, featureCount: featureCount, targetCount: outputCount)
        let ensemble = try CompiledTreeEnsemble<Float>(specification)

        let (link, transform) = try objectiveFunctions(objective)
        let scores = try baseScores(parameters["base_score"])
        var margins = [Double]()
        for target in 0..<outputCount {
            let score = scores.count == outputCount ? scores[target] : (scores.first ?? 0.5)
            margins.append(link(score))
        }
        let names: [String]
        if case .array(let values) = learner["feature_names"] ?? .null {
            names = values.compactMap(\.stringValue)
        } else {
            names = []
        }
        return BoostedTreePredictor<Float>(
            ensemble: ensemble, baseMargins: margins, averageDivisor: nil, transform: transform,
            featureNames: names.count == featureCount ? names : [],
            ensembleFeatureCount: featureCount)
    }

    /// The inverse link applied to base_score, and the transform applied to margins.
    private static func objectiveFunctions(
        _ objective: String
    ) throws -> (link: @Sendable (Double) -> Double, transform: ScoreTransform) {
        let logit: @Sendable (Double) -> Double = { -log(1 / $0 - 1) }
        let identity: @Sendable (Double) -> Double = { $0 }
        let logarithm: @Sendable (Double) -> Double = { log($0) }
        switch objective {
        case "binary:logistic", "reg:logistic": return (logit, .sigmoid(1))
        case "binary:logitraw": return (identity, .identity)
        case "binary:hinge": return (identity, .hinge)
        case "multi:softprob": return (identity, .softmax)
        case "multi:softmax": return (identity, .argmax)
        case "count:poisson", "reg:gamma", "reg:tweedie", "survival:cox": return (logarithm, .exponential)
        case "reg:squarederror", "reg:squaredlogerror", "reg:pseudohubererror", "reg:absoluteerror",
            "reg:quantileerror", "reg:linear", "rank:pairwise", "rank:ndcg", "rank:map":
            return (identity, .identity)
        default:
            throw InferenceError(.unsupportedModel, "The XGBoost objective '\(objective)' is not supported.")
        }
    }

    /// Parses base_score: a number, a numeric string, or (XGBoost ≥ 3.1) a bracketed list such as `[8.36E-1,1E-1]`.
    private static func baseScores(_ value: DocumentValue?) throws -> [Double] {
        guard let value else { return [0.5] }
        if let string = value.stringValue {
            let trimmed = string.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
            let parts = trimmed.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = parts.compactMap { Double($0) }
            guard !numbers.isEmpty, numbers.count == parts.count else {
                throw InferenceError.corrupt("The XGBoost model's base_score '\(string.prefix(40))' is not a number.")
            }
            return numbers
        }
        if let number = value.numberValue { return [number] }
        if let numbers = value.floatArray() { return numbers.map { Double($0) } }
        throw InferenceError.corrupt("The XGBoost model's base_score is not a number.")
    }

    private static func tree(_ document: DocumentValue, index: Int) throws -> TreeSpecification.Tree {
        let context = "tree \(index)"
        if let leafVector = document["tree_param"]?["size_leaf_vector"]?.numberValue, leafVector > 1 {
            throw InferenceError(.unsupportedModel, "XGBoost vector-leaf (multi-output) trees are not supported.")
        }
        guard let left = try document.member("left_children", in: context).int32Array(),
            let right = try document.member("right_children", in: context).int32Array(),
            let features = try document.member("split_indices", in: context).int32Array(),
            let conditions = try document.member("split_conditions", in: context).floatArray(),
            let defaultLeft = try document.member("default_left", in: context).int32Array()
        else {
            throw InferenceError.corrupt("XGBoost \(context) has a node array that is not a list of numbers.")
        }
        let count = left.count
        guard count > 0, right.count == count, features.count == count, conditions.count == count,
            defaultLeft.count == count
        else {
            throw InferenceError.corrupt("XGBoost \(context) has node arrays of different lengths.")
        }
        let splitTypes = document["split_type"]?.int32Array() ?? []
        var categorySets = [Int: [UInt32]]()
        if splitTypes.contains(1) {
            guard let nodes = document["categories_nodes"]?.int32Array(),
                let segments = document["categories_segments"]?.int32Array(),
                let sizes = document["categories_sizes"]?.int32Array(),
                let categories = document["categories"]?.int32Array(),
                segments.count == nodes.count, sizes.count == nodes.count
            else {
                throw InferenceError.corrupt("XGBoost \(context) has malformed categorical split data.")
            }
            for (position, node) in nodes.enumerated() {
                let start = Int(segments[position])
                let size = Int(sizes[position])
                guard start >= 0, size >= 0, start <= categories.count - size else {
                    throw InferenceError.corrupt("XGBoost \(context) has a category list out of range.")
                }
                var words = [UInt32]()
                for category in categories[start..<start + size] {
                    guard category >= 0, category < 1 << 20 else {
                        throw InferenceError(.unsupportedModel, "XGBoost category codes must be below 1,048,576.")
                    }
                    let word = Int(category) >> 5
                    if words.count <= word { words.append(contentsOf: repeatElement(0, count: word + 1 - words.count)) }
                    words[word] |= 1 << UInt32(category & 31)
                }
                categorySets[Int(node)] = words
            }
        }
        var nodes = [TreeSpecification.Node]()
        nodes.reserveCapacity(count)
        for node in 0..<count {
            if left[node] == -1 {
                nodes.append(.leaf([(0, Double(conditions[node]))]))
            } else if node < splitTypes.count, splitTypes[node] == 1 {
                guard let set = categorySets[node] else {
                    throw InferenceError.corrupt("XGBoost \(context) has a categorical split without categories.")
                }
                // In the list → right (the false branch here), otherwise left.
                nodes.append(
                    .categorical(
                        feature: Int(features[node]), categories: set, membershipIsTrue: false,
                        missingGoesTrue: defaultLeft[node] != 0, trueChild: Int(left[node]),
                        falseChild: Int(right[node])))
            } else {
                nodes.append(
                    .numeric(
                        feature: Int(features[node]), threshold: Double(conditions[node]), comparison: .less,
                        missingGoesTrue: defaultLeft[node] != 0, zeroIsMissing: false, trueChild: Int(left[node]),
                        falseChild: Int(right[node])))
            }
        }
        return TreeSpecification.Tree(nodes: nodes, root: 0)
    }
}
