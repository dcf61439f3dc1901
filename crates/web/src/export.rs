//! Tables as files: CSV, XLSX with typed cells (numbers as numbers, dates as dates, so a
//! spreadsheet sums and sorts them), and a password-protected ZIP (AES-256) for any export
//! that carries personal data.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};

/// One cell of an exported table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// A number with decimals (an average).
    Num(f64),
    /// A share from 0 to 1, shown as a percentage.
    Percent(f64),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Num(x) => format!("{x:.2}"),
            Cell::Percent(x) => format!("{:.2}", x * 100.0),
            Cell::Date(d) => d.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A table with a name (the sheet's) and a header row.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// Spreadsheet programs run a cell that starts with one of these as a formula (CSV
/// injection): such text is prefixed with an apostrophe, which they show as text.
fn defused(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// The sheet as CSV (comma-separated, UTF-8 with a byte-order mark so that spreadsheet
/// programs read accents right).
pub fn csv(sheet: &Sheet) -> Result<Vec<u8>, String> {
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(sheet.columns.iter().map(|c| defused(c)))
        .map_err(|e| e.to_string())?;
    for row in &sheet.rows {
        w.write_record(row.iter().map(|c| match c {
            Cell::Text(s) => defused(s),
            other => other.csv(),
        }))
        .map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`, unique in the workbook.
fn sheet_name(name: &str, taken: &[String]) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(28)
        .collect();
    let mut out = if clean.trim().is_empty() {
        "Sheet".to_string()
    } else {
        clean
    };
    let base = out.clone();
    let mut n = 2;
    while taken.contains(&out) {
        out = format!("{base} {n}");
        n += 1;
    }
    out
}

/// The sheets as one workbook, each cell with its type.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, String> {
    let err = |e: rust_xlsxwriter::XlsxError| e.to_string();
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let percent = Format::new().set_num_format("0.0%");
    let decimal = Format::new().set_num_format("0.0");
    let mut names: Vec<String> = vec![];
    for s in sheets {
        let name = sheet_name(&s.name, &names);
        names.push(name.clone());
        let ws = book.add_worksheet();
        ws.set_name(&name).map_err(err)?;
        for (c, title) in s.columns.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, title, &bold)
                .map_err(err)?;
        }
        for (r, row) in s.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    // Written as text whatever it looks like: a formula is never made.
                    Cell::Text(t) => ws.write_string(r, c, t).map(|_| ()),
                    Cell::Int(n) => ws.write_number(r, c, *n as f64).map(|_| ()),
                    Cell::Num(x) => ws.write_number_with_format(r, c, *x, &decimal).map(|_| ()),
                    Cell::Percent(x) => ws.write_number_with_format(r, c, *x, &percent).map(|_| ()),
                    Cell::Date(d) => ws.write_date_with_format(r, c, d, &date).map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(err)?;
            }
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
        ws.autofit();
    }
    book.save_to_buffer().map_err(err)
}

/// Shortest passphrase accepted for an encrypted export.
pub const MIN_PASSWORD: usize = 12;

/// The passphrase of an encrypted export, typed twice. Never stored, never logged.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct PasswordForm {
    pub password: String,
    pub password_again: String,
}

impl PasswordForm {
    /// The passphrase when it is long enough and typed the same twice, else the field errors.
    pub fn checked(&self) -> domain::Result<&str> {
        if self.password.chars().count() < MIN_PASSWORD {
            Err(domain::Error::Validation(vec![domain::FieldError::new(
                "password",
                "export_password_short",
            )]))
        } else if self.password != self.password_again {
            Err(domain::Error::Validation(vec![domain::FieldError::new(
                "password_again",
                "export_password_mismatch",
            )]))
        } else {
            Ok(&self.password)
        }
    }
}

/// `file_name` with `bytes` in a ZIP encrypted with AES-256 under `password` (7-Zip, the
/// Windows and macOS archive tools with AES support, and LibreOffice's own open it).
pub fn encrypted_zip(file_name: &str, bytes: &[u8], password: &str) -> Result<Vec<u8>, String> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .with_aes_encryption(zip::AesMode::Aes256, password);
        z.start_file(file_name, opts).map_err(|e| e.to_string())?;
        z.write_all(bytes).map_err(|e| e.to_string())?;
        z.finish().map_err(|e| e.to_string())?;
    }
    Ok(buf.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Sheet {
        Sheet {
            name: "Indicatori: 2026/1".into(),
            columns: vec!["Nome".into(), "Valore".into(), "Giorno".into()],
            rows: vec![
                vec![
                    Cell::Text("=HYPERLINK(\"x\")".into()),
                    Cell::Int(42),
                    Cell::Date(NaiveDate::from_ymd_opt(2026, 2, 3).unwrap()),
                ],
                vec![
                    Cell::Text("Città".into()),
                    Cell::Percent(0.875),
                    Cell::Empty,
                ],
            ],
        }
    }

    #[test]
    fn csv_defuses_formulas_and_keeps_accents() {
        let text = String::from_utf8(csv(&sample()).unwrap()).unwrap();
        assert!(text.starts_with('\u{feff}'));
        assert!(text.contains("'=HYPERLINK"));
        assert!(text.contains("Città,87.50,"));
        assert!(text.contains("42,2026-02-03"));
    }

    #[test]
    fn xlsx_names_sheets_safely_and_writes_a_zip() {
        let bytes = xlsx(&[sample(), sample()]).unwrap();
        assert_eq!(&bytes[..2], b"PK");
        assert_eq!(sheet_name("a/b:c", &[]), "abc");
        assert_eq!(sheet_name("x", &["x".into()]), "x 2");
    }

    #[test]
    fn an_encrypted_export_opens_only_with_its_password() {
        use std::io::Read;
        let z = encrypted_zip("list.xlsx", b"secret rows", "correct horse battery").unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(z)).unwrap();
        assert!(archive.by_index_decrypt(0, b"wrong password!!").is_err());
        let mut out = String::new();
        archive
            .by_index_decrypt(0, b"correct horse battery")
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "secret rows");
    }
}
