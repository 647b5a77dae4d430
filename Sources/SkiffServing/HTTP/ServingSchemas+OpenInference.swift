import SkiffInference
import SkiffJSON
import SkiffRouting

/// The Open Inference Protocol (KServe v2) as `OpenInferenceRequest.decode` reads it and `OpenInferenceRoutes`
/// and `PredictionEncoding.writeOpenInferenceOutputs` write it.
extension ServingSchemas {
    /// The datatypes of the tensors Skiff's models read and write (`PredictionEncoding.datatype`).
    static let tensorDatatypes = Schema.oneOf(["FP32", "FP64", "INT64", "BYTES", "BOOL"])

    /// `{"<name>": true}`, the answer of the health and readiness routes.
    static func flag(_ name: String) -> Schema {
        .object([.required(name, .constants([.bool(true)]))], additionalProperties: false)
    }

    /// The component schemas of the Open Inference Protocol's bodies and answers.
    static let openInferenceComponents: [(String, Schema)] = [
        ("OpenInferenceError", .object([.required("error", .string())], additionalProperties: false)),
        (
            "ServerMetadata",
            .object(
                [
                    .required("name", .oneOf(["skiff"])), .required("version", .string()),
                    .required("extensions", .array(.string())),
                ], additionalProperties: false)
        ),
        (
            "ModelMetadata",
            .object(
                [
                    .required("name", .string()),
                    .required(
                        "versions",
                        .array(.string(), minItems: 1).described(
                            "The versions loaded: the primary's, then the canary's.")
                    ),
                    .required("platform", .oneOf(ModelFormat.allCases.map { "skiff-\($0.rawValue)" })),
                    .required("inputs", .array(.ref("InputMetadata"))),
                    .required("outputs", .array(.ref("OutputMetadata"))),
                ], additionalProperties: false)
        ),
        (
            "InputMetadata",
            .object(
                [
                    .required("name", .string()), .required("datatype", tensorDatatypes),
                    .required(
                        "shape",
                        .array(.integer(minimum: -1, maximum: .max, format: "int64"), minItems: 2, maxItems: 2)
                            .described("[-1, columns]; -1 is a dimension of any size.")),
                    .optional(
                        "parameters",
                        .object(
                            [.required("feature_names", .array(.string(), minItems: 1))], additionalProperties: false)),
                ], additionalProperties: false)
        ),
        (
            "OutputMetadata",
            .object(
                [
                    .required("name", .string()), .required("datatype", tensorDatatypes),
                    .required(
                        "shape",
                        .array(.integer(minimum: -1, maximum: .max, format: "int64"), minItems: 1, maxItems: 2)
                            .described("[-1] for one value per row, [-1, n] for n; -1 is a dimension of any size.")),
                ], additionalProperties: false)
        ),
        inferData("IntegerTensorData", .integer().described("A whole number; its range is not checked.")),
        inferData("FloatTensorData", .anyOf([.double, .null.described("A missing value.")])),
        inferData("BytesTensorData", .string()),
        inferData("BoolTensorData", .boolean),
        (
            "InferInputTensor",
            .anyOf([
                inferInput(
                    ["INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64"], "IntegerTensorData"),
                inferInput(["FP16", "FP32", "FP64"], "FloatTensorData"),
                inferInput(["BYTES"], "BytesTensorData"),
                inferInput(["BOOL"], "BoolTensorData"),
            ])
        ),
        (
            "InferRequest",
            .object([
                .optional(
                    "id",
                    .anyOf([.string(), .null]).described(
                        "The request's id, echoed in the answer and the prediction log.")
                ),
                .optional("parameters", Schema.anything.described("Accepted and ignored.")),
                .required(
                    "inputs",
                    .array(.ref("InferInputTensor"), minItems: 1).described(
                        "One tensor per model input, or one one-dimensional tensor per column; every tensor has as "
                            + "many rows (first dimension) as the first.")),
                .optional(
                    "outputs",
                    .anyOf([
                        .array(
                            .object([
                                .required("name", .string()),
                                .optional("parameters", Schema.anything.described("Accepted and ignored.")),
                            ])),
                        .object([]), .string(), .double, .boolean, .null,
                    ]).described(
                        "The outputs to answer, by name, each an output of the model; all when absent or empty. Any "
                            + "value other than a list is ignored.")),
            ]).described("Other members are ignored.")
        ),
        (
            "InferOutputTensor",
            .anyOf([
                inferOutput(
                    ["FP32", "FP64"], .anyOf([.double, .oneOf(["NaN", "Infinity", "-Infinity"])])),
                inferOutput(["INT64"], .int64),
                inferOutput(["BYTES"], .string()),
                inferOutput(["BOOL"], .boolean),
            ])
        ),
        (
            "InferResponse",
            .object(
                [
                    .required("model_name", .string()),
                    .required("model_version", .string().described("The version that computed the outputs.")),
                    .optional("id", .string().described("The request's id, when it had one.")),
                    .required("outputs", .array(.ref("InferOutputTensor"))),
                ], additionalProperties: false)
        ),
    ]

    /// The `data` of an input tensor of one datatype: one value, or lists nested at most
    /// `OpenInferenceRequest.maxDataNesting` deep, flattened in order. Written out level by level, not as a recursive
    /// reference, so the bound is part of the schema.
    private static func inferData(_ name: String, _ element: Schema) -> (String, Schema) {
        var nested = element
        for _ in 0..<OpenInferenceRequest.maxDataNesting { nested = .anyOf([element, .array(nested)]) }
        return (name, nested)
    }

    private static func inferInput(_ datatypes: [String], _ data: String) -> Schema {
        .object([
            .required("name", .nonEmptyString()),
            .required(
                "shape",
                .array(.integer(minimum: 0, maximum: .max, format: "int64"), minItems: 1).described(
                    "The dimensions, rows first; their product is at most 50,000,000.")),
            .required("datatype", .oneOf(datatypes)),
            .required(
                "data",
                Schema.ref(data).described(
                    "The values, flat or nested, row-major: as many as the product of the shape.")),
            .optional("parameters", Schema.anything.described("Accepted and ignored.")),
        ])
    }

    private static func inferOutput(_ datatypes: [String], _ element: Schema) -> Schema {
        .object(
            [
                .required("name", .string()),
                .required("shape", .array(.integer(minimum: 0, maximum: .max, format: "int64"))),
                .required("datatype", .oneOf(datatypes)),
                .required("data", .array(element).described("The values, flat, row-major.")),
            ], additionalProperties: false)
    }
}
