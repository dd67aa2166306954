/// What one policy kind shares across the stripes of a hot tier (the adaptive policy's
/// window tuner, for instance), made once per tier by `PolicyKind.makeSharedState`.
///
/// The hot tier knows a policy's shared state only through this interface: it reserves
/// `reservedBytes` of the budget once, hands the state to each stripe's policy, and tells
/// it of every hit.
package protocol SharedPolicyState: AnyObject {
    /// The most bytes the state ever takes; the hot tier reserves them from the budget at creation.
    var reservedBytes: Int { get }

    /// A reader found the key whose hash is `hash`.
    ///
    /// Called on every hit, from any thread and without any lock, so it must cost no more
    /// than a few loads for keys the state does not track.
    func recordRead(_ hash: UInt64)
}
