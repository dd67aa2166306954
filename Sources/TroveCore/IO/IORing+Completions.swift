import CLiburing
import Glibc

extension IORing {
    @discardableResult
    package func submit() throws(SystemError) -> Int {
        while true {
            let result = io_uring_submit(ring)
            if result >= 0 { return Int(result) }
            if result != -EINTR { throw SystemError("io_uring_submit", errno: -result) }
        }
    }

    package func wait(forCompletions count: Int, timeout: Duration?) throws(SystemError) -> Bool {
        guard count >= 0, count <= outstanding else {
            throw SystemError("IORing.wait", errno: EINVAL)
        }
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var entry: UnsafeMutablePointer<io_uring_cqe>?
        while true {
            // Queued entries are submitted even when enough completions are ready, so the queue depth holds.
            if readyCount >= count, io_uring_sq_ready(ring) == 0 {
                return true
            }
            let result: Int32
            if let deadline {
                let remaining = deadline - ContinuousClock.now
                guard remaining > .zero else { return false }
                var time = Self.kernelTimespec(remaining)
                result = io_uring_submit_and_wait_timeout(ring, &entry, UInt32(count), &time, nil)
            } else {
                result = io_uring_submit_and_wait_timeout(ring, &entry, UInt32(count), nil, nil)
            }
            switch -result {
            case _ where result >= 0, EINTR:
                continue
            case ETIME:
                return readyCount >= count
            default:
                throw SystemError("io_uring_submit_and_wait_timeout", errno: -result)
            }
        }
    }

    @discardableResult
    package func reapCompletions(_ body: (IOCompletion) -> Void) -> Int {
        let ready = readyCount
        guard ready > 0 else { return 0 }
        // Safe because `init` set up the ring and its mapped completion queue, which last until `deinit`.
        let queue = ring.pointee.cq
        // We are the only writer of the head, so a plain load sees its latest value.
        var head = queue.khead.pointee
        for _ in 0..<ready {
            // Safe because the mask keeps the index below the ring's entry count, the size of `cqes`.
            let index = Int(head & queue.ring_mask)
            assert(index < Int(queue.ring_entries))
            let entry = queue.cqes[index]
            body(IOCompletion(tag: entry.user_data, result: entry.res))
            head &+= 1
        }
        io_uring_cq_advance(ring, UInt32(ready))
        outstanding -= ready
        return ready
    }

    /// Completions in the completion ring not yet reaped.
    private var readyCount: Int {
        Int(io_uring_cq_ready(ring))
    }

    /// A relative kernel timeout for `duration` (non-negative).
    private static func kernelTimespec(_ duration: Duration) -> __kernel_timespec {
        let (seconds, attoseconds) = duration.components
        return __kernel_timespec(tv_sec: seconds, tv_nsec: attoseconds / 1_000_000_000)
    }
}
