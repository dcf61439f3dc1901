//! Checklist templates, one per version of the contract schema (versioned data, seeded by
//! migration): a centre is inspected against the template of its own contract.

use chrono::NaiveDate;
use domain::policy::Permission;
use domain::{Error, Result};

use crate::db::{Ctx, Db, db_err};
use crate::with_pool;

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Item {
    pub heading: String,
    pub heading_it: String,
    pub heading_en: String,
    pub position: i32,
    pub text_it: String,
    pub text_en: String,
    /// yes_no, number, text, photo
    pub kind: String,
    pub weight: i32,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Template {
    pub id: String,
    pub schema: String,
    pub version: i32,
    pub title_it: String,
    pub title_en: String,
    pub valid_from: NaiveDate,
    #[sqlx(skip)]
    pub items: Vec<Item>,
}

impl Template {
    /// The items grouped by heading, in order.
    pub fn headings(&self) -> Vec<(&Item, Vec<&Item>)> {
        let mut out: Vec<(&Item, Vec<&Item>)> = vec![];
        for i in &self.items {
            match out.last_mut() {
                Some((h, items)) if h.heading == i.heading => items.push(i),
                _ => out.push((i, vec![i])),
            }
        }
        out
    }
}

/// The template in force for a contract schema: its latest version.
pub async fn current(db: &Db, ctx: &Ctx, schema: &str) -> Result<Template> {
    ctx.actor.require(Permission::ViewCentres)?;
    let t: Option<Template> = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT id, schema, version, title_it, title_en, valid_from FROM checklist_templates \
             WHERE schema = $1 ORDER BY version DESC LIMIT 1",
        )
        .bind(schema)
        .fetch_optional(p)
        .await
    })
    .map_err(db_err)?;
    let mut t = t.ok_or(Error::NotFound)?;
    t.items = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT heading, heading_it, heading_en, position, text_it, text_en, kind, weight FROM checklist_items \
             WHERE template_id = $1 ORDER BY position",
        )
        .bind(&t.id)
        .fetch_all(p)
        .await
    })
    .map_err(db_err)?;
    Ok(t)
}
