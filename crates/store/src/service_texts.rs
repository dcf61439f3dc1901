//! The public service pages' texts and their translation workflow.
//!
//! Each procedure of the catalogue has at most one text per language, with the sections of
//! the Designers Italia service page. The Italian text is the source, written and published
//! by content editors (`EditContent`). Every other language is a translation, written by
//! translators (`TranslateContent`, the mediators), with a state: missing (no row), draft,
//! in review, published. A translation records the hash of the Italian content it was made
//! from; when the Italian changes, the translation is out of date, the public page falls
//! back to Italian with a notice, and the translator is shown what changed.
//!
//! Publishing a translation takes a second person: whoever last wrote it cannot publish it,
//! and a save that changes the text cannot publish it in the same step. Nobody reviews a
//! text they wrote themselves.

use domain::policy::{ActorKind, Permission};
use domain::{Error, FieldError, Result};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

/// The source language of every text.
pub const SOURCE: &str = "it";

/// The sections of a service page after its title and short description, in the order of
/// the Designers Italia service page model.
pub const SECTIONS: &[&str] = &[
    "audience",
    "how_to",
    "needs",
    "outcome",
    "times",
    "access",
    "conditions",
    "contacts",
];

/// Sections written one item per line, shown as lists.
pub const LIST_SECTIONS: &[&str] = &["how_to", "needs", "contacts"];

pub const STATES: &[&str] = &["draft", "review", "published"];

const TITLE_MAX: usize = 200;
const SUMMARY_MAX: usize = 600;
const SECTION_MAX: usize = 4000;

/// What a service page says, in one language.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow, serde::Serialize, serde::Deserialize,
)]
#[serde(default)]
pub struct Content {
    pub title: String,
    pub summary: String,
    pub audience: String,
    pub how_to: String,
    pub needs: String,
    pub outcome: String,
    pub times: String,
    pub access: String,
    pub conditions: String,
    pub contacts: String,
}

impl Content {
    /// A section's text by its name in [`SECTIONS`] (or `title`, `summary`).
    pub fn get(&self, field: &str) -> &str {
        match field {
            "title" => &self.title,
            "summary" => &self.summary,
            "audience" => &self.audience,
            "how_to" => &self.how_to,
            "needs" => &self.needs,
            "outcome" => &self.outcome,
            "times" => &self.times,
            "access" => &self.access,
            "conditions" => &self.conditions,
            "contacts" => &self.contacts,
            _ => "",
        }
    }

    /// A list section's items, one per non-empty line.
    pub fn items(&self, field: &str) -> Vec<&str> {
        self.get(field)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }

    /// Trimmed, with line ends normalised and blank lines of lists dropped, so that the
    /// same text typed twice has the same hash.
    fn normalised(&self) -> Content {
        let clean = |field: &str| -> String {
            let s = self.get(field).replace("\r\n", "\n");
            if LIST_SECTIONS.contains(&field) {
                s.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                s.trim().to_string()
            }
        };
        Content {
            title: clean("title"),
            summary: clean("summary"),
            audience: clean("audience"),
            how_to: clean("how_to"),
            needs: clean("needs"),
            outcome: clean("outcome"),
            times: clean("times"),
            access: clean("access"),
            conditions: clean("conditions"),
            contacts: clean("contacts"),
        }
    }

    /// SHA-256 of the content's JSON (fields in declaration order), hex.
    pub fn hash(&self) -> String {
        let json = serde_json::to_string(self).unwrap_or_default();
        hex::encode(Sha256::digest(json.as_bytes()))
    }
}

/// A stored text with its workflow fields.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct ServiceText {
    pub procedure_code: String,
    pub lang: String,
    #[sqlx(flatten)]
    pub content: Content,
    pub state: String,
    pub content_hash: String,
    pub source_hash: Option<String>,
    pub demo: bool,
    pub version: i32,
    pub updated_by: String,
    pub updated_at: Ts,
    pub published_at: Option<Ts>,
}

const COLUMNS: &str = "procedure_code, lang, title, summary, audience, how_to, needs, outcome, times, access, conditions, contacts, state, content_hash, source_hash, demo, version, updated_by, updated_at, published_at";

/// Where a language stands for one procedure, as the editors' overview shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Status {
    Missing,
    Draft,
    Review,
    Published,
    /// A translation made from an earlier Italian text (whatever its state).
    Outdated,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Missing => "missing",
            Status::Draft => "draft",
            Status::Review => "review",
            Status::Published => "published",
            Status::Outdated => "outdated",
        }
    }

    fn of(text: Option<&ServiceText>, source: Option<&ServiceText>) -> Status {
        let Some(t) = text else {
            return Status::Missing;
        };
        if t.lang != SOURCE
            && source.is_some_and(|s| t.source_hash.as_ref() != Some(&s.content_hash))
        {
            return Status::Outdated;
        }
        match t.state.as_str() {
            "published" => Status::Published,
            "review" => Status::Review,
            _ => Status::Draft,
        }
    }
}

/// Why a public page shows Italian instead of the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// No published translation.
    Missing,
    /// The published translation was made from an earlier Italian text.
    Outdated,
}

/// A service page as the public reads it.
#[derive(Debug, Clone)]
pub struct PublicPage {
    pub code: String,
    pub category: String,
    pub active: bool,
    /// The language the content is written in (the reader's, or Italian).
    pub lang: String,
    pub content: Content,
    pub fallback: Option<Fallback>,
    pub demo: bool,
    pub updated_at: Ts,
}

pub(crate) async fn texts_of(db: &Db, code: &str) -> Result<Vec<ServiceText>> {
    let sql = format!("SELECT {COLUMNS} FROM service_texts WHERE procedure_code = $1");
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(code)
        .fetch_all(p)
        .await)
    .map_err(db_err)
}

/// Picks what a reader of `lang` sees from a procedure's texts: their language when
/// published and made from the current Italian, otherwise the published Italian.
fn pick(texts: &[ServiceText], lang: &str) -> Option<(ServiceText, Option<Fallback>)> {
    let source = texts
        .iter()
        .find(|t| t.lang == SOURCE && t.state == "published")?;
    if lang == SOURCE {
        return Some((source.clone(), None));
    }
    match texts
        .iter()
        .find(|t| t.lang == lang && t.state == "published")
    {
        Some(t) if t.source_hash.as_deref() == Some(source.content_hash.as_str()) => {
            Some((t.clone(), None))
        }
        Some(_) => Some((source.clone(), Some(Fallback::Outdated))),
        None => Some((source.clone(), Some(Fallback::Missing))),
    }
}

/// The page of procedure `code` for a reader of `lang`, if its Italian text is published
/// and the procedure is in the catalogue. Public: no permission needed.
pub async fn public_page(db: &Db, code: &str, lang: &str) -> Result<Option<PublicPage>> {
    let proc: Option<(String, bool)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT category, active FROM procedures WHERE code = $1"
    )
    .bind(code)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    let Some((category, active)) = proc else {
        return Ok(None);
    };
    let texts = texts_of(db, code).await?;
    Ok(pick(&texts, lang).map(|(t, fallback)| PublicPage {
        code: code.to_string(),
        category,
        active,
        lang: t.lang,
        content: t.content,
        fallback,
        demo: t.demo,
        updated_at: t.published_at.unwrap_or(t.updated_at),
    }))
}

/// One line of the public list of services.
#[derive(Debug, Clone)]
pub struct Listed {
    pub code: String,
    pub category: String,
    pub title: String,
    /// The title is the Italian one.
    pub fallback: bool,
}

/// Every active procedure with a published page, for a reader of `lang`, in catalogue
/// order (category, then Italian name).
pub async fn published(db: &Db, lang: &str) -> Result<Vec<Listed>> {
    let sql = format!(
        "SELECT {} FROM service_texts t JOIN procedures p ON p.code = t.procedure_code \
         WHERE p.active AND t.lang IN ($1, $2) ORDER BY p.category, p.name_it",
        COLUMNS
            .split(", ")
            .map(|c| format!("t.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let rows: Vec<ServiceText> =
        with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(SOURCE)
            .bind(lang)
            .fetch_all(p)
            .await)
        .map_err(db_err)?;
    let categories: Vec<(String, String)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT code, category FROM procedures WHERE active ORDER BY category, name_it"
    )
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let mut out = vec![];
    for (code, category) in categories {
        let texts: Vec<ServiceText> = rows
            .iter()
            .filter(|t| t.procedure_code == code)
            .cloned()
            .collect();
        if let Some((t, fallback)) = pick(&texts, lang) {
            out.push(Listed {
                code,
                category,
                title: t.content.title,
                fallback: fallback.is_some(),
            });
        }
    }
    Ok(out)
}

fn may_read(ctx: &Ctx) -> Result<()> {
    if ctx.actor.can(Permission::EditContent) || ctx.actor.can(Permission::TranslateContent) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// One procedure's line in the editors' overview: its Italian name and each language's
/// status, in the order of `langs`.
#[derive(Debug, Clone)]
pub struct OverviewRow {
    pub code: String,
    pub name_it: String,
    pub statuses: Vec<Status>,
    pub demo: bool,
}

pub async fn overview(db: &Db, ctx: &Ctx, langs: &[&str]) -> Result<Vec<OverviewRow>> {
    may_read(ctx)?;
    let procs: Vec<(String, String)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT code, name_it FROM procedures WHERE active ORDER BY category, name_it"
    )
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let sql = format!("SELECT {COLUMNS} FROM service_texts");
    let all: Vec<ServiceText> =
        with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .fetch_all(p)
            .await)
        .map_err(db_err)?;
    Ok(procs
        .into_iter()
        .map(|(code, name_it)| {
            let mine: Vec<&ServiceText> = all.iter().filter(|t| t.procedure_code == code).collect();
            let source = mine.iter().copied().find(|t| t.lang == SOURCE);
            let statuses = langs
                .iter()
                .map(|l| Status::of(mine.iter().copied().find(|t| t.lang == *l), source))
                .collect();
            OverviewRow {
                demo: mine.iter().any(|t| t.demo),
                code,
                name_it,
                statuses,
            }
        })
        .collect())
}

/// A change in one section of the Italian source: the words kept, removed and added.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SectionChange {
    pub field: &'static str,
    pub parts: Vec<(Change, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Change {
    Same,
    Removed,
    Added,
}

/// What changed between two versions of a text, section by section, word by word.
pub fn changes(old: &Content, new: &Content) -> Vec<SectionChange> {
    ["title", "summary"]
        .iter()
        .chain(SECTIONS)
        .filter(|f| old.get(f) != new.get(f))
        .map(|f| {
            let diff = similar::TextDiff::from_words(old.get(f), new.get(f));
            let mut parts: Vec<(Change, String)> = vec![];
            for c in diff.iter_all_changes() {
                let kind = match c.tag() {
                    similar::ChangeTag::Equal => Change::Same,
                    similar::ChangeTag::Delete => Change::Removed,
                    similar::ChangeTag::Insert => Change::Added,
                };
                // Consecutive words of the same kind become one part, so the page marks
                // a changed phrase once rather than word by word.
                match parts.last_mut() {
                    Some((k, s)) if *k == kind => s.push_str(c.value()),
                    _ => parts.push((kind, c.value().to_string())),
                }
            }
            SectionChange { field: f, parts }
        })
        .collect()
}

/// What the editor of one language of one procedure sees.
#[derive(Debug, Clone)]
pub struct EditView {
    pub code: String,
    pub name_it: String,
    pub lang: String,
    pub text: Option<ServiceText>,
    /// The Italian source, when editing a translation.
    pub source: Option<ServiceText>,
    /// The Italian as it was when the translation was made, if it has changed since.
    pub source_then: Option<Content>,
    pub status: Status,
}

impl EditView {
    /// The changes in the Italian since the translation was made.
    pub fn source_changes(&self) -> Vec<SectionChange> {
        match (&self.source_then, &self.source) {
            (Some(then), Some(now)) => changes(then, &now.content),
            _ => vec![],
        }
    }
}

fn known_lang(lang: &str) -> bool {
    domain::languages::LANGUAGES.iter().any(|l| l.0 == lang)
}

pub async fn for_edit(db: &Db, ctx: &Ctx, code: &str, lang: &str) -> Result<EditView> {
    may_read(ctx)?;
    if !known_lang(lang) {
        return Err(Error::NotFound);
    }
    let name: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT name_it FROM procedures WHERE code = $1"
    )
    .bind(code)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    let (name_it,) = name.ok_or(Error::NotFound)?;
    let texts = texts_of(db, code).await?;
    let text = texts.iter().find(|t| t.lang == lang).cloned();
    let source = if lang == SOURCE {
        None
    } else {
        texts.iter().find(|t| t.lang == SOURCE).cloned()
    };
    let mut source_then = None;
    if let (Some(t), Some(s)) = (&text, &source)
        && let Some(h) = &t.source_hash
        && *h != s.content_hash
    {
        source_then = content_at(db, code, SOURCE, h).await?;
    }
    let status = Status::of(text.as_ref(), source.as_ref());
    Ok(EditView {
        code: code.to_string(),
        name_it,
        lang: lang.to_string(),
        text,
        source,
        source_then,
        status,
    })
}

/// The content of `lang`'s text when it had hash `hash` (the latest such version).
async fn content_at(db: &Db, code: &str, lang: &str, hash: &str) -> Result<Option<Content>> {
    let row: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT content FROM service_text_versions WHERE procedure_code = $1 AND lang = $2 \
         AND content_hash = $3 ORDER BY version DESC LIMIT 1"
    )
    .bind(code)
    .bind(lang)
    .bind(hash)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    Ok(row.and_then(|(c,)| serde_json::from_str(&c).ok()))
}

/// A save from the editor.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TextInput {
    #[serde(flatten)]
    pub content: Content,
    pub state: String,
    /// The version the form was opened on (none for a new text).
    pub version: Option<i32>,
    /// For a translation: the hash of the Italian the translator was shown.
    pub source_hash: String,
}

/// What a save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Saved {
    pub version: i32,
    pub changed: bool,
}

fn validate(c: &Content, state: &str) -> Vec<FieldError> {
    let mut errors = vec![];
    if !STATES.contains(&state) {
        errors.push(FieldError::new("state", "field_invalid_choice"));
    }
    for (field, max) in [("title", TITLE_MAX), ("summary", SUMMARY_MAX)]
        .into_iter()
        .chain(SECTIONS.iter().map(|s| (*s, SECTION_MAX)))
    {
        let n = c.get(field).chars().count();
        if n == 0 && (field == "title" || field == "summary" || state == "published") {
            errors.push(FieldError::new(field, "field_required"));
        } else if n > max {
            errors.push(FieldError::new(field, "field_too_long"));
        }
    }
    errors
}

/// Saves the text of `code` in `lang`: creates it (`input.version` none) or writes a new
/// version, refusing a stale one. The Italian needs `EditContent`; a translation needs
/// `TranslateContent` or `EditContent`, an Italian text to translate from, and publishing
/// it needs someone other than its last writer.
pub async fn save(db: &Db, ctx: &Ctx, code: &str, lang: &str, input: &TextInput) -> Result<Saved> {
    let system = ctx.actor.kind == ActorKind::System;
    if lang == SOURCE {
        ctx.actor.require(Permission::EditContent)?;
    } else {
        may_read(ctx)?;
    }
    if !known_lang(lang) {
        return Err(Error::NotFound);
    }
    let exists: Option<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT code FROM procedures WHERE code = $1"
    )
    .bind(code)
    .fetch_optional(p)
    .await)
    .map_err(db_err)?;
    if exists.is_none() {
        return Err(Error::NotFound);
    }
    let content = input.content.normalised();
    let state = input.state.trim();
    let mut errors = validate(&content, state);
    let texts = texts_of(db, code).await?;
    let current = texts.iter().find(|t| t.lang == lang);
    let source = texts.iter().find(|t| t.lang == SOURCE);
    let hash = content.hash();
    let changed_content = current.is_none_or(|c| c.content_hash != hash);

    let source_hash = if lang == SOURCE {
        None
    } else {
        let Some(source) = source else {
            return Err(Error::Validation(vec![FieldError::new(
                "title",
                "translation_needs_source",
            )]));
        };
        // The translation is stamped with the Italian the translator was shown; if the
        // Italian changed while they typed, the translation stays out of date.
        let shown = input.source_hash.trim();
        if shown.is_empty()
            || (shown != source.content_hash
                && content_at(db, code, SOURCE, shown).await?.is_none())
        {
            errors.push(FieldError::new("source_hash", "field_invalid_choice"));
        }
        // Four eyes: whoever writes a translation does not publish it.
        if state == "published" && !system {
            let last_writer = current.map(|c| c.updated_by.as_str());
            if changed_content || last_writer == Some(ctx.actor.id.as_str()) {
                errors.push(FieldError::new("state", "publish_needs_reviewer"));
            }
        }
        Some(shown.to_string())
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    if let Some(c) = current {
        if input.version != Some(c.version) {
            return Err(Error::Conflict);
        }
        if !changed_content && c.state == state && c.source_hash == source_hash {
            return Ok(Saved {
                version: c.version,
                changed: false,
            });
        }
    } else if input.version.is_some() {
        return Err(Error::Conflict);
    }

    let now = Ts::now();
    let version = current.map_or(1, |c| c.version + 1);
    // The last writer is who last changed the words; a state change alone keeps them.
    let writer = match current {
        Some(c) if !changed_content => c.updated_by.clone(),
        _ => ctx.actor.id.clone(),
    };
    let demo = match current {
        Some(c) => c.demo && (system || !changed_content),
        None => system && ctx.actor.id == "demo-seed",
    };
    let published_at = if state == "published" {
        match current {
            Some(c) if c.state == "published" && !changed_content => c.published_at,
            _ => Some(now),
        }
    } else {
        None
    };
    let mut tx = db.begin().await?;
    let n = if let Some(c) = current {
        with_tx!(&mut tx, |x| {
            sqlx::query(
                "UPDATE service_texts SET title = $1, summary = $2, audience = $3, how_to = $4, needs = $5, \
                 outcome = $6, times = $7, access = $8, conditions = $9, contacts = $10, state = $11, \
                 content_hash = $12, source_hash = $13, demo = $14, version = version + 1, updated_by = $15, \
                 updated_at = $16, published_at = $17 WHERE procedure_code = $18 AND lang = $19 AND version = $20",
            )
            .bind(&content.title)
            .bind(&content.summary)
            .bind(&content.audience)
            .bind(&content.how_to)
            .bind(&content.needs)
            .bind(&content.outcome)
            .bind(&content.times)
            .bind(&content.access)
            .bind(&content.conditions)
            .bind(&content.contacts)
            .bind(state)
            .bind(&hash)
            .bind(&source_hash)
            .bind(demo)
            .bind(&writer)
            .bind(now)
            .bind(published_at)
            .bind(code)
            .bind(lang)
            .bind(c.version)
            .execute(x)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(db_err)?
    } else {
        with_tx!(&mut tx, |x| {
            sqlx::query(
                "INSERT INTO service_texts (procedure_code, lang, title, summary, audience, how_to, needs, outcome, \
                 times, access, conditions, contacts, state, content_hash, source_hash, demo, version, updated_by, \
                 updated_at, published_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,1,$17,$18,$19) \
                 ON CONFLICT (procedure_code, lang) DO NOTHING",
            )
            .bind(code)
            .bind(lang)
            .bind(&content.title)
            .bind(&content.summary)
            .bind(&content.audience)
            .bind(&content.how_to)
            .bind(&content.needs)
            .bind(&content.outcome)
            .bind(&content.times)
            .bind(&content.access)
            .bind(&content.conditions)
            .bind(&content.contacts)
            .bind(state)
            .bind(&hash)
            .bind(&source_hash)
            .bind(demo)
            .bind(&writer)
            .bind(now)
            .bind(published_at)
            .execute(x)
            .await
            .map(|r| r.rows_affected())
        })
        .map_err(db_err)?
    };
    if n == 0 {
        // Someone else saved (or created) it first.
        return Err(Error::Conflict);
    }
    let snapshot = serde_json::to_string(&content).map_err(|e| Error::Internal(e.to_string()))?;
    with_tx!(&mut tx, |x| {
        sqlx::query(
            "INSERT INTO service_text_versions (id, procedure_code, lang, version, state, content, content_hash, changed_by, changed_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
        )
        .bind(new_id())
        .bind(code)
        .bind(lang)
        .bind(version)
        .bind(state)
        .bind(&snapshot)
        .bind(&hash)
        .bind(&ctx.actor.id)
        .bind(now)
        .execute(x)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    let object = format!("{code}/{lang}");
    audit::append(
        &mut tx,
        ctx,
        Event::new("service_text.save", "service_text", Some(&object)).details(json!({
            "version": version, "state": state, "content_changed": changed_content,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Saved {
        version,
        changed: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_typed_with_other_spacing_has_the_same_hash() {
        let a = Content {
            title: "Rinnovo".into(),
            how_to: "Uno\nDue".into(),
            ..Default::default()
        };
        let b = Content {
            title: "  Rinnovo ".into(),
            how_to: "Uno\r\n\r\n  Due  \n".into(),
            ..Default::default()
        };
        assert_eq!(a.normalised().hash(), b.normalised().hash());
        assert_ne!(a.hash(), Content::default().hash());
    }

    #[test]
    fn changes_mark_removed_and_added_words_of_changed_sections_only() {
        let old = Content {
            title: "Rinnovo".into(),
            times: "Entro 60 giorni.".into(),
            ..Default::default()
        };
        let new = Content {
            title: "Rinnovo".into(),
            times: "Entro 90 giorni.".into(),
            ..Default::default()
        };
        let c = changes(&old, &new);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].field, "times");
        assert!(c[0].parts.contains(&(Change::Removed, "60".into())));
        assert!(c[0].parts.contains(&(Change::Added, "90".into())));
    }
}
