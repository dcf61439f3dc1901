//! The generated world: made through the store's rules (the audit chain verifies), the
//! same for the same seed, with re-registrations for dedup to find, and never twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use store::scale::{Quiet, Volumes, seed_volumes};

use crate::support::*;

const TINY: Volumes = Volumes {
    persons: 240,
    partner_orgs: 3,
    managing_bodies: 2,
    centres: 3,
    presence_days: 4,
    inspected_share: 1.0,
    minors: 6,
    cases: 30,
    contacts: 40,
};

async fn names(db: &store::Db) -> Vec<String> {
    let mut tx = db.begin().await.unwrap();
    let rows: Vec<(String, String)> = store::with_tx!(&mut tx, |c| {
        sqlx::query_as("SELECT given_names, family_name FROM persons")
            .fetch_all(c)
            .await
    })
    .unwrap();
    tx.commit().await.unwrap();
    let mut v: Vec<String> = rows.into_iter().map(|(g, f)| format!("{g} {f}")).collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_generated_world_obeys_the_rules_and_is_the_same_for_the_same_seed() {
    let a = TestDb::new().await;
    let report = seed_volumes(&a.db, TINY, 7, &Quiet).await.unwrap();
    assert_eq!(report.stages.len(), 8, "{report:?}");
    let counts: std::collections::HashMap<_, _> = store::scale::counts(&a.db)
        .await
        .unwrap()
        .into_iter()
        .collect();
    assert!(counts["persons"] >= 240 + 6, "{counts:?}");
    assert!(counts["cases"] >= 30, "{counts:?}");
    assert!(counts["contacts"] >= 40, "{counts:?}");
    assert!(counts["presences"] >= 12, "{counts:?}");
    assert!(counts["inspections"] >= 3, "{counts:?}");
    assert!(counts["minors"] >= 6, "{counts:?}");
    let v = store::audit::verify(&a.db).await.unwrap();
    assert!(v.first_break.is_none(), "{:?}", v.first_break);
    // Contacts are spread over the past year, not all stamped today.
    let mut tx = a.db.begin().await.unwrap();
    let (days,): (i64,) = store::with_tx!(&mut tx, |c| {
        sqlx::query_as("SELECT COUNT(DISTINCT contact_on) FROM contacts")
            .fetch_one(c)
            .await
    })
    .unwrap();
    tx.commit().await.unwrap();
    assert!(days > 10, "contacts on {days} days only");
    // Seeding the same database again is refused, with nothing added.
    let before = store::scale::counts(&a.db).await.unwrap();
    assert!(matches!(
        seed_volumes(&a.db, TINY, 7, &Quiet).await,
        Err(domain::Error::Duplicate(_))
    ));
    assert_eq!(store::scale::counts(&a.db).await.unwrap(), before);

    let b = TestDb::new().await;
    seed_volumes(&b.db, TINY, 7, &Quiet).await.unwrap();
    assert_eq!(names(&a.db).await, names(&b.db).await);
    let c = TestDb::new().await;
    seed_volumes(&c.db, TINY, 8, &Quiet).await.unwrap();
    assert_ne!(names(&a.db).await, names(&c.db).await);
}

#[tokio::test]
async fn the_generated_register_holds_each_re_registration_under_its_own_spelling() {
    let t = TestDb::new().await;
    seed_volumes(&t.db, TINY, 3, &Quiet).await.unwrap();
    let (persons, truth) = namematch::synth::population_with_truth(TINY.persons, {
        // The generator draws the population's seed first from its own generator.
        let mut rng = namematch::synth::Rng::new(3);
        rng.next_u64()
    });
    let repeats = truth.iter().filter(|t| t.is_some()).count();
    assert!(repeats >= 5, "only {repeats} re-registrations");
    // Every re-registration is in the register under its own spelling.
    let all = names(&t.db).await;
    for (p, src) in persons.iter().zip(&truth) {
        if src.is_some() {
            let n = format!("{} {}", p.given_names, p.family_name);
            assert!(all.contains(&n), "{n} missing");
        }
    }
}
