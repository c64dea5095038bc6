import AWCore
import AWWatcherKit
import AWX11
import CX11
import Logging

/// Reads the active window of an X display: `_NET_ACTIVE_WINDOW` on the root window (or the
/// input focus when no window manager sets it), its application (the class part of `WM_CLASS`,
/// looked up on parent windows when missing) and title (`_NET_WM_NAME`, else `WM_NAME`).
struct ActiveWindowReader {
    let display: XDisplay

    /// What `window` (the active one, from `activeWindow()`) shows. A window manager may leave
    /// `_NET_ACTIVE_WINDOW` naming a window that has since closed; a window that no longer exists
    /// counts as none.
    func sample(of window: Window?) -> ActiveWindow {
        guard let window else { return .none }
        let app = windowClass(window)
        let title = display.text("_NET_WM_NAME", of: window) ?? display.text("WM_NAME", of: window)
        if app == nil && title == nil {
            var attributes = XWindowAttributes()
            if XGetWindowAttributes(display.handle, window, &attributes) == 0 { return .none }
        }
        return .window(app: app ?? "unknown", title: title ?? "unknown")
    }

    /// The active window: `_NET_ACTIVE_WINDOW`, or the input focus without a window manager.
    func activeWindow() -> Window? {
        if let active = display.longs("_NET_ACTIVE_WINDOW", of: display.root, type: cx11_xa_window()) {
            return active.first.flatMap { $0 == 0 ? nil : Window($0) }
        }
        // No window manager: fall back to the input focus.
        var focus: Window = 0
        var revert: Int32 = 0
        XGetInputFocus(display.handle, &focus, &revert)
        return focus <= 1 || focus == display.root ? nil : focus  // 0 None, 1 PointerRoot
    }

    /// The class part of `WM_CLASS` ("instance\0Class\0"), from the window or its nearest parent.
    private func windowClass(_ window: Window) -> String? {
        var current: Window? = window
        for _ in 0..<8 {
            guard let candidate = current else { return nil }
            if let value = display.property("WM_CLASS", of: candidate, type: cx11_xa_string()) {
                let parts = value.bytes.split(separator: 0, omittingEmptySubsequences: false)
                if parts.count > 1, !parts[1].isEmpty { return String(decoding: parts[1], as: UTF8.self) }
            }
            current = display.parent(of: candidate)
        }
        return nil
    }
}
