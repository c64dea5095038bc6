// swift-tools-version:6.2
// The floor under aw-server's sequential request rate: an HTTP/1.1 server on SwiftNIO alone (the
// version aw-server builds with), doing nothing but answering. scripts/bench/http_floor.sh runs it.
import PackageDescription

let package = Package(
    name: "http-floor",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3")
    ],
    targets: [
        .executableTarget(
            name: "bare-http",
            dependencies: [
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        )
    ]
)
