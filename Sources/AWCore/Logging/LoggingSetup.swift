import FoundationEssentials
import Glibc
import Logging

/// Sets up logging for an ActivityWatch program the way aw-core's `setup_logging` does:
/// human-readable lines on stderr, a rotated log file per run in the module's log directory,
/// and optionally a JSON-lines file; `LOG_LEVEL=debug` (or `--verbose`) lowers the level.
public struct LoggingSetup: Sendable {
    /// The module name, used for the log directory and file names (e.g. `aw-server-swift`).
    public var module: String
    /// Testing mode: log files are named `<module>_testing_<time>.log`.
    public var testing: Bool
    /// Log debug messages too.
    public var verbose: Bool
    /// Write to standard error.
    public var logToStandardError: Bool
    /// Write a rotated human-readable log file.
    public var logToFile: Bool
    /// Also write a rotated JSON-lines log file.
    public var logToJSONFile: Bool
    /// The directories to use.
    public var directories: Directories

    public init(
        module: String,
        testing: Bool = false,
        verbose: Bool = false,
        logToStandardError: Bool = true,
        logToFile: Bool = true,
        logToJSONFile: Bool = false,
        directories: Directories = Directories()
    ) {
        self.module = module
        self.testing = testing
        self.verbose = verbose
        self.logToStandardError = logToStandardError
        self.logToFile = logToFile
        self.logToJSONFile = logToJSONFile
        self.directories = directories
    }

    /// The level messages must reach: `LOG_LEVEL` from the environment if valid, else debug
    /// when verbose, else info.
    public var level: Logger.Level {
        if let name = directories.environment["LOG_LEVEL"]?.lowercased() {
            if let level = Logger.Level(rawValue: name) { return level }
            if name == "warn" { return .warning }
        }
        return verbose ? .debug : .info
    }

    /// The log file name for a run started at `time`: `<module>[_testing]_<YYYY-MM-DDTHH-MM-SS>.log`.
    public func fileName(startedAt time: Timestamp, json: Bool = false) -> String {
        let stamp = String(time.rfc3339.prefix(19).map { $0 == ":" ? "-" : $0 })
        return "\(module)_\(testing ? "testing_" : "")\(stamp)\(json ? ".jsonl" : ".log")"
    }

    /// Opens the log files and returns the sinks for `RecordingLogHandler`.
    ///
    /// A log directory that cannot be created is reported on stderr and file logging is skipped;
    /// logging never stops the program.
    public func makeSinks(recent: RecentLogRecords? = nil) -> RecordingLogHandler.Sinks {
        var sinks = RecordingLogHandler.Sinks(standardError: logToStandardError, recent: recent)
        guard logToFile || logToJSONFile else { return sinks }
        let directory = directories.logDirectory(module: module)
        do {
            try Directories.ensureExists(directory)
        } catch {
            let message = Array("cannot create log directory \(directory): \(fileErrorReason(error))\n".utf8)
            _ = write(STDERR_FILENO, message, message.count)
            return sinks
        }
        let started = Timestamp.now
        if logToFile { sinks.file = RotatingLogFile(path: "\(directory)/\(fileName(startedAt: started))") }
        if logToJSONFile {
            sinks.jsonLines = RotatingLogFile(path: "\(directory)/\(fileName(startedAt: started, json: true))")
        }
        return sinks
    }

    /// Installs the handler for the whole process. Call once, from an executable's entry point.
    ///
    /// - Returns: The sinks in use (the caller may keep `recent` to serve it).
    @discardableResult
    public func bootstrap(recent: RecentLogRecords? = nil) -> RecordingLogHandler.Sinks {
        let sinks = makeSinks(recent: recent)
        let level = self.level
        LoggingSystem.bootstrap { label in RecordingLogHandler(label: label, level: level, sinks: sinks) }
        return sinks
    }

    /// The newest log files of `module` (human-readable ones), newest first; testing and normal
    /// runs are kept apart as aw-core's `get_latest_log_file` does.
    public static func logFiles(module: String, testing: Bool, directories: Directories = Directories()) -> [String] {
        let directory = directories.logDirectory(module: module)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return
            names
            .filter { $0.hasPrefix(module + "_") && $0.hasSuffix(".log") }
            .filter { $0.contains("_testing_") == testing }
            .sorted(by: >)
            .map { "\(directory)/\($0)" }
    }

    /// The newest log file of `module`, or `nil` when it has none.
    public static func latestLogFile(module: String, testing: Bool, directories: Directories = Directories()) -> String?
    {
        logFiles(module: module, testing: testing, directories: directories).first
    }
}
