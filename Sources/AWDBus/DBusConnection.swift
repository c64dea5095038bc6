import CDBus
import FoundationEssentials
import Glibc

/// A value passed to or from a D-Bus method or signal: the basic types the desktop sources use.
public enum DBusValue: Sendable, Hashable {
    case string(String)
    case objectPath(String)
    case boolean(Bool)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    /// A value of a type this library does not read (a container), by its type code.
    case other(Character)

    /// The string, when this is one.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

/// A D-Bus error: the error's name (`org.freedesktop.DBus.Error.ServiceUnknown`) and message.
public struct DBusFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error's name.
    public var name: String
    /// What it says.
    public var message: String

    public init(name: String, message: String) {
        self.name = name
        self.message = message
    }

    public var description: String { message.isEmpty ? name : "\(message) (\(name))" }
}

/// A message that arrived: a method call to this connection or a signal it subscribed to.
public struct DBusIncoming: Sendable {
    /// Whether it is a method call (else a signal).
    public var isMethodCall: Bool
    /// The unique name of the connection that sent it.
    public var sender: String
    public var path: String
    public var interface: String
    public var member: String
    public var arguments: [DBusValue]
}

/// A private connection to a D-Bus message bus (the session bus by default), used from one thread:
/// it calls methods (waiting at most a deadline for the reply), subscribes to signals, and serves
/// the method calls other programs make to it, all without an event loop of its own: the owner
/// polls `descriptor` and calls `readMessages`.
///
/// The connection never ends the process when the bus goes away (libdbus's default); it reports
/// `isLost` instead.
public final class DBusConnection {
    private let connection: OpaquePointer
    /// The name the bus gave this connection (`:1.42`), which other programs call it by.
    public let uniqueName: String

    /// Connects to the bus at `address` (`nil`: the session bus).
    ///
    /// - Throws: `DBusFailure` when there is no bus or it refuses the connection.
    public init(address: String? = nil) throws(DBusFailure) {
        guard let address = address ?? Self.sessionBusAddress() else {
            throw DBusFailure(
                name: "org.freedesktop.DBus.Error.NoServer",
                message: "DBUS_SESSION_BUS_ADDRESS is not set and there is no $XDG_RUNTIME_DIR/bus")
        }
        _ = dbus_threads_init_default()
        var error = DBusError()
        dbus_error_init(&error)
        defer { dbus_error_free(&error) }
        guard let opened = dbus_connection_open_private(address, &error) else { throw Self.failure(error) }
        dbus_connection_set_exit_on_disconnect(opened, 0)
        guard dbus_bus_register(opened, &error) != 0 else {
            dbus_connection_close(opened)
            dbus_connection_unref(opened)
            throw Self.failure(error)
        }
        connection = opened
        uniqueName = dbus_bus_get_unique_name(opened).map { String(cString: $0) } ?? ""
    }

    /// The session bus's address: `$DBUS_SESSION_BUS_ADDRESS`, else the socket systemd's user
    /// manager opens at `$XDG_RUNTIME_DIR/bus`. Never a bus started on demand (libdbus's
    /// "autolaunch"), which would not be the desktop's.
    public static func sessionBusAddress(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        if let address = environment["DBUS_SESSION_BUS_ADDRESS"], !address.isEmpty { return address }
        guard let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty else { return nil }
        var info = stat()
        guard stat(runtime + "/bus", &info) == 0, (info.st_mode & S_IFMT) == S_IFSOCK else { return nil }
        return "unix:path=\(runtime)/bus"
    }

    deinit {
        dbus_connection_close(connection)
        dbus_connection_unref(connection)
    }

    /// The socket: readable when messages arrive.
    public var descriptor: Int32 {
        var fd: Int32 = -1
        _ = dbus_connection_get_unix_fd(connection, &fd)
        return fd
    }

    /// Whether the bus has gone away.
    public var isLost: Bool { dbus_connection_get_is_connected(connection) == 0 }

    /// Calls `method` and waits for the reply.
    ///
    /// - Returns: The reply's values.
    /// - Throws: `DBusFailure`: the error the receiver replied, or no reply within `timeout`
    ///   (`org.freedesktop.DBus.Error.NoReply`).
    @discardableResult
    public func call(
        _ destination: String, _ path: String, _ interface: String, _ method: String, _ arguments: [DBusValue] = [],
        timeout: Duration = .seconds(5)
    ) throws(DBusFailure) -> [DBusValue] {
        guard let message = dbus_message_new_method_call(destination, path, interface, method) else {
            throw DBusFailure(name: "org.freedesktop.DBus.Error.InvalidArgs", message: "a bad name in \(method)")
        }
        defer { dbus_message_unref(message) }
        Self.append(arguments, to: message)
        var error = DBusError()
        dbus_error_init(&error)
        defer { dbus_error_free(&error) }
        let milliseconds = Int32(
            clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard let reply = dbus_connection_send_with_reply_and_block(connection, message, milliseconds, &error) else {
            throw Self.failure(error)
        }
        defer { dbus_message_unref(reply) }
        return Self.values(of: reply)
    }

    /// Whether a program owns `name` on the bus now.
    public func hasOwner(_ name: String) throws(DBusFailure) -> Bool {
        let reply = try call(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner", [.string(name)])
        return reply.first == .boolean(true)
    }

    /// The unique name of the program that owns `name` now.
    public func owner(of name: String) throws(DBusFailure) -> String {
        let reply = try call(
            "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner", [.string(name)])
        return reply.first?.string ?? ""
    }

    /// Subscribes to the signals `rule` matches (D-Bus match rule syntax).
    public func addMatch(_ rule: String) throws(DBusFailure) {
        try call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch", [.string(rule)])
    }

    /// Reads what has arrived, without blocking, and hands each method call and signal to
    /// `handle`. A method call is answered with the values `handle` returns, with the error it
    /// throws, or, when it returns `nil`, with "unknown method".
    public func readMessages(_ handle: (DBusIncoming) throws(DBusFailure) -> [DBusValue]?) {
        while true {
            if dbus_connection_get_dispatch_status(connection) != DBUS_DISPATCH_DATA_REMAINS {
                guard dbus_connection_read_write(connection, 0) != 0 else { return }
            }
            guard let message = dbus_connection_pop_message(connection) else { return }
            defer { dbus_message_unref(message) }
            let type = dbus_message_get_type(message)
            guard type == DBUS_MESSAGE_TYPE_METHOD_CALL || type == DBUS_MESSAGE_TYPE_SIGNAL else { continue }
            func text(_ value: UnsafePointer<CChar>?) -> String { value.map { String(cString: $0) } ?? "" }
            let incoming = DBusIncoming(
                isMethodCall: type == DBUS_MESSAGE_TYPE_METHOD_CALL, sender: text(dbus_message_get_sender(message)),
                path: text(dbus_message_get_path(message)), interface: text(dbus_message_get_interface(message)),
                member: text(dbus_message_get_member(message)), arguments: Self.values(of: message))
            let answer: Result<[DBusValue]?, DBusFailure>
            do throws(DBusFailure) {
                answer = .success(try handle(incoming))
            } catch {
                answer = .failure(error)
            }
            guard incoming.isMethodCall, dbus_message_get_no_reply(message) == 0 else { continue }
            let reply: OpaquePointer?
            switch answer {
            case .success(let values?):
                reply = dbus_message_new_method_return(message)
                if let reply { Self.append(values, to: reply) }
            case .success(nil):
                reply = dbus_message_new_error(
                    message, "org.freedesktop.DBus.Error.UnknownMethod",
                    "no method \(incoming.interface).\(incoming.member) at \(incoming.path)")
            case .failure(let failure):
                reply = dbus_message_new_error(message, failure.name, failure.message)
            }
            if let reply {
                _ = dbus_connection_send(connection, reply, nil)
                dbus_message_unref(reply)
                dbus_connection_flush(connection)
            }
        }
    }

    private static func failure(_ error: DBusError) -> DBusFailure {
        DBusFailure(
            name: error.name.map { String(cString: $0) } ?? "org.freedesktop.DBus.Error.Failed",
            message: error.message.map { String(cString: $0) } ?? "")
    }

    /// D-Bus type codes (the C macros are casts, which Swift does not import).
    private enum TypeCode {
        static let string = Int32(UInt8(ascii: "s"))
        static let objectPath = Int32(UInt8(ascii: "o"))
        static let boolean = Int32(UInt8(ascii: "b"))
        static let int32 = Int32(UInt8(ascii: "i"))
        static let uint32 = Int32(UInt8(ascii: "u"))
        static let int64 = Int32(UInt8(ascii: "x"))
        static let uint64 = Int32(UInt8(ascii: "t"))
        static let double = Int32(UInt8(ascii: "d"))
    }

    private static func append(_ values: [DBusValue], to message: OpaquePointer) {
        var iterator = DBusMessageIter()
        dbus_message_iter_init_append(message, &iterator)
        func basic<T: BitwiseCopyable>(_ type: Int32, _ value: T) {
            var value = value
            withUnsafeMutableBytes(of: &value) { _ = dbus_message_iter_append_basic(&iterator, type, $0.baseAddress) }
        }
        func text(_ type: Int32, _ value: String) {
            value.withCString { pointer in
                var pointer: UnsafePointer<CChar>? = pointer
                _ = dbus_message_iter_append_basic(&iterator, type, &pointer)
            }
        }
        for value in values {
            switch value {
            case .string(let value): text(TypeCode.string, value)
            case .objectPath(let value): text(TypeCode.objectPath, value)
            case .boolean(let value): basic(TypeCode.boolean, dbus_bool_t(value ? 1 : 0))
            case .int32(let value): basic(TypeCode.int32, value)
            case .uint32(let value): basic(TypeCode.uint32, value)
            case .int64(let value): basic(TypeCode.int64, value)
            case .uint64(let value): basic(TypeCode.uint64, value)
            case .double(let value): basic(TypeCode.double, value)
            case .other: continue
            }
        }
    }

    private static func values(of message: OpaquePointer) -> [DBusValue] {
        var iterator = DBusMessageIter()
        guard dbus_message_iter_init(message, &iterator) != 0 else { return [] }
        var values: [DBusValue] = []
        func basic<T: BitwiseCopyable>(_ empty: T) -> T {
            var value = empty
            withUnsafeMutableBytes(of: &value) { dbus_message_iter_get_basic(&iterator, $0.baseAddress) }
            return value
        }
        repeat {
            let type = dbus_message_iter_get_arg_type(&iterator)
            switch type {
            case TypeCode.string, TypeCode.objectPath:
                let text = basic(UnsafePointer<CChar>?.none).map { String(cString: $0) } ?? ""
                values.append(type == TypeCode.string ? .string(text) : .objectPath(text))
            case TypeCode.boolean: values.append(.boolean(basic(dbus_bool_t(0)) != 0))
            case TypeCode.int32: values.append(.int32(basic(Int32(0))))
            case TypeCode.uint32: values.append(.uint32(basic(UInt32(0))))
            case TypeCode.int64: values.append(.int64(basic(Int64(0))))
            case TypeCode.uint64: values.append(.uint64(basic(UInt64(0))))
            case TypeCode.double: values.append(.double(basic(Double(0))))
            default: values.append(.other(Character(Unicode.Scalar(UInt8(truncatingIfNeeded: type)))))
            }
        } while dbus_message_iter_next(&iterator) != 0
        return values
    }
}
