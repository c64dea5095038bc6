import AWCore
import AWWatcherKit
import Foundation

/// An example watcher module: records which branch a git working tree has checked out into
/// `aw-watcher-git_<hostname>` (type `app.vcs.branch`), so a query can tell how long you spent on
/// each branch. It reads `.git/HEAD` every `poll_time` seconds and needs no X display. Built as a
/// plugin (this package) and copied into a plugin folder, it runs in the server when enabled in
/// config.toml, or on its own with `aw-server watch git`:
///
///     [watchers.git]
///     enabled = true
///     path = "/home/me/src/project"
public struct GitBranchWatcher: PollingWatcher {
    public static let name = "git"
    public static let eventType = "app.vcs.branch"

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

    /// The branch now, with the repository's name and path.
    ///
    /// - Throws: `GitWatcherError` while `path` is not a git working tree.
    public func sample() async throws -> [String: JSON]? {
        guard let branch = Self.branch(inWorkingTree: path) else { throw GitWatcherError(path: path) }
        return [
            "repository": .string((path as NSString).lastPathComponent), "path": .string(path),
            "branch": .string(branch),
        ]
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

/// The configured path is not a git working tree (yet): the watcher records nothing and waits.
struct GitWatcherError: Error, CustomStringConvertible {
    let path: String
    var description: String { "\(path) is not a git working tree; waiting for one" }
}
