import GRDB

extension SQLiteTrackingStore {
    /// Versioned schema migrations, applied at start-up. Never edit a shipped migration: add one.
    ///
    /// Runs have an integer `run_key` (their rowid) that every per-run table uses instead of the 32-character
    /// run id: smaller B-tree keys and cheaper comparisons on every insert, probe and join.
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
                        run_key INTEGER PRIMARY KEY,
                        run_uuid TEXT NOT NULL UNIQUE,
                        experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id),
                        name TEXT NOT NULL,
                        user_id TEXT NOT NULL,
                        status TEXT NOT NULL,
                        start_time INTEGER NOT NULL,
                        end_time INTEGER,
                        artifact_uri TEXT NOT NULL,
                        lifecycle_stage TEXT NOT NULL,
                        deleted_time INTEGER
                    );
                    CREATE INDEX runs_by_experiment ON runs(experiment_id, lifecycle_stage, start_time DESC);
                    CREATE TABLE params (
                        run_key INTEGER NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_key, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX params_by_key ON params(key, value);
                    CREATE TABLE tags (
                        run_key INTEGER NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_key, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX tags_by_key ON tags(key, value);
                    CREATE TABLE metrics (
                        run_key INTEGER NOT NULL,
                        key TEXT NOT NULL,
                        step INTEGER NOT NULL,
                        timestamp INTEGER NOT NULL,
                        is_nan INTEGER NOT NULL,
                        value REAL NOT NULL,
                        model_id TEXT,
                        dataset_name TEXT,
                        dataset_digest TEXT,
                        PRIMARY KEY (run_key, key, step, timestamp, is_nan, value)
                    ) WITHOUT ROWID;
                    CREATE TABLE latest_metrics (
                        run_key INTEGER NOT NULL,
                        key TEXT NOT NULL,
                        value REAL NOT NULL,
                        is_nan INTEGER NOT NULL,
                        timestamp INTEGER NOT NULL,
                        step INTEGER NOT NULL,
                        PRIMARY KEY (run_key, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX latest_metrics_by_key ON latest_metrics(key, is_nan, value);
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
                        run_key INTEGER NOT NULL,
                        dataset_id INTEGER NOT NULL,
                        PRIMARY KEY (run_key, dataset_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_dataset_input_tags (
                        run_key INTEGER NOT NULL,
                        dataset_id INTEGER NOT NULL,
                        key TEXT NOT NULL,
                        value TEXT NOT NULL,
                        PRIMARY KEY (run_key, dataset_id, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_model_inputs (
                        run_key INTEGER NOT NULL,
                        model_id TEXT NOT NULL,
                        PRIMARY KEY (run_key, model_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_model_outputs (
                        run_key INTEGER NOT NULL,
                        model_id TEXT NOT NULL,
                        step INTEGER NOT NULL,
                        PRIMARY KEY (run_key, model_id, step)
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v2-registry") { db in
            try db.execute(
                sql: """
                    CREATE TABLE logged_models (
                        model_id TEXT PRIMARY KEY NOT NULL,
                        experiment_id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        artifact_uri TEXT NOT NULL,
                        status TEXT NOT NULL,
                        status_message TEXT,
                        creation_time INTEGER NOT NULL,
                        last_updated_time INTEGER NOT NULL,
                        model_type TEXT,
                        source_run_id TEXT,
                        user_id TEXT,
                        lifecycle_stage TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX logged_models_by_experiment ON logged_models(experiment_id, lifecycle_stage, name);
                    CREATE TABLE logged_model_tags (
                        model_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE logged_model_params (
                        model_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX metrics_by_model ON metrics(model_id) WHERE model_id IS NOT NULL;
                    CREATE TABLE registered_models (
                        name TEXT PRIMARY KEY NOT NULL,
                        creation_time INTEGER NOT NULL,
                        last_updated_time INTEGER NOT NULL,
                        description TEXT,
                        user_id TEXT
                    ) WITHOUT ROWID;
                    CREATE TABLE registered_model_tags (
                        name TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
                        key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (name, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE model_versions (
                        name TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
                        version INTEGER NOT NULL,
                        creation_time INTEGER NOT NULL,
                        last_updated_time INTEGER NOT NULL,
                        user_id TEXT,
                        stage TEXT NOT NULL,
                        description TEXT,
                        source TEXT NOT NULL,
                        storage_location TEXT NOT NULL,
                        run_id TEXT,
                        run_link TEXT,
                        model_id TEXT,
                        PRIMARY KEY (name, version)
                    ) WITHOUT ROWID;
                    CREATE INDEX model_versions_by_run ON model_versions(run_id);
                    CREATE TABLE model_version_tags (
                        name TEXT NOT NULL, version INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                        PRIMARY KEY (name, version, key),
                        FOREIGN KEY (name, version) REFERENCES model_versions(name, version)
                            ON DELETE CASCADE ON UPDATE CASCADE
                    ) WITHOUT ROWID;
                    CREATE TABLE registered_model_aliases (
                        name TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL,
                        PRIMARY KEY (name, alias),
                        FOREIGN KEY (name, version) REFERENCES model_versions(name, version)
                            ON DELETE CASCADE ON UPDATE CASCADE
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v3-webhooks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE webhooks (
                        webhook_id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        description TEXT,
                        url TEXT NOT NULL,
                        events TEXT NOT NULL,
                        secret TEXT,
                        status TEXT NOT NULL,
                        creation_time INTEGER NOT NULL,
                        last_updated_time INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v4-studies") { db in
            try db.execute(
                sql: """
                    CREATE TABLE studies (
                        study_id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        direction TEXT NOT NULL,
                        space TEXT NOT NULL,
                        sampler TEXT NOT NULL,
                        pruner TEXT NOT NULL,
                        seed INTEGER NOT NULL,
                        max_retries INTEGER NOT NULL,
                        heartbeat_grace_ms INTEGER NOT NULL,
                        creation_time INTEGER NOT NULL
                    );
                    CREATE TABLE study_trials (
                        study_id INTEGER NOT NULL REFERENCES studies(study_id) ON DELETE CASCADE,
                        number INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        value REAL,
                        start_time INTEGER NOT NULL,
                        end_time INTEGER,
                        heartbeat_time INTEGER NOT NULL,
                        retry_of INTEGER,
                        PRIMARY KEY (study_id, number)
                    ) WITHOUT ROWID;
                    CREATE INDEX study_trials_by_state ON study_trials(study_id, state, heartbeat_time);
                    CREATE TABLE study_trial_params (
                        study_id INTEGER NOT NULL,
                        number INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        value TEXT NOT NULL,
                        distribution TEXT NOT NULL,
                        PRIMARY KEY (study_id, number, name),
                        FOREIGN KEY (study_id, number) REFERENCES study_trials(study_id, number) ON DELETE CASCADE
                    ) WITHOUT ROWID;
                    CREATE TABLE study_trial_values (
                        study_id INTEGER NOT NULL,
                        number INTEGER NOT NULL,
                        step INTEGER NOT NULL,
                        value REAL NOT NULL,
                        is_nan INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (study_id, number, step),
                        FOREIGN KEY (study_id, number) REFERENCES study_trials(study_id, number) ON DELETE CASCADE
                    ) WITHOUT ROWID;
                    """
            )
        }
        migrator.registerMigration("v5-logged-model-metrics") { db in
            // A logged model's metrics get their own table, keyed by model: in the run's history two models
            // logging the same key, step, time and value in one run are one row, and one model lost its metric.
            try db.execute(
                sql: """
                    CREATE TABLE logged_model_metrics (
                        model_id TEXT NOT NULL,
                        key TEXT NOT NULL,
                        step INTEGER NOT NULL,
                        timestamp INTEGER NOT NULL,
                        run_key INTEGER NOT NULL,
                        is_nan INTEGER NOT NULL,
                        value REAL NOT NULL,
                        dataset_name TEXT,
                        dataset_digest TEXT,
                        PRIMARY KEY (model_id, key, step, timestamp, run_key, is_nan, value)
                    ) WITHOUT ROWID;
                    INSERT OR IGNORE INTO logged_model_metrics
                        SELECT model_id, key, step, timestamp, run_key, is_nan, value, dataset_name, dataset_digest
                        FROM metrics WHERE model_id IS NOT NULL;
                    """
            )
        }
        return migrator
    }
}
