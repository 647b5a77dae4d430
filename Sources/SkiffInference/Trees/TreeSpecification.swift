/// A format-neutral description of a decision-tree ensemble, as the loaders read it from a model file.
///
/// Each loader (XGBoost, LightGBM, ONNX TreeEnsemble*) translates its format's split semantics into these nodes:
/// `trueChild` is the branch taken when the split condition holds, and `missingGoesTrue` is where NaN goes.
/// `CompiledTreeEnsemble` validates and flattens it.
struct TreeSpecification: Sendable {
    /// How a numeric split compares the feature value `x` with the threshold `t`.
    enum Comparison: UInt8, Sendable {
        /// `x <= t`
        case lessOrEqual = 0
        /// `x < t`
        case less = 1
        /// `x >= t`
        case greaterOrEqual = 2
        /// `x > t`
        case greater = 3
        /// `x == t`
        case equal = 4
        /// `x != t`
        case notEqual = 5
    }

    /// One node of one tree.
    enum Node: Sendable {
        /// A numeric split.
        ///
        /// `zeroIsMissing` makes values with `|x| <= 1e-35` take the missing direction too (LightGBM's
        /// `zero_as_missing`).
        case numeric(
            feature: Int,
            threshold: Double,
            comparison: Comparison,
            missingGoesTrue: Bool,
            zeroIsMissing: Bool,
            trueChild: Int,
            falseChild: Int
        )
        /// A categorical split: the condition holds when `Int(x)` (truncated) is in `categories` and
        /// `membershipIsTrue`, or not in it and `!membershipIsTrue`; NaN goes where `missingGoesTrue` says,
        /// negative values are never members. With `exactMembership`, a non-integral `x` is never a member (ONNX
        /// `BRANCH_MEMBER` compares values exactly; XGBoost and LightGBM truncate).
        case categorical(
            feature: Int,
            categories: [UInt32],
            membershipIsTrue: Bool,
            missingGoesTrue: Bool,
            trueChild: Int,
            falseChild: Int,
            exactMembership: Bool = false
        )
        /// A leaf adding `weight` to the score of each `(target, weight)` entry.
        case leaf([(target: Int, weight: Double)])
    }

    /// One tree: its nodes and the index of its root among them.
    struct Tree: Sendable {
        var nodes: [Node]
        var root: Int
    }

    var trees: [Tree]
    /// The number of input features; every split's feature must be below it.
    var featureCount: Int
    /// The number of scores each row gets (classes, or regression targets).
    var targetCount: Int
}
