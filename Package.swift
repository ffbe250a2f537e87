// swift-tools-version:6.0
import PackageDescription

/// Settings shared by every Swift target: Swift 6 language mode plus the upcoming features the
/// reference codebases (swift-subprocess, swift-nio) turn on, so imports and existentials stay explicit.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Proctor",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "proctor", targets: ["proctor"]),
        .library(name: "Sandbox", targets: ["Sandbox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // System libraries from Debian, found through pkg-config.
        .systemLibrary(name: "CSeccomp", pkgConfig: "libseccomp", providers: [.apt(["libseccomp-dev"])]),
        .systemLibrary(name: "CCap", pkgConfig: "libcap", providers: [.apt(["libcap-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The only code that runs between fork and exec: async-signal-safe C, no allocation.
        .target(name: "CSandboxSpawn"),
        // The typed sandbox API: profiles, seccomp compilation, Landlock, spawning, monitoring.
        .target(
            name: "Sandbox",
            dependencies: ["CSeccomp", "CCap", "CSandboxSpawn", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Estimators every consumer of results shares: pass@k, percentiles, seeded bootstraps,
        // exact tests. Pure functions, no dependencies.
        .target(name: "Estimates", swiftSettings: swiftSettings),
        // The results' vocabulary and schema: what rows and summaries hold, owned in one place.
        .target(name: "Results", swiftSettings: swiftSettings),
        // Grading: input formats, harness assembly, verdicts, pass@k, scheduling. No syscalls of its own.
        .target(
            name: "Grader",
            dependencies: ["Sandbox", "Estimates", "Results", "CZlib", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // Repository tasks (SWE-bench's shape): patch parsing and policy, worktrees and environment
        // layers, the runner's records, per-repository log parsers, verdicts and reports.
        .target(
            name: "Repository",
            dependencies: ["Grader", "Results", "Sandbox", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        // The analysis layer: reports, paired comparisons, item response theory, leaderboards —
        // pure functions over result files. Never the sandbox, never the queue.
        .target(
            name: "Analysis", dependencies: ["Estimates", "Results", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings),
        // The job queue: schema, submit, claim with leases, complete, status, results. PostgreSQL
        // for many machines, SQLite for one. Knows nothing of sandboxes or verdicts.
        .target(
            name: "Queue",
            dependencies: ["CSQLite", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // `proctor worker`: drains a queue through the grader; heartbeats, retries, metrics.
        .target(
            name: "Worker",
            dependencies: [
                "Queue", "Grader", "Repository", "Sandbox", "Results", .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Command-line front end, kept thin: parsing and printing only.
        .target(
            name: "ProctorCLI",
            dependencies: [
                "Sandbox", "Grader", "Repository", "Queue", "Worker", "Analysis", "Results",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(name: "proctor", dependencies: ["ProctorCLI"], swiftSettings: swiftSettings),
        // `make bench`: per-run cost of isolation, measured on real processes.
        .executableTarget(name: "proctor-bench", dependencies: ["Sandbox", "Grader", "Queue", "Analysis", "Results"], swiftSettings: swiftSettings),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox"], swiftSettings: swiftSettings),
        // Checks what a suite wrote against docs/results-schema.json.
        .target(name: "SchemaCheck", dependencies: ["Results"], path: "Tests/SchemaCheck", swiftSettings: swiftSettings),
        .testTarget(name: "ResultsTests", dependencies: ["Results", "SchemaCheck"], swiftSettings: swiftSettings),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Estimates", "Results", "CZlib", "SchemaCheck"], swiftSettings: swiftSettings),
        // Scratch directories and input files the grading suites share.
        .target(name: "ScratchFiles", path: "Tests/ScratchFiles", swiftSettings: swiftSettings),
        .testTarget(name: "GraderTests", dependencies: ["Grader", "Sandbox", "Results", "ScratchFiles", "SchemaCheck"], swiftSettings: swiftSettings),
        .testTarget(
            name: "RepositoryTests", dependencies: ["Repository", "Grader", "Sandbox", "ScratchFiles", "SchemaCheck"], swiftSettings: swiftSettings),
        // The hostile-sample corpus in Fixtures/adversarial, graded on every `make test`.
        .testTarget(name: "AdversarialTests", dependencies: ["Grader", "Sandbox", "Results", "SchemaCheck"], swiftSettings: swiftSettings),
        // Queue semantics against a real PostgreSQL (started by `make test`) and SQLite.
        .target(
            name: "QueueTestSupport", dependencies: ["Queue", .product(name: "Logging", package: "swift-log")],
            path: "Tests/QueueTestSupport", swiftSettings: swiftSettings),
        .testTarget(name: "QueueTests", dependencies: ["Queue", "QueueTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ProctorCLITests",
            dependencies: [
                "ProctorCLI", "Sandbox", "Queue", "QueueTestSupport", "SchemaCheck",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
