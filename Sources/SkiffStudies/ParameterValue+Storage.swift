import SkiffTune

extension ParameterValue {
    /// A type-preserving text form for storage: `f:0.001`, `i:32`, `s:adam`, `b:true`.
    public var storageText: String {
        switch self {
        case .float(let x): "f:\(x)"
        case .int(let x): "i:\(x)"
        case .string(let x): "s:\(x)"
        case .bool(let x): "b:\(x)"
        }
    }

    /// Reads ``storageText``; `nil` for anything else.
    public init?(storageText text: String) {
        guard text.count >= 2, text.dropFirst().first == ":" else { return nil }
        let body = String(text.dropFirst(2))
        switch text.first {
        case "f":
            guard let x = Double(body) else { return nil }
            self = .float(x)
        case "i":
            guard let x = Int(body) else { return nil }
            self = .int(x)
        case "s": self = .string(body)
        case "b":
            guard let x = Bool(body) else { return nil }
            self = .bool(x)
        default: return nil
        }
    }
}

extension Distribution {
    /// A readable form of a parameter's distribution, stored with each value (`float[1e-05, 0.1] log`).
    public var storageText: String {
        switch self {
        case .float(let low, let high, let step, let log):
            "float[\(low), \(high)]" + (step.map { " step \($0)" } ?? "") + (log ? " log" : "")
        case .int(let low, let high, let step, let log):
            "int[\(low), \(high)]" + (step == 1 ? "" : " step \(step)") + (log ? " log" : "")
        case .categorical(let choices):
            "categorical[" + choices.map(\.storageText).joined(separator: ", ") + "]"
        }
    }
}
