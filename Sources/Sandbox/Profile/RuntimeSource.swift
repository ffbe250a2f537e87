import Foundation

/// One module of the in-sandbox runtime package (`Sandboxes/python/proctor_runtime/NAME.py`).
/// Profiles are data: the package is read from beside the profile's bootstrap, never built in.
public struct RuntimeSource: Sendable, Hashable {
    /// The file's name in the package (`codec.py`).
    public let name: String
    public let bytes: [UInt8]

    static let packageName = "proctor_runtime"

    /// The package beside `bootstrapPath`, its modules in name order (so the profile's digest is
    /// stable); empty when there is none.
    static func package(beside bootstrapPath: String) throws(SandboxError) -> [RuntimeSource] {
        let directory = URL(fileURLWithPath: bootstrapPath).deletingLastPathComponent().appendingPathComponent(packageName).path
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var sources: [RuntimeSource] = []
        for name in names.sorted() where name.hasSuffix(".py") {
            sources.append(RuntimeSource(name: name, bytes: try JSONFile.read(directory + "/" + name)))
        }
        return sources
    }
}
