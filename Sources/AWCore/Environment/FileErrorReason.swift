import FoundationEssentials
import Glibc

/// Why a file operation failed, in the system's words ("Permission denied", "No space left on
/// device"): the POSIX error under Foundation's file errors, else the error itself.
public func fileErrorReason(_ error: any Error) -> String {
    let posix = (error as? POSIXError) ?? (error as? CocoaError)?.underlying as? POSIXError
    guard let posix else { return "\(error)" }
    return String(cString: strerror(posix.code.rawValue))
}
