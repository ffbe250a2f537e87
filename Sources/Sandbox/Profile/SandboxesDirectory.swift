import Foundation

/// Finds the `Sandboxes/` directory that holds the profiles.
///
/// Order: an explicit path, `$PROCTOR_SANDBOXES`, then `Sandboxes/` in the current directory or
/// any parent of it or of the running executable (so `.build/debug/proctor` finds the checkout's).
public enum SandboxesDirectory {
    public static func locate(explicit: String? = nil) throws(SandboxError) -> String {
        if let explicit { return try check(explicit) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PROCTOR_SANDBOXES"] {
            return try check(fromEnvironment)
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").resolvingSymlinksInPath()
        let starts = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath), executable.deletingLastPathComponent()]
        for start in starts {
            var directory = start.standardizedFileURL
            while true {
                let candidate = directory.appendingPathComponent("Sandboxes/profiles").path
                if FileManager.default.fileExists(atPath: candidate) {
                    return directory.appendingPathComponent("Sandboxes").path
                }
                let parent = directory.deletingLastPathComponent()
                if parent.path == directory.path { break }
                directory = parent
            }
        }
        throw SandboxError(.profileNotFound, "cannot find a Sandboxes/ directory; pass --sandboxes DIR or set PROCTOR_SANDBOXES")
    }

    private static func check(_ path: String) throws(SandboxError) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        guard FileManager.default.fileExists(atPath: absolute + "/profiles") else {
            throw SandboxError(.profileNotFound, "\(path) has no profiles/ directory")
        }
        return absolute
    }
}
