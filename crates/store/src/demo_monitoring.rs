//! The monitoring part of the demo world, made through the same store functions users go
//! through (so the closed reports carry real hashes): CAS Via Casilina was last inspected
//! 14 months ago, runs over capacity and had two critical events, so it tops Paolo's
//! planning page; CAS Tevere Nord (Bruno Costa's) was inspected three months ago and has a
//! corrective action open.

use std::collections::HashMap;

use domain::Result;

use crate::centre_log::{ConsultationInput, EventInput, log_event, record_consultation};
use crate::db::Db;
use crate::inspections::{
    CloseInput, FindingInput, PlanInput, add_finding, answer, close, plan, sheet,
};
use crate::with_pool;

async fn centre(db: &Db, code: &str) -> Result<String> {
    let row: (String,) = with_pool!(db, |p| sqlx::query_as(
        "SELECT id FROM centres WHERE code = $1"
    )
    .bind(code)
    .fetch_one(p)
    .await)
    .map_err(crate::db::db_err)?;
    Ok(row.0)
}

/// Plans, answers and closes an inspection visited `days_ago`; `no` lists the items answered
/// "no", each with a finding (severity, description, action); returns the inspection's id.
/// Public for the scale generator and for tests that need a closed report with findings.
pub async fn past_inspection(
    db: &Db,
    ctx: &crate::Ctx,
    centre_id: &str,
    team: &[String],
    days_ago: i64,
    no: &[(&str, &str, &str, &str)],
    summary: &str,
) -> Result<String> {
    let day = (domain::clock::today() - chrono::Duration::days(days_ago)).to_string();
    let id = plan(
        db,
        ctx,
        &PlanInput {
            centre_id: centre_id.to_string(),
            kind: "scheduled".into(),
            planned_on: day.clone(),
            team: team.to_vec(),
        },
    )
    .await?;
    let s = sheet(db, ctx, &id).await?;
    for item in &s.items {
        let value = match item.item.kind.as_str() {
            "yes_no" if no.iter().any(|n| item.id.ends_with(n.0)) => "no".to_string(),
            "yes_no" => "yes".to_string(),
            "number" => item
                .target
                .map(|t| t.to_string())
                .unwrap_or_else(|| "40".into()),
            _ => continue,
        };
        let _ = answer(db, ctx, &id, &item.id, &value, "", 0).await?;
    }
    for (suffix, severity, description, action) in no {
        let item = s.items.iter().find(|i| i.id.ends_with(suffix));
        add_finding(
            db,
            ctx,
            &id,
            &FindingInput {
                item_id: item.map(|i| i.id.clone()).unwrap_or_default(),
                severity: (*severity).into(),
                description: (*description).into(),
                action_required: (*action).into(),
                due_days: "30".into(),
            },
        )
        .await?;
    }
    let version = sheet(db, ctx, &id).await?.inspection.version;
    close(
        db,
        ctx,
        &id,
        &CloseInput {
            visited_on: day,
            summary: summary.into(),
            version,
        },
    )
    .await?;
    Ok(id)
}

pub(crate) async fn seed(
    db: &Db,
    ids: &HashMap<&str, String>,
    users: &HashMap<&str, String>,
) -> Result<()> {
    let prefettura = ids.get("prefettura").cloned().unwrap_or_default();
    let paolo = crate::demo::as_user(&prefettura, users.get("paolo"));
    let team: Vec<String> = users.get("paolo").cloned().into_iter().collect();
    let casilina = centre(db, "CAS-RM-0101").await?;
    let tevere = centre(db, "CAS-RM-0207").await?;
    past_inspection(
        db,
        &paolo,
        &casilina,
        &team,
        425,
        &[],
        "Visita programmata: servizi conformi al capitolato (demo).",
    )
    .await?;
    past_inspection(
        db,
        &paolo,
        &tevere,
        &team,
        95,
        &[(
            "-12",
            "major",
            "Servizi igienici del primo piano fuori uso da settimane (demo).",
            "Ripristinare i servizi igienici e inviare foto e fattura dell'intervento.",
        )],
        "Visita programmata: presenze oltre la capienza, servizi igienici da ripristinare (demo).",
    )
    .await?;
    let today = domain::clock::today();
    for (days, category, text) in [
        (
            18,
            "health_emergency",
            "Ospite trasportato al pronto soccorso di notte; il medico del centro non era reperibile (demo).",
        ),
        (
            47,
            "violence",
            "Lite tra ospiti nella sala mensa, intervento delle forze dell'ordine (demo).",
        ),
    ] {
        log_event(
            db,
            &paolo,
            &casilina,
            &EventInput {
                kind: "critical_event".into(),
                category: category.into(),
                occurred_on: (today - chrono::Duration::days(days)).to_string(),
                description: text.into(),
            },
        )
        .await?;
    }
    record_consultation(
        db,
        &paolo,
        &casilina,
        &ConsultationInput {
            held_on: (today - chrono::Duration::days(9)).to_string(),
            topic: "asylum_appeal".into(),
            language: "tigrino".into(),
            person_id: String::new(),
            notes:
                "Ricorso contro il diniego: termini spiegati, appuntamento con l'avvocato (demo)."
                    .into(),
        },
    )
    .await?;
    Ok(())
}
