import Synchronization

/// An acquire fence: loads before it are ordered before loads and stores after it.
@inlinable @inline(__always)
package func atomicMemoryFenceAcquiring() {
    atomicMemoryFence(ordering: .acquiring)
}

/// A release fence: loads and stores before it are ordered before stores after it.
@inlinable @inline(__always)
package func atomicMemoryFenceReleasing() {
    atomicMemoryFence(ordering: .releasing)
}
