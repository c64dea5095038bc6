import AWCore
import AWWatcherKit
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import AWPluginHost

/// The folder the build puts `aw-server` and the first-party plugin in.
let buildFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../.build/debug").standardized.path

@Suite("Plugin host: folders, names, and the desktop plugin through the C ABI")
struct PluginHostTests {
    @Test("folders: configured ones first (~ and relative paths resolved), then the user's, then beside the binary")
    func folders() {
        let directories = Directories(environment: ["HOME": "/home/me"])
        let folders = PluginCatalog.standardFolders(
            configured: ["~/mine", "relative", "/abs"], base: "/home/me/.config/activitywatch/aw-server-swift",
            directories: directories, executable: "/opt/aw/bin/aw-server")
        #expect(
            folders == [
                .init(path: "/home/me/mine"), .init(path: "/home/me/.config/activitywatch/aw-server-swift/relative"),
                .init(path: "/abs"), .init(path: "/home/me/.local/share/activitywatch/aw-server-swift/plugins"),
                .init(path: "/opt/aw/lib/aw-server-swift/plugins"), .init(path: "/opt/aw/bin", prefix: "libaw-plugin-"),
            ])
    }

    @Test("module names: lowercase letters, digits, '-' and '_' only")
    func names() {
        #expect(PluginCatalog.nameProblem("window") == nil)
        #expect(PluginCatalog.nameProblem("my-watcher_2") == nil)
        for bad in ["", "Window", "a.b", "a b", "../x", "é"] {
            #expect(PluginCatalog.nameProblem(bad) != nil)
        }
    }

    @Test("a file that is not a library is recorded with the loader's reason; a missing folder is no file")
    func notALibrary() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("aw-plugins-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "text".write(toFile: "\(folder)/notes.so", atomically: true, encoding: .utf8)
        try "text".write(toFile: "\(folder)/readme.txt", atomically: true, encoding: .utf8)
        let catalog = PluginCatalog(folders: [.init(path: folder), .init(path: "\(folder)/missing")])
        #expect(catalog.files.map(\.path) == ["\(folder)/notes.so"])
        #expect(catalog.files[0].problem?.hasPrefix("cannot be loaded: ") == true)
        #expect(catalog.modules.isEmpty)
        #expect(catalog.problems == ["plugin \(folder)/notes.so: \(catalog.files[0].problem!)"])
    }

    @Test("source reports cross the boundary as JSON and back")
    func sourceReportJSON() throws {
        let report = SourceReport(
            module: "window", source: nil, reason: "no protocol", notTaken: [.init("x11", "not an X11 session")])
        #expect(try SourceReport(json: report.json, module: "other") == report)
        #expect(throws: ModelDecodingError.self) { try SourceReport(json: ["source": "x"], module: "m") }
    }

    /// The desktop plugin the build made, loaded as `aw-server` loads it.
    func desktopPlugin() throws -> PluginCatalog {
        let catalog = PluginCatalog(folders: [.init(path: buildFolder, prefix: "libaw-plugin-desktop")])
        try #require(
            catalog.files.count == 1,
            "build the plugin first: swift build --product aw-plugin-desktop (looked in \(buildFolder))")
        return catalog
    }

    @Test("the desktop plugin: its modules, and a setting its module refuses, with the key named")
    func desktopModules() throws {
        let catalog = try desktopPlugin()
        #expect(catalog.files[0].abiVersion == 1 && catalog.files[0].problem == nil)
        #expect(catalog.modules.map(\.name) == ["window", "afk"])
        #expect(catalog.modules[0].defaultConfiguration(testing: false).contains("[watchers.window]"))
        let file = try ConfigFile(path: "c.toml", text: "[watchers.window]\npoll_time = 0\n")
        #expect {
            _ = try catalog.modules[0].configure(file.section("watchers.window"), testing: true)
        } throws: { error in
            "\(error)".contains("'watchers.window.poll_time' must be between 0.1 and 3600 seconds")
        }
        let disabled = try ConfigFile(path: "c.toml", text: "[watchers.afk]\nenabled = false\nisolate = true\n")
        #expect(try !catalog.modules[1].configure(disabled.section("watchers.afk"), testing: true).isEnabled)
    }

    @Test("a module of the desktop plugin starts, logs through the host, reports its source and stops")
    func desktopModuleRuns() async throws {
        let catalog = try desktopPlugin()
        let file = try ConfigFile(path: "c.toml", text: "[watchers.afk]\nsource = \"x11\"\ndisplay = \":4242\"\n")
        let module = try catalog.modules[1].configure(file.section("watchers.afk"), testing: true)
        #expect(module.sourceReport().source == "x11")
        let lines = KeptLines()
        let logger = Logger(label: "afk") { _ in KeepingHandler(lines: lines) }
        let client = RecordingClient()
        let service = module.makeService(
            context: WatcherContext(client: client, logger: logger, hostname: "test-host", testing: true))
        let group = ServiceGroup(services: [service], logger: logger)
        let running = Task { try await group.run() }
        let deadline = ContinuousClock.now + .seconds(20)
        while !lines.contains("cannot open the X display ':4242'") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(lines.contains("cannot open the X display ':4242'; trying again"))
        // The bucket is made through the host's table with the module's hostname.
        while client.buckets.withLock({ $0.isEmpty }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(client.buckets.withLock { $0.map(\.id) } == ["aw-watcher-afk_test-host"])
        await group.triggerGracefulShutdown()
        try await running.value
    }
}

/// Log lines kept for a test.
final class KeptLines: Sendable {
    let lines = Mutex<[String]>([])
    func contains(_ text: String) -> Bool { lines.withLock { $0.contains { $0.contains(text) } } }
}

struct KeepingHandler: LogHandler {
    let lines: KeptLines
    var logLevel: Logger.Level = .debug
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { lines.lines.withLock { $0.append("\(event.message)") } }
}

/// A client that keeps what it is given.
final class RecordingClient: WatcherClient {
    let buckets = Mutex<[Bucket]>([])
    let heartbeats = Mutex<[Event]>([])
    func ensureBucket(_ bucket: Bucket) async throws { buckets.withLock { $0.append(bucket) } }
    func heartbeat(_ event: Event, bucketID: String, pulsetime: Double) async throws {
        heartbeats.withLock { $0.append(event) }
    }
    func insertEvents(_ events: [Event], bucketID: String) async throws {
        heartbeats.withLock { $0.append(contentsOf: events) }
    }
}
