//! The data-subject export as a readable PDF (GDPR art. 15): everything the organisation
//! holds about a person, in the reader's language, built from the same data as the JSON
//! export and rendered by the `print` crate.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use domain::Error;
use print::{Report, Section, SectionBody};
use store::people::Export;

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::state::AppState;

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "—".into())
}

fn fields(rows: Vec<(String, String)>) -> SectionBody {
    SectionBody::Fields(rows)
}

fn table(tr: &Tr, columns: &[&str], rows: Vec<Vec<String>>) -> SectionBody {
    if rows.is_empty() {
        SectionBody::Empty(tr.t("pdf-none"))
    } else {
        SectionBody::Table {
            columns: columns.iter().map(|c| tr.t(c)).collect(),
            rows,
        }
    }
}

/// The document, section by section: identity, identifiers, consents, vulnerabilities
/// (when the organisation may read them), merged records, then each case.
pub fn build(e: &Export, tr: &Tr, by: &str) -> Report {
    let p = &e.person;
    let lang = tr.lang.as_str();
    let mut sections = vec![Section {
        heading: tr.t("person-identity"),
        body: fields(vec![
            (tr.t("field-given-names"), p.given_names.clone()),
            (tr.t("field-family-name"), p.family_name.clone()),
            (tr.t("field-name-original"), opt(&p.name_original)),
            (tr.t("field-aliases"), p.aliases.replace('\n', "; ")),
            (
                tr.t("field-sex"),
                p.sex
                    .as_deref()
                    .map(|s| tr.t(&format!("sex-{s}")))
                    .unwrap_or_else(|| "—".into()),
            ),
            (tr.t("field-birth-date"), p.birth_display()),
            (tr.t("field-nationality"), opt(&p.nationality)),
            (tr.t("field-languages"), p.languages.clone()),
            (tr.t("field-phone"), opt(&p.phone)),
            (tr.t("field-email"), opt(&p.email)),
            (tr.t("field-address"), opt(&p.address)),
            (tr.t("pdf-registered-by"), p.owner_org_name.clone()),
            (tr.t("pdf-registered-on"), p.created_at.to_string()),
        ]),
    }];
    sections.push(Section {
        heading: tr.t("person-identifiers"),
        body: table(
            tr,
            &["field-kind", "pdf-value"],
            p.identifiers
                .iter()
                .map(|(k, v)| vec![tr.t(&format!("field-{}", k.replace('_', "-"))), v.clone()])
                .collect(),
        ),
    });
    sections.push(Section {
        heading: tr.t("pdf-consents"),
        body: table(
            tr,
            &["consent-purpose", "consent-answer", "consent-date"],
            p.consents
                .iter()
                .map(|c| {
                    vec![
                        tr.t(&format!("consent-{}", c.purpose)),
                        tr.t(if c.given {
                            "consent-given"
                        } else {
                            "consent-withdrawn"
                        }),
                        c.on_date.to_string(),
                    ]
                })
                .collect(),
        ),
    });
    sections.push(Section {
        heading: tr.t("vulnerabilities-title"),
        body: match &e.vulnerabilities {
            None => SectionBody::Text(tr.t("pdf-vulnerabilities-hidden")),
            Some(v) => table(
                tr,
                &[
                    "vulnerability-category",
                    "vulnerability-date",
                    "vulnerability-note",
                ],
                v.iter()
                    .map(|x| {
                        vec![
                            tr.t(&format!("vulnerability-{}", x.category)),
                            x.noted_on.clone(),
                            x.note.clone(),
                        ]
                    })
                    .collect(),
            ),
        },
    });
    if !e.merges.is_empty() {
        sections.push(Section {
            heading: tr.t("pdf-merges"),
            body: table(
                tr,
                &["field-name", "pdf-merged-on", "pdf-undone-on"],
                e.merges
                    .iter()
                    .map(|m| {
                        vec![
                            m.merged_name.clone(),
                            m.merged_at.to_string(),
                            m.undone_at.map(|u| u.to_string()).unwrap_or_default(),
                        ]
                    })
                    .collect(),
            ),
        });
    }
    for v in &e.cases {
        let c = &v.case;
        let name = c.procedure_name(lang).to_string();
        sections.push(Section {
            heading: tr.t1("pdf-case", "procedure", name),
            body: fields(vec![
                (tr.t("field-organisation"), c.owner_org_name.clone()),
                (
                    tr.t("case-status"),
                    tr.t(&format!("case-status-{}", c.status)),
                ),
                (
                    tr.t("case-filed-on"),
                    c.filed_on
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "—".into()),
                ),
                (
                    tr.t("case-deadline"),
                    v.deadline
                        .as_ref()
                        .map(|d| format!("{} ({})", d.due, d.rule.basis))
                        .unwrap_or_else(|| "—".into()),
                ),
            ]),
        });
        let sub = |key: &str| format!("{} — {}", tr.t(key), c.procedure_name(lang));
        sections.push(Section {
            heading: sub("case-tasks"),
            body: table(
                tr,
                &["task-title", "task-due", "task-done"],
                v.tasks
                    .iter()
                    .map(|t| {
                        vec![
                            t.title.clone(),
                            t.due_on.map(|d| d.to_string()).unwrap_or_default(),
                            t.done_at.map(|d| d.to_string()).unwrap_or_default(),
                        ]
                    })
                    .collect(),
            ),
        });
        sections.push(Section {
            heading: sub("appointments-title"),
            body: table(
                tr,
                &[
                    "appointment-when",
                    "appointment-place",
                    "appointment-purpose",
                    "field-status",
                ],
                v.appointments
                    .iter()
                    .map(|a| {
                        vec![
                            a.starts_at.format("%Y-%m-%d %H:%M").to_string(),
                            a.place.clone(),
                            a.purpose.clone().unwrap_or_default(),
                            tr.t(&format!("appointment-status-{}", a.status)),
                        ]
                    })
                    .collect(),
            ),
        });
        sections.push(Section {
            heading: sub("documents-title"),
            body: table(
                tr,
                &["document-title", "field-kind", "pdf-uploaded-on"],
                v.documents
                    .iter()
                    .map(|d| {
                        vec![
                            d.title.clone(),
                            d.media_type.clone(),
                            d.uploaded_at.to_string(),
                        ]
                    })
                    .collect(),
            ),
        });
        sections.push(Section {
            heading: sub("notes-title"),
            body: table(
                tr,
                &["pdf-date", "pdf-author", "pdf-text"],
                v.notes
                    .iter()
                    .map(|n| {
                        vec![
                            n.created_at.to_string(),
                            n.author_name.clone().unwrap_or_default(),
                            n.body.clone(),
                        ]
                    })
                    .collect(),
            ),
        });
        sections.push(Section {
            heading: sub("referrals-title"),
            body: table(
                tr,
                &["pdf-from", "pdf-to", "field-status", "referral-outcome"],
                v.referrals
                    .iter()
                    .map(|r| {
                        vec![
                            r.from_org_name.clone(),
                            r.to_org_name.clone(),
                            tr.t(&format!("referral-status-{}", r.status)),
                            r.outcome.clone().or(r.answer.clone()).unwrap_or_default(),
                        ]
                    })
                    .collect(),
            ),
        });
        sections.push(Section {
            heading: sub("case-timeline"),
            body: table(
                tr,
                &["pdf-date", "pdf-author", "pdf-event"],
                v.events
                    .iter()
                    .map(|ev| {
                        vec![
                            ev.at.to_string(),
                            ev.actor_name.clone().unwrap_or_default(),
                            tr.t(&format!("event-{}", ev.kind)),
                        ]
                    })
                    .collect(),
            ),
        });
    }
    let today = e.exported_at.to_string();
    Report {
        title: tr.t1(
            "pdf-export-title",
            "name",
            format!("{} {}", p.given_names, p.family_name),
        ),
        subtitle: Some(tr.t("pdf-export-subtitle")),
        generated_line: tr.t1("pdf-generated", "when", format!("{today} — {by}")),
        footer: tr.t("pdf-confidential"),
        sections,
    }
}

/// `GET /people/{id}/export.pdf`
pub async fn export_pdf(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let e = store::people::export_data(&st.db, &auth.ctx, &id).await?;
    let tr = auth.info.tr;
    let report = build(&e, &tr, &auth.user.full_name);
    pdf_response(report, tr.lang.as_str(), &format!("person-{id}.pdf")).await
}

/// Typesets a report and answers it as a private PDF download.
pub(crate) async fn pdf_response(
    report: Report,
    lang: &str,
    filename: &str,
) -> AppResult<Response> {
    let opts = print::Options {
        lang: lang.to_string(),
        date: domain::clock::today(),
    };
    // Typesetting takes a fraction of a second of CPU: keep it off the async workers.
    let pdf = tokio::task::spawn_blocking(move || print::report(&report, &opts))
        .await
        .map_err(|e| AppError(Error::internal(e)))?
        .map_err(|e| AppError(Error::internal(e)))?;
    let mut r = Response::new(axum::body::Body::from(pdf));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        super::case_records::attachment(filename),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r.extensions_mut().insert(crate::error::Rendered);
    Ok(r)
}
