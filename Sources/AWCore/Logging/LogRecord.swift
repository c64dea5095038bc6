import Logging

/// One log message as kept in memory and written to the JSON-lines log.
public struct LogRecord: Sendable, Hashable {
    /// When it was logged.
    public var timestamp: Timestamp
    /// Its severity.
    public var level: Logger.Level
    /// The logger's label, e.g. `aw-server-swift`.
    public var label: String
    /// The message text.
    public var message: String
    /// Structured metadata, flattened to strings.
    public var metadata: [String: String]

    public init(timestamp: Timestamp, level: Logger.Level, label: String, message: String, metadata: [String: String]) {
        self.timestamp = timestamp
        self.level = level
        self.label = label
        self.message = message
        self.metadata = metadata
    }

    /// The record as one compact JSON object:
    /// `{"time": …, "level": "info", "logger": …, "message": …, "metadata": {…}}`.
    public func write(to writer: inout JSONWriter) {
        writer.writeRaw("{\"time\":")
        writer.writeOptional(timestamp)
        writer.writeRaw(",\"level\":")
        writer.write(level.rawValue)
        writer.writeRaw(",\"logger\":")
        writer.write(label)
        writer.writeRaw(",\"message\":")
        writer.write(message)
        writer.writeRaw(",\"metadata\":")
        writer.write(metadata.mapValues { JSON.string($0) })
        writer.writeByte(UInt8(ascii: "}"))
    }

    /// The human-readable line written to stderr and the log file:
    /// `2024-05-01 10:00:00.123 [INFO ]: message key=value  (label)`.
    public var humanReadableLine: String {
        var utc = timestamp.rfc3339
        // "2024-05-01T10:00:00.123456Z" -> "2024-05-01 10:00:00.123"
        utc = String(utc.dropLast())
        if let dot = utc.firstIndex(of: ".") {
            let end = utc.index(dot, offsetBy: 4, limitedBy: utc.endIndex) ?? utc.endIndex
            utc = String(utc[..<end])
        }
        let when = utc.replacingOccurrences(of: "T", with: " ")
        let levelName = level.shortName.padding(toLength: 5, withPad: " ", startingAt: 0)
        let extra =
            metadata.isEmpty
            ? "" : " " + metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(when) [\(levelName)]: \(message)\(extra)  (\(label))\n"
    }
}

extension Logger.Level {
    /// The upper-case name as the Python logging module prints it (`INFO`, `WARN`, …).
    var shortName: String {
        switch self {
        case .trace: return "TRACE"
        case .debug: return "DEBUG"
        case .info: return "INFO"
        case .notice: return "NOTICE"
        case .warning: return "WARN"
        case .error: return "ERROR"
        case .critical: return "CRITICAL"
        }
    }
}

extension String {
    fileprivate func padding(toLength length: Int, withPad pad: Character, startingAt _: Int) -> String {
        count >= length ? self : self + String(repeating: pad, count: length - count)
    }

    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
