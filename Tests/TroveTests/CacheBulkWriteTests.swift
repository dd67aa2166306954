import Foundation
import Testing
import Trove

/// `Cache.put(many:timeToLive:)` and `Cache.delete(many:)`: a result per entry, and errors
/// thrown only for the call as a whole.
@Suite struct CacheBulkWriteTests {
    @Test func putsAndDeletesBytesWithAResultPerEntry() throws {
        let cache = try Cache()
        let results = try cache.put(many: [
            (key: Array("a".utf8), value: Array("1".utf8)),
            (key: [], value: Array("no key".utf8)),
            (key: Array("b".utf8), value: Array("2".utf8)),
            (key: Array("a".utf8), value: Array("3".utf8)),
        ])
        #expect(results.count == 4)
        #expect(throws: Never.self) { try results[0].get() }
        #expect(throws: TroveError.self) { try results[1].get() }
        #expect(try #require(results[1].failure).code == .invalidArgument)
        #expect(try cache.getString("a") == "3")
        #expect(try cache.getString("b") == "2")

        let removed = try cache.delete(many: [
            Array("a".utf8), Array("absent".utf8), [UInt8](repeating: 1, count: 1025),
        ])
        #expect(try removed[0].get() == true)
        #expect(try removed[1].get() == false)
        #expect(try #require(removed[2].failure).code == .tooBig)
        #expect(try cache.get("a") == nil)
        #expect(try cache.statistics().deletes == 1)
    }

    @Test func putsAndDeletesStringsAndData() throws {
        let cache = try Cache()
        let stored = try cache.put(many: (0..<100).map { (key: "user:\($0)", value: "name \($0)") })
        #expect(stored.allSatisfy { (try? $0.get()) != nil })
        #expect(try cache.getString("user:42") == "name 42")
        let data = try cache.put(many: [(key: Data("blob".utf8), value: Data([0, 1, 2]))])
        #expect(throws: Never.self) { try data[0].get() }
        #expect(try cache.get("blob") == [0, 1, 2])

        let removed = try cache.delete(many: (0..<150).map { "user:\($0)" })
        #expect(removed.filter { (try? $0.get()) == true }.count == 100)
        #expect(try cache.statistics().items == 1)
    }

    @Test func anEntryTooBigFailsAloneAndATimeToLiveApplies() throws {
        let cache = try Cache()
        let segment = try cache.statistics().segmentSize
        let results = try cache.put(
            many: [
                (key: Array("big".utf8), value: [UInt8](repeating: 1, count: segment)),
                (key: Array("small".utf8), value: [1]),
            ],
            timeToLive: .seconds(60)
        )
        #expect(try #require(results[0].failure).code == .tooBig)
        #expect(throws: Never.self) { try results[1].get() }
        #expect(try cache.get("small") == [1])
    }

    @Test func callLevelErrorsThrow() throws {
        let cache = try Cache()
        #expect(throws: TroveError.self) {
            _ = try cache.put(many: [(key: "k", value: "v")], timeToLive: .zero)
        }
        #expect(try cache.get("k") == nil)
        #expect(try cache.put(many: [(key: String, value: String)]()).isEmpty)
        cache.close()
        let putError = #expect(throws: TroveError.self) { _ = try cache.put(many: [(key: "k", value: "v")]) }
        #expect(putError?.code == .closed)
        let deleteError = #expect(throws: TroveError.self) { try cache.delete(many: ["k"]) }
        #expect(deleteError?.code == .closed)
    }
}

extension Result {
    /// The error of a failure, or `nil`.
    fileprivate var failure: Failure? {
        guard case .failure(let error) = self else { return nil }
        return error
    }
}
