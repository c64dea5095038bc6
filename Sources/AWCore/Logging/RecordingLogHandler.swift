import Glibc
import Logging

/// A swift-log handler that turns each message into a `LogRecord` and hands it to every
/// configured sink: stderr, a rotated human-readable file, a JSON-lines file, and the
/// in-memory buffer behind `GET /api/0/log`.
public struct RecordingLogHandler: LogHandler {
    /// Where records go.
    public struct Sinks: Sendable {
        /// Write human-readable lines to standard error.
        public var standardError: Bool
        /// A rotated human-readable log file.
        public var file: RotatingLogFile?
        /// A rotated file with one JSON object per line.
        public var jsonLines: RotatingLogFile?
        /// The in-memory buffer of recent records.
        public var recent: RecentLogRecords?

        public init(
            standardError: Bool = true,
            file: RotatingLogFile? = nil,
            jsonLines: RotatingLogFile? = nil,
            recent: RecentLogRecords? = nil
        ) {
            self.standardError = standardError
            self.file = file
            self.jsonLines = jsonLines
            self.recent = recent
        }
    }

    /// The logger's label.
    public let label: String
    /// The sinks records are written to.
    public let sinks: Sinks
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String, level: Logger.Level, sinks: Sinks) {
        self.label = label
        self.logLevel = level
        self.sinks = sinks
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        let record = LogRecord(
            timestamp: .now,
            level: event.level,
            label: label,
            message: event.message.description,
            metadata: merged.mapValues { $0.description }
        )
        if sinks.standardError || sinks.file != nil {
            let line = record.humanReadableLine
            if sinks.standardError {
                var bytes = line
                bytes.withUTF8 { _ = Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
            }
            sinks.file?.write(line)
        }
        if let jsonLines = sinks.jsonLines {
            var writer = JSONWriter()
            record.write(to: &writer)
            writer.writeByte(UInt8(ascii: "\n"))
            jsonLines.write(writer.string)
        }
        sinks.recent?.append(record)
    }
}
