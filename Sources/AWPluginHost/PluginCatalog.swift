import AWCore
import AWWatcherKit
import CAWPlugin
import Foundation

/// The plugin files found in the plugin folders, what each provides, and why any could not be
/// used. Loading never fails as a whole: a file that is not a plugin, a plugin built for another
/// ABI version or a module whose name is taken is recorded here (and logged by the caller); the
/// rest is used.
public struct PluginCatalog: Sendable {
    /// A folder searched for plugin files.
    public struct Folder: Sendable, Hashable {
        /// The folder.
        public var path: String
        /// Only files whose names start with this are plugins (the folder of the executable holds
        /// other libraries too); `nil` takes every `.so` file.
        public var prefix: String?

        public init(path: String, prefix: String? = nil) {
            self.path = path
            self.prefix = prefix
        }
    }

    /// One plugin file and what became of it.
    public struct File: Sendable {
        /// One module the file provides.
        public struct Module: Sendable {
            /// The module's name (its config section is `[watchers.<name>]`).
            public var name: String
            /// Why the module is not used (a name taken by another file, an invalid name); `nil`
            /// when it is.
            public var problem: String?
        }

        /// The file's path.
        public var path: String
        /// The ABI version the plugin was built for, when its entry function answered.
        public var abiVersion: Int?
        /// Its modules.
        public var modules: [Module]
        /// Why the file is not used at all; `nil` when it loaded.
        public var problem: String?
    }

    /// The folders searched, in order.
    public let folders: [Folder]
    /// Every file found, in search order.
    public private(set) var files: [File] = []
    /// The modules that can be used, in search order; a name appears once.
    public private(set) var modules: [ModuleDescriptor] = []

    /// Finds and loads the plugin files of `folders`, in order; of two modules with one name the
    /// first found is used. A file reached twice (a link, a folder listed twice) counts once.
    public init(folders: [Folder]) {
        self.folders = folders
        var seen: Set<String> = []
        for folder in folders {
            for path in Self.pluginFiles(in: folder) {
                let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
                guard seen.insert(resolved).inserted else { continue }
                add(path)
            }
        }
    }

    /// The folders searched, in order: the configured ones (`[plugins] path`), the user's
    /// (`$XDG_DATA_HOME/activitywatch/aw-server-swift/plugins`), the installation's
    /// (`../lib/aw-server-swift/plugins` beside the executable) and the executable's own folder
    /// (files named `libaw-plugin-*.so`: where a build puts the first-party plugins).
    ///
    /// - Parameters:
    ///   - configured: Folders from the configuration; relative ones are taken from `base`.
    ///   - base: The folder relative configured paths start from (the config file's).
    ///   - directories: The XDG directories.
    ///   - executable: The running executable's path.
    public static func standardFolders(
        configured: [String], base: String, directories: Directories, executable: String? = currentExecutable
    ) -> [Folder] {
        var folders = configured.map { path -> Folder in
            if path == "~" || path.hasPrefix("~/") { return Folder(path: directories.home + path.dropFirst()) }
            return Folder(path: path.hasPrefix("/") ? path : "\(base)/\(path)")
        }
        folders.append(Folder(path: "\(directories.dataDirectory(module: "aw-server-swift"))/plugins"))
        if let executable {
            let folder = URL(fileURLWithPath: executable).deletingLastPathComponent()
            folders.append(
                Folder(path: folder.appendingPathComponent("../lib/aw-server-swift/plugins").standardized.path))
            folders.append(Folder(path: folder.path, prefix: "libaw-plugin-"))
        }
        return folders
    }

    /// The running executable's path (`/proc/self/exe`), with links resolved.
    public static var currentExecutable: String? {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? Bundle.main.executablePath
    }

    /// The `.so` files of a folder, sorted by name; none when the folder does not exist.
    static func pluginFiles(in folder: Folder) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return names.filter { name in
            name.hasSuffix(".so") && (folder.prefix.map { name.hasPrefix($0) } ?? true)
        }.sorted().map { "\(folder.path)/\($0)" }
    }

    private mutating func add(_ path: String) {
        let library: PluginLibrary
        do {
            library = try PluginLibrary(path: path)
        } catch {
            files.append(File(path: path, abiVersion: error.abiVersion, modules: [], problem: error.reason))
            return
        }
        var entries: [File.Module] = []
        for module in library.modules {
            if let problem = Self.nameProblem(module.name) {
                entries.append(.init(name: module.name, problem: problem))
            } else if let other = files.first(where: {
                $0.modules.contains { $0.name == module.name && $0.problem == nil }
            }) {
                entries.append(
                    .init(name: module.name, problem: "not used: '\(module.name)' is provided by \(other.path)"))
            } else if entries.contains(where: { $0.name == module.name }) {
                entries.append(.init(name: module.name, problem: "not used: the file provides '\(module.name)' twice"))
            } else {
                entries.append(.init(name: module.name, problem: nil))
                modules.append(module.descriptor)
            }
        }
        files.append(File(path: path, abiVersion: Int(AW_PLUGIN_ABI_VERSION), modules: entries, problem: nil))
    }

    /// Why `name` cannot be a module's name (it names a config section and a log label).
    static func nameProblem(_ name: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-_")
        if name.isEmpty || !name.allSatisfy(allowed.contains) {
            return "not used: a module name holds only a-z, 0-9, '-' and '_', got '\(name)'"
        }
        return nil
    }

    /// One line per problem, naming the file (and module) and the reason, for the log.
    public var problems: [String] {
        files.flatMap { file -> [String] in
            if let problem = file.problem { return ["plugin \(file.path): \(problem)"] }
            return file.modules.compactMap { module in
                module.problem.map { "plugin \(file.path), module '\(module.name)': \($0)" }
            }
        }
    }
}
