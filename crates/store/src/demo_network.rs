//! The network's part of the demo world (journey 7): the territorial council with its
//! members, last month's meeting with attendance and published minutes, a meeting held
//! yesterday whose attendance and minutes are still to be written, and action items on
//! their owners' home pages; the city governance table with the managing bodies.

use std::collections::HashMap;

use chrono::Duration;
use domain::Result;

use crate::db::{Ctx, Db};
use crate::governance::{
    ActionInput, BodyInput, MeetingInput, MemberInput, add_action, add_decision, add_member,
    approve_minutes, create_body, create_meeting, publish_minutes, record_attendance, save_minutes,
};

pub(crate) async fn seed(
    db: &Db,
    ids: &HashMap<&str, String>,
    users: &HashMap<&str, String>,
) -> Result<()> {
    let ctx = Ctx::system("demo-seed");
    let org = |k: &str| ids.get(k).cloned().unwrap_or_default();
    let user = |k: &str| users.get(k).cloned().unwrap_or_default();
    let today = domain::clock::today();
    let at = |days: i64, time: &str| format!("{}T{time}", today + Duration::days(days));
    let since = (today - Duration::days(400)).to_string();

    let ctim = create_body(
        db,
        &ctx,
        &BodyInput {
            kind: "ctim".into(),
            name: "Consiglio Territoriale per l'Immigrazione di Roma (demo)".into(),
            description: "Presieduto dal Prefetto; art. 3 c. 6 TUI.".into(),
            parent_id: String::new(),
        },
    )
    .await?;
    let mut council = vec![];
    for (key, who, role, account) in [
        ("prefettura", "Viceprefetto Laura Santoro", "chair", ""),
        ("prefettura", "Marco Bianchi", "secretary", "marco"),
        (
            "roma",
            "Assessora alle politiche sociali (delegata)",
            "member",
            "",
        ),
        ("integra", "Chiara Neri", "member", "chiara"),
        ("cri", "Sara Esposito", "member", "sara"),
        ("patronato1", "Responsabile sede Termini", "member", ""),
        (
            "patronato2",
            "Responsabile sede Tor Pignattara",
            "observer",
            "",
        ),
    ] {
        let id = add_member(
            db,
            &ctx,
            &ctim,
            &MemberInput {
                org_id: org(key),
                representative: who.into(),
                user_id: user(account),
                role: role.into(),
                from_date: since.clone(),
                to_date: String::new(),
            },
        )
        .await?;
        council.push(id);
    }

    // Last month's meeting: held, minutes approved and published, one action still open.
    let past = create_meeting(
        db,
        &ctx,
        &ctim,
        &MeetingInput {
            starts_at: at(-28, "10:00"),
            place: "Prefettura di Roma, Sala del Consiglio, via IV Novembre 119/A".into(),
            link: String::new(),
            agenda: "Approvazione del verbale della seduta precedente\nDecreto flussi: effetti sulle domande di nulla osta\nInfo point: dati del trimestre\nVarie ed eventuali".into(),
        },
    )
    .await?;
    let absent = council.get(6).cloned().unwrap_or_default();
    let present: Vec<String> = council.iter().filter(|m| **m != absent).cloned().collect();
    let mut v = record_attendance(db, &ctx, &past, 1, &present).await?;
    v = save_minutes(
        db,
        &ctx,
        &past,
        v,
        "Il Consiglio si riunisce alle 10:00 sotto la presidenza della Viceprefetta Santoro.\n\
         Sul secondo punto, la segreteria illustra l'aumento delle domande di nulla osta al lavoro e i tempi medi di risposta dello Sportello Unico.\n\
         Sul terzo punto, Programma Integra presenta i contatti degli info point del trimestre, con le lingue più richieste (bengalese, arabo, tigrino).\n\
         La seduta è tolta alle 12:15.",
    )
    .await?;
    v = add_decision(
        db,
        &ctx,
        &past,
        v,
        "Preparare una scheda multilingue sui nuovi flussi per gli info point e i patronati.",
    )
    .await?;
    v = add_decision(
        db,
        &ctx,
        &past,
        v,
        "Chiedere ai patronati la mappatura delle sedi convenzionate entro fine mese.",
    )
    .await?;
    v = approve_minutes(db, &ctx, &past, v).await?;
    publish_minutes(db, &ctx, &past, v).await?;
    add_action(
        db,
        &ctx,
        &past,
        &ActionInput {
            title: "Inviare alla segreteria la mappatura dei patronati convenzionati".into(),
            owner_id: user("chiara"),
            due_on: (today + Duration::days(5)).to_string(),
        },
    )
    .await?;
    add_action(
        db,
        &ctx,
        &past,
        &ActionInput {
            title: "Organizzare il corso per i patronati sul decreto flussi".into(),
            owner_id: user("davide"),
            due_on: (today + Duration::days(20)).to_string(),
        },
    )
    .await?;

    // Yesterday's meeting: the secretariat still has to record it (journey 7).
    create_meeting(
        db,
        &ctx,
        &ctim,
        &MeetingInput {
            starts_at: at(-1, "10:00"),
            place: "Prefettura di Roma, Sala del Consiglio".into(),
            link: String::new(),
            agenda: "Approvazione del verbale della seduta precedente\nMinori stranieri non accompagnati: presenze all'hub\nPiano di formazione dei patronati".into(),
        },
    )
    .await?;
    create_meeting(
        db,
        &ctx,
        &ctim,
        &MeetingInput {
            starts_at: at(27, "10:00"),
            place: "Prefettura di Roma, Sala del Consiglio".into(),
            link: String::new(),
            agenda: "Approvazione del verbale della seduta precedente\nRelazione sui controlli nei centri di accoglienza".into(),
        },
    )
    .await?;

    let table = create_body(
        db,
        &ctx,
        &BodyInput {
            kind: "governance_table".into(),
            name: "Tavolo cittadino di governance dell'accoglienza (demo)".into(),
            description: "Prefettura, Roma Capitale ed enti gestori dei CAS.".into(),
            parent_id: ctim.clone(),
        },
    )
    .await?;
    for (key, who, role, account) in [
        ("prefettura", "Paolo Ferri", "chair", "paolo"),
        (
            "roma",
            "Dipartimento Politiche Sociali (delegato)",
            "member",
            "",
        ),
        ("ente1", "Anna Greco", "member", "anna"),
        ("ente2", "Bruno Costa", "member", "bruno"),
        ("ente3", "Coordinatrice Casa Comune", "member", ""),
    ] {
        add_member(
            db,
            &ctx,
            &table,
            &MemberInput {
                org_id: org(key),
                representative: who.into(),
                user_id: user(account),
                role: role.into(),
                from_date: since.clone(),
                to_date: String::new(),
            },
        )
        .await?;
    }
    create_meeting(
        db,
        &ctx,
        &table,
        &MeetingInput {
            starts_at: at(12, "15:00"),
            place: String::new(),
            link: "https://meet.example.org/tavolo-accoglienza".into(),
            agenda: "Modello Safe Space: protocollo per gli enti gestori\nPosti disponibili e trasferimenti".into(),
        },
    )
    .await?;
    Ok(())
}

/// Trainings (journey 7): Davide's course for patronati on the work clearance, held in
/// the last weeks, with Luca (patronato, has an account) who attended both sessions and
/// can now answer the survey and download his certificate, and a colleague without an
/// account whose certificate is already issued; and an on-the-job visit to Il Faro.
pub(crate) async fn seed_trainings(
    db: &Db,
    ids: &HashMap<&str, String>,
    users: &HashMap<&str, String>,
) -> Result<()> {
    use crate::trainings::{
        CourseInput, EnrolInput, SessionInput, add_session, certificate, create_course, enrol,
        record_attendance,
    };
    let ctx = Ctx::system("demo-seed");
    let org = |k: &str| ids.get(k).cloned().unwrap_or_default();
    let user = |k: &str| users.get(k).cloned().unwrap_or_default();
    let today = domain::clock::today();
    let at = |days: i64, time: &str| format!("{}T{time}", today + Duration::days(days));

    let course = create_course(
        db,
        &ctx,
        &CourseInput {
            title: "Decreto flussi 2026: la domanda di nulla osta al lavoro (demo)".into(),
            audience: "patronati".into(),
            description: "Le novità del decreto flussi, i requisiti e gli errori più frequenti nelle domande.".into(),
            procedure_code: "work_clearance".into(),
            min_attendance_pct: "75".into(),
        },
    )
    .await?;
    let mut sessions = vec![];
    for (days, place) in [
        (-14, "Prefettura di Roma, aula formazione"),
        (-7, "Prefettura di Roma, aula formazione"),
    ] {
        sessions.push(
            add_session(
                db,
                &ctx,
                &course,
                &SessionInput {
                    starts_at: at(days, "09:30"),
                    minutes: "180".into(),
                    kind: "classroom".into(),
                    place: place.into(),
                    host_org_id: String::new(),
                },
            )
            .await?,
        );
    }
    let luca = enrol(
        db,
        &ctx,
        &course,
        &EnrolInput {
            user_id: user("luca"),
            ..Default::default()
        },
    )
    .await?;
    let giorgio = enrol(
        db,
        &ctx,
        &course,
        &EnrolInput {
            user_id: String::new(),
            full_name: "Giorgio Lombardi".into(),
            org_id: org("patronato2"),
        },
    )
    .await?;
    let samira = enrol(
        db,
        &ctx,
        &course,
        &EnrolInput {
            user_id: String::new(),
            full_name: "Samira Haddad".into(),
            org_id: org("patronato1"),
        },
    )
    .await?;
    if let Some(first) = sessions.first() {
        record_attendance(
            db,
            &ctx,
            first,
            &[luca.clone(), giorgio.clone(), samira.clone()],
        )
        .await?;
    }
    if let Some(second) = sessions.get(1) {
        record_attendance(db, &ctx, second, &[luca.clone(), giorgio.clone()]).await?;
    }
    certificate(db, &ctx, &course, Some(&giorgio)).await?;

    let visits = create_course(
        db,
        &ctx,
        &CourseInput {
            title: "Affiancamento agli enti gestori: registro presenze e segnalazione delle vulnerabilità (demo)".into(),
            audience: "managing_bodies".into(),
            description: String::new(),
            procedure_code: String::new(),
            min_attendance_pct: "75".into(),
        },
    )
    .await?;
    add_session(
        db,
        &ctx,
        &visits,
        &SessionInput {
            starts_at: at(9, "10:00"),
            minutes: "120".into(),
            kind: "on_the_job".into(),
            place: "CAS Via Casilina".into(),
            host_org_id: org("ente1"),
        },
    )
    .await?;
    enrol(
        db,
        &ctx,
        &visits,
        &EnrolInput {
            user_id: user("anna"),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}

/// The helpdesk (journey 7): a question from Luca's patronato answered by Marco the next day
/// and now in the knowledge base, and a fresh one waiting for an answer.
pub(crate) async fn seed_helpdesk(
    db: &Db,
    ids: &HashMap<&str, String>,
    users: &HashMap<&str, String>,
) -> Result<()> {
    use crate::helpdesk::{AskInput, KbInput, answer, ask, publish_to_kb, set_times};
    let org = |k: &str| ids.get(k).cloned().unwrap_or_default();
    let luca = crate::demo::as_user(&org("patronato1"), users.get("luca"));
    let marco = crate::demo::as_user(&org("prefettura"), users.get("marco"));
    let first = ask(
        db,
        &luca,
        &AskInput {
            procedure_code: "family_reunification".into(),
            subject: "Ricongiungimento: serve il certificato di idoneità alloggiativa per un figlio minore di 14 anni?".into(),
            body: "Un lavoratore chiede il ricongiungimento con il figlio di 12 anni. Il Comune dice che l'idoneità alloggiativa può essere sostituita dal consenso del titolare dell'alloggio. È corretto?".into(),
        },
    )
    .await?;
    let reply = "Sì: per il figlio minore di 14 anni al seguito di un genitore, il certificato di idoneità alloggiativa può essere sostituito dal consenso del titolare dell'alloggio in cui il minore vivrà (art. 29 c. 3 lett. a TUI). Allegate il consenso firmato con la copia del documento del titolare.";
    answer(db, &marco, &first, 1, reply).await?;
    publish_to_kb(
        db,
        &marco,
        &first,
        &KbInput {
            procedure_code: "family_reunification".into(),
            question:
                "Ricongiungimento con un figlio minore di 14 anni: serve l'idoneità alloggiativa?"
                    .into(),
            answer: reply.into(),
        },
    )
    .await?;
    // Asked nine days ago, answered 26 hours later.
    let asked = crate::Ts::now().plus_seconds(-9 * 86_400);
    set_times(db, &first, asked, Some(asked.plus_seconds(26 * 3_600))).await?;
    ask(
        db,
        &luca,
        &AskInput {
            procedure_code: "permit_conversion".into(),
            subject: "Conversione da studio a lavoro fuori quota: quali redditi contano?".into(),
            body: "Uno studente ha terminato il corso e ha un'offerta di lavoro part-time. Per la conversione fuori quota conta solo il contratto o anche i redditi dell'anno precedente?".into(),
        },
    )
    .await?;
    Ok(())
}

/// Safe Space (journey 7, WP3): the protocol in force, acknowledged by Il Faro but not yet
/// by the other managing bodies; two guests of Il Faro's centres: Blessing, who has agreed
/// to her data being shared for a referral (Anna can screen and refer her), and Mariam, who
/// has not (a referral is refused), already screened once without a referral.
pub(crate) async fn seed_safe_space(
    db: &Db,
    ids: &HashMap<&str, String>,
    users: &HashMap<&str, String>,
) -> Result<()> {
    use crate::people::{PersonInput, create_person, record_consent};
    use crate::safe_space::{ScreeningInput, acknowledge, publish_protocol, screen};
    let org = |k: &str| ids.get(k).cloned().unwrap_or_default();
    let ctx = Ctx::system("demo-seed");
    publish_protocol(
        db,
        &ctx,
        "Protocollo Safe Space per i centri di accoglienza (demo)",
        "1. Ogni ente gestore nomina un referente Safe Space per centro.\n\
         2. Entro 30 giorni dall'ingresso, l'équipe svolge uno screening delle vulnerabilità (art. 17 d.lgs. 142/2015) con un mediatore.\n\
         3. Se emergono indicatori di tratta, violenza di genere, disagio psichico o disabilità, il referente propone l'invio al servizio specialistico.\n\
         4. L'invio avviene solo con il consenso informato della persona alla condivisione dei dati, registrato nella sua scheda.\n\
         5. Le informazioni sulle vulnerabilità sono riservate: nessuna è scritta in registri cartacei o messaggi.",
        "v1 – 2026",
    )
    .await?;
    let anna = crate::demo::as_user(&org("ente1"), users.get("anna"));
    acknowledge(db, &anna).await?;
    let person = |given: &str, family: &str, birth: &str, nat: &str| PersonInput {
        given_names: given.into(),
        family_name: family.into(),
        sex: "female".into(),
        birth_date: birth.into(),
        birth_precision: "exact".into(),
        nationality: nat.into(),
        ..Default::default()
    };
    let today = domain::clock::today();
    let blessing =
        create_person(db, &anna, &person("Blessing", "Okafor", "1999-04-12", "NG")).await?;
    record_consent(
        db,
        &anna,
        &blessing,
        "share_for_referral",
        true,
        &(today - Duration::days(20)).to_string(),
    )
    .await?;
    let mariam = create_person(db, &anna, &person("Mariam", "Koné", "2001-09-03", "ML")).await?;
    let centre: Option<(String,)> = crate::with_pool!(db, |p| sqlx::query_as(
        "SELECT id FROM centres WHERE org_id = $1 ORDER BY name LIMIT 1"
    )
    .bind(org("ente1"))
    .fetch_optional(p)
    .await)
    .map_err(crate::db::db_err)?;
    if let Some((centre,)) = centre {
        screen(
            db,
            &anna,
            &mariam,
            &ScreeningInput {
                centre_id: centre,
                screened_on: (today - Duration::days(6)).to_string(),
                categories: vec!["single_parent".into()],
                notes: "Con una figlia di 3 anni; seguita dall'assistente sociale del centro."
                    .into(),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}
