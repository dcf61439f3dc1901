//! The public portal's part of the demo world: info points for the directory.

use std::collections::HashMap;

use domain::Result;

use crate::db::Db;

/// The info points of the public directory (demo): a station hall, the Prefecture's desk and
/// a district office by the sea, with their hours and the languages spoken there.
pub(crate) async fn seed_info_points(db: &Db, ids: &HashMap<&str, String>) -> Result<()> {
    use crate::info_points::{NewInfoPoint, add};
    let integra = ids.get("integra").cloned().unwrap_or_default();
    let prefettura = ids.get("prefettura").cloned().unwrap_or_default();
    let weekdays =
        |opens: &'static str, closes: &'static str| -> Vec<(i32, &'static str, &'static str)> {
            (1..=5).map(|d| (d, opens, closes)).collect()
        };
    let termini = weekdays("09:00", "17:00");
    let mut prefecture = weekdays("09:00", "13:00");
    prefecture.push((2, "14:30", "16:30"));
    prefecture.push((4, "14:30", "16:30"));
    let ostia = [
        (2, "09:30", "13:30"),
        (4, "09:30", "13:30"),
        (6, "10:00", "12:00"),
    ];
    for p in [
        NewInfoPoint {
            org_id: &integra,
            name: "Info point Stazione Termini (demo)",
            description_it: "Informazioni e orientamento su permessi, ricongiungimento, cittadinanza e servizi online, con mediatori linguistici.",
            description_en: "Information and guidance on permits, family reunification, citizenship and online services, with language mediators.",
            address: "Piazza dei Cinquecento, atrio della stazione",
            municipality: "Roma",
            district: "Municipio I",
            coords: (41.9009, 12.5018),
            phone: "+39 06 0000 0001",
            accessibility_it: "Accesso senza gradini dall'atrio; sportello ribassato.",
            accessibility_en: "Step-free access from the hall; lowered counter.",
            languages: "it,en,fr,ar,bn,ur",
            services: "permit_first,permit_renewal,family_reunification,digital_identity",
            hours: &termini,
        },
        NewInfoPoint {
            org_id: &prefettura,
            name: "Sportello informativo della Prefettura (demo)",
            description_it: "Sportello Unico per l'Immigrazione: informazioni sulle pratiche in corso e sulla cittadinanza.",
            description_en: "One-stop immigration desk: information on pending applications and on citizenship.",
            address: "Via Ostiense 131/L",
            municipality: "Roma",
            district: "Municipio VIII",
            coords: (41.8640, 12.4790),
            phone: "+39 06 0000 0002",
            accessibility_it: "Ascensore e servizi accessibili.",
            accessibility_en: "Lift and accessible toilets.",
            languages: "it,en,es",
            services: "family_reunification,work_clearance,citizenship_residence,citizenship_marriage",
            hours: &prefecture,
        },
        NewInfoPoint {
            org_id: &integra,
            name: "Info point Ostia (demo)",
            description_it: "Orientamento ai servizi del territorio e aiuto con SPID, CIE e prenotazioni online.",
            description_en: "Guidance to local services and help with SPID, CIE and online bookings.",
            address: "Via della Stazione di Ostia 17",
            municipality: "Roma",
            district: "Municipio X",
            coords: (41.7318, 12.2833),
            phone: "+39 06 0000 0003",
            accessibility_it: "Ingresso con rampa.",
            accessibility_en: "Entrance with a ramp.",
            languages: "it,en,ti,uk,fa",
            services: "permit_renewal,digital_identity,eu_long_term",
            hours: &ostia,
        },
    ] {
        add(db, &p).await?;
    }
    Ok(())
}

/// Demo service pages: Italian and English for four procedures, and machine-drafted
/// French, Arabic, Bengali and Tigrinya (marked demo, waiting for a native speaker's review).
const DEMO_TEXTS: &[(&str, &str)] = &[
    ("it", include_str!("../demo/services/it.json")),
    ("en", include_str!("../demo/services/en.json")),
    ("fr", include_str!("../demo/services/fr.json")),
    ("ar", include_str!("../demo/services/ar.json")),
    ("bn", include_str!("../demo/services/bn.json")),
    ("ti", include_str!("../demo/services/ti.json")),
];

#[derive(serde::Deserialize)]
struct DemoText {
    code: String,
    #[serde(flatten)]
    content: crate::service_texts::Content,
}

/// Seeds the service pages through the editors' own path, so every text has its versions
/// and hashes. Then the Italian citizenship page changes, which leaves its translations out
/// of date: a translator sees what changed (journey of the mediator), readers see Italian.
/// The Tigrinya digital-identity page waits in review, for a second person to publish.
pub(crate) async fn seed_service_texts(db: &Db) -> Result<()> {
    use crate::service_texts::{SOURCE, TextInput, save, texts_of};
    let ctx = crate::db::Ctx::system("demo-seed");
    let mut source_hash: HashMap<String, String> = HashMap::new();
    for (lang, json) in DEMO_TEXTS {
        let texts: Vec<DemoText> = serde_json::from_str(json)
            .map_err(|e| domain::Error::Internal(format!("demo service texts {lang}: {e}")))?;
        for t in texts {
            let state = if *lang == "ti" && t.code == "digital_identity" {
                "review"
            } else {
                "published"
            };
            let input = TextInput {
                content: t.content,
                state: state.into(),
                version: None,
                source_hash: source_hash.get(&t.code).cloned().unwrap_or_default(),
            };
            save(db, &ctx, &t.code, lang, &input).await?;
            if *lang == SOURCE {
                let hash = texts_of(db, &t.code)
                    .await?
                    .into_iter()
                    .find(|x| x.lang == SOURCE)
                    .map(|x| x.content_hash)
                    .unwrap_or_default();
                source_hash.insert(t.code, hash);
            }
        }
    }
    let code = "citizenship_residence";
    if let Some(it) = texts_of(db, code)
        .await?
        .into_iter()
        .find(|x| x.lang == SOURCE)
    {
        let mut content = it.content.clone();
        content.times.push_str(
            " Puoi seguire lo stato della domanda online, con SPID, nella tua area riservata.",
        );
        content.needs.push_str("\nCopia del permesso di soggiorno.");
        let input = TextInput {
            content,
            state: "published".into(),
            version: Some(it.version),
            source_hash: String::new(),
        };
        save(db, &ctx, code, SOURCE, &input).await?;
    }
    Ok(())
}
