import ArgumentParser
import Grader

/// How stdin/stdout problems are judged, for `grade` and `submit` alike.
struct StdioFlags: ParsableArguments {
    @Option(help: "stdin/stdout problems: which part of an answer is the program: last-fence (LiveCodeBench's choice), first-fence or none.")
    var extract: String = "last-fence"

    @Option(help: "stdin/stdout problems: multiply each problem's time limit by this.")
    var timeScale: Double = 1

    @Flag(help: "stdin/stdout problems: run every test and report the fraction passed, instead of stopping at the first failure.")
    var allTests = false

    @Flag(
        help: """
            stdin/stdout problems: treat private tests (LiveCodeBench private, CodeContests private \
            and generated, APPS/TACO, `hidden: true`) as public, with their verdicts, diffs and \
            timings in rows. Off by default: a row says only whether the private tests all passed. \
            For data you own; sealed problems stay hidden.
            """)
    var revealPrivate = false

    @Option(
        help: """
            stdin/stdout problems: how a program runs on a test: plain (`python3 program.py < input`, \
            ended as the interpreter ends it), lcb (LiveCodeBench's runner: its import block, \
            __name__ and stdin handling), or auto (lcb for LiveCodeBench's layout, plain otherwise).
            """)
    var judge: String = "auto"

    @Option(
        help: """
            stdin/stdout problems: the language of samples that do not say (a sample's `language` \
            field, then its fence's tag, come first): python (default), c, cpp, go, rust, java, \
            javascript — each a file in Sandboxes/languages.
            """)
    var language: String?

    func options() throws -> StdioOptions {
        guard let extraction = FencedCode(rawValue: extract) else {
            throw CLIFailure.usage("proctor: --extract \(extract): last-fence, first-fence or none")
        }
        guard timeScale.isFinite, timeScale > 0 else { throw CLIFailure.usage("proctor: --time-scale must be a finite number above 0") }
        var options = StdioOptions()
        options.extract = extraction
        options.timeScale = timeScale
        options.allTests = allTests
        options.revealPrivate = revealPrivate
        guard let mode = StdioOptions.JudgeMode(rawValue: judge) else {
            throw CLIFailure.usage("proctor: --judge \(judge): auto, lcb or plain")
        }
        options.judge = mode
        options.language = language?.lowercased()
        return options
    }
}
