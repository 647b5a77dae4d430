import SkiffSQLite
import SkiffTesting
import Testing

@Suite("SQLite study store")
struct SQLiteStudyStoreTests {
    @Test("conforms to the study store suite", arguments: StudyStoreConformance.checks)
    func conforms(_ check: StudyStoreConformance.Check) async throws {
        try await check.run(try temporaryStore())
    }
}
