import Testing
@testable import Forwarding
import Storage

/// The remote-write queue's decisions, as tables: what an answer means, backoff, batching, shards.
@Suite struct QueueLogicTests {
    @Test(arguments: [
        (200 as Int?, SendOutcome.sent),
        (204, .sent),
        (500, .retry(after: .milliseconds(30))),
        (503, .retry(after: .milliseconds(30))),
        (nil, .retry(after: .milliseconds(30))),
        (429, .retry(after: .milliseconds(30))),
        (400, .drop(reason: "400 from the receiver: it will not take this batch")),
        (404, .drop(reason: "404 from the receiver: it will not take this batch")),
    ])
    func answersAsTheSpecificationSays(status: Int?, outcome: SendOutcome) {
        var attempts = SendAttempts(settings: RemoteWriteQueueSettings())
        #expect(attempts.outcome(status: status) == outcome)
    }

    @Test func backoffDoublesUpToTheMaximumAndRetryAfterWins() {
        var settings = RemoteWriteQueueSettings()
        settings.minBackoff = .milliseconds(100)
        settings.maxBackoff = .milliseconds(700)
        var attempts = SendAttempts(settings: settings)
        let waits = (0..<5).map { _ in attempts.outcome(status: 503) }
        #expect(waits == [100, 200, 400, 700, 700].map { .retry(after: .milliseconds($0)) })
        #expect(attempts.outcome(status: 429, retryAfterSeconds: 3) == .retry(after: .seconds(3)))
        settings.retryOnHTTP429 = false
        var strict = SendAttempts(settings: settings)
        #expect(strict.outcome(status: 429) == .drop(reason: "429 from the receiver, and retry_on_http_429 is off"))
    }

    @Test func batchesGoWhenFullOrPastTheDeadline() {
        var settings = RemoteWriteQueueSettings()
        settings.capacity = 5
        settings.maxSamplesPerSend = 3
        settings.batchSendDeadline = .seconds(5)
        var batcher = SendBatcher<Int>(settings: settings)
        let first = batcher.offer(1, at: 0), second = batcher.offer(2, at: 100)
        #expect(first && second)
        var due = batcher.due(at: 4_999)
        #expect(due == nil)
        due = batcher.due(at: 5_000)
        #expect(due == [1, 2])
        var taken = 0
        for item in 3...7 where batcher.offer(item, at: 6_000) { taken += 1 }
        #expect(taken == 5)
        let refused = batcher.offer(8, at: 6_000)
        #expect(!refused, "the shard is at its capacity")
        due = batcher.due(at: 6_000)
        #expect(due == [3, 4, 5])
        due = batcher.due(at: 6_001)
        #expect(due == nil)
        due = batcher.due(at: 11_001)
        #expect(due == [6, 7])
    }

    @Test func shardsFollowThroughputWithinBoundsAndWithoutFlapping() {
        var settings = RemoteWriteQueueSettings()
        settings.maxShards = 50
        var count = ShardCount(interval: 10)
        // 10,000 samples/s arriving; one send of 500 samples takes 0.1 s, so 2 ms per sample: 20 shards.
        count.tick(samplesIn: 100_000, samplesOut: 100_000, sendSeconds: 200)
        #expect(count.desired(current: 1, delaySeconds: 0, settings: settings) == 20)
        #expect(count.desired(current: 18, delaySeconds: 0, settings: settings) == 18, "within 30 %: kept")
        // A backlog of 60 s adds 5 % of it per second: 20 * (1 + 3) = 80, held at the maximum.
        #expect(count.desired(current: 20, delaySeconds: 60, settings: settings) == 50)
        #expect(ShardCount().desired(current: 0, delaySeconds: 0, settings: settings) == 1, "no data yet: the minimum")
    }
}

/// The kept position moves with acknowledged reads, in the log's order, whatever order shards finish in.
@Suite struct ReadAcknowledgementsTests {
    @Test func thePositionMovesOnlyPastReadsTakenInFull() {
        var acks = ReadAcknowledgements()
        let first = acks.read(3, endingAt: WALTail.Position(segment: 0, offset: 100))
        let second = acks.read(2, endingAt: WALTail.Position(segment: 0, offset: 200))
        let empty = acks.read(0, endingAt: WALTail.Position(segment: 1, offset: 0))
        #expect(acks.acknowledged() == nil)
        // The second read's samples arrive first: nothing moves until the first's have too.
        acks.done(2, ofRead: second)
        #expect(acks.acknowledged() == nil)
        acks.done(2, ofRead: first)
        #expect(acks.acknowledged() == nil)
        acks.done(1, ofRead: first)
        // Both, and the empty read after them, are taken: the position is the empty read's end.
        #expect(acks.acknowledged() == WALTail.Position(segment: 1, offset: 0))
        #expect(acks.acknowledged() == nil, "nothing new")
        #expect(acks.waiting == 0)
        _ = empty
        // A read of nothing after one still waiting does not move past it.
        let waiting = acks.read(1, endingAt: WALTail.Position(segment: 1, offset: 50))
        _ = acks.read(0, endingAt: WALTail.Position(segment: 1, offset: 60))
        #expect(acks.acknowledged() == nil)
        acks.done(1, ofRead: waiting)
        #expect(acks.acknowledged() == WALTail.Position(segment: 1, offset: 60))
    }
}
