import SkiffCore
import Testing

extension TrackingStoreConformance {
    /// Builds an experiment of six runs with known params, metrics and tags; returns (experiment id, runs by name).
    static func searchFixture(_ store: any TrackingStore) async throws -> (String, [String: String]) {
        let exp = try await store.createExperiment(name: "search", artifactLocation: nil, tags: [], time: t0)
        var ids: [String: String] = [:]
        let rows: [(String, Double?, String, String)] = [
            ("r0", 0.9, "0.01", "Vision"), ("r1", 0.4, "0.01", "vision"), ("r2", 0.7, "0.1", "nlp"),
            ("r3", nil, "0.01", "nlp"), ("r4", .nan, "0.001", "speech"), ("r5", 0.95, "0.1", "vision-x"),
        ]
        for (i, (name, acc, lr, team)) in rows.enumerated() {
            let run = try await newRun(store, experiment: exp, name: name, start: t0 + Int64(i))
            ids[name] = run.info.runID
            var metrics: [Metric] = [metric("loss", Double(i))]
            if let acc { metrics.append(metric("acc", acc)) }
            var tags = [Tag(key: "team", value: team)]
            if i % 2 == 0 { tags.append(Tag(key: "even", value: "yes")) }
            try await store.logBatch(
                runID: run.info.runID, metrics: metrics, params: [Tag(key: "lr", value: lr)], tags: tags)
        }
        return (exp, ids)
    }

    static func names(_ page: Page<Run>) -> [String] { page.items.map(\.info.runName) }

    static func search(
        _ store: any TrackingStore, _ exp: String, _ filter: String, order: [String] = [], max: Int = 100,
        view: ViewType = .activeOnly
    ) async throws -> Page<Run> {
        try await store.searchRuns(
            RunQuery(
                experimentIDs: [exp], filter: RunSearchGrammar.filter(filter), viewType: view, maxResults: max,
                orderBy: RunSearchGrammar.orderBy(order)))
    }

    static let searchChecks: [Check] = [
        Check(name: "run search with no filter orders by start time descending") { store in
            let (exp, _) = try await searchFixture(store)
            #expect(names(try await search(store, exp, "")) == ["r5", "r4", "r3", "r2", "r1", "r0"])
        },
        Check(name: "run search filters on latest metrics and params and orders by a metric") { store in
            let (exp, _) = try await searchFixture(store)
            let page = try await search(
                store, exp, "metrics.acc > 0.5 and params.lr = '0.01'", order: ["metrics.acc DESC"])
            #expect(names(page) == ["r0"])
            let all = try await search(store, exp, "", order: ["metrics.acc DESC"])
            #expect(names(all) == ["r5", "r0", "r2", "r1", "r4", "r3"], "missing and NaN values sort last")
            let asc = try await search(store, exp, "", order: ["metrics.acc ASC"])
            #expect(
                names(asc) == ["r1", "r2", "r0", "r5", "r4", "r3"],
                "missing and NaN values sort last, ties newest first")
        },
        Check(name: "run search: LIKE is case-sensitive, ILIKE is not, != needs the key") { store in
            let (exp, _) = try await searchFixture(store)
            #expect(Set(names(try await search(store, exp, "tags.team LIKE 'vision%'"))) == ["r1", "r5"])
            #expect(Set(names(try await search(store, exp, "tags.team ILIKE 'vision%'"))) == ["r0", "r1", "r5"])
            #expect(Set(names(try await search(store, exp, "tags.even != 'no'"))) == ["r0", "r2", "r4"])
            #expect(Set(names(try await search(store, exp, "tags.even IS NULL"))) == ["r1", "r3", "r5"])
            #expect(Set(names(try await search(store, exp, "tags.even IS NOT NULL"))) == ["r0", "r2", "r4"])
            #expect(Set(names(try await search(store, exp, "params.lr LIKE '0.0_'"))) == ["r0", "r1", "r3"])
        },
        Check(name: "run search on attributes: run_id IN, run_name, status, start_time") { store in
            let (exp, ids) = try await searchFixture(store)
            let page = try await search(store, exp, "attributes.run_id IN ('\(ids["r1"]!)', '\(ids["r4"]!)')")
            #expect(Set(names(page)) == ["r1", "r4"])
            #expect(Set(names(try await search(store, exp, "run_id NOT IN ('\(ids["r1"]!)')"))).count == 5)
            #expect(names(try await search(store, exp, "`Run name` = 'r2'")) == ["r2"])
            #expect(names(try await search(store, exp, "attributes.start_time >= \(t0 + 4)")) == ["r5", "r4"])
            #expect(try await search(store, exp, "status = 'RUNNING'").items.count == 6)
            #expect(names(try await search(store, exp, "", order: ["run_name ASC"])).first == "r0")
        },
        Check(name: "run search pages with tokens and honours view types") { store in
            let (exp, ids) = try await searchFixture(store)
            var seen: [String] = []
            var offset = 0
            for _ in 0..<10 {
                let page = try await store.searchRuns(
                    RunQuery(experimentIDs: [exp], maxResults: 4, offset: offset))
                seen += names(page)
                guard let token = page.nextPageToken else { break }
                offset = try PageToken.decodeOffset(token)
            }
            #expect(seen == ["r5", "r4", "r3", "r2", "r1", "r0"])
            try await store.deleteRun(id: ids["r2"]!, time: t0)
            #expect(try await search(store, exp, "").items.count == 5)
            #expect(names(try await search(store, exp, "", view: .deletedOnly)) == ["r2"])
            #expect(try await search(store, exp, "", view: .all).items.count == 6)
        },
        Check(name: "run search returns runs with their data and filters on datasets") { store in
            let (exp, ids) = try await searchFixture(store)
            let dataset = Dataset(
                name: "iris", digest: "d1", sourceType: "code", source: "{}", schema: nil, profile: nil)
            try await store.logInputs(
                runID: ids["r3"]!,
                datasets: [DatasetInput(dataset: dataset, tags: [Tag(key: "mlflow.data.context", value: "eval")])],
                models: [])
            #expect(names(try await search(store, exp, "datasets.name = 'iris'")) == ["r3"])
            #expect(names(try await search(store, exp, "datasets.context = 'eval'")) == ["r3"])
            let run = try #require(try await search(store, exp, "params.lr = '0.001'").items.first)
            #expect(run.params == [Tag(key: "lr", value: "0.001")])
            #expect(Set(run.metrics.map(\.key)) == ["loss", "acc"])
            #expect(run.tags.contains(Tag(key: "team", value: "speech")))
        },
        Check(name: "experiment search filters, orders and pages") { store in
            for name in ["alpha", "beta", "Gamma"] {
                let id = try await store.createExperiment(
                    name: name, artifactLocation: nil, tags: [Tag(key: "kind", value: name.lowercased())], time: t0)
                if name == "beta" { try await store.deleteExperiment(id: id, time: t0) }
            }
            func query(_ filter: String, _ order: [String] = [], view: ViewType = .activeOnly, max: Int = 100)
                async throws -> [String]
            {
                try await store.searchExperiments(
                    ExperimentQuery(
                        filter: ExperimentSearchGrammar.filter(filter), viewType: view, maxResults: max,
                        orderBy: ExperimentSearchGrammar.orderBy(order))
                ).items.map(\.name)
            }
            #expect(try await query("", ["name ASC"]) == ["Default", "Gamma", "alpha"])
            #expect(try await query("name LIKE '%a'", ["name ASC"]) == ["Gamma", "alpha"])
            #expect(try await query("name ILIKE 'g%'") == ["Gamma"])
            #expect(try await query("tags.kind = 'gamma'") == ["Gamma"])
            #expect(try await query("", view: .deletedOnly) == ["beta"])
            #expect(try await query("experiment_id IN ('0')") == ["Default"])
            let first = try await store.searchExperiments(ExperimentQuery(maxResults: 2, orderBy: []))
            #expect(first.items.count == 2)
            let token = try #require(first.nextPageToken)
            let second = try await store.searchExperiments(
                ExperimentQuery(maxResults: 2, orderBy: [], offset: try PageToken.decodeOffset(token)))
            #expect(second.items.count == 1)
            #expect(second.nextPageToken == nil)
        },
    ]
}
