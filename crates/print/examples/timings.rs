//! Render time of a typical three-page data-subject export.
//!
//! `cargo run --release -p print --example timings [-- out.pdf [lang]]`

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use print::{Options, Report, Section, SectionBody, report};

fn export() -> Report {
    let fields = |pairs: &[(&str, &str)]| {
        SectionBody::Fields(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    };
    Report {
        title: "Dati personali conservati".into(),
        subtitle: Some("Md Rakibul Islam — fascicolo P-2026-000123".into()),
        generated_line: "Generato il 14 marzo 2026 da Giulia Bianchi (Programma Integra)".into(),
        footer: "Riservato — contiene dati personali (art. 15 GDPR)".into(),
        sections: vec![
            Section {
                heading: "Anagrafica".into(),
                body: fields(&[
                    ("Cognome", "Islam"),
                    ("Nome", "Md Rakibul"),
                    ("Data di nascita", "01/01/2003"),
                    ("Paese di nascita", "Bangladesh"),
                    ("Cittadinanza", "Bangladesh"),
                    ("Lingue", "Bengali, inglese, italiano (A2)"),
                    ("Telefono", "+39 333 000 0000"),
                    ("Domicilio", "Via dei Volsci 12, 00185 Roma"),
                ]),
            },
            Section {
                heading: "Consensi".into(),
                body: SectionBody::Table {
                    columns: vec![
                        "Finalità".into(),
                        "Stato".into(),
                        "Data".into(),
                        "Operatore".into(),
                    ],
                    rows: (1..=6)
                        .map(|n| {
                            vec![
                                format!("Finalità numero {n}: comunicazione ai servizi"),
                                "Concesso".into(),
                                format!("{n:02}/02/2026"),
                                "Giulia Bianchi".into(),
                            ]
                        })
                        .collect(),
                },
            },
            Section {
                heading: "Cronologia".into(),
                body: SectionBody::Table {
                    columns: vec!["Data".into(), "Evento".into(), "Organizzazione".into()],
                    rows: (1..=70)
                        .map(|n| {
                            vec![
                                format!("{:02}/03/2026", n % 28 + 1),
                                format!("Colloquio di orientamento n. {n}, esito registrato"),
                                "Programma Integra".into(),
                            ]
                        })
                        .collect(),
                },
            },
            Section {
                heading: "Note".into(),
                body: SectionBody::Text(
                    "La persona ha chiesto copia dei dati.\n\nNessuna limitazione al trattamento."
                        .into(),
                ),
            },
            Section {
                heading: "Vulnerabilità".into(),
                body: SectionBody::Empty("Nessun dato registrato.".into()),
            },
        ],
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let lang = args.get(1).map_or("it", String::as_str);
    let date = NaiveDate::from_ymd_opt(2026, 3, 14).ok_or("date")?;
    let opts = Options::new(lang, date);
    let doc = export();

    let start = Instant::now();
    let pdf = report(&doc, &opts)?;
    let cold = start.elapsed();

    // Same document again: typst's memoization makes this the best case.
    let mut same: Vec<Duration> = (0..20)
        .map(|_| {
            let start = Instant::now();
            let _ = report(&doc, &opts);
            start.elapsed()
        })
        .collect();
    // A different person each time (every row changes): the realistic case.
    let mut different: Vec<Duration> = (0..20)
        .map(|n| {
            let mut other = doc.clone();
            other.subtitle = Some(format!("Persona numero {n}"));
            for section in &mut other.sections {
                if let SectionBody::Table { rows, .. } = &mut section.body {
                    for row in rows.iter_mut() {
                        row[0] = format!("{} #{n}", row[0]);
                    }
                }
            }
            let start = Instant::now();
            let _ = report(&other, &opts);
            start.elapsed()
        })
        .collect();
    same.sort();
    different.sort();
    println!(
        "{} bytes; first render {cold:.1?} (font parsing included); \
         same document again: median {:.1?}; different documents: median {:.1?}, max {:.1?}",
        pdf.len(),
        same[same.len() / 2],
        different[different.len() / 2],
        different[different.len() - 1],
    );
    if let Some(path) = args.first() {
        std::fs::write(path, &pdf)?;
    }
    Ok(())
}
