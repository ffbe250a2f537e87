import ArgumentParser
import Foundation
import Grader
import Sandbox

/// How inputs problems (EvalPlus-style, dynamic) and sealed problems are graded, for `grade`
/// and `submit` alike.
struct InputsFlags: ParsableArguments {
    @Option(help: "Inputs problems: an input's time limit is this × the reference's time on it.")
    var timeFactor: Double = 4

    @Option(help: "Inputs problems: the smallest time limit of an input (EvalPlus: 1s), e.g. 2s.")
    var timeFloor: String = "1s"

    @Option(help: "Inputs problems: the most the reference (or a generator) may take on one input, e.g. 10s.")
    var referenceBudget: String = "10s"

    @Option(help: "Inputs problems: the reference run's memory limit, e.g. 4GiB (default: four times the samples').")
    var referenceMemory: String?

    @Option(help: "Where reference results are cached between runs (default ~/.cache/proctor/reference; 'none': not cached). Hidden problems are never cached on disk.")
    var referenceCache: String?

    @Option(help: "Dynamic tasks: the seed their tests are generated from (default: the earlier run's in the same --out, else a fresh one; printed and recorded).")
    var seed: UInt64?

    @Option(help: "Key of a sealed problems file (`proctor seal`); or set PROCTOR_SEAL_KEY.")
    var keyFile: String?

    func options() throws -> DifferentialOptions {
        var options = DifferentialOptions()
        guard timeFactor.isFinite, timeFactor > 0 else { throw CLIFailure.usage("proctor: --time-factor must be a finite number above 0") }
        options.timeFactor = timeFactor
        options.timeFloor = try Self.seconds(timeFloor, flag: "--time-floor")
        options.referenceBudget = try Self.seconds(referenceBudget, flag: "--reference-budget")
        options.cacheDirectory = referenceCache == "none" ? nil : referenceCache ?? DifferentialOptions.defaultCacheDirectory
        if let seed { options.seed = seed }
        if let referenceMemory {
            guard let bytes = ByteCount(parsing: referenceMemory), bytes.bytes >= 16 << 20 else {
                throw CLIFailure.usage("proctor: --reference-memory \(referenceMemory): expected a size of at least 16MiB, such as 4GiB")
            }
            options.referenceMemory = bytes.bytes
        }
        return options
    }

    func key() throws -> SealKey? {
        do {
            return try SealKey.from(file: keyFile)
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
    }

    static func seconds(_ text: String, flag: String) throws -> Double {
        guard let span = TimeSpan(parsing: text), span.milliseconds > 0 else {
            throw CLIFailure.usage("proctor: \(flag) \(text): expected a duration such as 0.2s or 500ms")
        }
        return span.seconds
    }
}
