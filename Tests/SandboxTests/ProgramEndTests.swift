import Foundation
import Testing

@testable import Sandbox

/// A harness candidate (a function-call or inputs sample) ends as `python3 program.py` ends once
/// its tests are done: non-daemon threads joined, then atexit handlers, then buffered output
/// flushed — cold and warm alike, and within a grace after which it is killed without changing
/// the verdict the tests already reached. Cases: Fixtures/function/program_end.jsonl.
@Suite(.serialized)
struct ProgramEndTests {
    struct Case: Decodable, CustomTestStringConvertible {
        var name: String
        var program: String
        var stdout: String
        var why: String
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let path = Checkout.root + "/Fixtures/function/program_end.jsonl"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fatalError("missing \(path)") }
        return text.split(separator: "\n").map { try! JSONDecoder().decode(Case.self, from: Data($0.utf8)) }
    }()

    private func request(_ program: String) throws -> RunRequest {
        var limits = try Checkout.sandbox().profile.definition.limits
        // Well above the grace (1 s): a candidate that lingers to the wall would be a timeout.
        limits.wall = TimeSpan(seconds: 4)
        limits.cpu = TimeSpan(seconds: 4)
        var request = RunRequest(source: program, programName: "program.py", limits: limits)
        request.files = [
            ".proctor-harness": Array("tests=.proctor-tests.py\nstyle=check\nnonce=n0nce\nentry_point=f\n".utf8),
            ".proctor-tests.py": Array("def check(candidate):\n    assert candidate() == 1\n".utf8),
        ]
        return request
    }

    private func expect(_ outcome: Outcome, _ item: Case, _ mode: String) {
        #expect(outcome.statusText == "exited(0)", "\(mode) \(item.name): \(item.why) — \(outcome.statusText) \(outcome.stderr)")
        #expect(outcome.control.contains("completed n0nce 1"), "\(mode) \(item.name): \(outcome.control)")
        #expect(!outcome.control.contains { $0.hasPrefix("completed n0nce 9") }, "\(mode) \(item.name): a forged record got through")
        #expect(outcome.stdout == item.stdout, "\(mode) \(item.name): \(item.why)")
    }

    @Test(arguments: cases)
    func aColdCandidateEndsAsAProgramEnds(_ item: Case) throws {
        let outcome = try Checkout.sandbox().run(request(item.program))
        expect(outcome, item, "cold")
        if item.name == "raising_atexit" { #expect(outcome.stderr.contains("RuntimeError: from atexit")) }
    }

    @Test func aWarmCandidateEndsAsAProgramEnds() throws {
        let pool = try #require(WarmPool(sandbox: Checkout.sandbox()))
        defer { pool.shutdown() }
        for item in Self.cases {
            let outcome = try #require(pool.run(request(item.program)), "\(item.name): the pool died")
            expect(outcome, item, "warm")
            if item.name == "raising_atexit" { #expect(outcome.stderr.contains("RuntimeError: from atexit")) }
        }
        // One pool served them all: neither a lingering candidate nor its killing broke it.
        #expect(pool.run(try request("def f():\n    return 1\n"))?.control.contains("completed n0nce 1") == true)
    }
}
