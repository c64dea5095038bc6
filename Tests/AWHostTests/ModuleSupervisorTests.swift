import AWCore
import Foundation
import Logging
import Synchronization
import Testing

@testable import AWHost

@Suite("External modules: settings, discovery, restarts")
struct ModuleSupervisorTests {
    @Test("restarts after 2, 4 and 8 s, then gives up; crashes older than 10 minutes no longer count")
    func restartPolicy() {
        var policy = RestartPolicy()
        let start = ContinuousClock.now
        #expect(policy.delayAfterCrash(at: start) == .seconds(2))
        #expect(policy.delayAfterCrash(at: start + .seconds(3)) == .seconds(4))
        #expect(policy.delayAfterCrash(at: start + .seconds(8)) == .seconds(8))
        #expect(policy.delayAfterCrash(at: start + .seconds(20)) == nil)
        #expect(policy.delayAfterCrash(at: start + .seconds(606)) == .seconds(4))  // the first one slid out
    }

    @Test("[modules] takes names and { name, args } tables; mistakes name the key")
    func configuration() throws {
        let file = try ConfigFile(
            path: "c.toml",
            text:
                "[modules]\ndiscover = true\nautostart = [\"aw-watcher-a\", { name = \"/opt/aw-watcher-b\", args = [\"-v\"] }]\n"
        )
        let configuration = try ExternalModulesConfiguration(section: file.section("modules"))
        #expect(configuration.discover)
        #expect(
            configuration.autostart == [
                ExternalModule(name: "aw-watcher-a"), ExternalModule(name: "/opt/aw-watcher-b", arguments: ["-v"]),
            ])
        #expect(configuration.autostart[1].displayName == "aw-watcher-b")
        for (text, message) in [
            ("autostart = \"aw-watcher-a\"", "'modules.autostart' must be a list of names and { ... } tables"),
            ("autostart = [1]", "'modules.autostart' must be a list of names and { ... } tables"),
            ("autostart = [{ args = [] }]", "'modules.autostart[1].name' is missing"),
            ("autostart = [{ name = \"x\", arg = [] }]", "'modules.autostart[1].arg' is not a module setting"),
            ("autostart = [\"\"]", "'modules.autostart' holds an empty program name"),
        ] {
            let file = try ConfigFile(path: "c.toml", text: "[modules]\n\(text)\n")
            #expect {
                try ExternalModulesConfiguration(section: file.section("modules"))
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }

    @Test("programs are found on PATH in order; discovery takes aw-watcher-* executables without a dot")
    func locating() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aw-host-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (directory, name, executable) in [
            ("one", "aw-watcher-a", true), ("two", "aw-watcher-a", true), ("two", "aw-watcher-b", true),
            ("two", "aw-watcher-c.desktop", true), ("two", "aw-watcher-d", false), ("two", "aw-server", true),
        ] {
            try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
            FileManager.default.createFile(
                atPath: "\(root)/\(directory)/\(name)", contents: Data("#!/bin/sh\n".utf8),
                attributes: [.posixPermissions: executable ? 0o755 : 0o644])
        }
        let locator = ModuleLocator(path: "\(root)/one:\(root)/missing:\(root)/two")
        #expect(locator.locate("aw-watcher-a") == "\(root)/one/aw-watcher-a")
        #expect(locator.locate("aw-watcher-d") == nil)
        #expect(locator.locate("\(root)/two/aw-watcher-b") == "\(root)/two/aw-watcher-b")
        #expect(locator.discoverWatchers().map(\.path) == ["\(root)/one/aw-watcher-a", "\(root)/two/aw-watcher-b"])

        let supervisor = ModuleSupervisor(
            configuration: ExternalModulesConfiguration(
                autostart: [ExternalModule(name: "aw-watcher-z")], discover: true),
            replacedByBuiltIns: ["aw-watcher-b"], port: 5600, defaultPort: 5600, testing: false, locator: locator,
            logger: Logger(label: "test"))
        let (modules, problems) = supervisor.resolve()
        #expect(modules.map(\.module.name) == ["aw-watcher-a"])
        #expect(problems.contains { $0.hasPrefix("module 'aw-watcher-z' was not found on PATH") })
        #expect(problems.contains { $0.hasPrefix("not starting 'aw-watcher-b'") })
    }

    @Test("--testing in testing mode; --port only off the default port, without own args, to modules that take it")
    func arguments() {
        func supervisor(port: Int, testing: Bool) -> ModuleSupervisor {
            ModuleSupervisor(
                configuration: ExternalModulesConfiguration(), replacedByBuiltIns: [], port: port,
                defaultPort: testing ? 5666 : 5600, testing: testing, logger: Logger(label: "test"))
        }
        let plain = ExternalModule(name: "m")
        #expect(supervisor(port: 5600, testing: false).arguments(for: plain, acceptsPort: true) == [])
        #expect(supervisor(port: 5601, testing: false).arguments(for: plain, acceptsPort: true) == ["--port", "5601"])
        #expect(supervisor(port: 5601, testing: false).arguments(for: plain, acceptsPort: false) == [])
        #expect(supervisor(port: 5666, testing: true).arguments(for: plain, acceptsPort: true) == ["--testing"])
        #expect(
            supervisor(port: 5601, testing: true).arguments(
                for: ExternalModule(name: "m", arguments: ["-v"]), acceptsPort: true) == ["--testing", "-v"])
    }

    @Test("a module takes --port when its --help lists it")
    func helpProbe() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("aw-help-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func program(_ name: String, _ script: String) throws -> String {
            let path = "\(folder)/\(name)"
            try Data("#!/bin/sh\n\(script)\n".utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
            return path
        }
        let argparse = "echo 'usage: w [-h] [--testing] [--port PORT]'; echo '  --port PORT  the server port'"
        #expect(await ModuleHelp.acceptsPort(try program("with-port", argparse)))
        #expect(await !ModuleHelp.acceptsPort(try program("without", "echo 'usage: w [-h] [--testing] [--portal]'")))
        #expect(await ModuleHelp.acceptsPort(try program("stderr", "echo '  --port=PORT' >&2; exit 2")))
        #expect(await !ModuleHelp.acceptsPort("\(folder)/missing"))
        #expect(ModuleHelp.mentionsPort("[--port PORT]") && ModuleHelp.mentionsPort("--port\n"))
        #expect(!ModuleHelp.mentionsPort("--ports") && !ModuleHelp.mentionsPort("--port-file"))
    }

    @Test("a usage message is recognised and its complaint quoted")
    func usageComplaint() {
        let argparse = """
            usage: aw-watcher-netstatus [-h] [-v] [--testing]
            aw-watcher-netstatus: error: unrecognized arguments: --port 5601

            """
        #expect(
            ModuleSupervisor.usageComplaint(argparse)
                == "aw-watcher-netstatus: error: unrecognized arguments: --port 5601")
        #expect(
            ModuleSupervisor.usageComplaint(
                "Usage: w [OPTIONS]\nTry 'w --help' for help.\n\nError: No such option: --port")
                == "Error: No such option: --port")
        #expect(ModuleSupervisor.usageComplaint("Traceback (most recent call last):\nKeyError: 'x'") == nil)
    }

    @Test("aw-client.toml gets the port in its server section, everything else kept")
    func clientConfigFile() {
        let original = """
            # mine
            [server]
            hostname = "127.0.0.1"
            port = "5600"  # the default

            [client]
            commit_interval = 10
            """
        #expect(
            ClientConfigFile.settingPort(5601, in: original, section: "server") == """
                # mine
                [server]
                hostname = "127.0.0.1"
                port = "5601"

                [client]
                commit_interval = 10
                """)
        #expect(
            ClientConfigFile.settingPort(5777, in: original, section: "server-testing")
                == original
                + "\n\n# Set by aw-server: modules it starts that take no --port reach it through this port.\n[server-testing]\nport = \"5777\"\n"
        )
        #expect(
            ClientConfigFile.settingPort(5601, in: "[server]\nhostname = \"localhost\"\n", section: "server")
                == "[server]\nport = \"5601\"\nhostname = \"localhost\"\n")
    }

    @Test("a child starts with only its standard input, output and error: no file or connection of the server")
    func childDescriptors() async throws {
        // A descriptor any thread of the server opened without close-on-exec, as a socket a
        // client test's server accepted: a child holding it would keep the connection open.
        let held = open("/dev/null", O_RDONLY)
        #expect(held > 2)
        defer { close(held) }
        let listing = Mutex("")
        let child = try ChildProcess.spawn(
            path: "/bin/sh", arguments: ["-c", "ls /proc/$$/fd; true"],
            output: { bytes in listing.withLock { $0 += String(decoding: bytes, as: UTF8.self) } })
        #expect(await child.waitForExit() == .exited(0))
        await child.waitForOutputEnd()
        #expect(listing.withLock { $0.split(separator: "\n").sorted() } == ["0", "1", "2"])
    }

    @Test("a child gets default signal handling, its own process group and its output logged")
    func childProcess() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("aw-child-\(UUID().uuidString).log")
            .path
        defer { try? FileManager.default.removeItem(atPath: log) }
        // aw-server ignores SIGTERM to handle it itself; the child must not inherit that. (Ignored
        // only around the spawn: the disposition is process-wide.)
        signal(SIGTERM, SIG_IGN)
        let spawned = Result { () throws(ChildProcessError) in
            try ChildProcess.spawn(
                path: "/bin/sh", arguments: ["-c", "echo out; echo err >&2; ps -o pgid= -p $$; exec sleep 30"],
                output: { [file = RotatingLogFile(path: log)] in file?.write($0) })
        }
        signal(SIGTERM, SIG_DFL)
        let child = try spawned.get()
        try await Task.sleep(for: .milliseconds(300))
        child.signal(SIGTERM)
        #expect(await child.waitForExit() == .signalled(SIGTERM))
        try await Task.sleep(for: .milliseconds(100))
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("out") && text.contains("err"))
        #expect(text.contains("\(child.pid)"))  // its process group is its own pid
        #expect(throws: ChildProcessError.self) {
            try ChildProcess.spawn(path: "/nonexistent/program", arguments: [], output: nil)
        }
    }
}
