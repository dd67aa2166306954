import FoundationEssentials

/// Conveniences over the buffer API for `[UInt8]`, `Data` and any other `ContiguousBytes`, and `String`.
extension Cache {
    /// The value of `key`, copied into a new array, or `nil` if it is not cached.
    ///
    /// - Throws: `TroveError` for an invalid key or a closed cache.
    public func get(_ key: some ContiguousBytes) throws(TroveError) -> [UInt8]? {
        try Cache.withBytes(of: key) { keyBytes throws(TroveError) in try value(of: keyBytes) }
    }

    /// Stores `value` under `key`.
    ///
    /// - Throws: `TroveError` for an invalid key, an entry too big, no memory, or a closed cache.
    public func put(
        _ key: some ContiguousBytes,
        _ value: some ContiguousBytes,
        timeToLive: Duration? = nil
    )
        throws(TroveError)
    {
        try Cache.withBytes(of: key) { keyBytes throws(TroveError) in
            try Cache.withBytes(of: value) { valueBytes throws(TroveError) in
                try put(keyBytes, valueBytes, timeToLive: timeToLive)
            }
        }
    }

    /// Removes `key`; returns whether it was cached.
    @discardableResult
    public func delete(_ key: some ContiguousBytes) throws(TroveError) -> Bool {
        try Cache.withBytes(of: key) { keyBytes throws(TroveError) in try delete(keyBytes) }
    }

    /// Whether `key` is cached and unexpired.
    public func contains(_ key: some ContiguousBytes) throws(TroveError) -> Bool {
        try Cache.withBytes(of: key) { keyBytes throws(TroveError) in try contains(keyBytes) }
    }

    /// The value of a UTF-8 `key` as bytes, or `nil`.
    public func get(_ key: String) throws(TroveError) -> [UInt8]? {
        try Cache.withUTF8(key) { keyBytes throws(TroveError) in try value(of: keyBytes) }
    }

    /// The value of a UTF-8 `key` decoded as UTF-8 (invalid sequences repaired), or `nil`.
    public func getString(_ key: String) throws(TroveError) -> String? {
        guard let bytes = try get(key) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Stores the UTF-8 bytes of `value` under the UTF-8 bytes of `key`.
    public func put(_ key: String, _ value: String, timeToLive: Duration? = nil) throws(TroveError) {
        try Cache.withUTF8(key) { keyBytes throws(TroveError) in
            try Cache.withUTF8(value) { valueBytes throws(TroveError) in
                try put(keyBytes, valueBytes, timeToLive: timeToLive)
            }
        }
    }

    /// Stores `value` under the UTF-8 bytes of `key`.
    public func put(_ key: String, _ value: some ContiguousBytes, timeToLive: Duration? = nil) throws(TroveError) {
        try Cache.withUTF8(key) { keyBytes throws(TroveError) in
            try Cache.withBytes(of: value) { valueBytes throws(TroveError) in
                try put(keyBytes, valueBytes, timeToLive: timeToLive)
            }
        }
    }

    /// Removes the UTF-8 `key`; returns whether it was cached.
    @discardableResult
    public func delete(_ key: String) throws(TroveError) -> Bool {
        try Cache.withUTF8(key) { keyBytes throws(TroveError) in try delete(keyBytes) }
    }

    /// Whether the UTF-8 `key` is cached and unexpired.
    public func contains(_ key: String) throws(TroveError) -> Bool {
        try Cache.withUTF8(key) { keyBytes throws(TroveError) in try contains(keyBytes) }
    }

    /// Reads into a 256-byte buffer first; a larger value costs one more lookup at its exact size.
    private func value(of key: UnsafeRawBufferPointer) throws(TroveError) -> [UInt8]? {
        var capacity = 256
        while true {
            var outcome: Result<ReadOutcome, TroveError> = .success(.notFound)
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                outcome = Result { () throws(TroveError) in try get(key, into: UnsafeMutableRawBufferPointer(buffer)) }
                if case .success(.found(let length)) = outcome { count = length } else { count = 0 }
            }
            switch try outcome.get() {
            case .found: return bytes
            case .notFound: return nil
            case .bufferTooSmall(let required): capacity = required
            }
        }
    }

    /// `withUnsafeBytes` rethrows untyped errors; this keeps the typed `TroveError`.
    private static func withBytes<Result>(
        of bytes: some ContiguousBytes,
        _ body: (UnsafeRawBufferPointer) throws(TroveError) -> Result
    ) throws(TroveError) -> Result {
        let result = bytes.withUnsafeBytes { buffer in Swift.Result { () throws(TroveError) in try body(buffer) } }
        return try result.get()
    }

    private static func withUTF8<Result>(
        _ string: String,
        _ body: (UnsafeRawBufferPointer) throws(TroveError) -> Result
    ) throws(TroveError) -> Result {
        var copy = string
        let result = copy.withUTF8 { utf8 in
            Swift.Result { () throws(TroveError) in try body(UnsafeRawBufferPointer(utf8)) }
        }
        return try result.get()
    }
}
