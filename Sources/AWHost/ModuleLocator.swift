import Foundation
import Glibc

/// Finds module programs on `PATH`, as aw-qt and aw-tauri do: executables named `aw-watcher-*`
/// without a dot in the name; when a name appears in several directories the first one wins.
public struct ModuleLocator: Sendable {
    /// The directories searched, in order.
    public let searchPath: [String]

    public init(path: String? = ProcessInfo.processInfo.environment["PATH"]) {
        searchPath = (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init).filter {
            !$0.isEmpty
        }
    }

    /// The program for `name`: a path (with a `/`) as given, else the first executable of that
    /// name on the search path. `nil` when there is none.
    public func locate(_ name: String) -> String? {
        if name.contains("/") { return Self.isExecutableFile(name) ? name : nil }
        return searchPath.lazy.map { "\($0)/\(name)" }.first(where: Self.isExecutableFile)
    }

    /// Every `aw-watcher-*` program on the search path, by name, in search order.
    public func discoverWatchers() -> [(name: String, path: String)] {
        var seen: Set<String> = []
        var found: [(name: String, path: String)] = []
        for directory in searchPath {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names.sorted()
            where name.hasPrefix("aw-watcher-") && !name.contains(".") && !seen.contains(name) {
                let path = "\(directory)/\(name)"
                guard Self.isExecutableFile(path) else { continue }
                seen.insert(name)
                found.append((name, path))
            }
        }
        return found
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }
}
