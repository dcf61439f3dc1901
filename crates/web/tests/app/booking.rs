//! Booking an appointment at an info point without an account: a code that finds, moves and
//! cancels it; one slot, one booking, even for two requests at the same moment; wrong codes
//! and bookings limited per address; the operators' agenda.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::support::*;

async fn termini(app: &TestApp) -> String {
    let (id,): (String,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT id FROM info_points WHERE name LIKE 'Info point Stazione Termini%'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    id
}

async fn free_slot(app: &TestApp, point: &str, skip: usize) -> String {
    store::bookings::slots(app.db(), point)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| !s.taken)
        .nth(skip)
        .unwrap()
        .id
}

fn code_of(r: &Resp) -> String {
    r.body
        .split("id=\"booking-code\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_booking_gets_a_code_that_finds_moves_and_cancels_it() {
    let app = TestApp::new().await;
    let point = termini(&app).await;
    let slot = free_slot(&app, &point, 0).await;
    let mut c = app.client();
    let page = c.get(&format!("/bn/book?point={point}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(&format!("value=\"{slot}\"")));
    let r = c
        .post(
            "/bn/book",
            &[
                ("point", &point),
                ("slot_id", &slot),
                ("service", "permit_renewal"),
                ("language", "bn"),
                ("phone", "+39 333 000 0000"),
            ],
        )
        .await;
    // The confirmation lives at the booking's own address: a reload shows it again.
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(r.location().starts_with("/bn/booking/"), "{}", r.location());
    let r = c.get(&r.location()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let code = code_of(&r);
    assert_eq!(code.len(), 9, "{code}");
    assert!(r.body.contains("id=\"booking-bookmark\""));
    let reload = c.get(&format!("/bn/booking/{code}?done=booked")).await;
    assert_eq!(code_of(&reload), code);
    // The code is not stored, only its hash.
    let stored: Vec<(String,)> = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT code_hash FROM bookings"
    )
    .fetch_all(p)
    .await)
    .unwrap();
    assert!(stored.iter().all(|s| !s.0.contains(&code)));
    // Found in any case and without the dash.
    c.get("/bn/booking").await;
    let found = c
        .post(
            "/bn/booking",
            &[("code", &code.replace('-', "").to_lowercase())],
        )
        .await;
    assert_eq!(found.status, StatusCode::SEE_OTHER, "{}", found.body);
    assert_eq!(found.location(), format!("/bn/booking/{code}"));
    let found = c.get(&found.location()).await;
    assert!(found.body.contains("id=\"booking-status\""));
    let other = free_slot(&app, &point, 3).await;
    let moved = c
        .post(
            "/bn/booking",
            &[("code", &code), ("action", "move"), ("slot_id", &other)],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.body);
    assert_eq!(moved.location(), format!("/bn/booking/{code}?done=moved"));
    let b = store::bookings::find(app.db(), "test", &code)
        .await
        .unwrap();
    assert_eq!(b.slot_id, other);
    let cancelled = c
        .post("/bn/booking", &[("code", &code), ("action", "cancel")])
        .await;
    assert_eq!(cancelled.status, StatusCode::SEE_OTHER);
    let b = store::bookings::find(app.db(), "test", &code)
        .await
        .unwrap();
    assert_eq!(b.status, "cancelled");
    // The slot is free again for someone else.
    let again = c
        .post(
            "/it/book",
            &[
                ("point", &point),
                ("slot_id", &other),
                ("service", "permit_renewal"),
                ("language", "it"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn two_people_booking_the_same_slot_at_once_get_it_once() {
    let app = TestApp::new().await;
    let point = termini(&app).await;
    let slot = free_slot(&app, &point, 1).await;
    let input = |lang: &str| store::bookings::BookInput {
        point: point.clone(),
        slot_id: slot.clone(),
        service: "family_reunification".into(),
        language: lang.into(),
        phone: String::new(),
    };
    let (first, second) = (input("ar"), input("ur"));
    let (a, b) = tokio::join!(
        store::bookings::book(app.db(), "10.0.0.1", &first),
        store::bookings::book(app.db(), "10.0.0.2", &second),
    );
    let ok = [a.is_ok(), b.is_ok()];
    assert_eq!(ok.iter().filter(|x| **x).count(), 1, "{a:?} {b:?}");
    let refused = if a.is_ok() { b } else { a };
    match refused {
        Err(domain::Error::Validation(f)) => assert_eq!(f[0].code, "slot_taken"),
        other => panic!("{other:?}"),
    }
    // Through the page, the second one gets a message in their language and other times.
    let mut c = app.client();
    c.get(&format!("/ar/book?point={point}")).await;
    let r = c
        .post(
            "/ar/book",
            &[
                ("point", &point),
                ("slot_id", &slot),
                ("service", "family_reunification"),
                ("language", "ar"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("pub-error"));
    assert!(!r.body.contains(&format!("value=\"{slot}\"")));
}

#[tokio::test]
async fn wrong_codes_and_bookings_are_limited_per_address() {
    let app = TestApp::new().await;
    for _ in 0..20 {
        let e = store::bookings::find(app.db(), "10.9.9.9", "AAAA-AAAA").await;
        assert!(matches!(e, Err(domain::Error::Validation(_))));
    }
    let e = store::bookings::find(app.db(), "10.9.9.9", "AAAA-AAAA").await;
    assert!(matches!(e, Err(domain::Error::RateLimited)));
    // Another address is not affected.
    assert!(matches!(
        store::bookings::find(app.db(), "10.9.9.8", "AAAA-AAAA").await,
        Err(domain::Error::Validation(_))
    ));
    let point = termini(&app).await;
    for i in 0..5 {
        let slot = free_slot(&app, &point, 0).await;
        let r = store::bookings::book(
            app.db(),
            "10.7.7.7",
            &store::bookings::BookInput {
                point: point.clone(),
                slot_id: slot,
                service: "permit_renewal".into(),
                language: "it".into(),
                phone: String::new(),
            },
        )
        .await;
        assert!(r.is_ok(), "booking {i}: {r:?}");
    }
    let slot = free_slot(&app, &point, 0).await;
    let sixth = store::bookings::book(
        app.db(),
        "10.7.7.7",
        &store::bookings::BookInput {
            point,
            slot_id: slot,
            service: "permit_renewal".into(),
            language: "it".into(),
            phone: String::new(),
        },
    )
    .await;
    assert!(matches!(sixth, Err(domain::Error::RateLimited)));
}

/// A reception centre books for its guests from one address: slots lost to someone faster
/// are not bookings and leave the address's hourly allowance untouched.
#[tokio::test]
async fn a_slot_lost_to_someone_faster_does_not_count_against_the_address() {
    let app = TestApp::new().await;
    let point = termini(&app).await;
    let input = |slot: String| store::bookings::BookInput {
        point: point.clone(),
        slot_id: slot,
        service: "permit_renewal".into(),
        language: "ti".into(),
        phone: String::new(),
    };
    let taken = free_slot(&app, &point, 0).await;
    store::bookings::book(app.db(), "10.5.5.5", &input(taken.clone()))
        .await
        .unwrap();
    for _ in 0..6 {
        let lost = store::bookings::book(app.db(), "10.6.6.6", &input(taken.clone())).await;
        match lost {
            Err(domain::Error::Validation(f)) => assert_eq!(f[0].code, "slot_taken"),
            other => panic!("{other:?}"),
        }
    }
    for i in 0..5 {
        let slot = free_slot(&app, &point, 0).await;
        let r = store::bookings::book(app.db(), "10.6.6.6", &input(slot)).await;
        assert!(r.is_ok(), "booking {i} after six lost races: {r:?}");
    }
    // A screen reader hears each time with its day (the label names both).
    let form = app.client().get(&format!("/ti/book?point={point}")).await;
    let slot = free_slot(&app, &point, 0).await;
    let label = form
        .body
        .split(&format!("<label for=\"slot-{slot}\" dir=\"ltr\">"))
        .nth(1)
        .and_then(|s| s.split("</label>").next())
        .unwrap_or_default()
        .to_string();
    assert!(label.starts_with("<span class=\"pub-sr\">20"), "{label}");
}

#[tokio::test]
async fn bad_booking_input_is_refused_with_a_message_and_nothing_is_booked() {
    let app = TestApp::new().await;
    // The demo's own bookings were made before.
    let started = store::Ts::now();
    let point = termini(&app).await;
    let mut c = app.client();
    c.get(&format!("/fr/book?point={point}")).await;
    for fields in [
        vec![
            ("point", point.as_str()),
            ("service", "permit_renewal"),
            ("language", "fr"),
        ],
        vec![
            ("point", point.as_str()),
            ("slot_id", "nope"),
            ("service", "work_clearance"),
            ("language", "fr"),
        ],
        vec![
            ("point", point.as_str()),
            ("slot_id", "nope"),
            ("service", "permit_renewal"),
            ("language", "fr"),
            ("phone", "call me maybe"),
        ],
    ] {
        let r = c.post("/fr/book", &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{fields:?}");
        assert!(r.body.contains("pub-error"));
    }
    let (n,): (i64,) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT COUNT(*) FROM bookings WHERE created_at > $1"
    )
    .bind(started)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(n, 0, "a bad form booked something");
    let unknown = c.post("/fr/booking", &[("code", "ZZZZ-ZZZZ")]).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_operators_see_the_days_appointments_of_their_info_points() {
    let app = TestApp::new().await;
    let point = termini(&app).await;
    let slots = store::bookings::slots(app.db(), &point).await.unwrap();
    let s = slots.first().unwrap();
    store::bookings::book(
        app.db(),
        "10.1.1.1",
        &store::bookings::BookInput {
            point: point.clone(),
            slot_id: s.id.clone(),
            service: "permit_renewal".into(),
            language: "bn".into(),
            phone: "+39 333 111 2222".into(),
        },
    )
    .await
    .unwrap();
    let mut giulia = app.client();
    giulia.login_ok("giulia").await;
    let r = giulia.get(&format!("/agenda?day={}", s.day())).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&s.time()));
    assert!(r.body.contains("+39 333 111 2222"));
    assert!(r.body.contains("বাংলা"));
    let mut anna = app.client();
    anna.login_ok("anna").await;
    assert_eq!(anna.get("/agenda").await.status, StatusCode::FORBIDDEN);
}
