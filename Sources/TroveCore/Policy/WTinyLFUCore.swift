/// W-TinyLFU's decisions, made the same way over any `WTinyLFUQueues`: the engine's policy
/// and the tuner's simulations share this one core, so a simulation makes exactly the
/// engine's choices (they drifted apart once while each had its own copy).
///
/// An entry leaving the window joins probation while main has room; otherwise it must beat
/// probation's victim on estimated frequency, or leave instead. Protected keeps 80% of main;
/// its overflow goes back to probation.
struct WTinyLFUCore {
    /// Estimated request counts of keys, cached or not.
    var sketch: FrequencySketch
    /// The window's share of the capacity.
    var windowFraction: Double

    /// Evicts one entry from `queues`, keeping others on the way as the policy decides.
    ///
    /// - Returns: `false` if there was nothing to evict.
    mutating func evictOne<Queues: WTinyLFUQueues>(from queues: inout Queues) -> Bool {
        // Unless readers touch it meanwhile, an entry moves at most three times in one call (to
        // the window's head, out of the window, out of protected), so this bound only stops
        // a walk that concurrent reads keep alive. At one move per entry, the first eviction
        // after the cache filled (everything in the window) gave up halfway, and the next
        // put resumed it: a decision sequence no simulation of the policy makes.
        var moves = 3 * queues.liveCount + 3
        while moves > 0 {
            moves -= 1
            let window = queues.size(ofQueue: WTinyLFUPolicy.window)
            let probation =
                queues.size(ofQueue: WTinyLFUPolicy.probation)
                + (queues.hasOutgoingQueue ? queues.size(ofQueue: WTinyLFUPolicy.outgoing) : 0)
            let protected = queues.size(ofQueue: WTinyLFUPolicy.protected)
            let capacity = queues.capacity
            let windowTarget = max(Int(Double(capacity) * windowFraction), 1)
            let protectedTarget = (capacity - windowTarget) * 8 / 10
            if protected > protectedTarget, let entry = queues.tail(ofQueue: WTinyLFUPolicy.protected) {
                let queue = examine(entry, &queues) ? WTinyLFUPolicy.protected : WTinyLFUPolicy.probation
                if !keep(entry, in: queue, &queues) {
                    evict(entry, fromWindow: false, &queues)
                    return true
                }
                continue
            }
            // Eviction runs before the new key joins the window: a window at its target is about to be over it.
            guard window >= windowTarget || probation + protected == 0,
                let candidate = queues.tail(ofQueue: WTinyLFUPolicy.window)
            else {
                guard let victim = nextVictim(&queues) else { return false }
                evict(victim, fromWindow: false, &queues)
                return true
            }
            if queues.isExpired(candidate) {
                queues.evict(candidate, fromWindow: true)
                return true
            }
            if examine(candidate, &queues) {
                if keep(candidate, in: WTinyLFUPolicy.window, &queues) { continue }
                evict(candidate, fromWindow: true, &queues)
                return true
            }
            if probation + protected + queues.size(of: candidate) <= capacity - windowTarget {
                if keep(candidate, in: WTinyLFUPolicy.probation, &queues) { continue }
                evict(candidate, fromWindow: true, &queues)
                return true
            }
            guard let victim = nextVictim(&queues) else {
                evict(candidate, fromWindow: true, &queues)
                return true
            }
            let candidateFrequency = sketch.frequency(queues.hash(of: candidate))
            let victimFrequency = sketch.frequency(queues.hash(of: victim))
            let judgement = queues.admits(candidate, candidateFrequency, over: victim, victimFrequency)
            if judgement ?? (candidateFrequency > victimFrequency) {
                evict(victim, fromWindow: false, &queues)
                if !keep(candidate, in: WTinyLFUPolicy.probation, &queues) {
                    evict(candidate, fromWindow: true, &queues)
                }
            } else {
                evict(candidate, fromWindow: true, &queues)
            }
            return true
        }
        return false
    }

    /// Main's next victim: the outgoing queue's tail or else probation's, after promoting
    /// entries read since they got there to protected; protected's tail when both are empty.
    private mutating func nextVictim<Queues: WTinyLFUQueues>(_ queues: inout Queues) -> Queues.Entry? {
        var moves = queues.liveCount + 1
        let first = queues.hasOutgoingQueue ? 0 : 1
        for position in first..<3 {
            // outgoing, then probation (1), then protected (2).
            let queue = position == 0 ? WTinyLFUPolicy.outgoing : position
            while moves > 0, let entry = queues.tail(ofQueue: queue) {
                moves -= 1
                if queues.isExpired(entry) || !examine(entry, &queues) { return entry }
                if !keep(entry, in: WTinyLFUPolicy.protected, &queues) { return entry }
            }
        }
        return nil
    }

    /// Adds the reads an entry saw since it was last examined to the sketch; returns whether there were any.
    private mutating func examine<Queues: WTinyLFUQueues>(_ entry: Queues.Entry, _ queues: inout Queues) -> Bool {
        let reads = queues.reads(of: entry)
        let hash = queues.hash(of: entry)
        sketch.increment(hash, by: reads)
        if queues.isObserved { queues.examined(entry, reads: reads, frequency: sketch.frequency(hash)) }
        return reads > 0
    }

    private func keep<Queues: WTinyLFUQueues>(_ entry: Queues.Entry, in queue: Int, _ queues: inout Queues) -> Bool {
        guard queues.keep(entry, inQueue: queue) else { return false }
        if queues.isObserved { queues.kept(entry, inQueue: queue, frequency: sketch.frequency(queues.hash(of: entry))) }
        return true
    }

    private func evict<Queues: WTinyLFUQueues>(_ entry: Queues.Entry, fromWindow: Bool, _ queues: inout Queues) {
        if queues.isObserved, !queues.isExpired(entry) {
            queues.evicting(entry, fromWindow: fromWindow, frequency: sketch.frequency(queues.hash(of: entry)))
        }
        queues.evict(entry, fromWindow: fromWindow)
    }
}
