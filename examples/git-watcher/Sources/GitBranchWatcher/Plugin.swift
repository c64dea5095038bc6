import AWPluginSDK

/// What makes this library an aw-server plugin: the entry function aw-server looks for, listing
/// the modules it provides.
@_cdecl("aw_plugin_entry")
public func gitPluginEntry() -> UnsafeRawPointer {
    PluginExport.entry(GitBranchWatcher.self)
}
