import AWCore

/// Pure transforms over events: each is a synchronous function from events to events, with
/// aw-server-rust's semantics. One transform per file (`Transform+Name.swift`).
public enum Transform {}
