//! Light on the wire: compressed answers, assets named by their content and kept for a year,
//! public pages cached and revalidated, pages with personal data never kept.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;

use crate::support::*;

fn header<'a>(r: &'a Resp, name: &str) -> &'a str {
    r.headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// The addresses a page links with `attr="..."` under `/assets/`.
fn asset_links(body: &str, attr: &str) -> Vec<String> {
    body.split(&format!("{attr}=\""))
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|s| s.starts_with("/assets/"))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn a_public_page_is_compressed_cacheable_and_answers_304_to_the_version_it_holds() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let plain = c.get("/it/services").await;
    assert_eq!(plain.status, StatusCode::OK);
    assert_eq!(header(&plain, "cache-control"), "public, no-cache");
    assert!(
        plain.headers.get("set-cookie").is_none(),
        "a cached page must not set a cookie"
    );
    let etag = header(&plain, "etag").to_string();
    assert!(etag.starts_with("W/\""), "{etag}");

    let br = c
        .get_with("/it/services", &[("accept-encoding", "gzip, deflate, br")])
        .await;
    assert_eq!(header(&br, "content-encoding"), "br");
    assert!(header(&br, "vary").contains("accept-encoding"));
    assert!(
        br.bytes.len() * 3 < plain.bytes.len(),
        "{} vs {}",
        br.bytes.len(),
        plain.bytes.len()
    );

    let gz = c.get_with("/ar/", &[("accept-encoding", "gzip")]).await;
    assert_eq!(header(&gz, "content-encoding"), "gzip");

    let again = c
        .get_with("/it/services", &[("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.bytes.is_empty());
    assert_eq!(header(&again, "etag"), etag);
    // Another language is another page.
    let en = c
        .get_with("/en/services", &[("if-none-match", &etag)])
        .await;
    assert_eq!(en.status, StatusCode::OK);
}

#[tokio::test]
async fn pages_with_a_form_or_personal_data_are_never_kept_by_a_browser() {
    let app = TestApp::new().await;
    let mut c = app.client();
    // The booking form carries the visitor's CSRF token (and sets its cookie).
    let book = c.get("/it/book").await;
    assert_eq!(book.status, StatusCode::OK);
    assert_eq!(header(&book, "cache-control"), "no-store");
    assert!(book.headers.get("etag").is_none());
    c.login_ok("chiara").await;
    let people = c.get_with("/people", &[("accept-encoding", "gzip")]).await;
    assert_eq!(people.status, StatusCode::OK);
    assert_eq!(header(&people, "cache-control"), "no-store");
    assert_eq!(header(&people, "content-encoding"), "gzip");
}

#[tokio::test]
async fn assets_are_linked_by_their_content_hash_kept_for_a_year_and_sent_compressed() {
    let app = TestApp::new().await;
    let mut c = app.client();
    let home = c.get("/it/").await;
    let links: Vec<String> = asset_links(&home.body, "href")
        .into_iter()
        .chain(asset_links(&home.body, "src"))
        .collect();
    let css = links
        .iter()
        .find(|l| l.starts_with("/assets/css/public.") && l.ends_with(".css"))
        .unwrap_or_else(|| panic!("no hashed public.css among {links:?}"));
    assert_ne!(css, "/assets/css/public.css");

    let r = c
        .get_with(css, &[("accept-encoding", "br;q=1.0, gzip;q=0.8")])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        header(&r, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(&r, "content-encoding"), "br");
    assert_eq!(header(&r, "content-type"), "text/css; charset=utf-8");
    // A strong ETag per encoding: the brotli bytes are not the plain ones.
    let etag = header(&r, "etag").to_string();
    assert!(etag.starts_with('"') && etag.ends_with("-br\""), "{etag}");
    let again = c
        .get_with(css, &[("accept-encoding", "br"), ("if-none-match", &etag)])
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    let plain = c.get_with(css, &[("if-none-match", &etag)]).await;
    assert_eq!(plain.status, StatusCode::OK);

    // The stylesheet names its fonts by their hashed names too; a font is sent as it is.
    let raw = c.get(css).await;
    assert!(raw.headers.get("content-encoding").is_none());
    let font = raw
        .body
        .split("url(\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .find(|u| u.contains("noto-sans-ethiopic-400."))
        .expect("the Ethiopic font in the stylesheet");
    let f = c.get_with(font, &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(f.status, StatusCode::OK);
    assert_eq!(header(&f, "content-type"), "font/woff2");
    assert!(f.headers.get("content-encoding").is_none());
    assert!(f.bytes.starts_with(b"wOF2"));

    // A plain name from an earlier release still answers, kept for an hour only.
    let old = c.get("/assets/css/public.css").await;
    assert_eq!(old.status, StatusCode::OK);
    assert_eq!(header(&old, "cache-control"), "public, max-age=3600");
    assert_eq!(old.bytes, raw.bytes);
    assert_eq!(
        c.get("/assets/css/nothing.css").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn operator_pages_link_the_purged_stylesheet_not_the_full_one() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("giulia").await;
    let home = c.get("/").await;
    let links = asset_links(&home.body, "href");
    assert!(
        links
            .iter()
            .any(|l| l.contains("bootstrap-italia.purged.") && l.ends_with(".css")),
        "{links:?}"
    );
    assert!(!home.body.contains("bootstrap-italia.min.css"));
    let mut total = 0;
    for l in links
        .iter()
        .chain(asset_links(&home.body, "src").iter())
        .filter(|l| l.ends_with(".css") || l.ends_with(".js"))
    {
        let r = c.get_with(l, &[("accept-encoding", "br")]).await;
        assert_eq!(r.status, StatusCode::OK, "{l}");
        total += r.bytes.len();
    }
    // Not a timing: the bytes of styles and scripts an operator's phone downloads once.
    assert!(
        total < 100_000,
        "styles and scripts weigh {total} bytes compressed"
    );
}
