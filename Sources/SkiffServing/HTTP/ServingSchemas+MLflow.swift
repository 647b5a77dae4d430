import SkiffRouting

/// MLflow's scoring protocol as `ScoringPayload.decodeMLflow` and `decodeCSV` read it and
/// `PredictionEncoding.writeMLflowPredictions` writes it.
extension ServingSchemas {
    /// The bodies `/invocations` takes.
    static let scoringBody: [Operation.Content] = [
        .json(.ref("MLflowScoringRequest")),
        Operation.Content(
            "text/csv",
            Schema.string(pattern: "[^\\r\\n\\uFEFF]").described(
                "A header row of column names, then one row per line (pandas' to_csv without the index). Empty "
                    + "fields are missing values; fields that read as numbers are numbers. Every row has as many "
                    + "fields as the header; blank lines are skipped, and a body of blank lines only is refused.")),
    ]

    /// The answer to a scoring request.
    static let predictions = Schema.object(
        [.required("predictions", .array(.ref("MLflowPrediction")).described("One element per row, in order."))],
        additionalProperties: false)

    /// The component schemas of the scoring protocol's bodies and answers.
    static let mlflowComponents: [(String, Schema)] = [
        (
            "ScoringCell",
            Schema.anyOf([.double, .string(), .boolean, .null]).described(
                "One value: a number, a string, a boolean, or null for a missing value.")
        ),
        (
            "ScoringTensor",
            Schema.anyOf([.ref("ScoringCell"), .array(.ref("ScoringTensor"))]).described(
                "A value, or a rectangular nested list of values: the lists at one depth have the length of the "
                    + "first of them, and values sit at the depth of the first value only.")
        ),
        (
            "DataframeSplit",
            Schema.object([
                .optional(
                    "columns",
                    .anyOf([.array(.anyOf([.string(), .double])), .null]).described(
                        "The column names (a number names a column by its text); without them the columns are "
                            + "named 0, 1, … after the first row.")),
                .required(
                    "data",
                    .array(.array(.ref("ScoringCell"))).described(
                        "One list per row, each with one value per column.")),
                .optional("index", Schema.anything.described("pandas' row labels; ignored.")),
            ]).described("pandas' split orient; other members are ignored.")
        ),
        (
            "MLflowScoringRequest",
            Schema.anyOf([
                scoringRequest(
                    "dataframe_split", .ref("DataframeSplit"), "Named columns and rows of values."),
                scoringRequest(
                    "dataframe_records", .array(.map(.ref("ScoringCell"))),
                    "One object of column: value per row; a column a row lacks is a missing value."),
                scoringRequest(
                    "instances",
                    .anyOf([.array(.map(.ref("ScoringCell"))), .array(.ref("ScoringTensor"))]),
                    "Records like dataframe_records when the first is an object, else one tensor whose first "
                        + "dimension is the rows."),
                scoringRequest(
                    "inputs", .anyOf([.array(.ref("ScoringTensor")), .map(.ref("ScoringTensor"))]),
                    "One tensor whose first dimension is the rows, or a non-empty object of named tensors (one per "
                        + "model input, or one column each) with equally many rows."),
            ]).described(
                "A JSON object with exactly one of dataframe_split, dataframe_records, instances or inputs, and "
                    + "optionally params.")
        ),
        (
            "MLflowPrediction",
            Schema.anyOf([
                answerScalar, .map(.anyOf([answerScalar, .array(answerScalar)])),
            ]).described(
                "A row's prediction: a value when the model has one output with one value per row, otherwise an "
                    + "object keyed by output name (a list for an output with several values per row).")
        ),
    ]

    private static func scoringRequest(_ key: String, _ schema: Schema, _ meaning: String) -> Schema {
        .object(
            [
                .required(key, schema.described(meaning)),
                .optional(
                    "params",
                    Schema.anything.described("MLflow's inference parameters; accepted and ignored.")),
            ], additionalProperties: false)
    }
}
