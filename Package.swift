// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "aw-server-swift",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "aw-server", targets: ["aw-server"]),
        .executable(name: "aw", targets: ["aw"]),
        .executable(name: "aw-watcher-load", targets: ["aw-watcher-load"]),
        .library(name: "AWCore", targets: ["AWCore"]),
        .library(name: "AWTransform", targets: ["AWTransform"]),
        .library(name: "AWDatastore", targets: ["AWDatastore"]),
        .library(name: "AWQuery", targets: ["AWQuery"]),
        .library(name: "AWServer", targets: ["AWServer"]),
        .library(name: "AWClient", targets: ["AWClient"]),
        .library(name: "AWWatcherKit", targets: ["AWWatcherKit"]),
        .library(name: "AWWatcherRunner", targets: ["AWWatcherRunner"]),
        .library(name: "AWPluginSDK", targets: ["AWPluginSDK"]),
        .library(name: "aw-plugin-desktop", type: .dynamic, targets: ["DesktopPlugin"]),
    ],
    traits: [
        .trait(
            name: "PostgreSQL",
            description:
                "The PostgreSQL datastore (--postgres, migrate). On by default; scripts/run.sh builds without it: it needs swift-crypto with a BoringSSL of its own, about 355 of the 904 steps of a clean release build."
        ),
        .trait(
            name: "TLS",
            description:
                "HTTPS for the client of aw-server's watchers and of `aw` (a server behind a TLS proxy). On by default; scripts/run.sh builds without it: swift-nio-ssl compiles a BoringSSL of 406 files, about 170 s of a 2-core machine's first build."
        ),
        .default(enabledTraits: ["PostgreSQL", "TLS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1", traits: []),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.30.0"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        .target(
            name: "AWCore",
            dependencies: [.product(name: "Logging", package: "swift-log")]
        ),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        .target(name: "AWTransform", dependencies: ["AWCore", "CPCRE2"]),
        .systemLibrary(name: "CX11", pkgConfig: "x11", providers: [.apt(["libx11-dev", "libxss-dev"])]),
        .systemLibrary(name: "CWaylandClient", pkgConfig: "wayland-client", providers: [.apt(["libwayland-dev"])]),
        .target(name: "CWaylandProtocols", dependencies: ["CWaylandClient"]),
        .systemLibrary(name: "CDBus", pkgConfig: "dbus-1", providers: [.apt(["libdbus-1-dev"])]),
        .target(name: "AWDBus", dependencies: ["CDBus"]),
        .target(
            name: "AWGnomeShell", dependencies: ["AWCore"],
            resources: [
                .embedInCode("extension/reporter.js"), .embedInCode("extension/extension-legacy.js"),
                .embedInCode("extension/extension-module.js"), .embedInCode("extension/metadata.json"),
            ]
        ),
        .target(
            // Runs GNOME's own tools (gsettings, gnome-extensions, gdbus) for `aw-server
            // gnome-extension`; apart from AWGnomeShell so that the desktop plugin, which needs only
            // the extension's names, links FoundationEssentials without Foundation's processes.
            name: "AWGnomeShellTools", dependencies: ["AWGnomeShell"]
        ),
        .target(
            name: "AWWatcherKit",
            dependencies: [
                "AWCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "AWX11",
            dependencies: [
                "AWCore", "AWWatcherKit", "CX11",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "AWWayland",
            dependencies: ["AWWatcherKit", "CWaylandProtocols"]
        ),
        .target(
            name: "WindowWatcher",
            dependencies: [
                "AWCore", "AWTransform", "AWWatcherKit", "AWX11", "CX11", "AWWayland", "CWaylandProtocols", "AWDBus",
                "AWGnomeShell",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Plugins/WindowWatcher"
        ),
        .target(
            name: "AFKWatcher",
            dependencies: [
                "AWCore", "AWWatcherKit", "AWX11", "CX11", "AWWayland", "CWaylandProtocols", "AWDBus",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Plugins/AFKWatcher"
        ),
        .target(name: "CAWPlugin"),
        .target(
            name: "AWPluginSDK",
            dependencies: [
                "AWCore", "AWWatcherKit", "CAWPlugin",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "AWPluginHost",
            dependencies: [
                "AWCore", "AWWatcherKit", "CAWPlugin",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "DesktopPlugin",
            dependencies: ["AWPluginSDK", "WindowWatcher", "AFKWatcher"],
            path: "Plugins/DesktopPlugin",
            exclude: ["exports.map"],
            linkerSettings: [
                .unsafeFlags([
                    "-Xlinker", "--version-script=\(Context.packageDirectory)/Plugins/DesktopPlugin/exports.map",
                    "-Xlinker", "--gc-sections",
                ]),
                .unsafeFlags(["-static-stdlib"], .when(configuration: .release)),
            ]
        ),
        .target(
            name: "AWClient",
            dependencies: [
                "AWCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl", condition: .when(traits: ["TLS"])),
            ]
        ),
        .target(
            name: "AWHost",
            dependencies: [
                "AWCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "AWDatastore",
            dependencies: [
                "AWCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "AWPostgres",
            dependencies: [
                "AWCore",
                "AWDatastore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .target(
            name: "AWQuery",
            dependencies: [
                "AWCore",
                "AWTransform",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "CSwiftConcurrencyHook"),
        .target(
            name: "AWServer",
            dependencies: [
                "AWCore",
                "AWDatastore",
                "AWQuery",
                "CSwiftConcurrencyHook",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.embedInCode("Dashboard"), .embedInCode("OpenAPI")]
        ),
        .executableTarget(
            name: "aw-server",
            dependencies: [
                "AWClient",
                "AWCore",
                "AWDatastore",
                "AWServer",
                "AWWatcherKit",
                "AWHost",
                .target(name: "AWPostgres", condition: .when(traits: ["PostgreSQL"])),
                "AWWatcherRunner",
                "AWPluginHost",
                "AWGnomeShell",
                "AWGnomeShellTools",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "aw",
            dependencies: [
                "AWClient", "AWCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(
            name: "AWWatcherRunner",
            dependencies: [
                "AWClient", "AWCore", "AWWatcherKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "LoadWatcher", dependencies: ["AWCore", "AWWatcherKit"], path: "examples/load-watcher/Module"),
        .executableTarget(
            name: "aw-watcher-load", dependencies: ["AWWatcherRunner", "LoadWatcher"],
            path: "examples/load-watcher/Main"),
        .executableTarget(
            name: "aw-client-bench",
            dependencies: [
                "AWClient", "AWCore", "AWDatastore", "AWServer", "AWPluginHost", "AWWatcherKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/ClientBench",
            exclude: ["heartbeat-plugin.c"]
        ),
        .target(
            name: "AWFuzzTargets",
            dependencies: [
                "AWCore", "AWDatastore", "AWQuery", "AWServer", "AWHost", "WindowWatcher", "AFKWatcher",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Fuzz/Targets"
        ),
        .executableTarget(name: "aw-fuzz", dependencies: ["AWFuzzTargets"], path: "Fuzz/Driver"),
        .target(name: "AWTestSupport", dependencies: ["AWCore"], path: "Tests/AWTestSupport"),
        .target(
            name: "AWStoreTestSupport",
            dependencies: [
                "AWDatastore", "AWPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/AWStoreTestSupport"
        ),
        .testTarget(name: "AWCoreTests", dependencies: ["AWCore", "AWTestSupport"]),
        .testTarget(name: "AWFuzzTests", dependencies: ["AWFuzzTargets"]),
        .testTarget(name: "AWTransformTests", dependencies: ["AWCore", "AWTransform"]),
        .testTarget(
            name: "AWDatastoreTests",
            dependencies: [
                "AWCore", "AWDatastore", "AWPostgres", "AWTestSupport", "AWStoreTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "AWQueryTests", dependencies: ["AWCore", "AWDatastore", "AWQuery", "AWTestSupport"]),
        .testTarget(
            name: "AWClientTests",
            dependencies: [
                "AWCore", "AWClient", "AWDatastore", "AWServer", "AWTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "AWPluginHostTests",
            dependencies: [
                "AWCore", "AWPluginHost", "AWWatcherKit",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "AWHostTests",
            dependencies: ["AWCore", "AWHost", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "AWWatcherTests",
            dependencies: [
                "AWCore", "AWDatastore", "AWServer", "AWWatcherKit", "AWTestSupport", "WindowWatcher", "AFKWatcher",
                "AWWayland", "CWaylandProtocols", "AWDBus", "AWGnomeShell", "AWGnomeShellTools",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "AWServerTests",
            dependencies: [
                "AWCore",
                "AWDatastore",
                "AWServer",
                "AWTestSupport",
                "AWStoreTestSupport",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
