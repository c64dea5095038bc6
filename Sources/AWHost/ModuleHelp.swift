import Glibc

/// What a module program says about itself when asked with `--help`, as aw-qt never asks:
/// the host passes `--port` only to modules that list it.
enum ModuleHelp {
    /// How long a module may take to print its help.
    static let timeout: Duration = .seconds(10)

    /// Whether `path --help` mentions the `--port` option. `false` when the program cannot be
    /// started or says nothing within `timeout` (it is then stopped).
    static func acceptsPort(_ path: String) async -> Bool {
        let output = OutputTail(capacity: 256 * 1024)
        guard let child = try? ChildProcess.spawn(path: path, arguments: ["--help"], output: { output.append($0) })
        else { return false }
        guard await child.waitForExit(within: timeout) != nil else {
            child.signal(SIGKILL)  // its process group: whatever it started too
            return false
        }
        return await child.waitForOutputEnd(within: .seconds(1)) && mentionsPort(output.text)
    }

    /// Whether help text lists `--port` as an option (not as part of a longer word).
    static func mentionsPort(_ help: String) -> Bool {
        var rest = help[...]
        while let range = rest.range(of: "--port") {
            let next = rest[range.upperBound...].first
            if next == nil || !(next!.isLetter || next!.isNumber || next! == "-" || next! == "_") { return true }
            rest = rest[range.upperBound...]
        }
        return false
    }
}
