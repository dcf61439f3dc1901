//! Every route, tried by every role and by nobody: what the policy denies answers 403 (or
//! the login page), and never carries the data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use domain::policy::Actor;
use web::routes::{Access, ROUTES};

use crate::support::*;

/// A user whose record is the target of per-user routes, so that resetting or disabling it
/// does not disturb the demo accounts doing the testing.
async fn make_target(app: &TestApp) -> String {
    let ctx = store::Ctx::system("test");
    let org = store::account::find_org_by_name(app.db(), "Programma Integra")
        .await
        .unwrap()
        .unwrap();
    store::account::create_user(
        app.db(),
        &ctx,
        &store::account::UserInput {
            username: "target.user".into(),
            full_name: "Target Person".into(),
            email: "target.secret@demo.sprint.invalid".into(),
            org_id: org.id,
            lang: "it".into(),
            grants: vec!["case_worker:organisation".into()],
            password: "a long enough password".into(),
        },
    )
    .await
    .unwrap()
}

/// The records per-record routes are tried on.
pub(crate) struct Targets {
    pub(crate) org: String,
    pub(crate) user: String,
    pub(crate) person: String,
    pub(crate) case: String,
    pub(crate) minor: String,
    /// The hub that has the test minor.
    pub(crate) hub: String,
    /// A body of the network, a meeting of it and an action item owned by the target user.
    pub(crate) body: String,
    pub(crate) meeting: String,
    pub(crate) action: String,
    pub(crate) session: String,
    pub(crate) question: String,
}

pub(crate) fn fill(path: &str, t: &Targets) -> String {
    path.replace("{org}", &t.org)
        .replace("{user}", &t.user)
        .replace("{person}", &t.person)
        .replace("{case}", &t.case)
        .replace("{minor}", &t.minor)
        .replace("{body}", &t.body)
        .replace("{meeting}", &t.meeting)
        .replace("{action}", &t.action)
        .replace("{session}", &t.session)
        .replace("{question}", &t.question)
}

/// A working group with a meeting and an action item for `owner`.
async fn make_network(app: &TestApp, owner: &str) -> (String, String, String) {
    let ctx = store::Ctx::system("test");
    let body = store::governance::create_body(
        app.db(),
        &ctx,
        &store::governance::BodyInput {
            kind: "working_group".into(),
            name: "Target group".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let meeting = store::governance::create_meeting(
        app.db(),
        &ctx,
        &body,
        &store::governance::MeetingInput {
            starts_at: "2026-01-15T10:00".into(),
            place: "Prefettura".into(),
            agenda: "Item".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let action = store::governance::add_action(
        app.db(),
        &ctx,
        &meeting,
        &store::governance::ActionInput {
            title: "Target action".into(),
            owner_id: owner.into(),
            due_on: "2026-12-31".into(),
        },
    )
    .await
    .unwrap();
    (body, meeting, action)
}

/// `t.org` owns the test person and case, `t.hub` has the test minor.
pub(crate) fn allowed(access: Access, actor: &Actor, t: &Targets) -> bool {
    match access {
        Access::Public | Access::SignedIn => true,
        Access::Perm(p) => actor.can(p),
        // A record of another organisation is not opened by a programme-wide grant alone:
        // the page asks for a purpose first (403, nothing of the record shown).
        Access::Record(p) => actor.can(p) && actor.org_id.as_deref() == Some(t.org.as_str()),
        Access::Minor(p) => actor.reaches(p, &t.hub, None),
        Access::Programme(p) => actor.scope_for(p) == Some(domain::account::Scope::All),
    }
}

/// A minor taken in by the Red Cross hub; returns the minor and the hub.
async fn make_minor(app: &TestApp) -> (String, String) {
    let hub = store::account::find_org_by_name(
        app.db(),
        "Croce Rossa Italiana – Comitato Area Metropolitana di Roma Capitale",
    )
    .await
    .unwrap()
    .expect("the demo hub")
    .id;
    let sara = app.user_id("sara").await;
    let ctx = store::Ctx {
        actor: Actor::user(
            sara,
            hub.clone(),
            vec![domain::account::Grant {
                role: domain::account::Role::MinorsOfficer,
                scope: domain::account::Scope::Organisation,
            }],
        ),
        request_id: None,
        purpose: None,
    };
    let intake = store::minors::IntakeInput {
        arrived_at: "2026-11-01T22:00".into(),
        contact_place: "Stazione Tiburtina".into(),
        brought_by: "police".into(),
        ..Default::default()
    };
    let person = store::people::PersonInput {
        given_names: "Target".into(),
        family_name: "Person".into(),
        birth_date: "2010".into(),
        ..Default::default()
    };
    let id = store::minors::intake(
        app.db(),
        &ctx,
        store::minors::Identity::New(&person),
        &intake,
    )
    .await
    .unwrap();
    (id, hub)
}

/// A person registered by Programma Integra, the target of per-person routes.
async fn make_person(app: &TestApp, org: &str) -> String {
    let chiara = app.user_id("chiara").await;
    let ctx = store::Ctx {
        actor: Actor::user(
            chiara,
            org.to_string(),
            vec![domain::account::Grant {
                role: domain::account::Role::CaseWorker,
                scope: domain::account::Scope::Organisation,
            }],
        ),
        request_id: None,
        purpose: None,
    };
    store::people::create_person(
        app.db(),
        &ctx,
        &store::people::PersonInput {
            given_names: "Target".into(),
            family_name: "Person".into(),
            birth_date: "1990".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// A case of Programma Integra on the test person.
async fn make_case(app: &TestApp, org: &str, person: &str) -> String {
    let chiara = app.user_id("chiara").await;
    let ctx = store::Ctx {
        actor: Actor::user(
            chiara,
            org.to_string(),
            vec![domain::account::Grant {
                role: domain::account::Role::CaseWorker,
                scope: domain::account::Scope::Organisation,
            }],
        ),
        request_id: None,
        purpose: None,
    };
    store::cases::create_case(app.db(), &ctx, person, "permit_renewal", "2026-11-01")
        .await
        .unwrap()
}

/// A valid body for the routes that take a person as JSON.
const PERSON_JSON: &str =
    r#"{"given_names":"Amina","family_name":"Diallo","birth_date":"1995","version":1}"#;

/// The records every per-record route is tried on, made in `app`.
pub(crate) async fn targets(app: &TestApp) -> Targets {
    let target = make_target(app).await;
    let org = store::account::find_org_by_name(app.db(), "Programma Integra")
        .await
        .unwrap()
        .unwrap()
        .id;
    let person = make_person(app, &org).await;
    let case = make_case(app, &org, &person).await;
    let (minor, hub) = make_minor(app).await;
    let (body, meeting, action) = make_network(app, &target).await;
    let (session, question): (String, String) = store::with_pool!(app.db(), |p| sqlx::query_as(
        "SELECT (SELECT id FROM course_sessions LIMIT 1), (SELECT id FROM helpdesk_questions LIMIT 1)"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    Targets {
        org,
        user: target,
        person,
        case,
        minor,
        hub,
        body,
        meeting,
        action,
        session,
        question,
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_policy_says() {
    let app = TestApp::new().await;
    let t = targets(&app).await;
    for demo in store::demo::USERS {
        let mut c = app.client();
        c.login_ok(demo.username).await;
        let token = app.token_for(demo.username).await;
        let actor = store::auth::authenticate_api_token(app.db(), &token)
            .await
            .unwrap()
            .actor();
        for r in ROUTES {
            let path = fill(r.path, &t);
            let resp = if path.starts_with("/api/v1") {
                let body = match r.method {
                    "PUT" => Some(PERSON_JSON),
                    "POST" => Some("{}"),
                    _ => None,
                };
                c.api(r.method, &path, &token, body).await
            } else if r.method == "GET" {
                c.get(&path).await
            } else {
                c.post(&path, &[]).await
            };
            let who = format!("{} {} as {}", r.method, path, demo.username);
            if allowed(r.access, &actor, &t) {
                assert!(
                    resp.status != StatusCode::FORBIDDEN && resp.status != StatusCode::UNAUTHORIZED,
                    "{who} should be allowed, got {}",
                    resp.status
                );
                assert!(resp.status.as_u16() < 500, "{who}: {}", resp.status);
            } else {
                assert_eq!(resp.status, StatusCode::FORBIDDEN, "{who}: {}", resp.body);
                // A record one may not open still shows what a duplicate check shows (its
                // name) to those who search the register: that is where access is asked.
                let summary_page = r.method == "GET"
                    && r.path == "/people/{person}"
                    && actor.can(domain::policy::Permission::SearchPeople);
                assert!(
                    !resp.body.contains("target.secret")
                        && (summary_page || !resp.body.contains("Target Person")),
                    "{who} leaked data"
                );
            }
        }
    }
}

#[tokio::test]
async fn nobody_signed_in_reaches_only_public_routes() {
    let app = TestApp::new().await;
    let target = app.user_id("elena").await;
    let mut c = app.client();
    c.get("/login").await; // a browser would hold the pre-session form token
    for r in ROUTES {
        let path = fill(
            r.path,
            &Targets {
                org: "x".into(),
                user: target.clone(),
                person: "p".into(),
                case: "c".into(),
                minor: "m".into(),
                hub: "h".into(),
                body: "b".into(),
                meeting: "mt".into(),
                action: "a".into(),
                session: "s".into(),
                question: "q".into(),
            },
        );
        let resp = if path.starts_with("/api/v1") {
            c.api(r.method, &path, "spr_not_a_real_token", None).await
        } else if r.method == "GET" {
            c.get(&path).await
        } else {
            c.post(&path, &[]).await
        };
        let who = format!("{} {} anonymously", r.method, path);
        match r.access {
            Access::Public => assert!(
                resp.status.is_success() || resp.status.is_redirection(),
                "{who}"
            ),
            _ if path.starts_with("/api/") => {
                assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{who}");
                assert_eq!(resp.json()["code"], "unauthenticated", "{who}");
            }
            _ if r.method == "GET" => {
                assert_eq!(resp.status, StatusCode::SEE_OTHER, "{who}");
                assert!(
                    resp.location().starts_with("/login?reason=required"),
                    "{who}"
                );
            }
            _ => assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{who}"),
        }
        assert!(
            !resp.body.contains("@demo.sprint.invalid"),
            "{who} leaked data"
        );
    }
}

#[tokio::test]
async fn an_organisation_scoped_admin_sees_only_their_organisation() {
    let app = TestApp::new().await;
    let ctx = store::Ctx::system("test");
    let integra = store::account::find_org_by_name(app.db(), "Programma Integra")
        .await
        .unwrap()
        .unwrap();
    store::account::create_user(
        app.db(),
        &ctx,
        &store::account::UserInput {
            username: "integra.admin".into(),
            full_name: "Integra Admin".into(),
            org_id: integra.id.clone(),
            lang: "en".into(),
            grants: vec!["admin:organisation".into()],
            password: PASSWORD.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let mut c = app.client();
    c.login_ok("integra.admin").await;
    let page = c.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Giulia Romano"));
    assert!(
        !page.body.contains("Roberto Conti"),
        "sees another organisation's users"
    );
    let roberto = app.user_id("roberto").await;
    let other = c.get(&format!("/admin/users/{roberto}")).await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    // Cannot hand out a wider scope than their own.
    let r = c
        .post(
            "/admin/users",
            &[
                ("username", "new.one"),
                ("full_name", "New One"),
                ("org_id", &integra.id),
                ("lang", "it"),
                ("role", "admin"),
                ("scope_admin", "all"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("wider scope"), "{}", r.body);
}
