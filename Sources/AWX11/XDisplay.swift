import CX11
import Synchronization

/// A connection to an X display, owned by one thread.
///
/// Xlib's default error handlers end the process: a window closing between two requests
/// (BadWindow) or the X server going away would take the whole `aw-server` down. This
/// connection installs handlers that ignore protocol errors (each request's result says it
/// failed) and, when the connection breaks, mark it lost instead of exiting.
public final class XDisplay {
    /// The Xlib display.
    public let handle: OpaquePointer
    /// The root window of the default screen.
    public let root: Window
    private let lostFlag: LostFlag
    private var atoms: [String: Atom] = [:]

    /// Set from Xlib's I/O-error path when the connection to the X server breaks.
    final class LostFlag: Sendable {
        let lost = Mutex(false)
    }

    /// Opens the display named `name` (`nil`: `$DISPLAY`).
    ///
    /// - Returns: `nil` when the display cannot be opened.
    public init?(name: String?) {
        XSetErrorHandler { _, _ in 0 }
        XSetIOErrorHandler { _ in 0 }
        let opened = name.map { XOpenDisplay($0) } ?? XOpenDisplay(nil)
        guard let opened else { return nil }
        handle = opened
        root = cx11_default_root_window(opened)
        lostFlag = LostFlag()
        XSetIOErrorExitHandler(
            opened,
            { _, userData in
                guard let userData else { return }
                Unmanaged<LostFlag>.fromOpaque(userData).takeUnretainedValue().lost.withLock { $0 = true }
            },
            Unmanaged.passUnretained(lostFlag).toOpaque()
        )
    }

    deinit {
        // A broken connection is left alone: closing it would talk to the dead server again.
        if !isLost { XCloseDisplay(handle) }
    }

    /// Whether the connection to the X server has broken; a lost display can only be dropped.
    public var isLost: Bool { lostFlag.lost.withLock { $0 } }

    /// The atom named `name`, interned once per connection.
    public func atom(_ name: String) -> Atom {
        if let known = atoms[name] { return known }
        let atom = XInternAtom(handle, name, 0)
        atoms[name] = atom
        return atom
    }

    /// A window property: its type, format (8, 16 or 32) and raw bytes.
    ///
    /// - Parameters:
    ///   - type: The type to ask for; `AnyPropertyType` (0) takes whatever is there.
    /// - Returns: `nil` when the property is missing or the window is gone.
    public func property(_ name: String, of window: Window, type: Atom = 0, maximumLength: Int = 4096) -> (
        type: Atom, format: Int32, bytes: [UInt8]
    )? {
        var actualType: Atom = 0
        var actualFormat: Int32 = 0
        var itemCount: UInt = 0
        var bytesAfter: UInt = 0
        var data: UnsafeMutablePointer<UInt8>?
        let status = XGetWindowProperty(
            handle, window, atom(name), 0, maximumLength / 4, 0, type, &actualType, &actualFormat, &itemCount,
            &bytesAfter, &data)
        defer { if let data { XFree(data) } }
        guard status == Success, actualType != 0, let data else { return nil }
        // Xlib stores format-32 items as C longs.
        let itemSize = actualFormat == 32 ? MemoryLayout<CLong>.size : Int(actualFormat) / 8
        return (actualType, actualFormat, Array(UnsafeBufferPointer(start: data, count: Int(itemCount) * itemSize)))
    }

    /// A property holding window ids or atoms (format 32), as numbers.
    public func longs(_ name: String, of window: Window, type: Atom = 0) -> [UInt]? {
        guard let value = property(name, of: window, type: type), value.format == 32 else { return nil }
        return value.bytes.withUnsafeBytes { Array($0.bindMemory(to: UInt.self)) }
    }

    /// The window's parent, or `nil` at the root or when the window is gone.
    public func parent(of window: Window) -> Window? {
        var rootReturn: Window = 0
        var parent: Window = 0
        var children: UnsafeMutablePointer<Window>?
        var count: UInt32 = 0
        guard XQueryTree(handle, window, &rootReturn, &parent, &children, &count) != 0 else { return nil }
        if let children { XFree(children) }
        return parent == 0 || parent == rootReturn ? nil : parent
    }
}
