import ArgumentParser
import Foundation
import Sandbox

/// The profile and per-sample limits `grade` and `submit` resolve from their options: the
/// profile's limits, with the wall clock from --timeout, CPU from --cpu (never above the wall
/// clock) and memory from --memory; and the profile with --python-env's environment, if given.
struct SandboxSelection {
    var profile: SandboxProfile
    var limits: ResourceLimits

    /// Below this the Python profiles cannot even start the interpreter (every sample would end
    /// in SIGSEGV or MemoryError before its first line).
    static let minimumMemory: UInt64 = 32 << 20

    static func validate(timeout: String, cpu: String?, memory: String?) throws {
        guard TimeSpan(parsing: timeout) != nil else { throw ValidationError("--timeout: '\(timeout)' is not a duration") }
        if let cpu, TimeSpan(parsing: cpu) == nil { throw ValidationError("--cpu: '\(cpu)' is not a duration") }
        if let memory {
            guard let bytes = ByteCount(parsing: memory) else { throw ValidationError("--memory: '\(memory)' is not a size") }
            if let problem = memoryProblem(bytes) { throw ValidationError(problem) }
        }
    }

    /// Why a memory limit cannot work, or nil.
    static func memoryProblem(_ memory: ByteCount) -> String? {
        memory.bytes < minimumMemory ? "--memory \(memory) is below the \(ByteCount(bytes: minimumMemory)) the interpreter needs to start" : nil
    }

    /// Limits for a whole test suite (repository tasks): the CPU limit follows the wall clock
    /// unless `--cpu` was given — a suite may spend all of its time on the CPU — and the output is
    /// kept whole, up to the output limit, for the instance's test_output.txt.
    mutating func fitTestSuites(cpuGiven: Bool) {
        if !cpuGiven { limits.cpu = limits.wall }
        limits.captureBytes = max(limits.captureBytes, limits.outputLimit)
    }

    init(
        profile name: String, sandboxes: String?, timeout: String, cpu: String?, memory: String?, pythonEnv: String? = nil,
        network: String? = nil
    ) throws {
        do {
            profile = try SandboxProfile.load(named: name, sandboxesDirectory: SandboxesDirectory.locate(explicit: sandboxes))
            if let pythonEnv { profile = try profile.withPythonEnvironment(pythonEnv) }
            switch network {
            case nil, "none": break
            case "loopback": profile = try profile.withLoopbackNetwork()
            default: throw CLIFailure.usage("proctor: --network \(network!): none or loopback")
            }
        } catch {
            throw CLIFailure.usage("proctor: \(error)")
        }
        limits = profile.definition.limits
        limits.wall = TimeSpan(parsing: timeout)!
        if let cpu { limits.cpu = TimeSpan(parsing: cpu)! }
        if limits.cpu > limits.wall { limits.cpu = limits.wall }
        if let memory { limits.memory = ByteCount(parsing: memory)! }
    }
}
