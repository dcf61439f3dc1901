//! Time to typeset a service leaflet (the demo renewal and family pages) in each script,
//! the same way `/{lang}/services/{code}/leaflet.pdf` does on a cache miss.
//!
//! `cargo run --release -p web --example leaflet_timings [-- out-dir]`
//!
//! Prints, per language, the first render in the process (fonts parsed then) and the
//! median of ten more; with an output folder, writes each PDF there to look at.

use std::error::Error;
use std::time::{Duration, Instant};

use store::service_texts::{Content, PublicPage};
use web::public_i18n::PublicTr;
use web::routes::public_pdf::TEMPLATE;
use web::routes::services::leaflet_doc;

#[derive(serde::Deserialize)]
struct DemoText {
    code: String,
    #[serde(flatten)]
    content: Content,
}

const TEXTS: &[(&str, &str)] = &[
    ("it", include_str!("../../store/demo/services/it.json")),
    ("ar", include_str!("../../store/demo/services/ar.json")),
    ("bn", include_str!("../../store/demo/services/bn.json")),
    ("ti", include_str!("../../store/demo/services/ti.json")),
];

fn main() -> Result<(), Box<dyn Error>> {
    let out = std::env::args().nth(1);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).ok_or("date")?;
    println!("lang  code                   first      median of 10   bytes");
    for (lang, json) in TEXTS {
        let tr = PublicTr::for_code(lang).ok_or("language")?;
        let texts: Vec<DemoText> = serde_json::from_str(json)?;
        for t in texts
            .into_iter()
            .filter(|t| t.code == "permit_renewal" || t.code == "family_reunification")
        {
            let page = PublicPage {
                code: t.code.clone(),
                category: "residence".into(),
                active: true,
                lang: (*lang).into(),
                content: t.content,
                fallback: None,
                demo: true,
                updated_at: store::Ts::now(),
            };
            let url = format!("https://sprint.example.org/{lang}/services/{}", t.code);
            let doc = leaflet_doc(&tr, &page, &url);
            let data = serde_json::to_value(&doc)?;
            let qr = print::qr_svg(&url)?;
            let opts = print::Options::new(*lang, today);
            let render = || {
                print::render(
                    TEMPLATE,
                    &data,
                    &[("qr.svg", qr.clone().into_bytes())],
                    &opts,
                )
            };
            let started = Instant::now();
            let pdf = render()?;
            let first = started.elapsed();
            let mut times: Vec<Duration> = (0..10)
                .map(|_| {
                    let s = Instant::now();
                    let _ = render();
                    s.elapsed()
                })
                .collect();
            times.sort();
            println!(
                "{lang:<5} {:<22} {:>7.1} ms {:>10.1} ms {:>9}",
                t.code,
                first.as_secs_f64() * 1000.0,
                times[5].as_secs_f64() * 1000.0,
                pdf.len()
            );
            if let Some(dir) = &out {
                std::fs::write(format!("{dir}/leaflet-{}-{lang}.pdf", t.code), &pdf)?;
            }
        }
    }
    Ok(())
}
