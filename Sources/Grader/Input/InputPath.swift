import Foundation

/// Paths the user gave, as runs record them: resolved against the current directory, so a
/// record read from elsewhere (`repro` from another directory, a worker on the queue) still
/// names the same file.
public enum InputPath {
    /// `path` made absolute against the current directory ("" is the current directory itself).
    public static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        let here = FileManager.default.currentDirectoryPath
        return path.isEmpty ? here : here + "/" + path
    }
}
