import ArgumentParser
import Foundation
import Grader
import Repository

/// The options that turn on SWE-bench's way of grading (environments, test commands, log
/// parsers), shared by `grade-repo` and the `swe` commands.
struct SWEOptions: ParsableArguments {
    @Option(help: "SWE-bench specs (JSON: per repository and version the Python version, packages, install step, test command; `proctor swe specs` writes one from an installed swebench package). Turns on SWE-bench's grading.")
    var specs: String?

    @Option(help: "Where environment and instance layers are built and cached (must be readable by the sandbox's uids).")
    var envCache: String = "/var/cache/proctor/swe"

    @Option(help: ArgumentHelp("An interpreter for a Python version, VERSION=PATH (repeatable); Debian's /usr/bin/python3.X are found without it.", valueName: "version=path"))
    var python: [String] = []

    @Option(help: ArgumentHelp("Locks for environment layers (OWNER__NAME-VERSION.txt, pip name==version lines, as `proctor swe env lock` writes them): a layer with one is built with those versions as pip's constraints, so it equals the one built earlier.", valueName: "dir"))
    var locks: String?

    @Option(help: ArgumentHelp("Whose rules decide a verdict: 4.1 (swebench 4.1.0's grading.py: a skipped test is in neither list, ids matched exactly, the exit status ignored) or 5 (a skipped FAIL_TO_PASS test fails, a skipped PASS_TO_PASS one is kept, cut ids match by prefix, a failing exit with no failed test is no verdict).", valueName: "4.1|5"))
    var sweRules: SWEGrading.Rules = .swebench4

    func validate() throws {
        for entry in python {
            let parts = entry.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].hasPrefix("/") else {
                throw ValidationError("--python \(entry): give VERSION=/absolute/path/to/python (e.g. 3.9=/opt/python3.9/bin/python3.9)")
            }
            guard FileManager.default.isExecutableFile(atPath: String(parts[1])) else {
                throw ValidationError("--python \(entry): \(parts[1]) is not an executable file")
            }
        }
    }

    /// The layer store, or nil without --specs.
    func store(required: Bool = false) throws -> SWEEnvironmentStore? {
        guard let specs else {
            if required { throw CLIFailure.usage("proctor: --specs is needed (a JSON file of SWE-bench specs; see `proctor swe specs --help`)") }
            return nil
        }
        let loaded: SWESpecs
        do {
            loaded = try SWESpecs.read(path: specs)
        } catch {
            throw CLIFailure.from(error)
        }
        var interpreters = SWEEnvironmentStore.defaultInterpreters()
        for entry in python {
            let parts = entry.split(separator: "=", maxSplits: 1)
            interpreters[String(parts[0])] = String(parts[1])
        }
        let root = URL(fileURLWithPath: envCache).standardizedFileURL.path
        if let locks, !FileManager.default.fileExists(atPath: locks) {
            throw CLIFailure.usage("proctor: --locks \(locks): no such directory")
        }
        return SWEEnvironmentStore(
            root: root, interpreters: interpreters, specs: loaded, locks: locks.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
    }
}

extension SWEGrading.Rules: ExpressibleByArgument {}
