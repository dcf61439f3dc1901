//! Documents of a case: scans and photos of passports, certificates, payslips. The type is
//! read from the file's own bytes (never from its name or the browser's word), the size is
//! capped, the content is sealed at rest and checked against its digest when read back,
//! and only those who may see the case can download it — each download audited.

use domain::policy::Permission;
use domain::{Error, Result};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Event};
use crate::cases::{Reach, event, load_case, reach, require_work};
use crate::crypto::keyring;
use crate::db::{Ctx, Db, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

/// What may be uploaded: what scanners and phones produce, and nothing that runs.
pub const ALLOWED_TYPES: &[(&str, &str)] = &[
    ("application/pdf", "pdf"),
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/webp", "webp"),
];

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Document {
    pub id: String,
    pub case_id: String,
    pub title: String,
    pub filename: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: Ts,
}

/// A document's content, ready to send.
#[derive(Debug)]
pub struct Download {
    pub document: Document,
    pub bytes: Vec<u8>,
}

fn aad(id: &str) -> String {
    format!("case_documents:{id}")
}

/// The media type of the content, if it is one we accept.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let found = infer::get(bytes)?.mime_type();
    ALLOWED_TYPES
        .iter()
        .find(|(m, _)| *m == found)
        .map(|(m, _)| *m)
}

/// A file name safe to store and to send back: no folders, no control characters, not
/// empty, at most 150 characters, with the extension of the detected type.
pub fn clean_filename(name: &str, media_type: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut stem: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*'))
        .collect();
    if let Some(dot) = stem.rfind('.') {
        stem.truncate(dot);
    }
    let stem = stem.trim().trim_start_matches('.');
    let stem: String = stem.chars().take(140).collect();
    let stem = if stem.is_empty() { "document" } else { &stem };
    let ext = ALLOWED_TYPES
        .iter()
        .find(|(m, _)| *m == media_type)
        .map(|(_, e)| *e)
        .unwrap_or("bin");
    format!("{stem}.{ext}")
}

/// An upload checked and named: what every stored document starts from.
pub(crate) struct Prepared {
    pub media_type: &'static str,
    pub filename: String,
    pub title: String,
    pub sha256: String,
}

/// Checks an upload (not empty, within the size limit, a PDF or image by its bytes, a title
/// of at most 200 characters) and names it: the cleaned file name, the title or else the
/// file name, and its SHA-256.
pub(crate) fn prepare(db: &Db, title: &str, filename: &str, bytes: &[u8]) -> Result<Prepared> {
    if bytes.is_empty() {
        return Err(Error::field("file", "document_empty"));
    }
    if bytes.len() > db.settings.max_document_bytes {
        return Err(Error::field("file", "document_too_large"));
    }
    let media_type = sniff(bytes).ok_or(Error::field("file", "document_type_not_allowed"))?;
    let filename = clean_filename(filename, media_type);
    let title = title.trim();
    if title.chars().count() > 200 {
        return Err(Error::field("title", "field_too_long"));
    }
    let title = if title.is_empty() {
        filename.clone()
    } else {
        title.to_string()
    };
    Ok(Prepared {
        media_type,
        filename,
        title,
        sha256: hex::encode(Sha256::digest(bytes)),
    })
}

/// Stores a document on a case the actor works on.
pub async fn upload(
    db: &Db,
    ctx: &Ctx,
    case_id: &str,
    title: &str,
    filename: &str,
    bytes: &[u8],
) -> Result<String> {
    require_work(db, ctx, case_id).await?;
    let Prepared {
        media_type,
        filename,
        title,
        sha256: digest,
    } = prepare(db, title, filename, bytes)?;
    let id = new_id();
    let sealed = keyring(db)?.seal(&aad(&id), bytes)?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query("INSERT INTO case_documents (id, case_id, title, filename, media_type, size_bytes, sha256, sealed, uploaded_by, uploaded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)")
            .bind(&id)
            .bind(case_id)
            .bind(&title)
            .bind(&filename)
            .bind(media_type)
            .bind(bytes.len() as i64)
            .bind(&digest)
            .bind(&sealed)
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    event(&mut tx, ctx, case_id, "document_added", Some(title.clone())).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("case.document_add", "case", Some(case_id))
            .details(json!({"document": id, "type": media_type, "bytes": bytes.len()})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

const COLUMNS: &str =
    "id, case_id, title, filename, media_type, size_bytes, sha256, uploaded_by, uploaded_at";

/// The documents of a case (not their content), newest first. The caller has checked that
/// the actor may see the case.
pub(crate) async fn of_case(db: &Db, case_id: &str) -> Result<Vec<Document>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM case_documents WHERE case_id = $1 AND removed_at IS NULL ORDER BY uploaded_at DESC"
    );
    with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(case_id)
        .fetch_all(p)
        .await)
    .map_err(db_err)
}

/// A document's content, for someone who may see its case; the read is audited.
pub async fn download(db: &Db, ctx: &Ctx, case_id: &str, document_id: &str) -> Result<Download> {
    ctx.actor.require(Permission::ViewCases)?;
    let case = load_case(db, case_id).await?.ok_or(Error::NotFound)?;
    let r = reach(db, ctx, &case).await?;
    if r < Reach::Read {
        return Err(crate::cases::reach_error(r));
    }
    let sql = format!(
        "SELECT {COLUMNS}, sealed FROM case_documents WHERE id = $1 AND case_id = $2 AND removed_at IS NULL"
    );
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        document: Document,
        sealed: Option<String>,
    }
    let row: Row = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .bind(document_id)
        .bind(case_id)
        .fetch_optional(p)
        .await)
    .map_err(db_err)?
    .ok_or(Error::NotFound)?;
    let sealed = row.sealed.ok_or(Error::NotFound)?;
    let bytes = keyring(db)?.open(&aad(document_id), &sealed)?;
    // A content that no longer matches its digest is never handed out as if it were fine.
    if hex::encode(Sha256::digest(&bytes)) != row.document.sha256 {
        return Err(Error::internal(format!(
            "document {document_id} does not match its digest"
        )));
    }
    audit::record(
        db,
        ctx,
        Event::new("case.document_read", "case", Some(case_id))
            .details(json!({"document": document_id})),
    )
    .await?;
    Ok(Download {
        document: row.document,
        bytes,
    })
}

/// Removes a document uploaded by mistake: its content is destroyed, the fact that it was
/// there (title, who, when) stays in the case's timeline.
pub async fn remove(db: &Db, ctx: &Ctx, case_id: &str, document_id: &str) -> Result<()> {
    require_work(db, ctx, case_id).await?;
    let mut tx = db.begin().await?;
    let title: Option<(String,)> = with_tx!(&mut tx, |c| {
        sqlx::query_as("SELECT title FROM case_documents WHERE id = $1 AND case_id = $2 AND removed_at IS NULL")
            .bind(document_id)
            .bind(case_id)
            .fetch_optional(c)
            .await
    })
    .map_err(db_err)?;
    let (title,) = title.ok_or(Error::NotFound)?;
    with_tx!(&mut tx, |c| {
        sqlx::query("UPDATE case_documents SET sealed = NULL, removed_by = $1, removed_at = $2 WHERE id = $3 AND removed_at IS NULL")
            .bind(&ctx.actor.id)
            .bind(Ts::now())
            .bind(document_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    event(&mut tx, ctx, case_id, "document_removed", Some(title)).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("case.document_remove", "case", Some(case_id))
            .details(json!({"document": document_id})),
    )
    .await?;
    tx.commit().await
}
