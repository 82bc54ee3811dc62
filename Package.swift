// swift-tools-version:6.1
import PackageDescription

// Module layout follows ../shared/DESIGN.md §2: one concern per module, arrows only
// point at what a module may import. A later issue adds LeaseStorePostgres beside these.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Lessor",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lessor", targets: ["lessor"]),
        .library(name: "DHCPWire", targets: ["DHCPWire"]),
        .library(name: "LeaseStore", targets: ["LeaseStore"]),
        .library(name: "LeaseStoreSQLite", targets: ["LeaseStoreSQLite"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.70.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // Wire codecs: DHCPv4 and DHCPv6 messages, options, addresses. No I/O, no dependencies.
        .target(name: "DHCPWire", swiftSettings: strict),
        // The lease storage API, its shared machinery and the in-memory provider.
        .target(
            name: "LeaseStore",
            dependencies: [
                "DHCPWire",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strict
        ),
        // The embedded default provider: SQLite through GRDB, WAL, group commit.
        .target(
            name: "LeaseStoreSQLite",
            dependencies: [
                "LeaseStore", "DHCPWire", .product(name: "GRDB", package: "GRDB.swift"),
                // The C API, for the commit path's prepared statements.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // Address and prefix pools, reservations, the allocators that turn requests into leases.
        .target(
            name: "Allocation",
            dependencies: ["LeaseStore", "DHCPWire", .product(name: "DequeModule", package: "swift-collections")],
            swiftSettings: strict),
        // The control socket: the JSON-lines protocol, its server (peer-credential access,
        // snapshots and change streams) and its client.
        .target(
            name: "LessorControl",
            dependencies: [
                "LeaseStore", "DHCPWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // `lessor top`'s pure core: model, key reducer, renderer to a cell grid, themes.
        .target(name: "Dashboard", dependencies: ["LessorControl", "LeaseStore", "DHCPWire"], swiftSettings: strict),
        // ncurses (wide-character build), for the one thread that draws the dashboard.
        .systemLibrary(name: "CNCurses", providers: [.apt(["libncurses-dev"])]),
        // The terminal: paints cell grids with ncurses, reads keys, follows resizes.
        .target(name: "DashboardTerminal", dependencies: ["Dashboard", "CNCurses"], swiftSettings: strict),
        // The DHCP service: configuration, sockets, the per-message pipeline and the plugins.
        .target(
            name: "DHCPServer",
            dependencies: [
                "DHCPWire", "LeaseStore", "LeaseStoreSQLite", "Allocation", "LessorControl",
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "lessor",
            dependencies: [
                "DHCPWire", "LeaseStore", "LeaseStoreSQLite", "DHCPServer", "LessorControl", "Dashboard", "DashboardTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // The lease-store conformance suite: written once against the protocol, run by each
        // provider's test target.
        .target(
            name: "LeaseStoreConformance",
            dependencies: ["LeaseStore", "DHCPWire"],
            path: "Tests/LeaseStoreConformance",
            swiftSettings: strict
        ),
        .testTarget(
            name: "DHCPWireTests",
            dependencies: ["DHCPWire"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DHCPServerTests", dependencies: ["DHCPServer", "DHCPWire", "LeaseStore", "LeaseStoreSQLite", "Allocation"], swiftSettings: strict),
        // What crosses a process boundary: `lessor serve` with real DHCP clients in network
        // namespaces, perfdhcp, (later) PostgreSQL and the dashboard in tmux.
        .testTarget(
            name: "IntegrationTests", dependencies: ["DHCPWire", "LeaseStore", "lessor"], swiftSettings: strict),
        .testTarget(
            name: "LessorControlTests", dependencies: ["LessorControl", "LeaseStore", "DHCPWire", "DHCPServer", "Allocation", "lessor"],
            swiftSettings: strict),
        .testTarget(
            name: "DashboardTests", dependencies: ["Dashboard", "LessorControl", "LeaseStore", "DHCPWire"],
            resources: [.copy("Golden")], swiftSettings: strict),
        .testTarget(
            name: "DashboardTerminalTests", dependencies: ["DashboardTerminal", "Dashboard", "CNCurses"], swiftSettings: strict),
        .testTarget(
            name: "AllocationTests", dependencies: ["Allocation", "DHCPWire", "LeaseStore", "LeaseStoreSQLite"], swiftSettings: strict),
        .testTarget(
            name: "LeaseStoreTests",
            dependencies: ["LeaseStore", "LeaseStoreConformance", "DHCPWire"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LeaseStoreSQLiteTests",
            dependencies: ["LeaseStoreSQLite", "LeaseStore", "LeaseStoreConformance", "DHCPWire", "lessor"],
            swiftSettings: strict
        ),
    ]
)
