import FoundationEssentials

/// A TOML configuration file of an ActivityWatch module, read into JSON values.
///
/// On first use the file is written with the module's default contents, every setting
/// commented out, so users see what they can change without anything being changed for them.
public struct ConfigFile: Sendable {
    /// Where the file lives.
    public var path: String
    /// The settings it holds: top-level keys and tables, as JSON values.
    public var values: [String: JSON]

    /// Reads the file at `path`, writing `defaultContents` there first when it does not exist.
    ///
    /// - Throws: `ConfigError` when the file cannot be written or read, or is not valid TOML.
    public static func load(path: String, defaultContents: String) throws(ConfigError) -> ConfigFile {
        let manager = FileManager.default
        if !manager.fileExists(atPath: path) {
            do {
                try Directories.ensureExists(URL(fileURLWithPath: path).deletingLastPathComponent().path)
                try defaultContents.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw ConfigError(
                    path: path, reason: "could not create the default config file: \(fileErrorReason(error))")
            }
        }
        guard let data = manager.contents(atPath: path) else {
            throw ConfigError(path: path, reason: "could not read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(path: path, reason: "the file is not UTF-8 text")
        }
        return try ConfigFile(path: path, text: text)
    }

    /// Parses TOML text.
    ///
    /// - Throws: `ConfigError` with the line and column of a syntax error.
    public init(path: String, text: String) throws(ConfigError) {
        self.path = path
        do {
            values = try TOMLReader.parse(text)
        } catch {
            throw ConfigError(path: path, reason: "line \(error.line), column \(error.column): \(error.reason)")
        }
    }

    /// A typed view of one table of the file: `nil` for the top level, a name such as `auth`,
    /// or a dotted path such as `watchers.window`. A missing table reads as empty.
    ///
    /// - Throws: `ConfigError` when a key on the path holds something other than a table.
    public func section(_ path: String? = nil) throws(ConfigError) -> ConfigSection {
        var section = ConfigSection(file: self.path, name: nil, values: values)
        guard let path else { return section }
        for component in path.split(separator: ".") {
            section = try section.section(String(component))
        }
        return section
    }
}

/// The settings of one table of a config file, read with type checks that name the key.
public struct ConfigSection: Sendable {
    /// The config file's path, for error messages.
    public let file: String
    /// The table's dotted name (`nil` at the top level).
    public let name: String?
    let values: [String: JSON]

    init(file: String, name: String?, values: [String: JSON]) {
        self.file = file
        self.name = name
        self.values = values
    }

    /// A section holding `values` (a table as JSON), e.g. one handed over by another process.
    public init(file: String, name: String?, json values: [String: JSON]) {
        self.init(file: file, name: name, values: values)
    }

    /// The table's settings as JSON values.
    public var json: [String: JSON] { values }

    /// An empty section (all settings at their defaults).
    public static func empty(file: String = "config.toml", name: String? = nil) -> ConfigSection {
        ConfigSection(file: file, name: name, values: [:])
    }

    /// The dotted name of `key` in this table, for messages: `watchers.window.poll_time`.
    public func key(_ key: String) -> String { name.map { "\($0).\(key)" } ?? key }

    /// A nested table; a missing one reads as empty.
    ///
    /// - Throws: `ConfigError` when the key holds something other than a table.
    public func section(_ key: String) throws(ConfigError) -> ConfigSection {
        guard let value = values[key] else { return ConfigSection(file: file, name: self.key(key), values: [:]) }
        guard case .object(let members) = value else {
            throw ConfigError(path: file, reason: "'\(self.key(key))' must be a table ([\(self.key(key))])")
        }
        return ConfigSection(file: file, name: self.key(key), values: members)
    }

    /// An array of tables (`[[watchers.window.rules]]`); missing reads as empty.
    ///
    /// - Throws: `ConfigError` when the key holds something other than an array of tables.
    public func tables(_ key: String) throws(ConfigError) -> [ConfigSection] {
        guard let value = values[key] else { return [] }
        guard case .array(let elements) = value else { throw mismatch(key, "an array of tables ([[...]])", value) }
        var result: [ConfigSection] = []
        for (index, element) in elements.enumerated() {
            guard case .object(let members) = element else {
                throw mismatch(key, "an array of tables ([[...]])", element)
            }
            result.append(ConfigSection(file: file, name: "\(self.key(key))[\(index + 1)]", values: members))
        }
        return result
    }

    /// An item of a list that may hold names and inline tables.
    public enum ListItem: Sendable {
        case string(String)
        case table(ConfigSection)
    }

    /// A list of strings and inline tables (`["a", { name = "b" }]`), or `nil` when absent.
    ///
    /// - Throws: `ConfigError` when the key or an item holds anything else.
    public func stringsOrTables(_ key: String) throws(ConfigError) -> [ListItem]? {
        guard let value = values[key] else { return nil }
        let expected = "a list of names and { ... } tables"
        guard case .array(let elements) = value else { throw mismatch(key, expected, value) }
        var result: [ListItem] = []
        for (index, element) in elements.enumerated() {
            switch element {
            case .string(let text): result.append(.string(text))
            case .object(let members):
                result.append(
                    .table(ConfigSection(file: file, name: "\(self.key(key))[\(index + 1)]", values: members)))
            default: throw mismatch(key, expected, element)
            }
        }
        return result
    }

    /// The keys present in this table.
    public var keys: [String] { values.keys.sorted() }

    /// An error about `key`, e.g. "'watchers.window.poll_time' must be positive".
    public func error(_ key: String, _ reason: String) -> ConfigError {
        ConfigError(path: file, reason: "'\(self.key(key))' \(reason)")
    }

    private func mismatch(_ key: String, _ expected: String, _ value: JSON) -> ConfigError {
        ConfigError(path: file, reason: "'\(self.key(key))' must be \(expected), got \(value.kindDescription)")
    }

    /// A string setting, or `nil` when absent.
    public func string(_ key: String) throws(ConfigError) -> String? {
        guard let value = values[key] else { return nil }
        guard case .string(let text) = value else { throw mismatch(key, "a string", value) }
        return text
    }

    /// An integer setting, or `nil` when absent.
    public func int(_ key: String) throws(ConfigError) -> Int? {
        guard let value = values[key] else { return nil }
        guard case .int(let number) = value else { throw mismatch(key, "an integer", value) }
        return Int(number)
    }

    /// A number setting (integer or float), or `nil` when absent.
    public func double(_ key: String) throws(ConfigError) -> Double? {
        guard let value = values[key] else { return nil }
        guard let number = value.doubleValue else { throw mismatch(key, "a number", value) }
        return number
    }

    /// A boolean setting, or `nil` when absent.
    public func bool(_ key: String) throws(ConfigError) -> Bool? {
        guard let value = values[key] else { return nil }
        guard case .bool(let flag) = value else { throw mismatch(key, "true or false", value) }
        return flag
    }

    /// A list-of-strings setting, or `nil` when absent.
    public func strings(_ key: String) throws(ConfigError) -> [String]? {
        guard let value = values[key] else { return nil }
        guard case .array(let elements) = value else { throw mismatch(key, "a list of strings", value) }
        var result: [String] = []
        for element in elements {
            guard case .string(let text) = element else { throw mismatch(key, "a list of strings", element) }
            result.append(text)
        }
        return result
    }
}

/// A configuration file that cannot be used.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// What is wrong.
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "config file \(path): \(reason)" }
}
