import AWCore
import Foundation

/// The `aw-client.toml` that every ActivityWatch client reads (the Python aw-client and this
/// project's client alike): `[server]` `hostname` and `port`, `[server-testing]` in testing
/// mode. A module that takes no `--port` finds the server through it.
struct ClientConfigFile {
    /// What `pointAt(port:)` found or did.
    enum Outcome: Equatable {
        /// The file already sends clients to that port on this machine.
        case alreadyThere
        /// The port was written into the file (created when missing).
        case written
        /// The file sends clients to another machine; it was left alone.
        case elsewhere(host: String)
        /// The file cannot be read or written; it was left alone.
        case failed(String)
    }

    /// The file.
    let path: String
    /// Whether the `-testing` section is meant.
    let testing: Bool

    init(testing: Bool, directories: Directories) {
        path = "\(directories.configDirectory(module: "aw-client"))/aw-client.toml"
        self.testing = testing
    }

    private var section: String { testing ? "server-testing" : "server" }

    /// Makes the file send clients to `port` on this machine, changing only the `port` line of
    /// its server section (comments and everything else stay as written).
    func pointAt(port: Int) -> Outcome {
        var text = ""
        if FileManager.default.fileExists(atPath: path) {
            do {
                let file = try ConfigFile.load(path: path, defaultContents: "")
                let server = try file.section(section)
                if let host = try server.string("hostname"), !["127.0.0.1", "localhost", "::1"].contains(host) {
                    return .elsewhere(host: host)
                }
                // aw-client writes the port as a string ("5600"); a number works as well.
                let current =
                    ((try? server.string("port")) ?? nil).flatMap { Int($0) } ?? ((try? server.int("port")) ?? nil)
                if current == port { return .alreadyThere }
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                return .failed("\(error)")
            }
        }
        do {
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(Self.settingPort(port, in: text, section: section).utf8).write(
                to: URL(fileURLWithPath: path), options: .atomic)
            return .written
        } catch {
            return .failed("cannot write \(path): \(fileErrorReason(error))")
        }
    }

    /// `text` with `port = "<port>"` in `[section]`: the existing line replaced, or one added
    /// after the header, or the section appended.
    static func settingPort(_ port: Int, in text: String, section: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let setting = "port = \"\(port)\""
        func header(_ line: String) -> String? {
            let bare = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let trimmed = bare.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else { return nil }
            return trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
        }
        if let start = lines.firstIndex(where: { header($0) == section }) {
            let end = lines[(start + 1)...].firstIndex { header($0) != nil } ?? lines.count
            let isPortLine = { (line: String) in
                line.split(separator: "=", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces) == "port"
            }
            if let line = lines[(start + 1)..<end].firstIndex(where: isPortLine) {
                lines[line] = setting
            } else {
                lines.insert(setting, at: start + 1)
            }
            return lines.joined(separator: "\n")
        }
        var result = text
        if !result.isEmpty && !result.hasSuffix("\n") { result += "\n" }
        if !result.isEmpty { result += "\n" }
        return result
            + "# Set by aw-server: modules it starts that take no --port reach it through this port.\n[\(section)]\n\(setting)\n"
    }
}
