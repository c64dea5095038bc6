/// The open windows a wlroots compositor announces through `zwlr_foreign_toplevel_manager_v1`,
/// kept as the protocol means them to be read: each window's title, app id and states arrive as
/// separate events and apply together at its `done` event, so a switch between two windows
/// (one deactivated, the other activated) is never seen half-way.
final class ToplevelList {
    /// One window as last committed by `done`.
    struct Toplevel: Equatable {
        var title: String?
        var appID: String?
        var activated = false
    }

    /// Windows by handle, as of their last `done`.
    private var committed: [UInt: Toplevel] = [:]
    /// Changes received since a window's last `done`.
    private var pending: [UInt: Toplevel] = [:]
    /// Set when a `done` or `closed` changed what is committed; cleared by `takeChange()`.
    private var changed = false

    /// The window that has the focus, or `nil` when none has (an empty workspace, the last
    /// window closed). Should a compositor mark several activated, the one that changed last
    /// wins.
    private var active: UInt?

    private func edit(_ handle: UInt, _ change: (inout Toplevel) -> Void) {
        var toplevel = pending[handle] ?? committed[handle] ?? Toplevel()
        change(&toplevel)
        pending[handle] = toplevel
    }

    func title(_ handle: UInt, _ title: String) { edit(handle) { $0.title = title } }
    func appID(_ handle: UInt, _ appID: String) { edit(handle) { $0.appID = appID } }
    func state(_ handle: UInt, activated: Bool) { edit(handle) { $0.activated = activated } }

    /// Applies the window's pending changes.
    func done(_ handle: UInt) {
        guard let toplevel = pending.removeValue(forKey: handle) else { return }
        if committed[handle] != toplevel { changed = true }
        committed[handle] = toplevel
        if toplevel.activated {
            active = handle
        } else if active == handle {
            active = nil
        }
    }

    /// Forgets a closed window.
    func closed(_ handle: UInt) {
        pending[handle] = nil
        if committed.removeValue(forKey: handle) != nil { changed = true }
        if active == handle { active = nil }
    }

    /// What is active now.
    var activeWindow: ActiveWindow {
        guard let active, let toplevel = committed[active] else { return .none }
        return .window(app: toplevel.appID ?? "unknown", title: toplevel.title ?? "unknown")
    }

    /// Whether anything changed since the last call.
    func takeChange() -> Bool {
        defer { changed = false }
        return changed
    }
}
