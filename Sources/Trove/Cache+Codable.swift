/// `Codable` values, through a `CacheCodec` (JSON unless given another).
///
/// ```swift
/// struct Goal: Codable { var id: Int; var title: String }
/// try cache.put("goal:1", value: Goal(id: 1, title: "Ship"), timeToLive: .seconds(120), tags: ["user:7"])
/// let goal = try cache.get("goal:1", as: Goal.self)
/// ```
extension Cache {
    /// Stores `value`, encoded by `codec`, under a UTF-8 `key`, carrying `tags`.
    ///
    /// - Throws: The codec's error if the value cannot be encoded, or `TroveError` as `put`
    ///   (and, with tags, `put(_:_:timeToLive:tags:)`) throws.
    public func put<Value: Encodable>(
        _ key: String,
        value: Value,
        timeToLive: Duration? = nil,
        tags: [String] = [],
        codec: some CacheCodec = JSONCacheCodec()
    ) throws {
        let bytes = try codec.encode(value)
        if tags.isEmpty {
            try put(key, bytes, timeToLive: timeToLive)
        } else {
            try put(Array(key.utf8), bytes, timeToLive: timeToLive, tags: tags)
        }
    }

    /// The value of a UTF-8 `key`, decoded by `codec`, or `nil` if it is not cached.
    ///
    /// - Throws: The codec's error if the stored bytes are not a `Value` (the entry stays), or `TroveError`.
    public func get<Value: Decodable>(
        _ key: String,
        as type: Value.Type,
        codec: some CacheCodec = JSONCacheCodec()
    ) throws -> Value? {
        guard let bytes = try get(key) else { return nil }
        return try codec.decode(type, from: bytes)
    }

    /// The value of a UTF-8 `key`, loaded with `loader` on a miss (single flight, see
    /// `value(forKey:timeToLive:tags:loader:)`) and cached encoded by `codec`, carrying `tags`.
    ///
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's or the codec's error, or `TroveError`.
    public func value<Value: Codable>(
        forKey key: String,
        as type: Value.Type,
        timeToLive: Duration? = nil,
        tags: [String] = [],
        codec: some CacheCodec = JSONCacheCodec(),
        loader: () throws -> Value?
    ) throws -> Value? {
        let bytes = try value(forKey: key, timeToLive: timeToLive, tags: tags) { try loader().map(codec.encode) }
        return try bytes.map { try codec.decode(type, from: $0) }
    }

    /// The value of a UTF-8 `key`, loaded with `loader` on a miss and refreshed ahead (see
    /// `value(forKey:timeToLive:refreshAfter:tags:loader:)`: a read after `refreshAfter`
    /// returns the cached value at once and starts one background reload), encoded by `codec`.
    ///
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's or the codec's error (on a miss), or `TroveError`.
    public func value<Value: Codable & Sendable>(
        forKey key: String,
        as type: Value.Type,
        timeToLive: Duration? = nil,
        refreshAfter: Duration,
        tags: [String] = [],
        codec: some CacheCodec = JSONCacheCodec(),
        loader: @escaping @Sendable () throws -> Value?
    ) throws -> Value? {
        let bytes = try value(forKey: key, timeToLive: timeToLive, refreshAfter: refreshAfter, tags: tags) {
            try loader().map(codec.encode)
        }
        return try bytes.map { try codec.decode(type, from: $0) }
    }

    /// The value of a UTF-8 `key`, loaded with the async `loader` on a miss (single flight)
    /// and cached encoded by `codec`, carrying `tags`.
    ///
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's or the codec's error, or `TroveError`.
    public func value<Value: Codable>(
        forKey key: String,
        as type: Value.Type,
        timeToLive: Duration? = nil,
        tags: [String] = [],
        codec: some CacheCodec = JSONCacheCodec(),
        loader: () async throws -> Value?
    ) async throws -> Value? {
        let bytes = try await value(forKey: Array(key.utf8), timeToLive: timeToLive, tags: tags) {
            () async throws -> [UInt8]? in
            try await loader().map(codec.encode)
        }
        return try bytes.map { try codec.decode(type, from: $0) }
    }

    /// The value of a UTF-8 `key`, loaded with the async `loader` on a miss and refreshed
    /// ahead, encoded by `codec` (see the synchronous form).
    ///
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's or the codec's error (on a miss), or `TroveError`.
    public func value<Value: Codable & Sendable>(
        forKey key: String,
        as type: Value.Type,
        timeToLive: Duration? = nil,
        refreshAfter: Duration,
        tags: [String] = [],
        codec: some CacheCodec = JSONCacheCodec(),
        loader: @escaping @Sendable () async throws -> Value?
    ) async throws -> Value? {
        let bytes = try await value(
            forKey: Array(key.utf8),
            timeToLive: timeToLive,
            refreshAfter: refreshAfter,
            tags: tags
        ) { () async throws -> [UInt8]? in
            try await loader().map(codec.encode)
        }
        return try bytes.map { try codec.decode(type, from: $0) }
    }
}
