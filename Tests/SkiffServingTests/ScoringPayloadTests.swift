import SkiffInference
import SkiffJSON
import Testing

@testable import SkiffServing

@Suite("Scoring payloads")
struct ScoringPayloadTests {
    static let fiveFloats = [ModelInput(name: "input", elementType: .float, columnCount: 5)]

    static func feeds(_ json: String, _ inputs: [ModelInput] = fiveFloats) throws -> [String: Tensor] {
        try ModelFeeds.build(try ScoringPayload.decodeMLflow(Array(json.utf8)), for: inputs)
    }

    static func badRequest(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as ServingError {
            return error.code == .badRequest ? error.message : "wrong code \(error.code)"
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test(
        "every MLflow input form gives the same rows",
        arguments: [
            #"{"dataframe_split": {"columns": ["a","b","c","d","e"], "data": [[1,2,3,4,5],[6,7,8,9,null]]}}"#,
            #"{"dataframe_records": [{"a":1,"b":2,"c":3,"d":4,"e":5},{"a":6,"b":7,"c":8,"d":9}]}"#,
            #"{"instances": [[1,2,3,4,5],[6,7,8,9,null]]}"#,
            #"{"inputs": [[1,2,3,4,5],[6,7,8,9,null]]}"#,
            #"{"inputs": {"input": [[1,2,3,4,5],[6,7,8,9,null]]}}"#,
            #"{"inputs": {"a":[1,6],"b":[2,7],"c":[3,8],"d":[4,9],"e":[5,null]}, "params": {}}"#,
        ])
    func mlflowForms(_ body: String) throws {
        let tensor = try #require(try Self.feeds(body)["input"])
        #expect(tensor.shape == [2, 5])
        let values = tensor.doubles
        #expect(Array(values[0..<9]) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(values[9].isNaN)
    }

    @Test("CSV bodies bind by header, empty fields are missing")
    func csv() throws {
        let payload = try ScoringPayload.decodeCSV(Array("a,b,c,d,e\n1,2,3,4,\n".utf8))
        let tensor = try #require(try ModelFeeds.build(payload, for: Self.fiveFloats)["input"])
        #expect(tensor.shape == [1, 5])
        #expect(tensor.doubles[4].isNaN)
        let ragged = Self.badRequest { _ = try ScoringPayload.decodeCSV(Array("a,b\n1,2,3\n".utf8)) }
        #expect(ragged?.contains("line 2") == true)
    }

    @Test("named inputs bind by column name, in the model's order")
    func namedInputs() throws {
        let inputs = [
            ModelInput(name: "age", elementType: .double, columnCount: 1),
            ModelInput(name: "city", elementType: .string, columnCount: 1),
        ]
        let feeds = try Self.feeds(#"{"dataframe_records": [{"city": "Oslo", "age": 31}]}"#, inputs)
        #expect(feeds["age"]?.doubles == [31])
        if case .string(let cities)? = feeds["city"]?.storage { #expect(cities == ["Oslo"]) } else { Issue.record() }
        let missing = Self.badRequest { _ = try Self.feeds(#"{"dataframe_records": [{"age": 31}]}"#, inputs) }
        #expect(missing?.contains("'city'") == true)
    }

    @Test(
        "malformed bodies are 400s that name the field",
        arguments: [
            ("not json", "not valid JSON"),
            (#"[1,2]"#, "pre-2.0"),
            (#"{"instances": [[1,2,3,4,5]], "inputs": [[1,2,3,4,5]]}"#, "exactly one"),
            (#"{"dataframe_split": {"columns": ["a"], "data": [[1,2]]}}"#, "dataframe_split.data[0] has 2 values"),
            (#"{"instances": [[1,2,3,4,5],[1,2]]}"#, "instances[1] has 2 values"),
            (#"{"instances": [[1,2,3,4,"x"]]}"#, "instances row 0, element 4"),
            (#"{"instances": [[1,2,3]]}"#, "takes 5"),
            (#"{"dataframe_records": [{"a": [1]}]}"#, "dataframe_records[0].a"),
            (#"{"dataframe_split": {"columns": ["a","b","c","d","e"], "data": [[1,2,3,4,"x"]]}}"#, "column 'e'"),
            (#"{"instances": [[1,2,3,4,5]], "extra": 1}"#, "Unknown key 'extra'"),
            (String(repeating: "[", count: 500), "not valid JSON"),
        ])
    func malformed(_ body: String, _ expected: String) {
        let message = Self.badRequest { _ = try Self.feeds(body) }
        #expect(message?.contains(expected) == true, "\(message ?? "no error")")
    }

    @Test("Open Inference Protocol tensors: typed, shaped and checked")
    func openInference() throws {
        let body = #"""
            {"id": "r1", "inputs": [{"name": "input", "shape": [2, 5], "datatype": "FP32",
             "data": [[1,2,3,4,5],[6,7,8,9,10]]}], "outputs": [{"name": "label"}]}
            """#
        let request = try OpenInferenceRequest.decode(Array(body.utf8))
        #expect(request.id == "r1")
        #expect(request.requestedOutputs == ["label"])
        let tensor = try #require(try ModelFeeds.build(request.payload, for: Self.fiveFloats)["input"])
        #expect(tensor.doubles == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10])

        let columns = #"""
            {"inputs": [{"name": "a", "shape": [1], "datatype": "FP64", "data": [1]},
             {"name": "b", "shape": [1], "datatype": "INT64", "data": [2]},
             {"name": "c", "shape": [1], "datatype": "FP64", "data": [3]},
             {"name": "d", "shape": [1], "datatype": "FP64", "data": [4]},
             {"name": "e", "shape": [1], "datatype": "FP64", "data": [5]}]}
            """#
        let perColumn = try OpenInferenceRequest.decode(Array(columns.utf8))
        #expect(try ModelFeeds.build(perColumn.payload, for: Self.fiveFloats)["input"]?.doubles == [1, 2, 3, 4, 5])

        for (bad, expected) in [
            (#"{"inputs": [{"name": "input", "shape": [1, 5], "datatype": "FP32", "data": [1,2,3]}]}"#, "needs 5"),
            (
                #"{"inputs": [{"name": "input", "shape": [1, 5], "datatype": "INT64", "data": [1,2,3,4,5.5]}]}"#,
                "integer"
            ),
            (#"{"inputs": [{"name": "input", "shape": [1], "datatype": "COMPLEX", "data": [1]}]}"#, "not supported"),
            (
                #"{"inputs": [{"name": "input", "shape": [99999999999, 99999999999], "datatype": "FP32", "data": []}]}"#,
                "too large"
            ),
            (#"{"inputs": []}"#, "non-empty"),
        ] {
            let message = Self.badRequest { _ = try OpenInferenceRequest.decode(Array(bad.utf8)) }
            #expect(message?.contains(expected) == true, "\(message ?? "no error")")
        }
    }

    @Test("tensors stack and split along rows")
    func stackAndSplit() throws {
        let a = Tensor(shape: [1, 2], storage: .double([1, 2]))
        let b = Tensor(shape: [2, 2], storage: .double([3, 4, 5, 6]))
        let stacked = try #require(Tensor.concatenated([a, b]))
        #expect(stacked.shape == [3, 2])
        #expect(stacked.rows(1..<3, of: 3)?.doubles == [3, 4, 5, 6])
        #expect(Tensor.concatenated([a, Tensor(shape: [1, 3], storage: .double([1, 2, 3]))]) == nil)
    }
}

@Suite("Decimal parsing")
struct DecimalParsingTests {
    @Test("the fast path gives exactly what the standard conversion gives")
    func matchesStandardLibrary() {
        var generator = SystemRandomNumberGenerator()
        var texts = [
            "0", "-0", "1", "0.1", "6.833039162265221", "-1.6605963044172023", "1e22", "1e23", "9007199254740993",
            "123456789012345678901234", "1.7976931348623157e308", "5e-324", "2.2250738585072014e-308", "0.0000001",
            "1E5", "1e+5", "-2.5e-3", "4503599627370497.5",
        ]
        for _ in 0..<20_000 {
            let value = Double(bitPattern: generator.next() & 0x7FEF_FFFF_FFFF_FFFF) * (Bool.random() ? 1 : -1)
            texts.append("\(value)")
            texts.append(String(Double(Int64.random(in: -1_000_000...1_000_000, using: &generator)) / 1000))
            let digits = UInt64.random(in: 1_000_000_000_000_000...9_999_999_999_999_999_999, using: &generator)
            texts.append("\(digits)e\(Int.random(in: -40...40, using: &generator))")
            texts.append("0.\(digits)")
            texts.append("\(digits / 100)")
        }
        // Exact halfway points between doubles, where a second rounding would go wrong.
        texts += [
            "9007199254740993", "9007199254740995", "4.5035996273704985e15", "1.00000000000000011102230246251565",
        ]
        for text in texts {
            #expect(DecimalParsing.double(text)?.bitPattern == Double(text)?.bitPattern, "\(text)")
        }
        for bad in ["", "-", ".5", "1.", "1e", "e5", "--1", "1..2"] where Double(bad) == nil {
            #expect(DecimalParsing.double(bad) == nil, "\(bad)")
        }
    }
}
