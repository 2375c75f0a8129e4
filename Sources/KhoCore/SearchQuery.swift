// Turns what a person types into an FTS5 query over folded text:
// every word must match, diacritics and case ignored; `word*` matches a prefix.

public enum SearchQuery {
    /// nil when the text has no words to look for.
    public static func fts(_ text: String) -> String? {
        var terms: [String] = []
        for raw in text.split(whereSeparator: { $0.isWhitespace }) {
            let prefix = raw.hasSuffix("*")
            for word in VietnameseText.foldedWords(String(raw)) {
                terms.append("\"\(word)\"" + (prefix ? "*" : ""))
            }
        }
        return terms.isEmpty ? nil : terms.joined(separator: " ")
    }

    /// The folded form stored in the index for a piece of text.
    public static func indexText(_ text: String?) -> String {
        guard let text else { return "" }
        return VietnameseText.foldedWords(text).joined(separator: " ")
    }
}
