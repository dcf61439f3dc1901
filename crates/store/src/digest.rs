//! The daily e-mail digest of the inbox (off unless mail is configured). Sent from the
//! inbox items — the outbox written with each change — by the job queue, so that each item
//! is in one message however many instances run and however often a run is retried:
//!
//! 1. *compose*: for each user, in one transaction, the open items they have not been sent
//!    become one row of `mail_outbox` (unique per user and day) and one row of
//!    `inbox_deliveries` per item (unique per item and user). A second instance, or a
//!    retry after a run killed half-way, finds those rows and adds nothing.
//! 2. *send*: each pending message is claimed with a lease, sent over SMTP, and marked
//!    sent. A run killed between the SMTP server's acceptance and the mark would send that
//!    one message again on retry, with the same Message-ID (mail systems drop the copy):
//!    SMTP offers no way to make the two one step.
//!
//! A digest names kinds of work and how many, never a person or free text: mail leaves the
//! platform, so what it says must be harmless in any mailbox. The link opens the inbox.

use std::sync::Arc;

use chrono::NaiveDate;
use domain::Result;
use domain::policy::Actor;

use crate::db::{Db, db_err, is_unique_violation};
use crate::{Ts, new_id, with_pool, with_tx};

pub const KIND: &str = "inbox_digest";

/// What a digest says about one kind of item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub kind: String,
    pub count: usize,
    /// The nearest due date among them, if any has one.
    pub first_due: Option<NaiveDate>,
}

/// Writes a digest's subject and body in the reader's language (the web crate holds the
/// translations).
pub trait Text: Send + Sync + std::fmt::Debug {
    fn compose(&self, lang: &str, name: &str, lines: &[Line], link: &str) -> (String, String);
}

/// Where and how digests are sent.
#[derive(Debug, Clone)]
pub struct MailSettings {
    pub smtp_host: String,
    pub smtp_port: u16,
    pub from: String,
    /// The hour of the day (Rome) after which the day's digest goes out.
    pub hour: u32,
    /// The platform's address, for the link to the inbox.
    pub base_url: String,
    pub text: Arc<dyn Text>,
}

impl MailSettings {
    /// Reads `smtp://host:port` (port 25 by default). Only plain SMTP to a relay is built
    /// in: the digest carries nothing personal.
    pub fn parse_url(url: &str) -> std::result::Result<(String, u16), String> {
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| format!("mail URL must start with smtp:// (got '{url}')"))?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("invalid port in mail URL '{url}'"))?,
            ),
            None => (rest, 25),
        };
        if host.is_empty() {
            return Err(format!("no host in mail URL '{url}'"));
        }
        Ok((host.to_string(), port))
    }
}

/// Enqueues today's digest for after the configured hour (once: the key names the day).
pub async fn schedule(db: &Db, now: Ts) -> Result<bool> {
    let Some(mail) = db.settings.mail.as_ref() else {
        return Ok(false);
    };
    let day = domain::clock::rome(now.0).date();
    let at = day
        .and_hms_opt(mail.hour.min(23), 0, 0)
        .and_then(domain::clock::from_rome)
        .map(Ts::from_datetime)
        .unwrap_or(now);
    crate::jobs::enqueue(
        db,
        KIND,
        &format!("{KIND}@{day}"),
        &serde_json::json!({ "day": day }).to_string(),
        at,
    )
    .await
}

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    pub composed: usize,
    pub sent: usize,
    pub failed: usize,
}

/// Composes the day's digests, then sends every pending one.
pub async fn run(db: &Db, day: NaiveDate) -> Result<Outcome> {
    let Some(mail) = db.settings.mail.clone() else {
        return Ok(Outcome::default());
    };
    let composed = compose(db, &mail, day).await?;
    let (sent, failed) = send_pending(db, &mail).await?;
    Ok(Outcome {
        composed,
        sent,
        failed,
    })
}

/// The open items a user was not yet sent: (id, kind, due).
async fn unsent(
    db: &Db,
    actor: &Actor,
    before: Ts,
) -> Result<Vec<(String, String, Option<NaiveDate>)>> {
    let mut out = vec![];
    for (part, binds) in crate::inbox::reader_parts(actor, 3) {
        let sql = format!(
            "SELECT i.id, i.kind, i.due_on FROM inbox_items i WHERE i.done_at IS NULL AND {part} \
             AND i.created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM inbox_deliveries d WHERE d.item_id = i.id AND d.user_id = $2) \
             ORDER BY i.created_at"
        );
        let rows: Vec<(String, String, Option<NaiveDate>)> = with_pool!(db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(before)
                .bind(&actor.id);
            for b in &binds {
                q = q.bind(b);
            }
            q.fetch_all(p).await
        })
        .map_err(db_err)?;
        out.extend(rows);
    }
    Ok(out)
}

/// Counts by kind, in the inbox's kind order.
pub fn lines(items: &[(String, String, Option<NaiveDate>)]) -> Vec<Line> {
    crate::inbox::KINDS
        .iter()
        .filter_map(|k| {
            let of: Vec<_> = items.iter().filter(|i| i.1 == *k).collect();
            (!of.is_empty()).then(|| Line {
                kind: k.to_string(),
                count: of.len(),
                first_due: of.iter().filter_map(|i| i.2).min(),
            })
        })
        .collect()
}

async fn compose(db: &Db, mail: &MailSettings, day: NaiveDate) -> Result<usize> {
    let started = Ts::now();
    let link = format!("{}/inbox", mail.base_url.trim_end_matches('/'));
    let host = mail
        .base_url
        .split("://")
        .nth(1)
        .and_then(|h| h.split(['/', ':']).next())
        .filter(|h| !h.is_empty())
        .unwrap_or("sprint.invalid")
        .to_string();
    let mut composed = 0;
    for user in crate::account::digest_recipients(db).await? {
        let Some(to) = user.email.clone() else {
            continue;
        };
        let items = unsent(db, &user.actor(), started).await?;
        if items.is_empty() {
            continue;
        }
        let (subject, body) = mail
            .text
            .compose(&user.lang, &user.full_name, &lines(&items), &link);
        let id = new_id();
        let mut tx = db.begin().await?;
        let n = with_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO mail_outbox (id, user_id, kind, day, to_addr, subject, body, message_id, state, created_at) \
             VALUES ($1,$2,'digest',$3,$4,$5,$6,$7,'pending',$8) ON CONFLICT (user_id, kind, day) DO NOTHING"
        )
        .bind(&id)
        .bind(&user.id)
        .bind(day)
        .bind(&to)
        .bind(&subject)
        .bind(&body)
        .bind(format!("<{id}@{host}>"))
        .bind(Ts::now())
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
        if n == 0 {
            // Today's message for this user exists (another instance, or an earlier try).
            continue;
        }
        let mut clash = false;
        for (item, _, _) in &items {
            let r = with_tx!(&mut tx, |c| sqlx::query(
                "INSERT INTO inbox_deliveries (item_id, user_id, mail_id) VALUES ($1,$2,$3)"
            )
            .bind(item)
            .bind(&user.id)
            .bind(&id)
            .execute(c)
            .await
            .map(|r| r.rows_affected()));
            match r {
                Ok(_) => {}
                // Another run delivered it meanwhile: this message is dropped, the next
                // run sends what is left.
                Err(e) if is_unique_violation(&e) => {
                    clash = true;
                    break;
                }
                Err(e) => return Err(db_err(e)),
            }
        }
        if clash {
            drop(tx);
            continue;
        }
        tx.commit().await?;
        composed += 1;
    }
    Ok(composed)
}

/// How long a claimed message is left to its sender before another run may take it.
const LEASE_SECONDS: i64 = 600;
/// Attempts before a message is given up (and marked failed with its reason).
const MAX_ATTEMPTS: i32 = 5;

async fn send_pending(db: &Db, mail: &MailSettings) -> Result<(usize, usize)> {
    use lettre::AsyncTransport;
    let now = Ts::now();
    let due: Vec<(String,)> = with_pool!(db, |p| sqlx::query_as(
        "SELECT id FROM mail_outbox WHERE state = 'pending' OR (state = 'sending' AND claimed_until < $1) \
         ORDER BY created_at"
    )
    .bind(now)
    .fetch_all(p)
    .await)
    .map_err(db_err)?;
    let transport =
        lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(&mail.smtp_host)
            .port(mail.smtp_port)
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
    let (mut sent, mut failed) = (0, 0);
    for (id,) in due {
        let mut tx = db.begin().await?;
        let claimed: Option<(String, String, String, String, i32)> = with_tx!(&mut tx, |c| {
            sqlx::query_as(
                "UPDATE mail_outbox SET state = 'sending', claimed_until = $1, attempts = attempts + 1 \
                 WHERE id = $2 AND (state = 'pending' OR (state = 'sending' AND claimed_until < $3)) \
                 RETURNING to_addr, subject, body, message_id, attempts",
            )
            .bind(Ts::now().plus_seconds(LEASE_SECONDS))
            .bind(&id)
            .bind(Ts::now())
            .fetch_optional(c)
            .await
        })
        .map_err(db_err)?;
        tx.commit().await?;
        let Some((to, subject, body, message_id, attempts)) = claimed else {
            continue;
        };
        let result = match message(&mail.from, &to, &subject, &body, &message_id) {
            Ok(m) => transport
                .send(m)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        let (state, error) = match &result {
            Ok(()) => ("sent", String::new()),
            Err(e) if attempts >= MAX_ATTEMPTS => ("failed", e.clone()),
            Err(e) => ("pending", e.clone()),
        };
        if let Err(e) = &result {
            tracing::warn!(mail = %id, attempt = attempts, error = %e, "digest not sent");
        }
        let mut tx = db.begin().await?;
        with_tx!(&mut tx, |c| sqlx::query(
            "UPDATE mail_outbox SET state = $1, last_error = $2, sent_at = $3, claimed_until = NULL \
             WHERE id = $4 AND state = 'sending'"
        )
        .bind(state)
        .bind(error.chars().take(500).collect::<String>())
        .bind((state == "sent").then(Ts::now))
        .bind(&id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
        .map_err(db_err)?;
        tx.commit().await?;
        match state {
            "sent" => sent += 1,
            "failed" => failed += 1,
            _ => {}
        }
    }
    Ok((sent, failed))
}

fn message(
    from: &str,
    to: &str,
    subject: &str,
    body: &str,
    message_id: &str,
) -> std::result::Result<lettre::Message, String> {
    let from = from
        .parse()
        .map_err(|e| format!("invalid sender address: {e}"))?;
    let to = to
        .parse()
        .map_err(|e| format!("invalid recipient address: {e}"))?;
    lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .message_id(Some(message_id.to_string()))
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mail_url_names_a_relay_and_its_port() {
        assert_eq!(
            MailSettings::parse_url("smtp://127.0.0.1:2525"),
            Ok(("127.0.0.1".to_string(), 2525))
        );
        assert_eq!(
            MailSettings::parse_url("smtp://relay.example"),
            Ok(("relay.example".to_string(), 25))
        );
        assert!(MailSettings::parse_url("smtps://x:465").is_err());
        assert!(MailSettings::parse_url("smtp://:25").is_err());
        assert!(MailSettings::parse_url("smtp://x:99999").is_err());
    }

    #[test]
    fn a_digest_counts_kinds_and_keeps_the_nearest_due_date() {
        let d = |n| NaiveDate::from_ymd_opt(2026, 12, n);
        let items = vec![
            ("1".to_string(), "task".to_string(), d(20)),
            ("2".to_string(), "task".to_string(), d(9)),
            ("3".to_string(), "access_request".to_string(), None),
        ];
        assert_eq!(
            lines(&items),
            vec![
                Line {
                    kind: "access_request".into(),
                    count: 1,
                    first_due: None
                },
                Line {
                    kind: "task".into(),
                    count: 2,
                    first_due: d(9)
                },
            ]
        );
    }
}
