import AWCore
import Foundation

/// What `GET /api/0/info` reports.
public struct ServerInfo: Sendable, Hashable {
    /// The machine's hostname.
    public var hostname: String
    /// The server version, e.g. `v0.1.0 (swift)`.
    public var version: String
    /// Whether the server runs in testing mode.
    public var testing: Bool
    /// A stable random id of this installation.
    public var deviceID: String

    public init(hostname: String, version: String = ServerInfo.currentVersion, testing: Bool, deviceID: String) {
        self.hostname = hostname
        self.version = version
        self.testing = testing
        self.deviceID = deviceID
    }

    /// The version string of this build.
    public static let currentVersion = ProductVersion.display

    /// Reads the device id from `<dataDirectory>/device_id`, creating it (a random UUID) on first use.
    ///
    /// - Throws: the file system's error when the file can be neither read nor created.
    public static func deviceID(dataDirectory: String) throws -> String {
        let path = "\(dataDirectory)/device_id"
        if let data = FileManager.default.contents(atPath: path),
            let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
            !text.isEmpty
        {
            return text
        }
        try Directories.ensureExists(dataDirectory)
        let id = UUID().uuidString.lowercased()
        try id.write(toFile: path, atomically: true, encoding: .utf8)
        return id
    }

    /// `{"hostname", "version", "testing", "device_id"}`.
    public var json: JSON {
        [
            "hostname": .string(hostname), "version": .string(version), "testing": .bool(testing),
            "device_id": .string(deviceID),
        ]
    }
}
