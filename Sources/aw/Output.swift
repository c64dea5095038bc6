import AWCore
import ArgumentParser
import Foundation

/// How `aw` prints: tables and pairs for people, JSON for scripts.
enum Output {
    static func print(_ json: JSON) {
        Swift.print(json.serialized())
    }

    /// `key: value` lines with the values aligned.
    static func printPairs(_ pairs: [(String, String)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (key, value) in pairs {
            Swift.print(key + ":" + String(repeating: " ", count: width - key.count + 1) + value)
        }
    }

    /// A table with a header row; columns as wide as their widest cell, the last one unpadded.
    static func printTable(_ headers: [String], _ rows: [[String]]) {
        var widths = headers.map(\.count)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        for row in [headers] + rows {
            let cells = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            Swift.print(cells.joined(separator: "  "))
        }
    }

    /// `1h 02m 03s`, `4m 05s`, `6.5s`.
    static func duration(_ seconds: Double) -> String {
        guard seconds >= 60 else { return String(format: "%.1fs", seconds) }
        let whole = Int(seconds.rounded())
        let (hours, minutes, rest) = (whole / 3600, whole % 3600 / 60, whole % 60)
        return hours > 0
            ? String(format: "%dh %02dm %02ds", hours, minutes, rest) : String(format: "%dm %02ds", minutes, rest)
    }

    /// A timestamp in local time, to the second: `2026-05-01 09:00:00`.
    static func localTime(_ timestamp: Timestamp) -> String {
        localFormatter.string(from: Date(timeIntervalSince1970: timestamp.secondsSince1970))
    }

    private static let localFormatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter
    }()

    /// `text` cut to `limit` characters with an ellipsis.
    static func truncated(_ text: String, _ limit: Int = 80) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    /// Writes a line to stderr (messages that are not the command's output).
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}

/// Points in time given on the command line.
enum TimeArgument {
    /// For `@Option(transform:)`: RFC 3339, a local date or date and time, `now`, `today`,
    /// `yesterday`, or `-<n><unit>` (s, m, h, d, w) before now.
    static func transform(_ text: String) throws -> Timestamp {
        guard let timestamp = parse(text, now: Date()) else {
            throw ValidationError(
                "'\(text)' is not a time: use RFC 3339 (2026-05-01T09:00:00Z), a local date or time (2026-05-01, 2026-05-01T09:00), today, yesterday, now, or -30m/-2h/-7d"
            )
        }
        return timestamp
    }

    static func parse(_ text: String, now: Date) -> Timestamp? {
        let calendar = Calendar.current
        switch text {
        case "now": return Timestamp(secondsSince1970: now.timeIntervalSince1970)
        case "today": return Timestamp(secondsSince1970: calendar.startOfDay(for: now).timeIntervalSince1970)
        case "yesterday":
            let today = calendar.startOfDay(for: now)
            return calendar.date(byAdding: .day, value: -1, to: today).map {
                Timestamp(secondsSince1970: $0.timeIntervalSince1970)
            }
        default: break
        }
        if text.hasPrefix("-"), let unit = text.last, let count = Double(text.dropFirst().dropLast()), count >= 0 {
            let seconds: Double? = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604_800][unit]
            return seconds.map { Timestamp(secondsSince1970: now.timeIntervalSince1970 - count * $0) }
        }
        if let timestamp = try? Timestamp(rfc3339: text),
            text.hasSuffix("Z") || text.dropFirst(10).contains(where: { "+-".contains($0) })
        {
            return timestamp
        }
        for format in [
            "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss",
        ] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return Timestamp(secondsSince1970: date.timeIntervalSince1970) }
        }
        return nil
    }
}

extension JSON {
    /// Reads a JSON document given on the command line or in a file, naming `what` in the error.
    static func argument(_ text: String, what: String) throws -> JSON {
        do {
            return try JSON.parse(text)
        } catch {
            throw CommandFailure("\(what) is not valid JSON: \(error)")
        }
    }

    /// Reads a JSON file, `-` for standard input.
    static func file(_ path: String) throws -> JSON {
        let data: Data?
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            data = FileManager.default.contents(atPath: path)
        }
        guard let data else {
            throw CommandFailure(
                "\(path): \(FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")")
        }
        do {
            return try JSON.parse([UInt8](data))
        } catch {
            throw CommandFailure("\(path == "-" ? "standard input" : path) is not valid JSON: \(error)")
        }
    }
}
