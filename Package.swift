// swift-tools-version:6.1
import PackageDescription

// Warnings are errors in CI only, so a new toolchain warning never blocks local work.
let strictSettings: [SwiftSetting] =
    Context.environment["CI"] != nil ? [.unsafeFlags(["-warnings-as-errors"])] : []

let package = Package(
    name: "skiff",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "skiff", targets: ["skiff"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/GraphQLSwift/GraphQL.git", from: "4.3.0"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "SkiffCore",
            dependencies: [
                // ByteBuffer: the chunk type of the artifact streams, shared by the HTTP server and client.
                .product(name: "NIOCore", package: "swift-nio")
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffInference",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf")
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffClient",
            dependencies: [
                "SkiffInference",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffClientTests",
            dependencies: ["SkiffClient", "SkiffInference"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffSQLite",
            dependencies: [
                "SkiffCore",
                "SkiffStudies",
                "SkiffTune",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffPostgres",
            dependencies: [
                "SkiffCore",
                "SkiffStudies",
                "SkiffTune",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffPostgresTests",
            dependencies: [
                "SkiffCore", "SkiffPostgres", "SkiffStudies", "SkiffTesting", "SkiffTune",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffArtifacts",
            dependencies: [
                "SkiffCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffWebhooks",
            dependencies: [
                "SkiffCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffJSON",
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffRouting",
            dependencies: [
                "SkiffJSON",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffRoutingTests",
            dependencies: ["SkiffRouting", "SkiffJSON"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffHTTP",
            dependencies: [
                "SkiffCore",
                "SkiffStudies",
                "SkiffTune",
                "SkiffJSON",
                "SkiffRouting",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // The `/graphql` endpoint MLflow's web UI queries.
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffServer",
            dependencies: [
                "SkiffCore",
                "SkiffHTTP",
                "SkiffSQLite",
                "SkiffPostgres",
                "SkiffArtifacts",
                "SkiffWebhooks",
                "SkiffStudies",
                "SkiffRouting",
                "SkiffJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffServing",
            dependencies: [
                "SkiffClient",
                "SkiffInference",
                "SkiffJSON",
                "SkiffRouting",
                "SkiffTables",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffServingTests",
            dependencies: [
                "SkiffInference",
                "SkiffJSON",
                "SkiffServing",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "CSkiffMalloc"),
        .target(
            name: "SkiffCLI",
            dependencies: [
                "CSkiffMalloc",
                "SkiffClient",
                "SkiffCore",
                "SkiffInference",
                "SkiffServer",
                "SkiffServing",
                "SkiffStats",
                "SkiffData",
                "SkiffDrift",
                "SkiffTables",
                "SkiffSQLite",
                "SkiffStudies",
                "SkiffTune",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "skiff",
            dependencies: ["SkiffCLI"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "InferenceBenchmark",
            dependencies: ["SkiffInference"],
            path: "Benchmarks/InferenceBenchmark",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "TablesBenchmark",
            dependencies: ["SkiffTables"],
            path: "Benchmarks/TablesBenchmark",
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffStats",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffStatsTests",
            dependencies: ["SkiffStats"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        // Parquet's page codecs, from Debian's libsnappy-dev, libzstd-dev and zlib1g-dev.
        .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(
            name: "SkiffTables",
            dependencies: ["SkiffJSON", "CSnappy", "CZstd", "CZlib"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffTablesTests",
            dependencies: ["SkiffTables", "SkiffJSON"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffData",
            dependencies: [
                "SkiffJSON",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffDrift",
            dependencies: ["SkiffStats", "SkiffTables"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffDriftTests",
            dependencies: ["SkiffDrift", "SkiffStats"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffTesting",
            dependencies: [
                "SkiffCore", "SkiffStudies", "SkiffTune",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffCoreTests",
            dependencies: ["SkiffCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffInferenceTests",
            dependencies: ["SkiffInference"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffSQLiteTests",
            dependencies: ["SkiffCore", "SkiffSQLite", "SkiffTesting"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffArtifactsTests",
            dependencies: [
                "SkiffCore", "SkiffArtifacts", "SkiffTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffWebhooksTests",
            dependencies: ["SkiffCore", "SkiffWebhooks"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffHTTPTests",
            dependencies: [
                "SkiffCore",
                "SkiffStudies",
                "SkiffHTTP",
                "SkiffJSON",
                "SkiffServer",
                "SkiffTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffTune",
            dependencies: [
                .product(name: "Yams", package: "Yams")
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "TuneBenchmark",
            dependencies: ["SkiffTune"],
            path: "Benchmarks/TuneBenchmark",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffTuneTests",
            dependencies: ["SkiffTune"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SkiffStudies",
            dependencies: ["SkiffCore", "SkiffTune"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffStudiesTests",
            dependencies: ["SkiffCore", "SkiffSQLite", "SkiffStudies", "SkiffTesting", "SkiffTune"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SkiffServerTests",
            dependencies: ["SkiffCore", "SkiffServer", "SkiffTesting"],
            swiftSettings: strictSettings
        ),
    ]
)
