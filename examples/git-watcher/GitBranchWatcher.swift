import AWCore
import AWWatcherKit
import Foundation
import Logging
import ServiceLifecycle

/// An example in-process watcher module: records which branch a git working tree has checked out
/// into `aw-watcher-git_<hostname>` (type `app.vcs.branch`), so a query can tell how long you spent
/// on each branch. It reads `.git/HEAD` every `poll_time` seconds and needs no X display.
///
/// Enable it in aw-server's config.toml:
///
///     [watchers.git]
///     enabled = true
///     path = "/home/me/src/project"
public struct GitBranchWatcher: WatcherModule {
    public static let name = "git"

    /// Whether aw-server runs it.
    public let isEnabled: Bool
    /// The working tree.
    public let path: String
    /// Seconds between reads of `.git/HEAD`.
    public let pollTime: Double

    /// The `[watchers.git]` section written into a new config.toml, commented out.
    public static func defaultConfiguration(testing: Bool) -> String {
        """
        [watchers.git]
        # An example module: the branch checked out in one git working tree.
        #enabled = false
        #path = "/home/me/src/project"
        #poll_time = 5.0

        """
    }

    /// Reads `enabled`, `path` and `poll_time`; an enabled module needs a `path`.
    public init(configuration: ConfigSection, testing: Bool) throws(ConfigError) {
        isEnabled = try configuration.bool("enabled") ?? false
        pollTime = try configuration.double("poll_time") ?? 5
        guard pollTime > 0 else { throw configuration.error("poll_time", "must be a number of seconds above 0") }
        let path = try configuration.string("path") ?? ""
        self.path = (path as NSString).expandingTildeInPath
        if isEnabled && path.isEmpty {
            throw configuration.error("path", "must name a git working tree when the git watcher is enabled")
        }
    }

    /// The bucket the watcher records into.
    public static func bucket(hostname: String) -> Bucket {
        Bucket(id: "aw-watcher-git_\(hostname)", type: "app.vcs.branch", client: "aw-watcher-git", hostname: hostname)
    }

    /// The service that polls the working tree.
    public func makeService(context: WatcherContext) -> any Service {
        BranchPoller(watcher: self, context: context)
    }

    /// The branch checked out in the working tree at `path`, a short commit id when detached, or
    /// `nil` when it is not a git working tree.
    public static func branch(inWorkingTree path: String) -> String? {
        var gitDirectory = "\(path)/.git"
        // A linked worktree or submodule has a `.git` file: `gitdir: <path>`.
        if let link = try? String(contentsOfFile: gitDirectory, encoding: .utf8), link.hasPrefix("gitdir: ") {
            let target = link.dropFirst(8).trimmingCharacters(in: .whitespacesAndNewlines)
            gitDirectory = target.hasPrefix("/") ? target : "\(path)/\(target)"
        }
        guard let head = try? String(contentsOfFile: "\(gitDirectory)/HEAD", encoding: .utf8) else { return nil }
        let line = head.trimmingCharacters(in: .whitespacesAndNewlines)
        if line.hasPrefix("ref: refs/heads/") { return String(line.dropFirst(16)) }
        if line.hasPrefix("ref: ") { return String(line.dropFirst(5)) }
        return line.count >= 7 ? String(line.prefix(7)) : nil
    }
}

/// Reads the branch every `pollTime` seconds and sends it as a heartbeat.
struct BranchPoller: Service {
    let watcher: GitBranchWatcher
    let context: WatcherContext

    func run() async {
        let reporter = HeartbeatReporter(
            bucket: GitBranchWatcher.bucket(hostname: context.hostname), client: context.client, logger: context.logger)
        let (heartbeats, sink) = AsyncStream.makeStream(of: Heartbeat.self)
        async let delivered: Void = reporter.deliver(heartbeats)
        let repository = (watcher.path as NSString).lastPathComponent
        await cancelWhenGracefulShutdown {
            var warned = false
            while !Task.isCancelled {
                if let branch = GitBranchWatcher.branch(inWorkingTree: watcher.path) {
                    let event = Event(
                        timestamp: .now,
                        data: [
                            "repository": .string(repository), "path": .string(watcher.path), "branch": .string(branch),
                        ])
                    sink.yield(Heartbeat(event: event, pulsetime: watcher.pollTime + 1))
                    warned = false
                } else if !warned {
                    context.logger.warning("\(watcher.path) is not a git working tree; waiting for one")
                    warned = true
                }
                try? await Task.sleep(for: .seconds(watcher.pollTime))
            }
        }
        sink.finish()
        await delivered
    }
}
