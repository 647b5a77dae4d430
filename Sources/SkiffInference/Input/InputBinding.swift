/// Where one model input's values come from in a table of named columns: the CSV of `skiff predict`, or the
/// frame of a scoring request.
public struct InputBinding: Sendable, Hashable {
    /// The model input fed.
    public let input: ModelInput
    /// The table's column indices whose values form each row of the input, in order.
    public let columns: [Int]

    /// Matches a model's inputs to a table's columns.
    ///
    /// A model with a single two-dimensional input (XGBoost, LightGBM, most ONNX conversions) takes the columns
    /// that carry its recorded feature names, or else every column in order when the count fits. A model with
    /// several named inputs (an ONNX ColumnTransformer) takes one column per input, by name. The first of
    /// duplicate column names wins.
    /// - Parameters:
    ///   - inputs: The model's inputs.
    ///   - columns: The table's column names, in order.
    /// - Throws: `InferenceError` `missingColumn` naming the columns the model needs, or `invalidInput` when the
    ///   column count does not fit.
    public static func bind(_ inputs: [ModelInput], columns: [String]) throws(InferenceError) -> [InputBinding] {
        var positions = [String: Int]()
        for (index, name) in columns.enumerated() where positions[name] == nil { positions[name] = index }
        if inputs.count == 1, let only = inputs.first, positions[only.name] == nil || (only.columnCount ?? 1) > 1 {
            if !only.featureNames.isEmpty {
                let found = only.featureNames.compactMap { positions[$0] }
                if found.count == only.featureNames.count { return [InputBinding(input: only, columns: found)] }
            }
            let needed = only.columnCount ?? columns.count
            guard columns.count == needed else {
                let names = only.featureNames.isEmpty ? "" : " (\(only.featureNames.joined(separator: ", ")))"
                throw InferenceError(
                    .invalidInput, "The model needs \(needed) feature columns\(names); the input has \(columns.count).")
            }
            return [InputBinding(input: only, columns: Array(columns.indices))]
        }
        var bindings = [InputBinding]()
        for input in inputs {
            guard let column = positions[input.name] else {
                throw InferenceError(
                    .missingColumn,
                    "The input has no column '\(input.name)'. The model needs the columns: "
                        + inputs.map(\.name).joined(separator: ", ") + ".")
            }
            if let count = input.columnCount, count != 1 {
                throw InferenceError(
                    .invalidInput, "The model input '\(input.name)' takes \(count) values per row; a column gives one.")
            }
            bindings.append(InputBinding(input: input, columns: [column]))
        }
        return bindings
    }
}
