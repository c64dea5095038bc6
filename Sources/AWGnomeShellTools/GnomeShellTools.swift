import AWGnomeShell
import Foundation
import Synchronization

/// What a program run to the end printed, and how it ended.
public struct ToolOutput: Sendable {
    /// Its exit status.
    public var status: Int32
    /// What it printed on stdout.
    public var output: String
    /// What it printed on stderr.
    public var errorOutput: String

    /// Whether it exited with status 0.
    public var succeeded: Bool { status == 0 }
}

/// GNOME's command-line tools, which every GNOME desktop has (libglib2.0-bin: `gsettings`,
/// `gdbus`), run as programs so that `aw-server` itself links no D-Bus or GLib library.
public struct GnomeShellTools: Sendable {
    /// The environment the tools run with (the session's bus comes from it).
    public var environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    /// Runs `arguments` (found on PATH) to the end.
    ///
    /// - Returns: `nil` when the program is not installed.
    public func run(_ arguments: [String]) -> ToolOutput? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = errors
        do { try process.run() } catch { return nil }
        // Read both pipes at once: a program that fills one while the other is read would block.
        let errorData = Mutex<Data>(Data())
        let errorsRead = DispatchSemaphore(value: 0)
        Thread {
            let data = errors.fileHandleForReading.readDataToEndOfFile()
            errorData.withLock { $0 = data }
            errorsRead.signal()
        }.start()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        errorsRead.wait()
        process.waitUntilExit()
        let status = process.terminationStatus
        // `env` exits 127 when it finds no such program.
        if status == 127 { return nil }
        return ToolOutput(
            status: status, output: String(decoding: data, as: UTF8.self),
            errorOutput: errorData.withLock { String(decoding: $0, as: UTF8.self) })
    }

    // MARK: GNOME Shell's settings (gsettings)

    /// A string-list setting of `org.gnome.shell` (`enabled-extensions`, `disabled-extensions`).
    ///
    /// - Throws: `GnomeShellToolError` when gsettings is missing or fails.
    public func stringList(_ key: String) throws(GnomeShellToolError) -> [String] {
        let result = try require(["gsettings", "get", "org.gnome.shell", key])
        return Self.parseStringList(result.output)
    }

    /// Sets a string-list setting of `org.gnome.shell`.
    public func setStringList(_ key: String, _ values: [String]) throws(GnomeShellToolError) {
        try require(["gsettings", "set", "org.gnome.shell", key, Self.formatStringList(values)])
    }

    /// A boolean setting of `org.gnome.shell` (`disable-user-extensions`, ...).
    public func flag(_ key: String) throws(GnomeShellToolError) -> Bool {
        try require(["gsettings", "get", "org.gnome.shell", key]).output.trimmingCharacters(in: .whitespacesAndNewlines)
            == "true"
    }

    /// The quoted strings in GVariant text, in order: an array of strings (`['a', 'b']`, `@as []`),
    /// or the string values of a reply gdbus printed.
    static func parseStringList(_ text: String) -> [String] {
        var values: [String] = []
        var current: String?
        var quote: Character = "'"
        var escaped = false
        for character in text {
            if var value = current {
                if escaped {
                    value.append(character)
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == quote {
                    values.append(value)
                    current = nil
                    continue
                } else {
                    value.append(character)
                }
                current = value
            } else if character == "'" || character == "\"" {
                quote = character
                current = ""
            }
        }
        return values
    }

    /// Writes an array of strings as GVariant text.
    static func formatStringList(_ values: [String]) -> String {
        let items = values.map {
            "'" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
        }
        return items.isEmpty ? "@as []" : "[" + items.joined(separator: ", ") + "]"
    }

    // MARK: The running shell (gdbus)

    /// The running GNOME Shell's version (its `ShellVersion` property), or the installed
    /// `gnome-shell`'s when none runs in this session.
    ///
    /// - Returns: The major version and the full one (`43`, `43.9`); `nil` when neither tells.
    public func shellVersion() -> (major: Int, full: String)? {
        var text: String?
        if let reply = gdbus(
            "org.gnome.Shell", "/org/gnome/Shell", "org.freedesktop.DBus.Properties.Get", "org.gnome.Shell",
            "ShellVersion")
        {
            text = Self.parseStringList(reply).first
        }
        if text == nil, let result = run(["gnome-shell", "--version"]), result.succeeded {
            text = result.output.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        guard let text, let major = Int(text.prefix { $0.isNumber }) else { return nil }
        return (major, text)
    }

    /// What the running shell says about the extension `uuid`: its state number and error text.
    ///
    /// - Returns: `nil` when no GNOME Shell answers on the session bus; state 0 when it does not
    ///   know the extension.
    public func extensionInfo(_ uuid: String) -> (state: Int, error: String)? {
        guard
            let reply = gdbus(
                "org.gnome.Shell", "/org/gnome/Shell", "org.gnome.Shell.Extensions.GetExtensionInfo", uuid)
        else { return nil }
        let state = Self.field("state", in: reply).flatMap { Double($0) }.map { Int($0) } ?? 0
        let error = Self.field("error", in: reply).flatMap { Self.parseStringList($0).first } ?? ""
        return (state, error)
    }

    /// Asks the running shell to enable the extension `uuid` (possible when it found the extension
    /// at login).
    ///
    /// - Returns: Whether it did.
    public func enableInShell(_ uuid: String) -> Bool {
        gdbus("org.gnome.Shell", "/org/gnome/Shell", "org.gnome.Shell.Extensions.EnableExtension", uuid)?
            .contains("true") == true
    }

    /// Asks the running shell to disable and remove the extension `uuid` (files and setting).
    ///
    /// - Returns: Whether it did.
    public func uninstallInShell(_ uuid: String) -> Bool {
        gdbus("org.gnome.Shell", "/org/gnome/Shell", "org.gnome.Shell.Extensions.UninstallExtension", uuid)?
            .contains("true") == true
    }

    /// The protocol version the extension answers with, when it runs in this session.
    public func extensionAnswers() -> UInt32? {
        gdbus(
            GnomeShellExtension.busName, GnomeShellExtension.objectPath,
            GnomeShellExtension.interface + ".GetVersion"
        ).flatMap { reply in
            UInt32(reply.filter(\.isNumber))
        }
    }

    /// Calls `method` (interface.member) on the session bus with string arguments.
    ///
    /// - Returns: gdbus's text of the reply; `nil` when the call failed or gdbus is missing.
    func gdbus(_ destination: String, _ path: String, _ method: String, _ arguments: String...) -> String? {
        guard
            let result = run(
                [
                    "gdbus", "call", "--session", "--timeout", "5", "--dest", destination, "--object-path", path,
                    "--method", method,
                ]
                    + arguments),
            result.succeeded
        else { return nil }
        return result.output
    }

    /// The text after `'name': <` up to the matching `>` in gdbus's text of a dictionary.
    static func field(_ name: String, in text: String) -> String? {
        guard let start = text.range(of: "'\(name)': <") else { return nil }
        let rest = text[start.upperBound...]
        var depth = 0
        var inQuote = false
        for index in rest.indices {
            let character = rest[index]
            if character == "'" && (index == rest.startIndex || rest[rest.index(before: index)] != "\\") {
                inQuote.toggle()
            } else if !inQuote && character == "<" {
                depth += 1
            } else if !inQuote && character == ">" {
                if depth == 0 { return String(rest[..<index]) }
                depth -= 1
            }
        }
        return nil
    }

    @discardableResult
    private func require(_ arguments: [String]) throws(GnomeShellToolError) -> ToolOutput {
        guard let result = run(arguments) else {
            throw GnomeShellToolError("\(arguments[0]) is not installed (Debian: libglib2.0-bin)")
        }
        guard result.succeeded else {
            throw GnomeShellToolError(
                "\(arguments.joined(separator: " ")) failed: \(result.errorOutput.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        return result
    }
}

/// A GNOME tool that is missing or failed.
public struct GnomeShellToolError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
