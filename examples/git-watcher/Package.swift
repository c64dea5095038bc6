// swift-tools-version:6.2
// An aw-server plugin in its own package: `swift build -c release` makes .build/release/libaw-plugin-git.so;
// copy it into ~/.local/share/activitywatch/aw-server-swift/plugins/ and enable [watchers.git].
import PackageDescription

let package = Package(
    name: "aw-plugin-git",
    products: [
        .library(name: "aw-plugin-git", type: .dynamic, targets: ["GitBranchWatcher"])
    ],
    dependencies: [
        // A plugin of your own names aw-server-swift by its git URL and a version instead.
        .package(name: "aw-server-swift", path: "../..")
    ],
    targets: [
        .target(
            name: "GitBranchWatcher",
            dependencies: [
                .product(name: "AWPluginSDK", package: "aw-server-swift"),
                .product(name: "AWWatcherKit", package: "aw-server-swift"),
                .product(name: "AWCore", package: "aw-server-swift"),
            ],
            // Export the entry function only: aw-server then maps less of the library and
            // resolves fewer symbols when it loads it.
            linkerSettings: [
                .unsafeFlags(["-Xlinker", "--version-script=\(Context.packageDirectory)/exports.map"])
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
