import Foundation
import Synchronization
import Testing

@testable import Sandbox

/// A caller-built working tree (a repository checkout) with real processes: the program works in
/// it, but what it writes there is bounded by the scratch quota and never reaches the host tree;
/// the only files it can leave behind are the declared outputs.
@Suite(.serialized)
struct WorkingTreeTests {
    @Test(.enabled(if: Checkout.isRoot, "the overlay needs a mount namespace"))
    func writesBeneathTheTreeAreBoundedAndDiscardedAndOutputsCollected() throws {
        let sandbox = try Checkout.sandbox()
        let program = """
            import errno, os
            open('base.txt', 'w').write('changed by the run')
            os.mkdir('made-by-the-run')
            written = 0
            try:
                for index in range(24):  # 24 x 16 MiB: far beyond the 64 MiB scratch quota; stops there
                    with open('flood-%d' % index, 'wb') as handle:
                        for _ in range(16):
                            handle.write(bytes(1 << 20))
                            written += 1 << 20
            except OSError as error:
                print('flood stopped', errno.errorcode[error.errno], written >> 20)
            open('../report.txt', 'w').write('report: ' + open('base.txt').read())
            for name in ('../another-output.txt', '../tree-sibling/x'):
                try:
                    open(name, 'w')
                    print('wrote', name)
                except OSError as error:
                    print('refused', name, errno.errorcode[error.errno])
            """
        let seen = Mutex<(report: String, base: String, entries: [String])?>(nil)
        var request = RunRequest(source: program, programName: "program.py", limits: sandbox.profile.definition.limits)
        request.workingTree = WorkingTree(
            build: { path in
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
                try "as built".write(toFile: path + "/base.txt", atomically: false, encoding: .utf8)
            },
            outputs: ["report.txt"],
            collect: { directory in
                let report = (try? String(contentsOfFile: directory + "/report.txt", encoding: .utf8)) ?? "<missing>"
                let base = (try? String(contentsOfFile: directory + "/tree/base.txt", encoding: .utf8)) ?? "<missing>"
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory + "/tree")) ?? []
                seen.withLock { $0 = (report, base, entries.sorted()) }
            })
        let outcome = sandbox.run(request)
        #expect(outcome.statusText == "exited(0)", "\(outcome.stderr)")
        #expect(outcome.isolation.workingTreeOverlay == true)
        let stopped = try #require(outcome.stdout.split(separator: "\n").first { $0.hasPrefix("flood stopped") })
        #expect(stopped.hasPrefix("flood stopped ENOSPC"), "\(stopped)")
        #expect((Int(stopped.split(separator: " ").last ?? "") ?? .max) <= 64, "more than the scratch quota was written: \(stopped)")
        #expect(outcome.stdout.contains("refused ../another-output.txt EACCES"), "\(outcome.stdout)")
        #expect(outcome.stdout.contains("refused ../tree-sibling/x"), "\(outcome.stdout)")
        let after = try #require(seen.withLock { $0 })
        #expect(after.report == "report: changed by the run", "the run's view of the tree is its own writes")
        #expect(after.base == "as built", "the host tree was changed")
        #expect(after.entries == ["base.txt"], "the run's files reached the host tree: \(after.entries)")
    }

    @Test func outputNamesMustBePlainFileNames() throws {
        let sandbox = try Checkout.sandbox()
        var request = RunRequest(source: "pass\n", programName: "program.py")
        request.workingTree = WorkingTree(
            build: { try FileManager.default.createDirectory(atPath: $0, withIntermediateDirectories: false) },
            outputs: ["../escape.txt"], collect: { _ in })
        let outcome = sandbox.run(request)
        #expect(outcome.status == "internal_error")
        #expect(outcome.error?.contains("plain file name") == true, "\(outcome.error ?? "")")
        // A request's own outputs go through the same check: no path, no name an input has.
        for name in ["../escape.txt", "..", "scratch", "program.py"] {
            var own = RunRequest(source: "pass\n", programName: "program.py")
            own.outputs = [name]
            let refused = sandbox.run(own)
            #expect(refused.status == "internal_error" && refused.error?.contains("plain file name") == true, "\(name): \(refused.error ?? "")")
        }
    }
}
