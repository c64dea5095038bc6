import AFKWatcher
import AWPluginSDK
import WindowWatcher

/// The first-party desktop plugin, `libaw-plugin-desktop.so`: the window and AFK watchers (X11,
/// wlroots, KDE Plasma, Wayland idle). `aw-server` loads it from its plugin folders, so the
/// server itself links no desktop library.
@_cdecl("aw_plugin_entry")
public func desktopPluginEntry() -> UnsafeRawPointer {
    PluginExport.entry(WindowWatcher.self, AFKWatcher.self)
}
