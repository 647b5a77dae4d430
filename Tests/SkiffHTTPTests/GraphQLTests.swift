import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import SkiffHTTP

@Suite("GraphQL endpoint")
struct GraphQLTests {
    @Test("brackets inside strings, block strings and comments do not count toward the nesting limit")
    func nestingIgnoresLiterals() {
        let deep = String(repeating: "[", count: 100)
        #expect(GraphQLQueryLimits.textProblem(#"{ test(inputString: "\#(deep)") { output } }"#) == nil)
        #expect(
            GraphQLQueryLimits.textProblem("{ test(inputString: \"\"\"\(deep) \\\"\"\" \"\"\") { output } }") == nil)
        #expect(GraphQLQueryLimits.textProblem("# \(deep)\n{ __typename }") == nil)
        #expect(GraphQLQueryLimits.textProblem("{ test(inputString: \(deep)) }") != nil)
        #expect(GraphQLQueryLimits.textProblem(String(repeating: " ", count: 300_000)) != nil)
    }

    @Test("the schema builds, and /graphql answers with MLflow's data-and-errors shape")
    func answers() async throws {
        try await RouterTests.makeApp().test(.router) { client in
            try await client.execute(
                uri: "/graphql", method: .post, headers: RouterTests.jsonHeaders,
                body: ByteBuffer(string: #"{"query": "{ __typename test(inputString: \"hi\") { output } }"}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(
                    String(buffer: response.body)
                        == #"{"data":{"__typename":"Query","test":{"output":"hi"}},"errors":null}"#)
            }
            try await client.execute(
                uri: "/graphql", method: .post, headers: RouterTests.jsonHeaders,
                body: ByteBuffer(
                    string:
                        #"{"query": "{ mlflowGetExperiment(input: {experimentId: \"0\"}) { experiment { name lastUpdateTime } } }"}"#
                )
            ) { response in
                let body = try RouterTests.json(response.body)
                let data = try #require(body["data"] as? [String: Any])
                let experiment = try #require(
                    (data["mlflowGetExperiment"] as? [String: Any])?["experiment"] as? [String: Any])
                #expect(experiment["name"] as? String == "Default")
                let time = try #require(experiment["lastUpdateTime"] as? String, "int64s are strings")
                #expect(!time.isEmpty && time.allSatisfy(\.isNumber))
            }
        }
    }
}
