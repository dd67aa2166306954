import Trove

/// How big a replayed cache is, and how the engine is opened to be exactly that big.
enum ReplayCapacity: Equatable, Sendable {
    /// At most this many objects, whatever their sizes, as libCacheSim's object-count caches (`--ignore-obj-size`).
    ///
    /// The engine gets `maximumItems` = the count, a byte budget that never binds, and empty values.
    case objects(Int)
    /// This many bytes of engine memory, the engine's whole budget: arena segments (entries of an 8-byte key, a 3-4
    /// byte header and a value of the object's size), index and policy metadata. Smaller than libCacheSim's byte
    /// caches of the same number, which count object sizes only.
    case bytes(Int)

    /// Budget per object of an object-count cache, far above what one costs (an 11-byte entry, a copy or two of it
    /// left behind by reinsertion until its segment is recycled, 10-20 bytes of index, up to 32 of ghost table), so
    /// the entry limit, not the budget, decides every eviction.
    static let budgetPerObject = 256
    /// Budget on top of that, for the partly filled segments (up to 1 MiB each) at every queue's head.
    static let budgetSlack = 64 << 20
    /// The most objects an object-count cache may hold: its budget must stay within the engine's 1 TiB.
    static let maximumObjects = (CacheFlagValidation.budgets.upperBound - budgetSlack) / budgetPerObject

    /// The number given: objects or bytes.
    var value: Int {
        switch self {
        case .objects(let count): count
        case .bytes(let count): count
        }
    }

    /// `objects` or `bytes`, as the JSON line names the unit.
    var unit: String {
        switch self {
        case .objects: "objects"
        case .bytes: "bytes"
        }
    }

    /// The cache options for this capacity.
    ///
    /// - Parameters:
    ///   - policy: The eviction policy.
    ///   - stripes: Lock stripes. 1 lets the policy see the whole cache, as in the reference simulator; more split
    ///     the budget and, for object counts, the entry limit (rounded up per stripe), as a multi-threaded cache would.
    func cacheOptions(policy: CacheOptions.Policy, stripes: Int) -> CacheOptions {
        var options = CacheOptions()
        options.policy = policy
        options.stripes = stripes
        switch self {
        case .objects(let count):
            options.maximumItems = count
            options.capacityBytes = count * ReplayCapacity.budgetPerObject + ReplayCapacity.budgetSlack
        case .bytes(let count):
            options.capacityBytes = count
        }
        return options
    }

    /// The objects an object-count cache of `fraction` of `distinctObjects` holds: rounded down, at least 1, as
    /// libCacheSim sizes caches from a working-set fraction.
    static func objects(fraction: Double, of distinctObjects: Int) -> ReplayCapacity {
        .objects(max(Int((Double(distinctObjects) * fraction).rounded(.down)), 1))
    }
}
