import CTroveABI
import TroveCore

/// A caller's `tag_count`/`tags`/`tag_lens`, copied and checked as `TagIndex.validate` does.
///
/// - Returns: The tags, or the message of the `TROVE_EINVAL` that refuses them.
func callerTags(
    _ count: UInt,
    _ tags: UnsafePointer<UnsafeRawPointer?>?,
    _ lengths: UnsafePointer<UInt>?
) -> Result<[[UInt8]], EngineError> {
    guard count > 0 else { return .success([]) }
    guard count <= UInt(TagIndex.maximumTagsPerEntry) else {
        return .failure(
            EngineError(
                .invalidArgument,
                "\(count) tags given; an entry carries at most \(TagIndex.maximumTagsPerEntry)"
            )
        )
    }
    guard let tags, let lengths else { return .failure(EngineError(.invalidArgument, "tags or tag_lens is NULL")) }
    var copied: [[UInt8]] = []
    for index in 0..<Int(count) {
        guard let tag = tags[index], lengths[index] > 0, lengths[index] <= UInt(TagIndex.maximumTagLength) else {
            return .failure(
                EngineError(.invalidArgument, "tag \(index) is NULL, empty or over \(TagIndex.maximumTagLength) bytes")
            )
        }
        copied.append(Array(UnsafeRawBufferPointer(start: tag, count: Int(lengths[index]))))
    }
    return .success(copied)
}

@_cdecl("trove_put_tagged")
public func trove_put_tagged(
    _ handle: OpaquePointer?,
    _ key: UnsafeRawPointer?,
    _ keyLength: UInt,
    _ value: UnsafeRawPointer?,
    _ valueLength: UInt,
    _ ttlMilliseconds: UInt64,
    _ tagCount: UInt,
    _ tags: UnsafePointer<UnsafeRawPointer?>?,
    _ tagLengths: UnsafePointer<UInt>?
) -> Int32 {
    withEngine(handle, "trove_put_tagged") { engine in
        let tagList: [[UInt8]]
        switch callerTags(tagCount, tags, tagLengths) {
        case .success(let copied): tagList = copied
        case .failure(let error): return LastError.fail(error.status, "trove_put_tagged: \(error.message)")
        }
        switch (bytes(key, keyLength), bytes(value, valueLength)) {
        case (.success(let keyBytes), .success(let valueBytes)):
            let status = engine.put(key: keyBytes, value: valueBytes, ttlMilliseconds: ttlMilliseconds, tags: tagList)
            return report(status, "trove_put_tagged")
        case (.failure(let status), _), (_, .failure(let status)):
            return report(status, "trove_put_tagged")
        }
    }
}

@_cdecl("trove_invalidate_tag")
public func trove_invalidate_tag(
    _ handle: OpaquePointer?,
    _ tag: UnsafeRawPointer?,
    _ tagLength: UInt,
    _ removed: UnsafeMutablePointer<UInt64>?
) -> Int32 {
    withEngine(handle, "trove_invalidate_tag") { engine in
        guard let tag, tagLength > 0, tagLength <= UInt(TagIndex.maximumTagLength) else {
            return LastError.fail(
                .invalidArgument,
                "trove_invalidate_tag: the tag is NULL, empty or over \(TagIndex.maximumTagLength) bytes"
            )
        }
        let (status, count) = engine.invalidate(tag: UnsafeRawBufferPointer(start: tag, count: Int(tagLength)))
        removed?.pointee = UInt64(count)
        return report(status, "trove_invalidate_tag")
    }
}

@_cdecl("trove_load_set_tags")
public func trove_load_set_tags(
    _ load: OpaquePointer?,
    _ tagCount: UInt,
    _ tags: UnsafePointer<UnsafeRawPointer?>?,
    _ tagLengths: UnsafePointer<UInt>?
) -> Int32 {
    guard let load, let request = ActiveLoadRequests.request(at: load) else {
        return LastError.fail(
            .invalidArgument,
            "trove_load_set_tags: load is NULL or not a load whose loader is running"
        )
    }
    switch callerTags(tagCount, tags, tagLengths) {
    case .success(let copied):
        request.tags = copied
        return TroveStatus.ok.rawValue
    case .failure(let error):
        return LastError.fail(error.status, "trove_load_set_tags: \(error.message)")
    }
}
