import Foundation

/// Programs a test session starts: found on PATH, with this process's environment plus
/// `environment` (whose values win).
enum Programs {
    /// Starts `arguments` in the background, with no input, its output dropped or (with
    /// `outputFile`) written to that file.
    static func spawn(_ arguments: [String], environment: [String: String], outputFile: String? = nil) throws
        -> Process
    {
        let process = make(arguments, environment: environment)
        process.standardInput = FileHandle.nullDevice
        if let outputFile {
            guard FileManager.default.createFile(atPath: outputFile, contents: nil),
                let output = FileHandle(forWritingAtPath: outputFile)
            else { throw SessionError("cannot write \(outputFile)") }
            process.standardOutput = output
            process.standardError = output
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
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

    /// Kills `process` and waits until it is gone. The wait is `waitpid`'s, because Foundation
    /// sometimes never notices a child that exited on its own (a window closed), so that
    /// `waitUntilExit` would wait forever. Call it once per process: once reaped, its process id
    /// may be given to another program (they are reused quickly where `pid_max` is 32768).
    static func kill(_ process: Process) {
        let pid = process.processIdentifier
        guard pid > 0, process.isRunning else { return }  // not reaped by Foundation either
        _ = Glibc.kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    private static func make(_ arguments: [String], environment: [String: String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, b in b }
        return process
    }
}
