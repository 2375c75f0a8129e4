// The English switch: the language of a request (a cookie, Vietnamese by default), and the
// translation of pages by whole texts. A template's texts (between HTML tags and Mustache
// tags, and its placeholder, aria-label, alt and title values) are translated once at start,
// so English pages cost no more to render. Labels and messages the routes put in are looked
// up where they are made (`Lang.text`); user data (titles, descriptions, names) never is.
import Foundation
import Hummingbird
import KhoCore

enum Lang: String, Sendable {
    case vi, en

    /// The language of the request being answered (set by `LangMiddleware`).
    @TaskLocal static var current: Lang = .vi

    static let cookie = "kho_lang"

    static func of(_ request: Request) -> Lang {
        request.cookies[cookie]?.value == "en" ? .en : .vi
    }

    var other: Lang { self == .vi ? .en : .vi }

    /// A label or message the routes put in a page, in the request's language (its English
    /// from `English.words`; the Vietnamese when it has none).
    /// One of two texts built with values inside, by the request's language.
    static func pick(_ vietnamese: @autoclosure () -> String, _ english: @autoclosure () -> String) -> String {
        current == .en ? english() : vietnamese()
    }

    static func text(_ vietnamese: String) -> String {
        current == .en ? English.words[vietnamese] ?? vietnamese : vietnamese
    }
    /// The switch's label, in the language it switches to.
    var name: String { self == .vi ? "Tiếng Việt" : "English" }
}

/// Answers each request in its language: pages and formats read `Lang.current`.
struct LangMiddleware: RouterMiddleware {
    typealias Context = KhoContext

    func handle(_ request: Request, context: KhoContext, next: (Request, KhoContext) async throws -> Response) async throws -> Response {
        var context = context
        context.lang = Lang.of(request)
        // Where the switch on this page leads back to: the page itself (GET), else the home page.
        context.here = request.method == .get ? request.uri.description : "/"
        let ready = context
        return try await Lang.$current.withValue(ready.lang) { try await next(request, ready) }
    }
}

enum Translation {
    /// `text` (a template, or a rendered page) with its whole texts found in `words` replaced.
    /// With `mustache`, `{{…}}` tags are kept as they are and split texts.
    static func apply(_ text: String, _ words: [String: String], mustache: Bool) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        walk(text, mustache: mustache) { piece in
            switch piece {
            case .verbatim(let s): out += s
            case .text(let s):
                let trimmed = trim(s)
                if !trimmed.isEmpty, let english = words[String(trimmed)] {
                    out += s[..<trimmed.startIndex] + english + s[trimmed.endIndex...]
                } else {
                    out += s
                }
            }
        }
        return out
    }

    /// The texts of a template that are not in `words` and hold letters (for the test that
    /// every text has its English).
    static func untranslated(_ template: String, _ words: [String: String], allowed: Set<String>) -> [String] {
        var missing: [String] = []
        walk(template, mustache: true) { piece in
            guard case .text(let s) = piece else { return }
            let t = String(trim(s))
            if !t.contains("{{"), t.unicodeScalars.contains(where: { $0.properties.isAlphabetic }), words[t] == nil, !allowed.contains(t) { missing.append(t) }
        }
        return missing
    }

    enum Piece { case verbatim(Substring), text(Substring) }

    /// `s` without the spaces and line breaks around it (a slice of it).
    static func trim(_ s: Substring) -> Substring {
        guard let first = s.firstIndex(where: { !$0.isWhitespace }), let last = s.lastIndex(where: { !$0.isWhitespace }) else { return s[s.endIndex...] }
        return s[first...last]
    }

    /// Attributes whose values are read by people.
    static let labelled = ["placeholder", "aria-label", "alt", "title"]
    /// Elements whose content is data or code, never translated.
    static let opaque = ["textarea", "script", "style", "code", "pre"]

    /// Cuts `text` into texts to translate and the rest; a tag's labelled attribute values
    /// come as texts of their own.
    static func walk(_ text: String, mustache: Bool, _ take: (Piece) -> Void) {
        var i = text.startIndex
        var textStart = i
        func flush(_ end: String.Index) { if textStart < end { take(.text(text[textStart..<end])) } }
        while i < text.endIndex {
            let c = text[i]
            if mustache, c == "{", text[i...].hasPrefix("{{") {
                flush(i)
                let close = text.range(of: "}}", range: i..<text.endIndex)?.upperBound ?? text.endIndex
                let end = close < text.endIndex && text[close] == "}" ? text.index(after: close) : close
                take(.verbatim(text[i..<end]))
                i = end
                textStart = i
            } else if c == "<" {
                flush(i)
                let tagStart = i
                let end = text[i...].firstIndex(of: ">").map { text.index(after: $0) } ?? text.endIndex
                tag(text[tagStart..<end], take)
                i = end
                // The content of an opaque element goes through as it is.
                if let opened = opaqueName(text[tagStart..<end]) {
                    let stop = text.range(of: "</\(opened)", options: .caseInsensitive, range: i..<text.endIndex)?.lowerBound ?? text.endIndex
                    take(.verbatim(text[i..<stop]))
                    i = stop
                }
                textStart = i
            } else {
                i = text.index(after: i)
            }
        }
        flush(text.endIndex)
    }

    /// The element a start tag opens, when its content is opaque.
    private static func opaqueName(_ tag: Substring) -> String? {
        guard tag.hasPrefix("<"), !tag.hasPrefix("</") else { return nil }
        let name = tag.dropFirst().prefix { $0.isLetter }.lowercased()
        return opaque.contains(name) ? name : nil
    }

    /// A tag, with the values of its labelled attributes as texts.
    private static func tag(_ tag: Substring, _ take: (Piece) -> Void) {
        var rest = tag
        while let found = labelled.compactMap({ name -> (Range<Substring.Index>, Substring.Index)? in
            guard let r = rest.range(of: " \(name)=\"") else { return nil }
            return (r, r.upperBound)
        }).min(by: { $0.0.lowerBound < $1.0.lowerBound }) {
            let valueStart = found.1
            guard let valueEnd = rest[valueStart...].firstIndex(of: "\"") else { break }
            take(.verbatim(rest[..<valueStart]))
            take(.text(rest[valueStart..<valueEnd]))
            rest = rest[valueEnd...]
        }
        take(.verbatim(rest))
    }
}
