import AWCore
import AWDatastore

/// Something the user should know and act on, shown by the dashboard on every page.
public struct Notice: Sendable, Equatable {
    /// What it is about, e.g. `legacy-import`.
    public var id: String
    /// One or two sentences for the user.
    public var message: String
    /// The command that puts it right, when there is one.
    public var command: String?

    public init(id: String, message: String, command: String? = nil) {
        self.id = id
        self.message = message
        self.command = command
    }

    /// `{"id": …, "message": …, "command": …}`.
    var json: JSON {
        var fields: [String: JSON] = ["id": .string(id), "message": .string(message)]
        if let command { fields["command"] = .string(command) }
        return .object(fields)
    }
}

extension ServerAPI {
    /// What the user should act on: a first-start import of another server's history that
    /// failed, until an import succeeds.
    public func notices() async throws(DatastoreError) -> [Notice] {
        guard let sqlite = datastore as? Datastore, let problem = try await sqlite.legacyImportProblem() else {
            return []
        }
        return [
            Notice(
                id: "legacy-import",
                message:
                    "Your earlier ActivityWatch history was not imported on the first start: \(problem). Stop aw-server and run the command below to import it.",
                command: info.testing ? "aw-server import-legacy --testing" : "aw-server import-legacy")
        ]
    }
}
