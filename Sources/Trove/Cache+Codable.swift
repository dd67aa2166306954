/// `Codable` values, through a `CacheCodec` (JSON unless given another).
///
/// ```swift
/// struct Goal: Codable { var id: Int; var title: String }
/// try cache.put("goal:1", value: Goal(id: 1, title: "Ship"), timeToLive: .seconds(120))
/// let goal = try cache.get("goal:1", as: Goal.self)
/// ```
extension Cache {
    /// Stores `value`, encoded by `codec`, under a UTF-8 `key`.
    ///
    /// - Throws: The codec's error if the value cannot be encoded, or `TroveError` as `put` throws.
    public func put<Value: Encodable>(
        _ key: String,
        value: Value,
        timeToLive: Duration? = nil,
        codec: some CacheCodec = JSONCacheCodec()
    ) throws {
        try put(key, codec.encode(value), timeToLive: timeToLive)
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
    /// `value(forKey:timeToLive:tags:loader:)`) and cached encoded by `codec`.
    ///
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's or the codec's error, or `TroveError`.
    public func value<Value: Codable>(
        forKey key: String,
        as type: Value.Type,
        timeToLive: Duration? = nil,
        codec: some CacheCodec = JSONCacheCodec(),
        loader: () throws -> Value?
    ) throws -> Value? {
        let bytes = try value(forKey: key, timeToLive: timeToLive) { try loader().map(codec.encode) }
        return try bytes.map { try codec.decode(type, from: $0) }
    }

    /// The value of a UTF-8 `key`, loaded with the async `loader` on a miss (single flight)
    /// and cached encoded by `codec`.
    ///
    /// - Returns: The cached or loaded value, or `nil` if the loader found none.
    /// - Throws: The loader's or the codec's error, or `TroveError`.
    public func value<Value: Codable>(
        forKey key: String,
        as type: Value.Type,
        timeToLive: Duration? = nil,
        codec: some CacheCodec = JSONCacheCodec(),
        loader: () async throws -> Value?
    ) async throws -> Value? {
        let bytes = try await value(forKey: key, timeToLive: timeToLive) { () async throws -> [UInt8]? in
            try await loader().map(codec.encode)
        }
        return try bytes.map { try codec.decode(type, from: $0) }
    }
}
