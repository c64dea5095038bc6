import AWCore
import AWDatastore

extension ServerAPI {
    /// The category rules the official web UI starts with, as the dashboard also offers them
    /// (`default-categories.json`).
    public static let defaultCategories: JSON = {
        guard let rules = try? JSON.parse(PackageResources.default_categories_json) else {
            preconditionFailure("default-categories.json in the dashboard's files is not JSON")
        }
        return rules
    }()

    /// Stores the settings a new database starts with, where they are not set: `classes`, the
    /// web UI's default categories, so that clients expecting a list (aw-client's `report`) work
    /// on a fresh server. Call it for a new database only: a setting deleted later stays deleted.
    public func storeDefaultSettings() async throws(DatastoreError) {
        if try await datastore.setting("classes") == nil {
            try await datastore.setSetting("classes", to: Self.defaultCategories)
            logger.info("stored the default categories as the 'classes' setting")
        }
    }
}
