//! The demo's work in flight between organisations, so that every role finds something
//! waiting in its inbox: an access request for the patronato (Luca), bookings at the
//! station's info point (Giulia, Tanvir), transfers of two minors (one waiting for Il Faro,
//! Anna; one accepted, told to the hub, Sara), and action items of the council for the
//! administrator, the inspector and the analyst. Everything goes through the store
//! functions, so each item is written the way a page would write it.

use std::collections::HashMap;

use domain::Result;

use crate::db::{Ctx, Db};
use crate::demo::as_user;
use crate::with_pool;

pub(crate) async fn seed(
    db: &Db,
    ids: &HashMap<&str, String>,
    users: &HashMap<&str, String>,
) -> Result<()> {
    let org = |k: &str| ids.get(k).cloned().unwrap_or_default();
    access_request(db, &org("patronato1"), &org("integra"), users).await?;
    bookings(db, &org("integra")).await?;
    transfers(db, &org("cri"), &org("ente1"), users).await?;
    action_items(db, &org("prefettura"), users).await
}

/// A person the patronato registered, whom Programma Integra (Chiara) asks to take on for
/// a family reunification: the request waits in Luca's inbox.
async fn access_request(
    db: &Db,
    patronato: &str,
    integra: &str,
    users: &HashMap<&str, String>,
) -> Result<()> {
    let mut by_patronato = Ctx::system("demo-seed");
    by_patronato.actor.org_id = Some(patronato.to_string());
    let aliou = crate::people::create_person(
        db,
        &by_patronato,
        &crate::people::PersonInput {
            given_names: "Aliou".into(),
            family_name: "Ndiaye".into(),
            sex: "male".into(),
            birth_date: "1996-04-18".into(),
            birth_precision: "exact".into(),
            nationality: "Senegal".into(),
            languages: "wo, fr".into(),
            ..Default::default()
        },
    )
    .await?;
    crate::people::record_consent(
        db,
        &by_patronato,
        &aliou,
        "share_for_referral",
        true,
        &(domain::clock::today() - chrono::Duration::days(60)).to_string(),
    )
    .await?;
    crate::access::request(
        db,
        &caseworker(integra, users.get("chiara")),
        &aliou,
        &crate::access::RequestInput {
            purpose: "open_case".into(),
            procedure_code: "family_reunification".into(),
            note: "Vuole chiedere il ricongiungimento con la moglie; l'appuntamento allo sportello è venerdì (demo).".into(),
            level: String::new(),
        },
    )
    .await?;
    Ok(())
}

/// A user of the demo acting with their role (the demo's system actor holds every
/// permission, but an access request is an organisation's, made by a person).
fn caseworker(org: &str, user: Option<&String>) -> Ctx {
    let mut ctx = as_user(org, user);
    ctx.actor.kind = domain::policy::ActorKind::User;
    ctx.actor.grants = vec![domain::account::Grant {
        role: domain::account::Role::CaseWorker,
        scope: domain::account::Scope::Organisation,
    }];
    ctx
}

/// Two bookings at the station's info point in the coming days.
async fn bookings(db: &Db, integra: &str) -> Result<()> {
    let point: Option<(String, String)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id, services FROM info_points WHERE org_id = $1 ORDER BY name LIMIT 1"
    )
    .bind(integra)
    .fetch_optional(p)
    .await)
    .map_err(crate::db::db_err)?;
    let Some((point, services)) = point else {
        return Ok(());
    };
    let offered: Vec<&str> = services.split(',').collect();
    let slots = crate::bookings::slots(db, &point).await?;
    // From tomorrow: today's earlier slots have passed.
    let tomorrow = crate::Ts::now().plus_seconds(24 * 3600);
    let free: Vec<_> = slots
        .iter()
        .filter(|s| !s.taken && s.starts_at > tomorrow)
        .collect();
    for (slot, service, language) in [
        (free.get(3), "permit_renewal", "bn"),
        (free.get(9), "family_reunification", "ar"),
    ] {
        let Some(slot) = slot else { continue };
        if !offered.contains(&service) {
            continue;
        }
        crate::bookings::book(
            db,
            "demo-seed",
            &crate::bookings::BookInput {
                point: point.clone(),
                slot_id: slot.id.clone(),
                service: service.into(),
                language: language.into(),
                phone: String::new(),
            },
        )
        .await?;
    }
    Ok(())
}

/// The hub asks Il Faro's facilities to take two of its minors: one request waits for
/// Anna, the other she has accepted (Sara is told).
async fn transfers(
    db: &Db,
    hub: &str,
    facility_body: &str,
    users: &HashMap<&str, String>,
) -> Result<()> {
    let sara = as_user(hub, users.get("sara"));
    let minors: Vec<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT m.id FROM minors m JOIN persons p ON p.id = m.person_id \
         WHERE m.hub_org_id = $1 AND m.status = 'present' ORDER BY p.family_name"
    )
    .bind(hub)
    .fetch_all(p)
    .await)
    .map_err(crate::db::db_err)?;
    let mut requested = vec![];
    for (minor,) in minors {
        if requested.len() == 2 {
            break;
        }
        let s = crate::placement::suggest(db, &sara, &minor).await?;
        // A first-reception facility with room to spare: the demo leaves the facilities the
        // journeys fill up (the temporary centre's last places) as they were.
        let Some(offer) = s.offers.iter().find(|o| {
            o.place.org_id == facility_body
                && o.place.kind == "first_reception_minors"
                && o.place.places - o.place.occupied >= 3
        }) else {
            continue;
        };
        let id = crate::placement::request_transfer(
            db,
            &sara,
            &minor,
            &offer.place.place_id,
            "Segue un percorso scolastico: preferibile una struttura vicina a Roma (demo).",
        )
        .await?;
        requested.push(id);
    }
    if let Some(first) = requested.first() {
        let anna = as_user(facility_body, users.get("anna"));
        crate::placement::answer_transfer(db, &anna, first, true, "").await?;
    }
    Ok(())
}

/// Council action items for the roles the journeys above leave without work in flight.
async fn action_items(db: &Db, prefettura: &str, users: &HashMap<&str, String>) -> Result<()> {
    let meeting: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id FROM meetings ORDER BY starts_at LIMIT 1"
    )
    .fetch_optional(p)
    .await)
    .map_err(crate::db::db_err)?;
    let Some((meeting,)) = meeting else {
        return Ok(());
    };
    let secretary = as_user(prefettura, users.get("marco"));
    let today = domain::clock::today();
    for (who, title, days) in [
        (
            "roberto",
            "Aggiornare nel catalogo il termine del ricongiungimento dopo il nuovo decreto (demo)",
            10,
        ),
        (
            "paolo",
            "Presentare al tavolo il piano dei controlli del prossimo trimestre (demo)",
            14,
        ),
        (
            "elena",
            "Preparare le cifre FAMI per la relazione annuale (demo)",
            30,
        ),
    ] {
        let Some(owner) = users.get(who) else {
            continue;
        };
        crate::governance::add_action(
            db,
            &secretary,
            &meeting,
            &crate::governance::ActionInput {
                title: title.into(),
                owner_id: owner.clone(),
                due_on: (today + chrono::Duration::days(days)).to_string(),
            },
        )
        .await?;
    }
    Ok(())
}
