import AWCore
import Foundation
import Glibc
import Logging
import ServiceLifecycle

/// Runs the external modules for the life of the server, as aw-qt and aw-tauri do: starts each
/// one, restarts it after a crash following `RestartPolicy`, gives up on one that keeps
/// crashing, and on shutdown sends SIGTERM to each (SIGKILL after `stopTimeout`).
///
/// Each module gets `--testing` in testing mode, as aw-qt passes it, and the arguments the config
/// gives it. Off the default port, a module without configured arguments gets `--port <port>`
/// when its `--help` lists that option; for the others (most watchers on PyPI take no `--port`)
/// `aw-client.toml`, which every ActivityWatch client reads, is pointed at the server's port.
/// A module that stops at start with a usage error is not restarted: one log line quotes its
/// complaint and names the setting that fixes it. Its output goes to
/// `<log dir>/<module>/<module>-output.log`, rotated.
public struct ModuleSupervisor: Service {
    /// How long a module has to exit after SIGTERM before it is killed.
    public static let stopTimeout: Duration = .seconds(5)
    /// How soon after its start an exit counts as a failure to start.
    static let startWindow: Duration = .seconds(10)

    /// The line of a program's output that says what was wrong with its arguments, when the
    /// output is a usage message (argparse's `usage: … error: …`, click's `Usage: … Error: …`).
    static func usageComplaint(_ output: String) -> String? {
        let lines = output.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard lines.contains(where: { $0.lowercased().hasPrefix("usage:") }) else { return nil }
        return lines.last { $0.lowercased().contains("error") } ?? lines.last { !$0.isEmpty }
    }

    let configuration: ExternalModulesConfiguration
    let replacedByBuiltIns: Set<String>
    let port: Int
    let defaultPort: Int
    let testing: Bool
    let directories: Directories
    let locator: ModuleLocator
    let logger: Logger

    /// - Parameters:
    ///   - configuration: The `[modules]` settings.
    ///   - replacedByBuiltIns: Program names not to discover because a module of aw-server records
    ///     the same bucket (`aw-watcher-window` while the window module runs).
    ///   - port: The server's port; `defaultPort` is the one modules assume on their own.
    ///   - testing: Testing mode.
    ///   - directories: Where log files go.
    ///   - locator: How programs are found.
    ///   - logger: Where starts, crashes and stops are logged.
    public init(
        configuration: ExternalModulesConfiguration, replacedByBuiltIns: Set<String>, port: Int, defaultPort: Int,
        testing: Bool, directories: Directories = Directories(), locator: ModuleLocator = ModuleLocator(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.replacedByBuiltIns = replacedByBuiltIns
        self.port = port
        self.defaultPort = defaultPort
        self.testing = testing
        self.directories = directories
        self.locator = locator
        self.logger = logger
    }

    /// The modules to run with their programs, and complaints about those that cannot run.
    func resolve() -> (modules: [(module: ExternalModule, path: String)], problems: [String]) {
        var modules: [(module: ExternalModule, path: String)] = []
        var problems: [String] = []
        var names: Set<String> = []
        for module in configuration.autostart {
            guard let path = locator.locate(module.name) else {
                problems.append(
                    module.name.contains("/")
                        ? "module '\(module.name)' is not an executable file"
                        : "module '\(module.name)' was not found on PATH (\(locator.searchPath.joined(separator: ":")))"
                )
                continue
            }
            guard names.insert(module.displayName).inserted else { continue }
            modules.append((module, path))
        }
        if configuration.discover {
            for (name, path) in locator.discoverWatchers() where !names.contains(name) {
                if replacedByBuiltIns.contains(name) {
                    problems.append(
                        "not starting '\(name)' found at \(path): an enabled watcher module of aw-server records the same bucket"
                    )
                    continue
                }
                names.insert(name)
                modules.append((ExternalModule(name: name), path))
            }
        }
        return (modules, problems)
    }

    /// The arguments a module is started with; `acceptsPort` tells whether its help lists `--port`.
    func arguments(for module: ExternalModule, acceptsPort: Bool) -> [String] {
        var arguments = module.arguments ?? (port != defaultPort && acceptsPort ? ["--port", String(port)] : [])
        if testing && !arguments.contains("--testing") { arguments.insert("--testing", at: 0) }
        return arguments
    }

    public func run() async {
        let (modules, problems) = resolve()
        for problem in problems { logger.warning("\(problem)") }
        let acceptsPort = await portOptions(of: modules)
        let portless = modules.indices.filter { modules[$0].module.arguments == nil && !acceptsPort[$0] }
        if port != defaultPort && !portless.isEmpty {
            pointClientConfiguration(for: portless.map { modules[$0].module.displayName })
        }
        await withTaskGroup(of: Void.self) { group in
            for (index, (module, path)) in modules.enumerated() {
                let arguments = arguments(for: module, acceptsPort: acceptsPort[index])
                group.addTask { await supervise(module, path: path, arguments: arguments) }
            }
        }
    }

    /// For each module, whether its help lists `--port`; only asked off the default port, of
    /// modules without configured arguments.
    private func portOptions(of modules: [(module: ExternalModule, path: String)]) async -> [Bool] {
        guard port != defaultPort else { return modules.map { _ in false } }
        return await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, (module, path)) in modules.enumerated() where module.arguments == nil {
                group.addTask { (index, await ModuleHelp.acceptsPort(path)) }
            }
            var answers = modules.map { _ in false }
            for await (index, accepts) in group { answers[index] = accepts }
            return answers
        }
    }

    /// Makes `aw-client.toml` send clients to this server, for modules that take no `--port`.
    private func pointClientConfiguration(for names: [String]) {
        let file = ClientConfigFile(testing: testing, directories: directories)
        let section = testing ? "[server-testing]" : "[server]"
        let modules = names.joined(separator: ", ")
        switch file.pointAt(port: port) {
        case .alreadyThere:
            logger.info("\(modules) take no --port; \(file.path) already sends clients to port \(port)")
        case .written:
            logger.notice(
                "\(modules) take no --port: set port = \"\(port)\" in \(section) of \(file.path), which ActivityWatch clients read, so they reach this server"
            )
        case .elsewhere(let host):
            logger.warning(
                "\(modules) take no --port and \(file.path) sends clients to '\(host)', so they report there, not to this server; change hostname in its \(section) or give them args in [modules]"
            )
        case .failed(let reason):
            logger.warning(
                "\(modules) take no --port and \(file.path) could not be pointed at port \(port): \(reason); they will look for the server on port \(defaultPort)"
            )
        }
    }

    private func supervise(_ module: ExternalModule, path: String, arguments: [String]) async {
        let name = module.displayName
        let logDirectory = directories.logDirectory(module: name)
        let logPath = "\(logDirectory)/\(name)-output.log"
        try? FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let file = RotatingLogFile(path: logPath)
        let tail = OutputTail()
        var policy = RestartPolicy()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let child: ChildProcess
            tail.clear()
            let started = ContinuousClock.now
            do {
                child = try ChildProcess.spawn(path: path, arguments: arguments) { bytes in
                    file?.write(bytes)
                    tail.append(bytes)
                }
            } catch {
                logger.error("module \(name): \(error)")
                return
            }
            logger.info(
                "started module \(name) (pid \(child.pid)): \(([path] + arguments).joined(separator: " ")); output in \(logPath)"
            )
            let status = await runUntilExit(child)
            if Task.isShuttingDownGracefully || Task.isCancelled {
                logger.info("module \(name) stopped (\(status))")
                return
            }
            if status == .exited(0) {
                logger.info("module \(name) exited (\(status)); it is not restarted")
                return
            }
            if ContinuousClock.now - started < Self.startWindow, status == .exited(2),
                await child.waitForOutputEnd(within: .seconds(1)), let complaint = Self.usageComplaint(tail.text)
            {
                logger.error(
                    "module \(name) stopped at start with a usage error: \"\(complaint)\" (started as: \(([name] + arguments).joined(separator: " "))); it is not restarted. Give it arguments it accepts in config.toml: [modules] autostart = [{ name = \"\(module.name)\", args = [...] }]"
                )
                return
            }
            guard let delay = policy.delayAfterCrash(at: .now) else {
                logger.error(
                    "module \(name) keeps crashing (\(status); \(RestartPolicy.maximumRestarts) restarts in the last 10 minutes); it is not restarted again. Its output is in \(logPath)"
                )
                return
            }
            logger.warning("module \(name) crashed (\(status)); restarting it in \(delay.components.seconds) s")
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
            } catch {
                return
            }
        }
    }

    /// Waits for `child` to end; on graceful shutdown asks it to stop, then kills it.
    private func runUntilExit(_ child: ChildProcess) async -> ExitStatus {
        await withTaskGroup(of: ExitStatus?.self) { group in
            group.addTask { await child.waitForExit() }
            group.addTask {
                do {
                    try await gracefulShutdown()
                } catch {
                    return nil  // cancelled: the child ended first
                }
                child.signal(SIGTERM)
                try? await Task.sleep(for: Self.stopTimeout)
                if !Task.isCancelled { child.signal(SIGKILL) }
                return nil
            }
            var status: ExitStatus = .exited(0)
            for await result in group {
                if let result {
                    status = result
                    group.cancelAll()
                }
            }
            return status
        }
    }
}
