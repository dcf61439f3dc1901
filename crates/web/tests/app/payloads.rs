//! A corpus of hostile and odd input pushed through every form of the application, as
//! every role: script and markup injection, SQL fragments, direction overrides, zero-width
//! and combining characters, a NUL byte, very long text and impossible dates. No answer is
//! a server error, no page ever carries the markup unescaped, and what is accepted is
//! stored exactly as typed.
//!
//! The forms are found by reading the pages (every GET route of `ROUTES` a role may open),
//! so a new form is covered the day it appears.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use web::routes::ROUTES;

use crate::permissions::{allowed, fill, targets};
use crate::support::*;

/// Markup that must never reach a page unescaped.
const SCRIPT: &str = "<script>alert('sprint-xss')</script>";
const IMG: &str = "\"><img src=x onerror=alert('sprint-xss')>";

fn corpus() -> Vec<String> {
    vec![
        SCRIPT.to_string(),
        IMG.to_string(),
        "'; DROP TABLE persons; --".to_string(),
        "Robert'); DELETE FROM users WHERE ('1'='1".to_string(),
        "\u{202E}fdp.exe\u{202C} Mo\u{200B}hamed\u{200D} \u{2066}x\u{2069}".to_string(),
        "محمد أحمد \u{200F}ሰላም ትግርኛ মোহাম্মদ 🙂 e\u{301} ﷽".to_string(),
        "nul\u{0}byte".to_string(),
        "x".repeat(20_000),
        "2026-02-30".to_string(),
        "31/13/2020".to_string(),
        "99999-99-99T99:99".to_string(),
        "-1e309".to_string(),
    ]
}

#[derive(Debug, Clone)]
struct Field {
    name: String,
    kind: String,
    value: String,
    checked: bool,
}

#[derive(Debug, Clone)]
struct Form {
    action: String,
    multipart: bool,
    fields: Vec<Field>,
    /// select name → first option value
    selects: BTreeMap<String, String>,
    textareas: Vec<String>,
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    let j = tag[i..].find('"')? + i;
    Some(unescape(&tag[i..j]))
}

fn has_flag(tag: &str, name: &str) -> bool {
    tag.split(|c: char| c.is_whitespace() || c == '>')
        .any(|w| w == name)
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#60;", "<")
        .replace("&lt;", "<")
        .replace("&#62;", ">")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// The post forms of a page, as a browser would read them.
fn forms(html: &str) -> Vec<Form> {
    let mut out = vec![];
    let mut rest = html;
    while let Some(i) = rest.find("<form") {
        let after = &rest[i..];
        let end = after.find("</form>").unwrap_or(after.len());
        let body = &after[..end];
        rest = &after[end.min(after.len())..];
        if rest.starts_with("</form>") {
            rest = &rest[7..];
        }
        let head_end = body.find('>').unwrap_or(body.len());
        let head = &body[..head_end];
        if attr(head, "method").map(|m| m.to_lowercase()) != Some("post".into()) {
            continue;
        }
        let Some(action) = attr(head, "action") else {
            continue;
        };
        let mut form = Form {
            action,
            multipart: attr(head, "enctype").is_some_and(|e| e.contains("multipart")),
            fields: vec![],
            selects: BTreeMap::new(),
            textareas: vec![],
        };
        let mut scan = &body[head_end..];
        while let Some(k) = scan.find('<') {
            scan = &scan[k..];
            let tag_end = scan.find('>').unwrap_or(scan.len());
            let tag = &scan[..tag_end];
            if tag.starts_with("<input") {
                if let Some(name) = attr(tag, "name") {
                    form.fields.push(Field {
                        name,
                        kind: attr(tag, "type").unwrap_or_else(|| "text".into()),
                        value: attr(tag, "value").unwrap_or_default(),
                        checked: has_flag(tag, "checked"),
                    });
                }
            } else if tag.starts_with("<textarea") {
                if let Some(name) = attr(tag, "name") {
                    form.textareas.push(name);
                }
            } else if tag.starts_with("<select")
                && let Some(name) = attr(tag, "name")
            {
                let sel_end = scan.find("</select>").unwrap_or(scan.len());
                let options = &scan[..sel_end];
                let value = options
                    .split("<option")
                    .skip(1)
                    .filter_map(|o| attr(&format!(" {o}"), "value"))
                    .find(|v| !v.is_empty())
                    .unwrap_or_default();
                form.selects.insert(name, value);
            }
            scan = &scan[tag_end.min(scan.len())..];
            if scan.is_empty() {
                break;
            }
            scan = &scan[1..];
        }
        out.push(form);
    }
    out
}

/// Forms whose submission would end the crawl itself (signing out, changing the crawler's
/// password or second factor, disabling accounts or organisations the crawl runs as).
fn skipped(action: &str, target_user: &str) -> bool {
    action.contains("/logout")
        || action.contains("/profile/password")
        || action.contains("/profile/totp")
        || action.contains("/language/")
        || action.starts_with("/login")
        || (action.starts_with("/admin/users/") && !action.contains(target_user))
        || action.starts_with("/admin/organisations/")
}

fn is_html(r: &Resp) -> bool {
    r.headers
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"))
}

fn assert_escaped(who: &str, body: &str) {
    assert!(
        !body.contains("<script>alert('sprint-xss')"),
        "{who}: a script payload reached the page unescaped"
    );
    assert!(
        !body.contains("<img src=x onerror"),
        "{who}: a markup payload reached the page unescaped"
    );
}

/// The fields of a form filled with payloads (`n` picks which, so fields get different
/// ones), keeping hidden values (form token, versions) and the first option of selects.
fn filled(form: &Form, n: usize, corpus: &[String]) -> Vec<(String, String)> {
    let mut v = vec![];
    let mut k = n;
    let mut radios = BTreeSet::new();
    for f in &form.fields {
        match f.kind.as_str() {
            "hidden" => v.push((f.name.clone(), f.value.clone())),
            "checkbox" => {
                if f.checked || k.is_multiple_of(2) {
                    v.push((
                        f.name.clone(),
                        if f.value.is_empty() {
                            "on".into()
                        } else {
                            f.value.clone()
                        },
                    ));
                }
            }
            "radio" => {
                if radios.insert(f.name.clone()) {
                    v.push((f.name.clone(), f.value.clone()));
                }
            }
            "submit" | "button" | "file" => {}
            _ => {
                v.push((f.name.clone(), corpus[k % corpus.len()].clone()));
                k += 1;
            }
        }
    }
    for t in &form.textareas {
        v.push((t.clone(), corpus[k % corpus.len()].clone()));
        k += 1;
    }
    for (name, value) in &form.selects {
        v.push((name.clone(), value.clone()));
    }
    v
}

#[tokio::test]
async fn every_form_takes_the_payload_corpus_without_a_server_error_and_every_page_escapes_it() {
    let app = TestApp::new().await;
    let t = targets(&app).await;
    let corpus = corpus();
    let mut posted = 0;
    let mut outcomes: BTreeMap<u16, usize> = BTreeMap::new();
    for demo in store::demo::USERS {
        let mut c = app.client();
        c.login_ok(demo.username).await;
        let actor = app.actor_of(demo.username).await;
        let mut seen = BTreeSet::new();
        for r in ROUTES {
            if r.method != "GET" || r.path.starts_with("/api/") || !allowed(r.access, &actor, &t) {
                continue;
            }
            let path = fill(r.path, &t);
            let page = c.get(&path).await;
            if page.status != StatusCode::OK || !is_html(&page) {
                continue;
            }
            for (n, form) in forms(&page.body).into_iter().enumerate() {
                if skipped(&form.action, &t.user) || !seen.insert(form.action.clone()) {
                    continue;
                }
                // The page's own token: what a browser holding this page would send.
                c.get(&path).await;
                let fields = filled(&form, n + posted, &corpus);
                let who = format!("POST {} as {} (from {path})", form.action, demo.username);
                let resp = if form.multipart {
                    let all: Vec<(String, String)> = fields.clone();
                    let (ct, body) = multipart_body(
                        &all,
                        Some((
                            "../../etc/passwd\u{202E}fdp.exe",
                            b"%PDF-1.4 <script>x</script>",
                        )),
                    );
                    let req = axum::http::Request::builder()
                        .method("POST")
                        .uri(&form.action)
                        .header(
                            "cookie",
                            c.cookies
                                .iter()
                                .map(|(k, v)| format!("{k}={v}"))
                                .collect::<Vec<_>>()
                                .join("; "),
                        )
                        .header("content-type", ct)
                        .body(axum::body::Body::from(body))
                        .unwrap();
                    c.send(req).await
                } else {
                    let refs: Vec<(&str, &str)> = fields
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str()))
                        .collect();
                    c.post(&form.action, &refs).await
                };
                posted += 1;
                *outcomes.entry(resp.status.as_u16()).or_insert(0) += 1;
                assert!(
                    resp.status.as_u16() < 500,
                    "{who}: {} {}",
                    resp.status,
                    resp.body.chars().take(300).collect::<String>()
                );
                if is_html(&resp) {
                    assert_escaped(&who, &resp.body);
                }
            }
        }
    }
    eprintln!("{posted} forms posted; answers by status: {outcomes:?}");
    assert!(posted > 40, "only {posted} forms were tried");
    // Enough of them were accepted for the second half to look at stored payloads.
    let accepted: usize = outcomes
        .iter()
        .filter(|(s, _)| (200..400).contains(*s))
        .map(|(_, n)| n)
        .sum();
    assert!(accepted > 15, "only {accepted} forms accepted the payloads");
    // Whatever was stored, every page shows it escaped, to every role.
    for demo in store::demo::USERS {
        let mut c = app.client();
        c.login_ok(demo.username).await;
        for r in ROUTES
            .iter()
            .filter(|r| r.method == "GET" && !r.path.starts_with("/api/"))
        {
            let path = fill(r.path, &t);
            let page = c.get(&path).await;
            assert!(
                page.status.as_u16() < 500,
                "GET {path} as {}",
                demo.username
            );
            // Downloads (JSON, CSV, PDF) carry the data as it is, as attachments that a
            // browser does not render (`nosniff`); pages must escape it.
            if is_html(&page) {
                assert_escaped(&format!("GET {path} as {}", demo.username), &page.body);
            }
        }
    }
}

#[tokio::test]
async fn odd_but_valid_names_are_stored_exactly_as_typed() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("chiara").await;
    c.get("/people/new").await;
    let given = "\u{202E}Mo\u{200B}hamed\u{200D} <script>alert('sprint-xss')</script>";
    let family = "O'Brien\"; DROP TABLE persons; -- محمد ዮሃንስ e\u{301}";
    let r = c
        .post(
            "/people",
            &[
                ("given_names", given),
                ("family_name", family),
                ("birth_date", "1990"),
                ("confirm", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = r.location().trim_start_matches("/people/").to_string();
    let id = id.split(['?', '/']).next().unwrap().to_string();
    let p = store::people::get_person(app.db(), &store::Ctx::system("t"), &id)
        .await
        .unwrap();
    assert_eq!(p.given_names, given);
    assert_eq!(p.family_name, family);
    let page = c.get(&format!("/people/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_escaped("the person page", &page.body);
    assert!(page.body.contains("&#60;script&#62;") || page.body.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn a_nul_byte_or_control_character_is_a_field_error_not_a_server_error() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("chiara").await;
    c.get("/people/new").await;
    let r = c
        .post(
            "/people",
            &[
                ("given_names", "Amina\u{0}"),
                ("family_name", "Diallo\u{7}"),
                ("birth_date", "1990"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // The form comes back with what was typed, so nothing is lost.
    assert!(r.body.contains("Diallo"), "{}", r.body);
}
