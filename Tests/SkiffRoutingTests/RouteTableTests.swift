import HTTPTypes
import Testing

@testable import SkiffRouting

@Suite("Method table")
struct MethodTableTests {
    @Test("patterns match literal, parameter and catch-all segments; unknown paths have no methods")
    func matching() {
        let table = MethodTable()
        table.record(.post, "/api/2.0/mlflow/runs/create")
        table.record(.get, "/api/2.0/mlflow/logged-models/:model_id")
        table.record(.delete, "/api/2.0/mlflow/logged-models/:model_id")
        table.record(.put, "/artifacts/**")
        table.record(.get, "/artifacts/**")
        #expect(table.methods(for: "/api/2.0/mlflow/runs/create") == [.post])
        #expect(table.methods(for: "/api/2.0/mlflow/logged-models/m-1") == [.delete, .get])
        #expect(table.methods(for: "/api/2.0/mlflow/logged-models/m-1/extra").isEmpty)
        #expect(table.methods(for: "/artifacts/a/b/c") == [.get, .put])
        #expect(table.methods(for: "/artifacts").isEmpty, "** needs at least one segment")
        #expect(table.methods(for: "/api/2.0/mlflow/runs").isEmpty)
        #expect(table.methods(for: "/").isEmpty)
    }
}
