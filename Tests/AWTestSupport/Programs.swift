import Foundation

/// Programs a test session starts: found on PATH, with this process's environment plus
/// `environment` (whose values win).
enum Programs {
    /// Starts `arguments` in the background, its output dropped.
    static func spawn(_ arguments: [String], environment: [String: String]) throws -> Process {
        let process = make(arguments, environment: environment)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs `arguments` to the end and returns what it printed on stdout.
    ///
    /// - Throws: `SessionError` with the output when `requireSuccess` and it exits non-zero.
    static func run(_ arguments: [String], environment: [String: String], requireSuccess: Bool) throws -> String {
        let process = make(arguments, environment: environment)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard !requireSuccess || process.terminationStatus == 0 else {
            throw SessionError("\(arguments.joined(separator: " ")) failed: \(text)")
        }
        return text
    }

    private static func make(_ arguments: [String], environment: [String: String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b }
        return process
    }
}
