import GRDB

extension SQLiteTrackingStore {
    /// Versioned schema migrations, applied at start-up. Never edit a shipped migration: add one.
    ///
    /// Index design follows the searches: runs by (experiment, lifecycle, start_time) for listing and the
    /// default order; params, tags and latest metrics by (run, key) for filters and by (key, value) for
    /// selective lookups; metric history by (run, key, step, timestamp) so a history page is one range scan.
    /// NaN metric values are stored as 0 with `is_nan = 1` because SQLite turns NaN into NULL.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-tracking") { db in
            try db.execute(
                sql: """
                    CREATE TABLE experiments (
                        experiment_id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        artifact_location TEXT NOT NULL,
                        lifecycle_stage TEXT NOT NULL,
                        creation_time INTEGER NOT NULL,
                        last_update_time INTEGER NOT NULL
                    );
                    CREATE TABLE experiment_tags (
                        experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (experiment_id, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE runs (
                        run_uuid TEXT PRIMARY KEY NOT NULL,
                        experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
                        name TEXT NOT NULL,
                        user_id TEXT NOT NULL,
                        status TEXT NOT NULL,
                        start_time INTEGER NOT NULL,
                        end_time INTEGER,
                        artifact_uri TEXT NOT NULL,
                        lifecycle_stage TEXT NOT NULL,
                        deleted_time INTEGER
                    ) WITHOUT ROWID;
                    CREATE INDEX runs_by_experiment ON runs(experiment_id, lifecycle_stage, start_time DESC);
                    CREATE TABLE params (
                        run_uuid TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_uuid, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX params_by_key ON params(key, value);
                    CREATE TABLE tags (
                        run_uuid TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_uuid, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX tags_by_key ON tags(key, value);
                    CREATE TABLE metrics (
                        run_uuid TEXT NOT NULL,
                        key TEXT NOT NULL,
                        step INTEGER NOT NULL,
                        timestamp INTEGER NOT NULL,
                        is_nan INTEGER NOT NULL,
                        value REAL NOT NULL,
                        model_id TEXT,
                        dataset_name TEXT,
                        dataset_digest TEXT,
                        PRIMARY KEY (run_uuid, key, step, timestamp, is_nan, value)
                    ) WITHOUT ROWID;
                    CREATE TABLE latest_metrics (
                        run_uuid TEXT NOT NULL,
                        key TEXT NOT NULL,
                        value REAL NOT NULL,
                        is_nan INTEGER NOT NULL,
                        timestamp INTEGER NOT NULL,
                        step INTEGER NOT NULL,
                        PRIMARY KEY (run_uuid, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX latest_metrics_by_key ON latest_metrics(key, value);
                    CREATE TABLE datasets (
                        dataset_id INTEGER PRIMARY KEY,
                        experiment_id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        source_type TEXT NOT NULL,
                        source TEXT NOT NULL,
                        schema TEXT,
                        profile TEXT,
                        UNIQUE (experiment_id, name, digest)
                    );
                    CREATE TABLE run_dataset_inputs (
                        run_uuid TEXT NOT NULL,
                        dataset_id INTEGER NOT NULL,
                        PRIMARY KEY (run_uuid, dataset_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_dataset_input_tags (
                        run_uuid TEXT NOT NULL,
                        dataset_id INTEGER NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_uuid, dataset_id, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_model_inputs (
                        run_uuid TEXT NOT NULL,
                        model_id TEXT NOT NULL,
                        PRIMARY KEY (run_uuid, model_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_model_outputs (
                        run_uuid TEXT NOT NULL,
                        model_id TEXT NOT NULL,
                        step INTEGER NOT NULL,
                        PRIMARY KEY (run_uuid, model_id, step)
                    ) WITHOUT ROWID;
                    """
            )
        }
        return migrator
    }
}
