//! The built-in record document: a title block and a list of sections.

use serde::{Deserialize, Serialize};

use crate::{Options, PrintError, render};

/// The typst source of the built-in report template, for callers that want to
/// start a template of their own from it.
pub const REPORT_TEMPLATE: &str = include_str!("../templates/report.typ");

/// A readable record document (a data-subject export, a file summary).
///
/// Every string is shown as it is, in the document's language: the caller
/// translates labels before building the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub title: String,
    pub subtitle: Option<String>,
    /// Under the title, e.g. "Generated on 3 March 2026 by Giulia Bianchi".
    pub generated_line: String,
    /// On every page beside the page number, e.g. "Confidential — personal data".
    pub footer: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub heading: String,
    pub body: SectionBody,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "content", rename_all = "snake_case")]
pub enum SectionBody {
    /// Label–value pairs, shown as a two-column table.
    Fields(Vec<(String, String)>),
    /// A table whose header row repeats on every page it spans.
    Table {
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Running text; a blank line starts a new paragraph.
    Text(String),
    /// The line to show when there is nothing to list ("Nothing recorded").
    Empty(String),
}

/// Renders `doc` with [`REPORT_TEMPLATE`]: A4, page numbers "n / total",
/// mirrored for right-to-left languages.
pub fn report(doc: &Report, opts: &Options) -> Result<Vec<u8>, PrintError> {
    let mut doc = doc.clone();
    for section in &mut doc.sections {
        if let SectionBody::Table { columns, rows } = &mut section.body {
            square(columns, rows);
        }
    }
    // Serialising plain strings and vectors cannot fail; the fallback is only
    // there so that no panic path exists.
    let data = serde_json::to_value(&doc).unwrap_or_default();
    render(REPORT_TEMPLATE, &data, &[], opts)
}

/// Makes every row as wide as the header. Typst fills a table cell by cell, so
/// a short row would shift every later cell into the wrong column; a long row
/// gets unnamed columns rather than losing data.
fn square(columns: &mut Vec<String>, rows: &mut [Vec<String>]) {
    let width = rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(columns.len());
    columns.resize(width, String::new());
    for row in rows {
        row.resize(width, String::new());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ragged_rows_are_squared_without_losing_cells() {
        let mut columns = vec!["a".to_owned(), "b".to_owned()];
        let mut rows = vec![
            vec!["1".to_owned()],
            vec!["1".into(), "2".into(), "3".into()],
        ];
        square(&mut columns, &mut rows);
        assert_eq!(columns, ["a", "b", ""]);
        assert!(rows.iter().all(|row| row.len() == 3));
        assert_eq!(rows[1][2], "3");
    }

    #[test]
    fn section_bodies_serialise_with_a_kind_tag() {
        let body = SectionBody::Empty("Nulla".into());
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"kind": "empty", "content": "Nulla"})
        );
    }
}
