import CX11

extension XDisplay {
    /// A text property (`_NET_WM_NAME`, `WM_NAME`) decoded by the type the X server returns:
    /// UTF8_STRING as UTF-8; STRING as UTF-8 when it is valid UTF-8 (some tools store UTF-8 in
    /// STRING properties), else as Latin-1; COMPOUND_TEXT through `Xutf8TextPropertyToTextList`;
    /// anything else as UTF-8 with invalid bytes replaced.
    ///
    /// - Returns: `nil` when the property is missing or the window is gone.
    public func text(_ name: String, of window: Window) -> String? {
        guard let value = property(name, of: window), value.format == 8 else { return nil }
        var bytes = value.bytes
        while bytes.last == 0 { bytes.removeLast() }
        switch value.type {
        case atom("UTF8_STRING"):
            return String(decoding: bytes, as: UTF8.self)
        case cx11_xa_string():
            return String(validating: bytes, as: UTF8.self) ?? String(bytes.map { Character(Unicode.Scalar($0)) })
        case atom("COMPOUND_TEXT"):
            return compoundText(bytes, type: value.type) ?? String(decoding: bytes, as: UTF8.self)
        default:
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// COMPOUND_TEXT (ISO 2022 segments, as xterm writes titles) converted to UTF-8 by Xlib.
    private func compoundText(_ bytes: [UInt8], type: Atom) -> String? {
        var bytes = bytes
        return bytes.withUnsafeMutableBufferPointer { buffer -> String? in
            var property = XTextProperty(
                value: buffer.baseAddress, encoding: type, format: 8, nitems: UInt(buffer.count))
            var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
            var count: Int32 = 0
            guard Xutf8TextPropertyToTextList(handle, &property, &list, &count) >= Success, let list else { return nil }
            defer { XFreeStringList(list) }
            return (0..<Int(count)).compactMap { list[$0].map { String(cString: $0) } }.joined()
        }
    }
}
