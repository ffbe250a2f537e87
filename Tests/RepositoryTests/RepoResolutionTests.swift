import Foundation
import Grader
import Testing

@testable import Repository

#if canImport(Glibc)
    import Glibc
#endif

/// Reading pytest's JUnit report defensively, and SWE-bench's FULL / PARTIAL / NO rule.
struct RepoResolutionTests {
    static let reports =
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/Fixtures/repos/reports"

    static func instance(f2p: [String], p2p: [String]) -> RepoInstance {
        RepoInstance(
            instanceID: "i", repo: "r", baseCommit: "abcd", testPatch: "", failToPass: f2p, passToPass: p2p, testCommand: nil,
            setupCommand: nil, allowTestConfig: false)
    }

    @Test func nodeIDsMatchSWEBenchsLists() throws {
        let report = try JUnitReport.read(path: Self.reports + "/partial.xml")
        #expect(report.tests["tests/test_ops.py::test_add_integers"] == .passed)
        #expect(report.tests["tests/test_ops.py::test_mean_is_exact"] == .failed)
        #expect(report.tests["tests/test_ops.py::test_clamp_low_and_high"] == .passed)
        #expect(report.tests["tests/test_ops.py::TestGroup::test_param[1-2]"] == .skipped)
        #expect(report.tests.count == 6)
    }

    @Test func resolutionFollowsTheRule() throws {
        let report = try JUnitReport.read(path: Self.reports + "/partial.xml")
        let p2p = ["tests/test_ops.py::test_add_integers", "tests/test_ops.py::test_add_strings"]
        let partial = RepoResolution(
            instance: Self.instance(
                f2p: ["tests/test_ops.py::test_mean_is_exact", "tests/test_ops.py::test_clamp_low_and_high"], p2p: p2p),
            report: report)
        #expect(partial.resolved == .partial)
        #expect(partial.failToPassSuccess == ["tests/test_ops.py::test_clamp_low_and_high"])
        #expect(partial.failToPassFailure == ["tests/test_ops.py::test_mean_is_exact"])
        #expect(
            RepoResolution(instance: Self.instance(f2p: ["tests/test_ops.py::test_clamp_low_and_high"], p2p: p2p), report: report).resolved
                == .full)
        // A P2P test that broke makes it NO, however many F2P tests pass.
        #expect(
            RepoResolution(
                instance: Self.instance(
                    f2p: ["tests/test_ops.py::test_clamp_low_and_high"], p2p: p2p + ["tests/test_ops.py::test_mean_is_exact"]),
                report: report
            ).resolved == .no)
        // A test missing from the report counts as failed; no report at all fails everything.
        #expect(RepoResolution(instance: Self.instance(f2p: ["tests/test_ops.py::test_gone"], p2p: []), report: report).resolved == .no)
        #expect(
            RepoResolution(instance: Self.instance(f2p: ["tests/test_ops.py::test_clamp_low_and_high"], p2p: p2p), report: nil).resolved
                == .no)
    }

    @Test func plantedSymlinksFIFOsAndBrokenXMLAreRefused() throws {
        let directory = NSTemporaryDirectory() + "proctor-junit-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createSymbolicLink(atPath: directory + "/link.xml", withDestinationPath: Self.reports + "/partial.xml")
        #expect(throws: GradeError.self) { try JUnitReport.read(path: directory + "/link.xml") }
        #expect(mkfifo(directory + "/fifo.xml", 0o600) == 0)
        #expect(throws: GradeError.self) { try JUnitReport.read(path: directory + "/fifo.xml") }  // must not block
        try "<testsuite><testcase name='a'".write(toFile: directory + "/broken.xml", atomically: true, encoding: .utf8)
        #expect(throws: GradeError.self) { try JUnitReport.read(path: directory + "/broken.xml") }
        #expect(throws: GradeError.self) { try JUnitReport.read(path: Self.reports + "/partial.xml", maxBytes: 100) }
        #expect(throws: GradeError.self) { try JUnitReport.read(path: directory + "/absent.xml") }
    }
}
