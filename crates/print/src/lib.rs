//! PDF documents for SPRInt, typeset with typst used as a library.
//!
//! [`render`] compiles a typst template against JSON data; [`report`] does it
//! with the built-in template for record documents (a data-subject export, a
//! file summary). Fonts for Latin, Arabic (Naskh and Nastaliq), Ethiopic,
//! Bengali and Simplified Chinese are embedded, so a fresh machine needs
//! nothing installed.
//!
//! Data never becomes markup: it reaches the template only as one JSON string
//! in `sys.inputs.data`, which the template decodes with
//! `json(bytes(sys.inputs.data))` and places as values (`#data.name`). A string
//! placed that way is text, whatever characters it holds; templates must not
//! pass data to `eval`.
//!
//! Rendering is CPU-bound and blocking (tens of milliseconds for a few
//! pages): call it from `spawn_blocking` in async code.

mod error;
mod fonts;
mod qr;
mod report;
mod world;

use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{Datelike, NaiveDate};
use typst::diag::Warned;
use typst::foundations::{Datetime, Dict, Smart, Str, Value};
use typst::layout::Dir;
use typst::text::{
    BottomEdge, BottomEdgeMetric, Lang, Region, TextDir, TextElem, TopEdge, TopEdgeMetric,
};
use typst::{Library, LibraryExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

pub use error::PrintError;
pub use qr::qr_svg;
pub use report::{REPORT_TEMPLATE, Report, Section, SectionBody, report};

/// Renders in progress, so that the last one to finish can empty typst's cache.
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// Held for the length of a render; see `drop` for what it is for.
struct InFlight;

impl InFlight {
    fn enter() -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        Self
    }
}

impl Drop for InFlight {
    /// Typst memoizes globally and never forgets by itself, so a server would
    /// keep every document it printed in memory. Across different documents
    /// the cache does not pay (a three-page report takes about 150 ms either
    /// way, and a fuller cache makes lookups slower; only re-rendering the very
    /// same document is faster), so it is emptied whenever no render is
    /// running. While others run, only results unused for two renders go, so
    /// their work in progress is not thrown away.
    fn drop(&mut self) {
        let last = IN_FLIGHT.fetch_sub(1, Ordering::SeqCst) == 1;
        typst::comemo::evict(if last { 0 } else { 2 });
    }
}

/// Language and date of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// BCP-47 tag such as `it`, `ar`, `pt-BR`, `zh-Hant-TW`: sets hyphenation,
    /// quotes, the PDF's language, the text direction and the font order.
    pub lang: String,
    /// The document's date: typst's `datetime.today()` and the PDF creation
    /// date. Given by the caller so that the same input gives the same bytes.
    pub date: NaiveDate,
}

impl Options {
    pub fn new(lang: impl Into<String>, date: NaiveDate) -> Self {
        Self {
            lang: lang.into(),
            date,
        }
    }
}

/// Whether documents in `lang` (a BCP-47 tag) are laid out right to left.
///
/// Decided here rather than by typst, whose list also flips Punjabi, which in
/// Italy is nearly always written in (left-to-right) Gurmukhi.
pub fn is_rtl(lang: &str) -> bool {
    let primary = lang.split(['-', '_']).next().unwrap_or_default();
    matches!(
        primary.to_ascii_lowercase().as_str(),
        "ar" | "fa" | "ps" | "ur" | "prs" | "ckb" | "sd" | "ug" | "he" | "yi" | "dv"
    )
}

/// A BCP-47 tag split into what typst understands.
struct Tag {
    lang: Lang,
    region: Option<Region>,
    primary: String,
}

fn parse_tag(tag: &str) -> Result<Tag, PrintError> {
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next().unwrap_or_default().to_ascii_lowercase();
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(PrintError::InvalidLanguage);
    }
    let lang = Lang::from_str(&primary).map_err(|_| PrintError::InvalidLanguage)?;
    let mut region = None;
    let mut script_seen = false;
    // Script (4 letters) and region (2 letters) come in that order; variants
    // and extensions after them do not change typesetting and are ignored.
    for part in parts {
        match part.len() {
            4 if !script_seen && region.is_none() => script_seen = true,
            2 if region.is_none() => {
                region = Some(
                    Region::from_str(&part.to_ascii_uppercase())
                        .map_err(|_| PrintError::InvalidLanguage)?,
                );
            }
            _ => break,
        }
    }
    Ok(Tag {
        lang,
        region,
        primary,
    })
}

/// `date` as typst's day (for `datetime.today()`) and midnight UTC (for the PDF).
fn typst_dates(date: NaiveDate) -> Result<(Datetime, Datetime), PrintError> {
    let month = u8::try_from(date.month()).map_err(|_| PrintError::InvalidDate)?;
    let day = u8::try_from(date.day()).map_err(|_| PrintError::InvalidDate)?;
    let today = Datetime::from_ymd(date.year(), month, day);
    let midnight = Datetime::from_ymd_hms(date.year(), month, day, 0, 0, 0);
    today.zip(midnight).ok_or(PrintError::InvalidDate)
}

/// Compiles `template` with `data` and returns the PDF.
///
/// The template sees:
/// - `sys.inputs.data`: `data` as a JSON string; decode with
///   `#let data = json(bytes(sys.inputs.data))`;
/// - `sys.inputs.lang` (the tag as given), `sys.inputs.dir` (`"ltr"` or
///   `"rtl"`) and `sys.inputs.date` (`YYYY-MM-DD`);
/// - `files`, by name (`"qr.svg"` → `#image("qr.svg")`); `.typ` files can be
///   imported. Nothing else: no disk, no packages. Use fixed names (`qr.svg`,
///   `logo.png`), not names made per document: typst interns every path for the
///   life of the process.
///
/// Text language, direction and the embedded font fallback list are already
/// set from `opts`, so a template only sets what it wants to look different.
/// The same arguments always give the same bytes.
pub fn render(
    template: &str,
    data: &serde_json::Value,
    files: &[(&str, Vec<u8>)],
    opts: &Options,
) -> Result<Vec<u8>, PrintError> {
    let tag = parse_tag(&opts.lang)?;
    let (today, midnight) = typst_dates(opts.date)?;
    let rtl = is_rtl(&opts.lang);

    let inputs: Dict = [
        ("data", data.to_string()),
        ("lang", opts.lang.clone()),
        ("dir", if rtl { "rtl" } else { "ltr" }.to_owned()),
        ("date", opts.date.format("%Y-%m-%d").to_string()),
    ]
    .into_iter()
    .map(|(key, value)| (Str::from(key), Value::Str(Str::from(value))))
    .collect();

    let mut library = Library::builder().with_inputs(inputs).build();
    // Defaults for every template, as if it began with `set text(...)`.
    library
        .styles
        .set(TextElem::font, fonts::families(&tag.primary));
    library.styles.set(TextElem::lang, tag.lang);
    library.styles.set(TextElem::region, tag.region);
    library.styles.set(
        TextElem::dir,
        TextDir(Smart::Custom(if rtl { Dir::RTL } else { Dir::LTR })),
    );
    if tag.primary == "ur" {
        // Nastaliq climbs and descends far beyond the Latin cap height and
        // baseline that typst sizes lines by: lines and table rows would overlap.
        library
            .styles
            .set(TextElem::top_edge, TopEdge::Metric(TopEdgeMetric::Ascender));
        library.styles.set(
            TextElem::bottom_edge,
            BottomEdge::Metric(BottomEdgeMetric::Descender),
        );
    }

    let world = world::PrintWorld::new(library, template, files, today)?;
    let _in_flight = InFlight::enter();
    compile(&world, data, midnight)
}

fn compile(
    world: &world::PrintWorld,
    data: &serde_json::Value,
    midnight: Datetime,
) -> Result<Vec<u8>, PrintError> {
    let Warned { output, .. } = typst::compile::<PagedDocument>(world);
    let document = output
        .map_err(|diags| PrintError::Template(error::describe(world, &diags, &strings(data))))?;

    let options = PdfOptions {
        // Without a timestamp the PDF has no creation date; with the clock's
        // time the bytes would differ on every run.
        timestamp: Some(Timestamp::new_utc(midnight)),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options)
        .map_err(|diags| PrintError::Export(error::describe(world, &diags, &strings(data))))
}

/// Every string in `data`, for scrubbing error messages.
fn strings(data: &serde_json::Value) -> Vec<&str> {
    fn walk<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match value {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(data, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags_are_split_for_typst() {
        let tag = parse_tag("zh-Hant-TW").unwrap();
        assert_eq!(tag.primary, "zh");
        assert_eq!(
            tag.region.map(|r| r.as_str().to_owned()).as_deref(),
            Some("TW")
        );
        assert!(parse_tag("pt_BR").is_ok());
        assert!(parse_tag("").is_err());
        assert!(parse_tag("italiano").is_err());
    }

    #[test]
    fn arabic_script_languages_are_rtl_and_punjabi_is_not() {
        for lang in ["ar", "fa", "ps", "ur", "ar-EG"] {
            assert!(is_rtl(lang), "{lang}");
        }
        for lang in ["it", "pa", "bn", "ti", "en-GB"] {
            assert!(!is_rtl(lang), "{lang}");
        }
    }
}
