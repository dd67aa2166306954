import Foundation
import Synchronization
import Testing
import Trove
import TroveTestSupport

/// The repository cached against uncached under concurrent load: 4 threads, 95% reads
/// (goal details, goal lists, dashboards, task lists of 200 users with 10 goals and 30 tasks
/// each) and 5% writes (goal updates, task moves) that invalidate; then single-threaded
/// reads of warm keys. Prints throughput, the speedup, the hit ratios and the cost of a hit.
///
/// A measurement, not a check: it runs only when asked, and asserts nothing about speed.
///
///     TROVE_REPOSITORY_BENCH=1 swift test --filter RepositoryBenchmark
///
/// (with `-c release` for the figures of an optimised build).
@Suite struct RepositoryBenchmark {
    private static let threads = 4
    private static let operationsPerThread = 5_000

    @Test(.enabled(if: ProcessInfo.processInfo.environment["TROVE_REPOSITORY_BENCH"] == "1"))
    func cachedAgainstUncached() throws {
        let uncached = try RepositoryFixture(
            users: 200,
            goalsPerUser: 10,
            tasksPerGoal: 3,
            pool: true,
            cacheOptions: nil
        )
        let cached = try RepositoryFixture(users: 200, goalsPerUser: 10, tasksPerGoal: 3, pool: true)
        let base = try Self.run(uncached)
        let fast = try Self.run(cached)
        let stats = try #require(try cached.cache?.statistics())
        let readHitRatio = 1 - Double(fast.selects) / Double(fast.reads)
        print(
            """
            [repository-bench] \(Self.threads) threads x \(Self.operationsPerThread) operations, \
            \(fast.reads) reads and \(fast.writes) writes each run
            [repository-bench] uncached: \(Self.rate(base)) ops/s, \(base.selects) SELECTs
            [repository-bench] cached:   \(Self.rate(fast)) ops/s, \(fast.selects) SELECTs
            [repository-bench] speedup under load: \(Self.format(base.seconds / fast.seconds))x
            [repository-bench] hit ratio: \(Self.format(readHitRatio)) of reads ran no query; \
            cache hitRatio \(Self.format(stats.hitRatio)) (\(stats.hits) hits, \(stats.misses) misses, \
            \(stats.loads) loads)
            """
        )
        let hitBase = try Self.warmReads(uncached)
        let hitFast = try Self.warmReads(cached)
        print(
            """
            [repository-bench] one thread, warm goal details: uncached \(Self.format(hitBase * 1e6)) µs, \
            cached \(Self.format(hitFast * 1e6)) µs a read; hit speedup \(Self.format(hitBase / hitFast))x
            """
        )
        #expect(fast.errors == 0 && base.errors == 0)
        #expect(try cached.answers() == cached.truth())
    }

    private struct Run {
        var seconds: Double
        var reads: Int
        var writes: Int
        var selects: Int
        var errors: Int
    }

    /// The mixed workload on `fixture`'s repository, the same operations for both fixtures.
    private static func run(_ fixture: RepositoryFixture) throws -> Run {
        let repository = fixture.repository
        let (goals, tasks) = (try fixture.goals(), try fixture.tasks())
        let totals = Mutex((reads: 0, writes: 0, errors: 0))
        let selects = fixture.counter.current.selects
        let start = ContinuousClock.now
        TestThreads.run(threads) { thread in
            var random = SeededGenerator(seed: 7_000 + UInt64(thread))
            var (reads, writes, errors) = (0, 0, 0)
            for step in 0..<operationsPerThread {
                let (goal, user) = goals.randomElement(using: &random)!
                let dice = Int.random(in: 0..<100, using: &random)
                do {
                    switch dice {
                    case 0..<3:
                        _ = try repository.updateGoal(goal, user: user, title: "t\(thread) s\(step)")
                        writes += 1
                    case 3..<5:
                        let (task, owner) = tasks.randomElement(using: &random)!
                        try repository.setTaskStatus(task, user: owner, to: TaskStatus.allCases[step % 3])
                        writes += 1
                    case 5..<52:
                        _ = try repository.goal(goal, user: user)
                        reads += 1
                    case 52..<71:
                        _ = try repository.goals(user: user)
                        reads += 1
                    case 71..<85:
                        _ = try repository.dashboard(user: user)
                        reads += 1
                    default:
                        _ = try repository.tasks(TaskStatus.allCases[dice % 3], user: user)
                        reads += 1
                    }
                } catch {
                    errors += 1
                }
            }
            totals.withLock { $0 = ($0.reads + reads, $0.writes + writes, $0.errors + errors) }
        }
        let elapsed = ContinuousClock.now - start
        let (reads, writes, errors) = totals.withLock { $0 }
        return Run(
            seconds: seconds(elapsed),
            reads: reads,
            writes: writes,
            selects: fixture.counter.current.selects - selects,
            errors: errors
        )
    }

    /// Seconds a read of one of 100 goal details takes, once each is cached (or not).
    private static func warmReads(_ fixture: RepositoryFixture) throws -> Double {
        let goals = try fixture.goals().prefix(100)
        for (goal, user) in goals { _ = try fixture.repository.goal(goal, user: user) }
        let rounds = 200
        let start = ContinuousClock.now
        for _ in 0..<rounds {
            for (goal, user) in goals { _ = try fixture.repository.goal(goal, user: user) }
        }
        return seconds(ContinuousClock.now - start) / Double(rounds * goals.count)
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func rate(_ run: Run) -> String {
        format(Double(threads * operationsPerThread) / run.seconds, digits: 0)
    }

    private static func format(_ value: Double, digits: Int = 2) -> String {
        String(format: "%.\(digits)f", value)
    }
}
