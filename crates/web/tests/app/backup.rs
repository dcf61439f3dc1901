//! Backup while the platform is in use, then restore into an empty database: same data.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;

/// Row counts of every table plus the users and organisations as the app reads them.
async fn snapshot(db: &store::Db) -> (Vec<(String, i64)>, Vec<String>, Vec<String>) {
    let mut counts = vec![];
    for t in store::schema::TABLES_IN_ORDER {
        let sql = format!("SELECT COUNT(*) FROM {t}");
        let n: (i64,) = store::with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_one(p)
            .await)
        .unwrap();
        counts.push((t.to_string(), n.0));
    }
    let ctx = store::Ctx::system("t");
    let users = store::account::list_users(db, &ctx, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .map(|u| {
            format!(
                "{} {} {} {:?} {}",
                u.id, u.username, u.full_name, u.grants, u.version
            )
        })
        .collect();
    let orgs = store::account::list_orgs(db, &ctx)
        .await
        .unwrap()
        .into_iter()
        .map(|o| format!("{} {} {} {}", o.id, o.name, o.kind, o.created_at))
        .collect();
    (counts, users, orgs)
}

#[tokio::test]
async fn backup_then_restore_gives_the_same_data() {
    let app = TestApp::new().await;
    let mut c = app.client();
    c.login_ok("roberto").await;
    c.get("/admin/organisations/new").await;
    c.post(
        "/admin/organisations",
        &[
            ("name", "Caritas Roma – sportello immigrati"),
            ("kind", "civil_society"),
            ("active", "on"),
        ],
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.sprint");
    let summary = store::backup::backup(app.db(), &file).await.unwrap();
    assert!(summary.bytes > 0);
    // Refuses to overwrite an existing file.
    assert!(store::backup::backup(app.db(), &file).await.is_err());
    let before = snapshot(app.db()).await;

    let target = TestDb::new().await;
    store::backup::restore(&target.db, &file).await.unwrap();
    // SQLite restore swaps the file: open it again as the server would after a restore.
    let restored = store::Db::connect(&target.url, test_settings())
        .await
        .unwrap();
    restored.migrate().await.unwrap();
    let mut after = snapshot(&restored).await;
    let mut before = before;
    // Listing users for the snapshot itself writes an audit entry; compare the rest exactly.
    before.0.retain(|(t, _)| t != "audit_log");
    after.0.retain(|(t, _)| t != "audit_log");
    assert_eq!(before, after);
    let v = store::audit::verify(&restored).await.unwrap();
    assert!(v.first_break.is_none());
    assert!(v.entries > 20);
}

#[tokio::test]
async fn restore_refuses_a_file_that_is_not_a_backup() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("junk.bin");
    std::fs::write(&file, b"this is not a backup at all").unwrap();
    assert!(store::backup::restore(app.db(), &file).await.is_err());
    // Nothing was lost.
    assert!(
        store::account::find_user_id(app.db(), "roberto")
            .await
            .unwrap()
            .is_some()
    );
}
