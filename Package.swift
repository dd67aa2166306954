// swift-tools-version:6.1
import PackageDescription

// The engine (TroveCore), the Swift wrapper (Trove) and the C ABI (TroveC) depend on
// the toolchain and two system libraries only; the command-line tool and the
// TroveRepositoryTests target (GRDB, over the system SQLite) may use packages.
let package = Package(
    name: "Trove",
    products: [
        .library(name: "Trove", targets: ["Trove"]),
        .library(name: "trove", type: .dynamic, targets: ["TroveC"]),
        .executable(name: "trove-bench", targets: ["trove-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Documentation only (`swift package generate-documentation`); no target depends on it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLiburing",
            pkgConfig: "liburing",
            providers: [.apt(["liburing-dev"])]
        ),
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .target(name: "CTroveChecksum"),
        .target(
            name: "TroveCore",
            dependencies: ["CLiburing", "CTroveChecksum", "CZstd"]
        ),
        .target(name: "CTroveABI"),
        .target(
            name: "Trove",
            dependencies: ["TroveCore"]
        ),
        .target(
            name: "TroveC",
            dependencies: ["CTroveABI", "TroveCore"]
        ),
        .executableTarget(
            name: "trove-bench",
            dependencies: [
                "CTroveABI",
                "CZstd",
                "Trove",
                "TroveC",
                "TroveCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "TroveTestSupport",
            dependencies: ["TroveCore"],
            path: "Tests/TroveTestSupport"
        ),
        .testTarget(
            name: "TroveCoreTests",
            dependencies: ["TroveCore", "TroveTestSupport"]
        ),
        .testTarget(
            name: "TroveTests",
            dependencies: ["Trove", "TroveTestSupport"]
        ),
        .testTarget(
            name: "TroveCTests",
            dependencies: ["CTroveABI", "TroveC", "TroveTestSupport"]
        ),
        .testTarget(
            name: "TroveBenchTests",
            dependencies: ["Trove", "TroveTestSupport", "trove-bench"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// TroveRepositoryTests caches a repository over a real SQLite database, through GRDB, which
// costs a clean debug build about a third more. `TROVE_REPOSITORY_TESTS=0` leaves both out:
// the test script's builds with internal checks and ThreadSanitizer run other suites.
if Context.environment["TROVE_REPOSITORY_TESTS"] != "0" {
    package.dependencies.append(.package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"))
    package.targets.append(
        .testTarget(
            name: "TroveRepositoryTests",
            dependencies: ["Trove", "TroveTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        )
    )
}
