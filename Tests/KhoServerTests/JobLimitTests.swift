// The jobs' room rule: five waiting or running jobs a user, fifty in all; finished ones do
// not count. (Jobs in router tests finish too fast to pile up, so the rule is asked directly.)
import Foundation
import KhoCore
@testable import KhoServer
import KhoStore
import Testing

@Suite struct JobLimitTests {
    static func user(_ name: String) -> UserAccount {
        UserAccount(name: name, role: .staff, unit: "51", disabled: false, createdAt: Timestamp(epochSeconds: 0))
    }

    static func jobs(_ owners: [String], state: JobRecord.State) -> [String: JobRecord] {
        var out: [String: JobRecord] = [:]
        for (n, owner) in owners.enumerated() {
            var record = JobRecord(id: String(format: "%032x", n + (state == .done ? 1000 : 0)), kind: .export, owner: owner, ownerUnit: "51",
                                   parameters: [:], createdAt: Double(n))
            record.state = state
            out[record.id] = record
        }
        return out
    }

    @Test func fiveWaitingAUserAndFiftyInAll() {
        let lan = Self.user("lan"), minh = Self.user("minh")
        #expect(JobRunner.refusal(for: lan, in: Self.jobs(Array(repeating: "lan", count: 4), state: .queued)) == nil)
        let five = Self.jobs(Array(repeating: "lan", count: 5), state: .queued)
        #expect(JobRunner.refusal(for: lan, in: five)?.code == .tooManyAttempts, "a sixth job of the same user waits its turn")
        #expect(JobRunner.refusal(for: minh, in: five) == nil, "another user is not held up by lan's jobs")
        let finished = Self.jobs(Array(repeating: "lan", count: 40), state: .done)
        #expect(JobRunner.refusal(for: lan, in: finished) == nil, "finished jobs do not count")
        let many = Self.jobs((0..<50).map { "user\($0 % 25)" }, state: .running)
        #expect(JobRunner.refusal(for: minh, in: many)?.message.contains("50") == true, "fifty waiting in all stop everyone")
        #expect(JobRunner.refusal(for: minh, in: Self.jobs((0..<49).map { "user\($0 % 25)" }, state: .running)) == nil)
    }
}
