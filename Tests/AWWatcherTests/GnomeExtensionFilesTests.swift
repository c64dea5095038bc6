import Foundation
import Testing

@testable import AWGnomeShell
@testable import AWGnomeShellTools

/// The extension's files as `aw-server gnome-extension install` writes them, and the reading of
/// what GNOME's tools print.
@Suite("GNOME Shell extension files and tools' output")
struct GnomeExtensionFilesTests {
    func text(_ files: [String: [UInt8]], _ name: String) -> String {
        String(decoding: files[name] ?? [], as: UTF8.self)
    }

    @Test("GNOME 43-44 get the script entry point, 45 and later the ES module, both around the one reporter body")
    func entryPoints() throws {
        let legacy = GnomeShellExtension.files(forShell: 43)
        let module = GnomeShellExtension.files(forShell: 45)
        for files in [legacy, module] {
            #expect(text(files, "extension.js").contains("function createReporter(shell)"))
            #expect(!text(files, "extension.js").contains("/* REPORTER */"))
            #expect(text(files, "extension.js").contains(GnomeShellExtension.busName))
        }
        #expect(
            text(legacy, "extension.js").contains("imports.gi")
                && text(legacy, "extension.js").contains("function init()"))
        #expect(!text(legacy, "extension.js").contains("export default"))
        #expect(text(module, "extension.js").contains("export default class"))
        #expect(GnomeShellExtension.listedVersions.first == 43 && GnomeShellExtension.listedVersions.contains(45))
        let metadata = try JSONSerialization.jsonObject(with: Data(legacy["metadata.json"] ?? [])) as? [String: Any]
        #expect(metadata?["uuid"] as? String == GnomeShellExtension.uuid)
        let newer =
            try JSONSerialization.jsonObject(
                with: Data(GnomeShellExtension.files(forShell: 99, listing: true)["metadata.json"] ?? []))
            as? [String: Any]
        #expect((newer?["shell-version"] as? [String])?.last == "99")
    }

    @Test("gsettings' string lists and gdbus' replies are read as GLib prints them")
    func toolOutput() {
        #expect(GnomeShellTools.parseStringList("@as []\n").isEmpty)
        #expect(GnomeShellTools.parseStringList("['a@b', 'it\\'s']\n") == ["a@b", "it's"])
        let values = ["x@y", "quote ' and \\ slash"]
        #expect(GnomeShellTools.parseStringList(GnomeShellTools.formatStringList(values)) == values)
        #expect(GnomeShellTools.formatStringList([]) == "@as []")
        let reply = "({'uuid': <'a@b'>, 'state': <1.0>, 'error': <'x > y <z>'>, 'hasPrefs': <false>},)\n"
        #expect(GnomeShellTools.field("state", in: reply) == "1.0")
        #expect(GnomeShellTools.field("error", in: reply) == "'x > y <z>'")
        #expect(GnomeShellTools.field("missing", in: reply) == nil)
    }
}
