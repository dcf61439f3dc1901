//! Both engines get the same schema from their migrations.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use crate::support::*;

fn versions(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(format!(
        "{}/../store/migrations/{dir}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .map(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .split('_')
            .next()
            .unwrap()
            .to_string()
    })
    .collect()
}

#[test]
fn migrations_have_the_same_versions_on_both_engines() {
    assert_eq!(versions("sqlite"), versions("postgres"));
}

#[tokio::test]
async fn the_backup_table_list_covers_every_table() {
    let t = TestDb::new().await;
    let shape = store::schema::describe(&t.db).await.unwrap();
    let tables: BTreeSet<&str> = shape.keys().map(String::as_str).collect();
    let listed: BTreeSet<&str> = store::schema::TABLES_IN_ORDER.iter().copied().collect();
    assert_eq!(tables, listed);
}

#[tokio::test]
async fn migrated_schemas_are_equivalent_on_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let lite = store::Db::connect(
        &format!("sqlite://{}/s.db", dir.path().display()),
        test_settings(),
    )
    .await
    .unwrap();
    lite.migrate().await.unwrap();
    let lite_shape = store::schema::describe(&lite).await.unwrap();
    let Ok(url) = std::env::var("SPRINT_TEST_DATABASE_URL") else {
        // Without PostgreSQL only the SQLite side can be read; CI runs both.
        assert!(!lite_shape.is_empty());
        return;
    };
    if url.is_empty() {
        return;
    }
    let pg = TestDb::new().await;
    let pg_shape = store::schema::describe(&pg.db).await.unwrap();
    assert_eq!(lite_shape, pg_shape);
    assert_eq!(
        store::schema::applied_migrations(&lite).await.unwrap(),
        store::schema::applied_migrations(&pg.db).await.unwrap()
    );
}
