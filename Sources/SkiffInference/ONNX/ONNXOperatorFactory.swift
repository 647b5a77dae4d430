import Foundation

/// Compiles one ONNX node into an operator, or fails naming the operator and the node.
enum ONNXOperatorFactory {
    /// Compiles a node.
    /// - Parameters:
    ///   - node: The node.
    ///   - opsets: The model's opset version per domain (`""` for ai.onnx).
    /// - Throws: `unsupportedOperator` for operators outside Skiff's set, `corruptModel` for invalid attributes.
    static func make(_ node: Onnx_NodeProto, opsets: [String: Int]) throws -> any ONNXOperator {
        let attributes = NodeAttributes(node)
        let domain = node.domain == "ai.onnx" ? "" : node.domain
        let opset = opsets[domain] ?? 1
        if domain == "ai.onnx.ml" {
            switch node.opType {
            case "TreeEnsembleClassifier": return try TreeEnsembleOperator(attributes, classifier: true)
            case "TreeEnsembleRegressor": return try TreeEnsembleOperator(attributes, classifier: false)
            case "TreeEnsemble": return try TreeEnsembleV5Operator(attributes)
            case "LinearClassifier": return try LinearOperators.classifier(attributes)
            case "LinearRegressor": return try LinearOperators.regressor(attributes)
            case "Scaler": return try PreprocessingOperators.scaler(attributes)
            case "Imputer": return try PreprocessingOperators.imputer(attributes)
            case "Normalizer": return try PreprocessingOperators.normalizer(attributes)
            case "Binarizer": return try PreprocessingOperators.binarizer(attributes)
            case "OneHotEncoder": return try PreprocessingOperators.oneHotEncoder(attributes)
            case "LabelEncoder": return try PreprocessingOperators.labelEncoder(attributes, opset: opset)
            case "ArrayFeatureExtractor": return ShapeOperators.arrayFeatureExtractor(attributes)
            // ZipMap only repackages probabilities as maps: its output is the probability tensor itself.
            case "ZipMap": return ShapeOperators.identity(attributes)
            default: break
            }
        } else if domain == "" {
            switch node.opType {
            case "Identity", "Dropout": return ShapeOperators.identity(attributes)
            case "Add": return ElementwiseOperators.arithmetic(.add, attributes)
            case "Sub": return ElementwiseOperators.arithmetic(.subtract, attributes)
            case "Mul": return ElementwiseOperators.arithmetic(.multiply, attributes)
            case "Div": return ElementwiseOperators.arithmetic(.divide, attributes)
            case "Less": return ElementwiseOperators.comparison(.less, attributes)
            case "Greater": return ElementwiseOperators.comparison(.greater, attributes)
            case "Equal": return ElementwiseOperators.comparison(.equal, attributes)
            case "LessOrEqual": return ElementwiseOperators.comparison(.lessOrEqual, attributes)
            case "GreaterOrEqual": return ElementwiseOperators.comparison(.greaterOrEqual, attributes)
            case "Relu": return ElementwiseOperators.unary(attributes, float: { max($0, 0) }, double: { max($0, 0) })
            case "Sigmoid":
                return ElementwiseOperators.unary(
                    attributes, float: { 1 / (1 + exp(-$0)) }, double: { 1 / (1 + exp(-$0)) })
            case "Tanh": return ElementwiseOperators.unary(attributes, float: { tanh($0) }, double: { tanh($0) })
            case "Exp": return ElementwiseOperators.unary(attributes, float: { exp($0) }, double: { exp($0) })
            case "Log": return ElementwiseOperators.unary(attributes, float: { log($0) }, double: { log($0) })
            case "Sqrt":
                return ElementwiseOperators.unary(attributes, float: { $0.squareRoot() }, double: { $0.squareRoot() })
            case "Abs": return ElementwiseOperators.unary(attributes, float: { abs($0) }, double: { abs($0) })
            case "Neg": return ElementwiseOperators.unary(attributes, float: { -$0 }, double: { -$0 })
            case "Where": return ElementwiseOperators.where(attributes)
            case "Cast": return try ElementwiseOperators.cast(attributes)
            case "MatMul": return MatrixOperators.matMul(attributes)
            case "Gemm": return try MatrixOperators.ONNXGemm(attributes)
            case "Softmax": return try MatrixOperators.softmax(attributes, opset: opset)
            case "ArgMax": return try MatrixOperators.argMax(attributes)
            case "ReduceSum": return try MatrixOperators.reduce(attributes, product: false)
            case "ReduceProd": return try MatrixOperators.reduce(attributes, product: true)
            case "Reshape": return try ShapeOperators.reshape(attributes)
            case "Flatten": return try ShapeOperators.flatten(attributes)
            case "Concat": return try ShapeOperators.concat(attributes)
            case "Gather": return try ShapeOperators.gather(attributes)
            case "Squeeze": return ShapeOperators.squeeze(attributes, unsqueeze: false)
            case "Unsqueeze": return ShapeOperators.squeeze(attributes, unsqueeze: true)
            case "Shape": return ShapeOperators.shape(attributes)
            case "ConstantOfShape": return try ShapeOperators.constantOfShape(attributes)
            case "Constant": return try ShapeOperators.constant(attributes)
            default: break
            }
        }
        let qualified = domain.isEmpty ? node.opType : "\(domain).\(node.opType)"
        throw InferenceError(
            .unsupportedOperator,
            "The model uses operator '\(qualified)' (node '\(attributes.node)'), which Skiff does not support.")
    }
}
