import AWCore
import AWDBus
import AWWatcherKit
import FoundationEssentials
import Glibc
import Logging

/// The window watcher's source on KDE Plasma (KWin, Wayland or X11): KWin lets only its own
/// scripts see the window list, so this loads a small KWin script over D-Bus that calls back into
/// this process with the active window's class and caption, once at load, at every switch and at
/// every caption change. Event-driven: each call asks for a sample at once.
///
/// The script is loaded under one plugin name, so a script left behind by a host that was killed
/// is unloaded first; it is unloaded again when watching ends. Calls are accepted from KWin only.
/// KWin quitting (or restarting) loses the sampler, and the loop loads the script again once KWin
/// is back.
struct KWinScriptSampler: EventSampler {
    /// KWin's name on the session bus.
    static let kwinService = "org.kde.KWin"
    /// The name the script is loaded under.
    static let pluginName = "aw-server-swift-window"
    /// Where the script calls this process.
    static let objectPath = "/org/activitywatch/AwServerSwift/Window"
    static let interface = "org.activitywatch.AwServerSwift.Window"

    private let bus: DBusConnection
    /// KWin's unique name: calls from anyone else are refused.
    private let kwin: String
    /// The script file KWin reads.
    private let scriptFile: String
    private var recorder: WindowRecorder
    /// The window KWin last reported; `nil` until the script's first call.
    private var active: ActiveWindow?
    private var kwinQuit = false
    let interval: Duration

    /// Loads and starts the script on the session bus `bus`.
    ///
    /// - Throws: `SourceUnavailable` when KWin is not on the bus or refuses the script.
    init(bus: DBusConnection, configuration: WindowWatcherConfiguration, logger: Logger) throws(SourceUnavailable) {
        self.bus = bus
        recorder = WindowRecorder(configuration: configuration, logger: logger)
        interval = .milliseconds(Int64(configuration.pollTime * 1000))
        let directory = Self.scriptDirectory()
        scriptFile = directory + "/kwin-window-\(getpid()).js"
        do throws(DBusFailure) {
            try bus.addMatch(
                "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',member='NameOwnerChanged',arg0='\(Self.kwinService)'"
            )
            kwin = try bus.owner(of: Self.kwinService)
        } catch {
            throw SourceUnavailable("KWin is not on the session bus: \(error)")
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Self.script(callingBack: bus.uniqueName).write(toFile: scriptFile, atomically: true, encoding: .utf8)
        } catch {
            throw SourceUnavailable("cannot write the KWin script to \(scriptFile): \(fileErrorReason(error))")
        }
        do throws(DBusFailure) {
            _ = try? Self.unload(on: bus)
            let loaded = try bus.call(
                Self.kwinService, "/Scripting", "org.kde.kwin.Scripting", "loadScript",
                [.string(scriptFile), .string(Self.pluginName)])
            guard case .int32(let id) = loaded.first, id >= 0 else {
                throw DBusFailure(name: "org.kde.kwin.Scripting", message: "loadScript answered \(loaded)")
            }
            // `start` runs every loaded script that is not running yet, on Plasma 5 and 6 alike.
            // Running the script at its own object path (Plasma 6: /Scripting/Script<id>, Plasma 5:
            // /<id>) is not safe on Plasma 5, which numbers scripts by how many are loaded, so
            // after an unload a new script's id can be that of one still loaded, and its path runs
            // the other script.
            try bus.call(Self.kwinService, "/Scripting", "org.kde.kwin.Scripting", "start")
        } catch {
            try? FileManager.default.removeItem(atPath: scriptFile)
            throw SourceUnavailable("KWin did not run the window script: \(error)")
        }
    }

    var descriptor: Int32 { bus.descriptor }
    var isLost: Bool { kwinQuit || bus.isLost }

    mutating func readEvents() -> Bool {
        var changed = false
        bus.readMessages { (message) throws(DBusFailure) -> [DBusValue]? in
            if !message.isMethodCall {
                // NameOwnerChanged(name, old owner, new owner) for KWin: it quit or was replaced.
                if message.member == "NameOwnerChanged", message.arguments.first == .string(Self.kwinService) {
                    kwinQuit = true
                }
                return nil
            }
            guard message.path == Self.objectPath, message.interface == Self.interface else { return nil }
            guard message.sender == kwin else {
                throw DBusFailure(
                    name: "org.freedesktop.DBus.Error.AccessDenied", message: "only KWin reports the active window")
            }
            switch message.member {
            case "Window":
                let text = message.arguments.map { $0.string ?? "" }
                guard text.count == 2 else {
                    throw DBusFailure(name: "org.freedesktop.DBus.Error.InvalidArgs", message: "Window takes (ss)")
                }
                active = .window(app: text[0].isEmpty ? "unknown" : text[0], title: text[1])
            case "NoWindow":
                active = ActiveWindow.none
            default:
                return nil
            }
            changed = true
            return []
        }
        return changed
    }

    mutating func sample(at clock: PollClock) -> [Heartbeat] {
        guard let active else { return [] }
        return recorder.observe(active, at: clock.wall)
    }

    mutating func finish(at clock: PollClock) -> [Heartbeat] {
        if !isLost { _ = try? Self.unload(on: bus) }
        try? FileManager.default.removeItem(atPath: scriptFile)
        return recorder.finish(at: clock.wall)
    }

    /// Unloads the script loaded under `pluginName`, if one is.
    private static func unload(on bus: DBusConnection) throws(DBusFailure) -> [DBusValue] {
        try bus.call(kwinService, "/Scripting", "org.kde.kwin.Scripting", "unloadScript", [.string(pluginName)])
    }

    /// A folder only this user reads: `$XDG_RUNTIME_DIR/aw-server-swift`, else one in the
    /// temporary folder.
    private static func scriptDirectory() -> String {
        let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"].flatMap { $0.isEmpty ? nil : $0 }
        return (runtime ?? FileManager.default.temporaryDirectory.path) + "/aw-server-swift"
    }

    /// The script, calling back to the connection named `service`. It speaks both KWin script
    /// APIs: Plasma 6 (`windowActivated`, `activeWindow`, `windowRemoved`) and Plasma 5
    /// (`clientActivated`, `activeClient`, `clientRemoved`).
    static func script(callingBack service: String) -> String {
        """
        // aw-server-swift: tells the window watcher which window is active, and its caption.
        (function () {
            var plasma6 = workspace.windowActivated !== undefined;
            var activated = plasma6 ? workspace.windowActivated : workspace.clientActivated;
            var removed = plasma6 ? workspace.windowRemoved : workspace.clientRemoved;
            function active() { return plasma6 ? workspace.activeWindow : workspace.activeClient; }
            function report(window) {
                if (window) {
                    callDBus("\(service)", "\(objectPath)", "\(interface)", "Window",
                        String(window.resourceClass || ""), String(window.caption || ""));
                } else {
                    callDBus("\(service)", "\(objectPath)", "\(interface)", "NoWindow");
                }
            }
            var watched = [];
            function watch(window) {
                if (!window || watched.indexOf(window) >= 0) return;
                watched.push(window);
                window.captionChanged.connect(function () {
                    if (active() === window) report(window);
                });
            }
            activated.connect(function (window) { watch(window); report(window); });
            removed.connect(function (window) {
                var index = watched.indexOf(window);
                if (index >= 0) watched.splice(index, 1);
            });
            watch(active());
            report(active());
        })();

        """
    }
}
