import SkiffCore
import Testing

@Suite("Search filter grammar")
struct FilterGrammarTests {
    @Test("parses conjunctions of metric, param, tag and attribute clauses")
    func conjunction() throws {
        let clauses = try RunSearchGrammar.filter(
            "metrics.acc >= 0.5 and params.lr = '0.01' AND tags.`mlflow.runName` LIKE 'r%' and status != 'FAILED'")
        #expect(
            clauses == [
                FilterClause(entity: .metric("acc"), op: .greaterOrEqual, value: .number(0.5)),
                FilterClause(entity: .param("lr"), op: .equal, value: .string("0.01")),
                FilterClause(entity: .tag("mlflow.runName"), op: .like, value: .string("r%")),
                FilterClause(entity: .attribute("status"), op: .notEqual, value: .string("FAILED")),
            ])
    }

    @Test("a filter of more clauses than the limit is a clear 400, at the limit it parses")
    func clauseLimit() throws {
        let clause = "metrics.m > 0"
        let atLimit = Array(repeating: clause, count: Limits.maxFilterClauses).joined(separator: " AND ")
        #expect(try RunSearchGrammar.filter(atLimit).count == Limits.maxFilterClauses)
        let tagsAtLimit = Array(repeating: "tags.m = 'x'", count: Limits.maxFilterClauses).joined(separator: " AND ")
        #expect(try ExperimentSearchGrammar.filter(tagsAtLimit).count == Limits.maxFilterClauses)
        for count in [Limits.maxFilterClauses + 1, 1_200, 5_000] {
            let filter = Array(repeating: clause, count: count).joined(separator: " AND ")
            let error = #expect(throws: SkiffError.self) { try RunSearchGrammar.filter(filter) }
            #expect(error?.code == .invalidParameterValue)
            #expect(error?.description.contains("more than \(Limits.maxFilterClauses) clauses") == true)
            let tags = Array(repeating: "tags.m = 'x'", count: count).joined(separator: " AND ")
            #expect(throws: SkiffError.self) { try ExperimentSearchGrammar.filter(tags) }
        }
    }

    @Test("quoted keys, aliases and IS NULL")
    func aliases() throws {
        let clauses = try RunSearchGrammar.filter(
            #"metric."f1 score" < 1e-3 and parameter.x IS NOT NULL and tag.y is null and `Run name` = "abc""#)
        #expect(clauses[0] == FilterClause(entity: .metric("f1 score"), op: .less, value: .number(0.001)))
        #expect(clauses[1].op == .isNotNull)
        #expect(clauses[2].op == .isNull)
        #expect(clauses[3] == FilterClause(entity: .attribute("run_name"), op: .equal, value: .string("abc")))
    }

    @Test("run_id IN lists and dataset fields")
    func lists() throws {
        let clauses = try RunSearchGrammar.filter("run_id IN ('a', 'b') and datasets.name NOT IN ('x')")
        #expect(clauses[0] == FilterClause(entity: .attribute("run_id"), op: .in, value: .list(["a", "b"])))
        #expect(clauses[1] == FilterClause(entity: .dataset("name"), op: .notIn, value: .list(["x"])))
    }

    @Test(
        "refuses what MLflow refuses",
        arguments: [
            "metrics.acc > 'high'", "params.lr = 0.01", "foo.bar = 1", "metrics.a > 1 OR metrics.b > 2",
            "(metrics.a > 1)", "metrics.a LIKE '1'", "status IN ('A')", "params.x > '1'", "start_time = 'x'",
            "tags.x = 'unterminated", "metrics.a >", "and", "attributes.nope = 'x'", "datasets.size = '1'",
        ])
    func refuses(_ filter: String) {
        #expect(throws: SkiffError.self) { try RunSearchGrammar.filter(filter) }
    }

    @Test("order_by terms")
    func orderBy() throws {
        let terms = try RunSearchGrammar.orderBy(["metrics.acc DESC", "params.lr", "attributes.start_time ASC"])
        #expect(
            terms == [
                OrderTerm(entity: .metric("acc"), ascending: false), OrderTerm(entity: .param("lr"), ascending: true),
                OrderTerm(entity: .attribute("start_time"), ascending: true),
            ])
        #expect(throws: SkiffError.self) { try RunSearchGrammar.orderBy(["bogus.key"]) }
        #expect(throws: SkiffError.self) { try RunSearchGrammar.orderBy(["metrics.a sideways"]) }
    }

    @Test("experiment filters")
    func experiments() throws {
        let clauses = try ExperimentSearchGrammar.filter("name ILIKE '%prod%' and experiment_id = 3 and tags.k != 'v'")
        #expect(clauses[1] == FilterClause(entity: .attribute("experiment_id"), op: .equal, value: .string("3")))
        #expect(throws: SkiffError.self) { try ExperimentSearchGrammar.filter("metrics.a > 1") }
        #expect(throws: SkiffError.self) { try ExperimentSearchGrammar.orderBy(["tags.k"]) }
    }

    @Test("over-long filters are refused before parsing")
    func tooLong() {
        let filter = "params.a = '" + String(repeating: "x", count: 200_000) + "'"
        #expect(throws: SkiffError.self) { try RunSearchGrammar.filter(filter) }
    }
}
