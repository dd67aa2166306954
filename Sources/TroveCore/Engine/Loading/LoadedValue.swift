/// What a loader found for a key.
package enum LoadedValue: Sendable {
    /// The key's value, to cache for `timeToLiveMilliseconds` (0: until evicted), to reload
    /// in the background once `refreshMilliseconds` have passed (0: never; else shorter than
    /// the time to live), as the first `getOrLoad` hit after that finds it, and carrying
    /// `tags` (see `TagIndex`; checked by `TagIndex.validate`).
    case value([UInt8], timeToLiveMilliseconds: UInt64, refreshMilliseconds: UInt64 = 0, tags: [[UInt8]] = [])
    /// The key has no value: nothing is cached, unless the engine remembers absent keys
    /// (`EngineOptions.absentTimeToLiveMilliseconds`).
    case absent
}

/// How a load ended, as every caller waiting for it sees it.
package enum LoadOutcome: @unchecked Sendable {
    /// The loader's value (whether or not it was cached).
    case value([UInt8])
    /// The loader found nothing.
    case absent
    /// The loader failed with this error; nothing was cached.
    ///
    /// `@unchecked Sendable` because the error is handed, unchanged, to callers on other
    /// threads; loaders throw errors that are values (as Swift errors nearly always are).
    case failed(any Error)
}
