//! `sprint dedup`: the duplicate pairs of a register brought as a CSV file (partners bring
//! spreadsheets). Files only: no configuration, no database.
//!
//! Input: a header row naming at least `id,given_names,family_name,sex,birth_date,nationality`
//! (any order, any case); the columns `name_original`, `phone`, `document_id`, `passport`,
//! `cui` and `codice_fiscale` are used when present, others are ignored. Comma, semicolon
//! (Italian spreadsheet exports) or tab separated, as the header line shows.
//!
//! Output: `id_a,id_b,score`, one row per pair judged the same person, best first.
//!
//! Rows that cannot be read (wrong number of fields, no id, an id seen before, a birth date,
//! sex or nationality that cannot be read) are reported on stderr with their line number and
//! skipped. Exit codes: 0 done (even with skipped rows), 1 input/output error, 2 unusable
//! header.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use namematch::{BirthDate, DedupOptions, IdKind, Person, Sex};

/// The columns every input must have.
pub const REQUIRED: [&str; 6] = [
    "id",
    "given_names",
    "family_name",
    "sex",
    "birth_date",
    "nationality",
];

/// Optional identifier columns and the kind each one holds.
const IDENTIFIERS: [(&str, IdKind); 4] = [
    ("document_id", IdKind::Document),
    ("passport", IdKind::Passport),
    ("cui", IdKind::Cui),
    ("codice_fiscale", IdKind::CodiceFiscale),
];

/// The default threshold: namematch's "Same".
pub fn default_threshold() -> f64 {
    namematch::Config::default().same
}

/// Parses `--threshold`: a number in [0, 1].
pub fn parse_threshold(s: &str) -> Result<f64, String> {
    let t: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("not a number: {s:?}"))?;
    if (0.0..=1.0).contains(&t) {
        Ok(t)
    } else {
        Err(format!("must be between 0 and 1, got {t}"))
    }
}

/// Why the command stopped.
enum Failure {
    /// The input cannot be used as a register (exit code 2).
    Header(String),
    /// Reading or writing failed (exit code 1).
    Io(String),
}

/// Runs the command and prints what happened; the exit code says how it ended.
pub fn run(input: &Path, output: &Path, threshold: f64) -> ExitCode {
    match dedup_file(input, output, threshold) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Header(e)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(Failure::Io(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn dedup_file(input: &Path, output: &Path, threshold: f64) -> Result<(), Failure> {
    let started = Instant::now();
    let register = read_register(input, &mut |line, reason| {
        eprintln!("{}:{line}: {reason}; row skipped", input.display());
    })?;
    // Create the output before the long part, so a wrong path fails at once.
    let out_err =
        |e: std::io::Error| Failure::Io(format!("cannot write {}: {e}", output.display()));
    let out = File::create(output).map_err(out_err)?;

    let total = register.persons.len();
    let interactive = std::io::stderr().is_terminal();
    eprintln!(
        "dedup: {} rows read, {} skipped; comparing {total} records",
        register.rows, register.skipped
    );
    let bar = interactive.then(|| {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total as u64),
            indicatif::ProgressDrawTarget::stderr(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{elapsed:>4} [{bar:40}] {pos}/{len} records compared, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        bar
    });
    // Workers report out of order: show the furthest point reached.
    let furthest = AtomicUsize::new(0);
    let last_tenth = AtomicUsize::new(0);
    let progress = |done: usize, total: usize| {
        let done = furthest.fetch_max(done, Ordering::Relaxed).max(done);
        match &bar {
            Some(bar) => bar.set_position(done as u64),
            None => {
                let tenth = done * 10 / total.max(1);
                if tenth > last_tenth.fetch_max(tenth, Ordering::Relaxed) && done < total {
                    eprintln!(
                        "dedup: {done} of {total} records compared ({}%), {:.1} s",
                        tenth * 10,
                        started.elapsed().as_secs_f64()
                    );
                }
            }
        }
    };
    let options = DedupOptions {
        threshold,
        ..DedupOptions::default()
    };
    let pairs = namematch::dedup_with(&register.persons, &options, Some(&progress));
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }

    let write_err = |e: csv::Error| Failure::Io(format!("cannot write {}: {e}", output.display()));
    let mut csv = csv::Writer::from_writer(BufWriter::new(out));
    csv.write_record(["id_a", "id_b", "score"])
        .map_err(write_err)?;
    for p in &pairs {
        let score = format!("{:.4}", p.score().clamp(0.0, 1.0));
        csv.write_record([p.id_a.as_str(), p.id_b.as_str(), score.as_str()])
            .map_err(write_err)?;
    }
    csv.into_inner()
        .map_err(|e| out_err(e.into_error()))?
        .flush()
        .map_err(out_err)?;

    let clusters = namematch::clusters(&pairs).len();
    println!(
        "dedup: {} rows read, {} skipped, {} pairs found (score >= {threshold}), {clusters} clusters, {:.2} s; pairs written to {}",
        register.rows,
        register.skipped,
        pairs.len(),
        started.elapsed().as_secs_f64(),
        output.display()
    );
    Ok(())
}

/// The readable rows of a register file.
struct Register {
    persons: Vec<Person>,
    /// Data rows seen, skipped ones included.
    rows: usize,
    skipped: usize,
}

/// Where each known column sits in a row.
struct Columns {
    required: [usize; 6],
    name_original: Option<usize>,
    phone: Option<usize>,
    identifiers: Vec<(usize, IdKind)>,
}

impl Columns {
    fn from_header(header: &csv::StringRecord, file: &Path) -> Result<Columns, Failure> {
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').trim().to_lowercase())
            .collect();
        let find = |name: &str| -> Result<Option<usize>, Failure> {
            let mut at = names.iter().enumerate().filter(|(_, n)| *n == name);
            match (at.next(), at.next()) {
                (Some((i, _)), None) => Ok(Some(i)),
                (None, _) => Ok(None),
                (Some(_), Some(_)) => Err(Failure::Header(format!(
                    "{}: the header names the column {name} twice",
                    file.display()
                ))),
            }
        };
        let mut required = [0; 6];
        let mut missing = Vec::new();
        for (slot, name) in required.iter_mut().zip(REQUIRED) {
            match find(name)? {
                Some(i) => *slot = i,
                None => missing.push(name),
            }
        }
        if !missing.is_empty() {
            return Err(Failure::Header(format!(
                "{}: the header lacks the required column{} {} (needed: {})",
                file.display(),
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                REQUIRED.join(",")
            )));
        }
        let mut identifiers = Vec::new();
        for (name, kind) in IDENTIFIERS {
            if let Some(i) = find(name)? {
                identifiers.push((i, kind));
            }
        }
        Ok(Columns {
            required,
            name_original: find("name_original")?,
            phone: find("phone")?,
            identifiers,
        })
    }

    /// The person in a row, or why the row cannot be used.
    fn person(&self, row: &csv::StringRecord) -> Result<Person, String> {
        let field = |i: usize| row.get(i).map(str::trim).unwrap_or_default();
        let [id, given, family, sex, birth, nationality] = self.required.map(field);
        if id.is_empty() {
            return Err("missing id".into());
        }
        let mut p = Person::new(id, given, family);
        p.sex = parse_sex(sex)?;
        p.birth = BirthDate::parse(birth).map_err(|_| {
            format!("unreadable birth_date {birth:?} (expected YYYY-MM-DD or YYYY)")
        })?;
        if !nationality.is_empty() {
            let code = namematch::country::lookup(nationality)
                .ok_or_else(|| format!("unknown nationality {nationality:?}"))?;
            p.nationality = Some(code.to_owned());
        }
        if let Some(i) = self.name_original {
            let v = field(i);
            if !v.is_empty() {
                p.name_original = Some(v.to_owned());
            }
        }
        if let Some(i) = self.phone {
            p.phones = field(i)
                .split([';', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
        for &(i, kind) in &self.identifiers {
            let v = field(i);
            if !v.is_empty() {
                p.identifiers.push((kind, v.to_owned()));
            }
        }
        Ok(p)
    }
}

/// M/F and their words in Italian, English and French; empty is unknown.
fn parse_sex(s: &str) -> Result<Option<Sex>, String> {
    Ok(match s.to_lowercase().as_str() {
        "" | "u" | "unknown" | "?" | "n/a" | "nd" | "n.d." => None,
        "m" | "male" | "man" | "maschio" | "maschile" | "uomo" | "masculin" | "homme" | "h" => {
            Some(Sex::Male)
        }
        "f" | "female" | "woman" | "femmina" | "femminile" | "donna" | "féminin" | "feminin"
        | "femme" => Some(Sex::Female),
        "x" | "other" | "altro" | "autre" => Some(Sex::Other),
        _ => return Err(format!("unknown sex {s:?} (expected M, F, X or empty)")),
    })
}

/// The field separator, guessed from the header line: the most frequent of `,` `;` and tab.
fn sniff_delimiter(path: &Path) -> Result<u8, Failure> {
    let file = File::open(path)
        .map_err(|e| Failure::Io(format!("cannot read {}: {e}", path.display())))?;
    let mut first = Vec::new();
    BufReader::new(file)
        .read_until(b'\n', &mut first)
        .map_err(|e| Failure::Io(format!("cannot read {}: {e}", path.display())))?;
    let count = |c: u8| first.iter().filter(|&&b| b == c).count();
    Ok([b',', b';', b'\t']
        .into_iter()
        .max_by_key(|&c| (count(c), c == b','))
        .unwrap_or(b','))
}

/// Reads the register, reporting each unusable row to `bad(line, reason)`.
fn read_register(path: &Path, bad: &mut dyn FnMut(u64, &str)) -> Result<Register, Failure> {
    let io =
        |e: &dyn std::fmt::Display| Failure::Io(format!("cannot read {}: {e}", path.display()));
    let delimiter = sniff_delimiter(path)?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(false)
        .has_headers(true)
        .from_path(path)
        .map_err(|e| io(&e))?;
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) if e.is_io_error() => return Err(io(&e)),
        Err(e) => {
            return Err(Failure::Header(format!(
                "{}: unreadable header: {e}",
                path.display()
            )));
        }
    };
    let columns = Columns::from_header(&header, path)?;

    let mut persons = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    let (mut rows, mut skipped) = (0usize, 0usize);
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                rows += 1;
                let line = record.position().map_or(line, csv::Position::line);
                match columns.person(&record) {
                    Ok(p) => match first_line.get(&p.id) {
                        Some(first) => {
                            skipped += 1;
                            bad(
                                line,
                                &format!("duplicate id {:?} (first on line {first})", p.id),
                            );
                        }
                        None => {
                            first_line.insert(p.id.clone(), line);
                            persons.push(p);
                        }
                    },
                    Err(reason) => {
                        skipped += 1;
                        bad(line, &reason);
                    }
                }
            }
            Err(e) => {
                let line = e.position().map_or(line, csv::Position::line);
                match e.into_kind() {
                    csv::ErrorKind::Io(e) => return Err(io(&e)),
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => {
                        rows += 1;
                        skipped += 1;
                        bad(
                            line,
                            &format!("{len} fields where the header has {expected_len}"),
                        );
                    }
                    csv::ErrorKind::Utf8 { .. } => {
                        rows += 1;
                        skipped += 1;
                        bad(line, "not valid UTF-8 text (save the file as UTF-8)");
                    }
                    other => return Err(Failure::Io(format!("{}: {other:?}", path.display()))),
                }
            }
        }
    }
    Ok(Register {
        persons,
        rows,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sex_is_read_in_three_languages_and_unknown_words_are_refused() {
        assert_eq!(parse_sex("M"), Ok(Some(Sex::Male)));
        assert_eq!(parse_sex("femmina"), Ok(Some(Sex::Female)));
        assert_eq!(parse_sex("Féminin"), Ok(Some(Sex::Female)));
        assert_eq!(parse_sex(""), Ok(None));
        assert!(parse_sex("Q").is_err());
    }

    #[test]
    fn thresholds_outside_zero_to_one_are_refused() {
        assert_eq!(parse_threshold("0.8"), Ok(0.8));
        assert!(parse_threshold("1.5").is_err());
        assert!(parse_threshold("-0.1").is_err());
        assert!(parse_threshold("high").is_err());
        assert!(parse_threshold("NaN").is_err());
    }
}
