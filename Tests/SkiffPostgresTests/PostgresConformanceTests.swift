import Testing

@Suite("PostgreSQL store")
struct PostgresConformanceTests {}
