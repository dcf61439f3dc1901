//! `sprint dedup` without the application: reads a register CSV in the `sprint dedup` format
//! (comma separated, no quoted fields, as `bench/dedup/generate.py` writes it), runs
//! `namematch::dedup_with` with the default options and the given threshold, as `sprint
//! dedup` does, and writes `id_a,id_b,score,reasons,via`. For iterating on the scoring with
//! the benchmark registers without building the `sprint` binary.
//!
//!     cargo run --release -p namematch --example dedup_csv -- register.csv pairs.csv [0.95]

use std::error::Error;
use std::io::{BufRead, BufReader, BufWriter, Write};

use namematch::{BirthDate, DedupOptions, IdKind, Person, Sex};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output, rest @ ..] = args.as_slice() else {
        return Err("usage: dedup_csv register.csv pairs.csv [threshold]".into());
    };
    let threshold: f64 = match rest.first() {
        Some(t) => t.parse()?,
        None => namematch::Config::default().same,
    };
    let started = std::time::Instant::now();
    let mut lines = BufReader::new(std::fs::File::open(input)?).lines();
    let header: Vec<String> = lines
        .next()
        .ok_or("empty file")??
        .split(',')
        .map(str::to_owned)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut persons = Vec::new();
    for line in lines {
        let line = line?;
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        let get = |name: &str| col(name).and_then(|i| f.get(i).copied()).unwrap_or("");
        let mut p = Person::new(get("id"), get("given_names"), get("family_name"));
        p.sex = match get("sex").to_lowercase().as_str() {
            "m" | "male" => Some(Sex::Male),
            "f" | "female" => Some(Sex::Female),
            _ => None,
        };
        p.birth = BirthDate::parse(get("birth_date"))?;
        let nat = get("nationality");
        if !nat.is_empty() {
            let code = namematch::country::lookup(nat).ok_or("unknown nationality")?;
            p.nationality = Some(code.into());
        }
        let original = get("name_original");
        if !original.is_empty() {
            p.name_original = Some(original.into());
        }
        p.phones = get("phone")
            .split([';', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        for (name, kind) in [("document_id", IdKind::Document), ("cui", IdKind::Cui)] {
            let v = get(name);
            if !v.is_empty() {
                p.identifiers.push((kind, v.into()));
            }
        }
        persons.push(p);
    }
    let options = DedupOptions {
        threshold,
        ..DedupOptions::default()
    };
    let pairs = namematch::dedup_with(&persons, &options, None);
    let mut out = BufWriter::new(std::fs::File::create(output)?);
    writeln!(out, "id_a,id_b,score,reasons,via")?;
    for p in &pairs {
        let reasons: Vec<&str> = p.matched.reasons.iter().map(|r| r.code()).collect();
        writeln!(
            out,
            "{},{},{:.4},{},{}",
            p.id_a,
            p.id_b,
            p.score().clamp(0.0, 1.0),
            reasons.join(" "),
            p.via.join(" ")
        )?;
    }
    out.flush()?;
    eprintln!(
        "{} records, {} pairs >= {threshold}, {:.2} s",
        persons.len(),
        pairs.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
