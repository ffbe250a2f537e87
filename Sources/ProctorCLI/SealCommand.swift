import ArgumentParser
import Foundation
import Grader

#if canImport(Glibc)
    import Glibc
#endif

/// `proctor seal`: encrypts a problems file's tests so it can be shared for grading without
/// letting them leak into training data.
public struct SealCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "seal",
        abstract: "Seal a problems file: tests, inputs, reference and generator encrypted; prompts readable.",
        discussion: """
            Every problem line becomes its task_id, prompt and entry_point in the clear (so models \
            can be asked) and the rest AES-256-GCM ciphertext. The key stays in its own file \
            (64 hex digits; --new-key makes one, readable by its owner only) and is never written \
            into the sealed file. `proctor grade --key-file K` grades a sealed file and refuses \
            one that was altered; its tests never appear in rows, messages or caches.

            Example:
              proctor seal --problems hidden.jsonl --out hidden.sealed.jsonl --key-file hidden.key --new-key
              proctor grade --problems hidden.sealed.jsonl --samples s.jsonl --key-file hidden.key --out r/
            """
    )

    @Option(help: "Problems file to seal (.jsonl or .jsonl.gz).")
    var problems: String

    @Option(help: "The sealed problems file to write.")
    var out: String

    @Option(help: "The key file (or set PROCTOR_SEAL_KEY).")
    var keyFile: String?

    @Flag(help: "Make a new key and write it to --key-file (which must not exist yet).")
    var newKey = false

    @Option(help: "Leave this task public (readable; repeatable): its pass rate is then reported apart from the hidden ones.")
    var keepPublic: [String] = []

    public init() {}

    public func run() throws {
        let key: SealKey
        do {
            if newKey {
                guard let keyFile else { throw CLIFailure.usage("proctor: --new-key needs --key-file to write the key to") }
                guard !FileManager.default.fileExists(atPath: keyFile) else {
                    throw CLIFailure.usage("proctor: \(keyFile) exists; a new key never overwrites one (a file sealed with it would be lost)")
                }
                key = SealKey.generate()
                let fd = open(keyFile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard fd >= 0 else { throw CLIFailure.io("proctor: \(keyFile): cannot create (errno \(errno))") }
                let text = Array(key.fileText.utf8)
                let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                close(fd)
                guard written == text.count else { throw CLIFailure.io("proctor: \(keyFile): write failed") }
            } else {
                guard let found = try SealKey.from(file: keyFile) else {
                    throw CLIFailure.usage(
                        "proctor: seal needs a key: --key-file K (add --new-key to make one) or \(SealKey.environmentVariable)")
                }
                key = found
            }
            let result = try SealedProblems.seal(input: problems, output: out, key: key, keepPublic: Set(keepPublic))
            print("sealed \(result.sealed) problem(s)" + (result.kept > 0 ? ", \(result.kept) left public" : "") + " into \(out) (key \(key.id))")
        } catch let failure as CLIFailure {
            throw failure
        } catch {
            throw CLIFailure.from(error)
        }
    }
}
