/// This program's version, as agents, bags and `kho --version` name it.
public enum KhoVersion {
    public static let current = "0.1.0"
}
