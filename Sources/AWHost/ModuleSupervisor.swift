import AWCore
import Foundation
import Glibc
import Logging
import ServiceLifecycle

/// Runs the external modules for the life of the server, as aw-qt and aw-tauri do: starts each
/// one, restarts it after a crash following `RestartPolicy`, gives up on one that keeps
/// crashing, and on shutdown sends SIGTERM to each (SIGKILL after `stopTimeout`).
///
/// Each module gets `--testing` in testing mode, and `--port <port>` when the server's port is
/// not the default and the config gave no arguments of its own. Its output goes to
/// `<log dir>/<module>/<module>-output.log`, rotated.
public struct ModuleSupervisor: Service {
    /// How long a module has to exit after SIGTERM before it is killed.
    public static let stopTimeout: Duration = .seconds(5)

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
    ///   - replacedByBuiltIns: Program names not to discover because a built-in watcher records
    ///     the same bucket (`aw-watcher-window` while the built-in window watcher runs).
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
                        "not starting '\(name)' found at \(path): the built-in watcher records the same bucket")
                    continue
                }
                names.insert(name)
                modules.append((ExternalModule(name: name), path))
            }
        }
        return (modules, problems)
    }

    /// The arguments a module is started with.
    func arguments(for module: ExternalModule) -> [String] {
        var arguments = module.arguments ?? (port != defaultPort ? ["--port", String(port)] : [])
        if testing && !arguments.contains("--testing") { arguments.insert("--testing", at: 0) }
        return arguments
    }

    public func run() async {
        let (modules, problems) = resolve()
        for problem in problems { logger.warning("\(problem)") }
        await withTaskGroup(of: Void.self) { group in
            for (module, path) in modules {
                group.addTask { await supervise(module, path: path) }
            }
        }
    }

    private func supervise(_ module: ExternalModule, path: String) async {
        let name = module.displayName
        let logDirectory = directories.logDirectory(module: name)
        let logPath = "\(logDirectory)/\(name)-output.log"
        try? FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        let output = RotatingLogFile(path: logPath)
        let arguments = arguments(for: module)
        var policy = RestartPolicy()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let child: ChildProcess
            do {
                child = try ChildProcess.spawn(path: path, arguments: arguments, output: output)
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
