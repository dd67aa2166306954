import FoundationEssentials

/// Turns values into the bytes a cache stores and back, for the `Codable` conveniences
/// (`Cache.put(_:value:timeToLive:codec:)`, `Cache.get(_:as:codec:)` and the loader forms).
///
/// Conform to store values another way (a binary format, compression); `JSONCacheCodec`
/// is the default.
public protocol CacheCodec: Sendable {
    /// The bytes that stand for `value`.
    ///
    /// - Throws: What the encoder throws for a value it cannot encode.
    func encode<Value: Encodable>(_ value: Value) throws -> [UInt8]

    /// The value that `bytes`, made by `encode`, stand for.
    ///
    /// - Throws: What the decoder throws for bytes that are not a `Value`.
    func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value
}

/// Values as JSON (`JSONEncoder` and `JSONDecoder` with their default settings): readable
/// by any client of the cache, and tolerant of fields added to a type later.
///
/// Cost: a few microseconds for a small struct, and JSON's size; pick a binary codec for
/// large or hot values.
public struct JSONCacheCodec: CacheCodec {
    /// The JSON codec.
    public init() {}

    public func encode<Value: Encodable>(_ value: Value) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }

    public func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
