//! Errors that can be logged and shown without leaking the document.
//!
//! A typst diagnostic may quote a value the template was working on (a
//! `panic(data.name)` prints the name, a failed key lookup prints the key), so
//! every message is scrubbed before it leaves the crate: quoted text goes, the
//! payload of a panic goes, and any string from the data that is still left
//! is cut out too. What stays is the diagnostic and its template line.

use typst::World;
use typst::WorldExt;
use typst::diag::SourceDiagnostic;
use typst::ecow::EcoVec;

use crate::world::PrintWorld;

/// Why a document could not be produced. Messages never carry document data.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum PrintError {
    /// The template did not compile or failed while running.
    #[error("template error: {}", .0.join("; "))]
    Template(Vec<String>),
    /// The laid-out document could not be written as PDF.
    #[error("PDF export failed: {}", .0.join("; "))]
    Export(Vec<String>),
    /// `Options::lang` is not a usable BCP-47 tag (language 2–3 letters).
    #[error("invalid language tag")]
    InvalidLanguage,
    /// `Options::date` is outside what typst can represent.
    #[error("invalid document date")]
    InvalidDate,
    /// A file name passed to `render` is not a valid relative path, or is
    /// `main.typ`, which is the template itself.
    #[error("invalid virtual file name")]
    InvalidFileName,
    /// The text does not fit in a QR code.
    #[error("QR code: {0}")]
    Qr(String),
}

/// Turns typst's diagnostics into scrubbed one-line messages.
pub(crate) fn describe(
    world: &PrintWorld,
    diagnostics: &EcoVec<SourceDiagnostic>,
    data_strings: &[&str],
) -> Vec<String> {
    diagnostics
        .iter()
        .map(|diag| {
            let message = scrub(&diag.message, data_strings);
            match location(world, diag) {
                Some(at) => format!("{at}: {message}"),
                None => message,
            }
        })
        .collect()
}

/// "line N" in the template, or "NAME line N" in a passed `.typ` file.
fn location(world: &PrintWorld, diag: &SourceDiagnostic) -> Option<String> {
    let id = diag.span.id()?;
    let range = world.range(diag.span)?;
    let source = world.source(id).ok()?;
    let line = source.lines().byte_to_line(range.start)? + 1;
    if id == world.main_source().id() {
        Some(format!("line {line}"))
    } else {
        Some(format!("{} line {line}", id.vpath().get_without_slash()))
    }
}

/// Removes whatever in a diagnostic could be document data.
pub(crate) fn scrub(message: &str, data_strings: &[&str]) -> String {
    // `panic(x)` reports "panicked with: <repr of x>": keep only the fact.
    if let Some(head) = message.split_once("panicked with").map(|(head, _)| head) {
        return format!("{head}panicked");
    }
    let mut out = String::with_capacity(message.len());
    let mut in_quotes = false;
    let mut escaped = false;
    for c in message.chars() {
        if in_quotes {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => {
                    in_quotes = false;
                    out.push_str("…\"");
                }
                _ => escaped = false,
            }
        } else {
            out.push(c);
            in_quotes = c == '"';
        }
    }
    if in_quotes {
        out.push_str("…\"");
    }
    // Unquoted values (a failed number conversion, say): cut any data string
    // still present, longest first so a value is not half-removed by a part of it.
    let mut strings: Vec<&str> = data_strings
        .iter()
        .copied()
        .filter(|s| s.chars().count() >= 3)
        .collect();
    strings.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for s in strings {
        if out.contains(s) {
            out = out.replace(s, "…");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::scrub;

    #[test]
    fn quoted_values_are_removed() {
        assert_eq!(
            scrub(r#"dictionary does not contain key "Mario \"Rossi\"""#, &[]),
            r#"dictionary does not contain key "…""#
        );
    }

    #[test]
    fn panic_payload_is_removed() {
        assert_eq!(
            scrub("panicked with: (name: \"x\", age: 4)", &[]),
            "panicked"
        );
    }

    #[test]
    fn unquoted_data_strings_are_removed() {
        assert_eq!(
            scrub("cannot convert Rossi to integer", &["Rossi", "it"]),
            "cannot convert … to integer"
        );
    }
}
