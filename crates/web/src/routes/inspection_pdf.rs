//! The report of a closed inspection as a PDF: visit, scores by heading, every answer,
//! findings with their deadlines, evidence with its digests, and the content hash on every
//! page, so a printed copy can be checked against the record.

use print::{Report, Section, SectionBody};
use store::inspections::{Sheet, percent};

use crate::i18n::Tr;

pub fn build(s: &Sheet, hash: &str, tr: &Tr) -> Report {
    let it = tr.lang.as_str() != "en";
    let i = &s.inspection;
    let pct = |p: Option<f64>| p.map(percent).unwrap_or_else(|| "—".into());
    let heading_of = |h: &str| {
        s.items
            .iter()
            .find(|x| x.item.heading == h)
            .map(|x| {
                if it {
                    x.item.heading_it.clone()
                } else {
                    x.item.heading_en.clone()
                }
            })
            .unwrap_or_else(|| h.to_string())
    };
    let value = |v: &str| super::inspections::answer_label(tr, v);
    let mut sections = vec![Section {
        heading: tr.t("inspection-visit"),
        body: SectionBody::Fields(vec![
            (
                tr.t("inspection-centre"),
                format!(
                    "{} ({})",
                    i.centre_name,
                    i.centre_code.clone().unwrap_or_default()
                ),
            ),
            (
                tr.t("inspection-kind"),
                tr.t(&format!("inspection-kind-{}", i.kind)),
            ),
            (tr.t("inspection-planned-on"), i.planned_on.to_string()),
            (
                tr.t("inspection-visited-on"),
                i.visited_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
            (tr.t("inspection-team"), i.team.clone()),
            (tr.t("inspection-template"), i.template_id.clone()),
            (tr.t("inspection-score"), pct(s.overall)),
            (
                tr.t("inspection-closed-at"),
                i.closed_at.map(|t| t.to_string()).unwrap_or_default(),
            ),
            ("SHA-256".into(), hash.to_string()),
        ]),
    }];
    if !i.summary.is_empty() {
        sections.push(Section {
            heading: tr.t("inspection-summary"),
            body: SectionBody::Text(i.summary.clone()),
        });
    }
    sections.push(Section {
        heading: tr.t("inspection-scores"),
        body: SectionBody::Table {
            columns: vec![tr.t("inspection-heading"), tr.t("inspection-score")],
            rows: s
                .headings
                .iter()
                .map(|h| vec![heading_of(&h.heading), pct(h.percent)])
                .collect(),
        },
    });
    sections.push(Section {
        heading: tr.t("inspection-answers"),
        body: SectionBody::Table {
            columns: vec![
                tr.t("inspection-heading"),
                tr.t("inspection-item"),
                tr.t("inspection-answer"),
                tr.t("inspection-note"),
            ],
            rows: s
                .items
                .iter()
                .map(|x| {
                    vec![
                        heading_of(&x.item.heading),
                        if it {
                            x.item.text_it.clone()
                        } else {
                            x.item.text_en.clone()
                        },
                        value(s.value(&x.id)),
                        s.note(&x.id).to_string(),
                    ]
                })
                .collect(),
        },
    });
    sections.push(Section {
        heading: tr.t("findings-title"),
        body: if s.findings.is_empty() {
            SectionBody::Empty(tr.t("findings-none"))
        } else {
            SectionBody::Table {
                columns: vec![
                    tr.t("finding-severity"),
                    tr.t("finding-description"),
                    tr.t("finding-action"),
                    tr.t("finding-due-days"),
                ],
                rows: s
                    .findings
                    .iter()
                    .map(|f| {
                        vec![
                            tr.t(&format!("severity-{}", f.severity)),
                            f.description.clone(),
                            f.action_required.clone(),
                            f.due_days.to_string(),
                        ]
                    })
                    .collect(),
            }
        },
    });
    sections.push(Section {
        heading: tr.t("evidence-title"),
        body: if s.files.is_empty() {
            SectionBody::Empty(tr.t("evidence-none"))
        } else {
            SectionBody::Table {
                columns: vec![tr.t("evidence-file"), "SHA-256".into()],
                rows: s
                    .files
                    .iter()
                    .map(|f| vec![f.filename.clone(), f.sha256.clone()])
                    .collect(),
            }
        },
    });
    Report {
        title: tr.t("inspection-report"),
        subtitle: Some(i.centre_name.clone()),
        generated_line: tr.t1(
            "inspection-report-generated",
            "date",
            domain::clock::today().to_string(),
        ),
        footer: format!("SHA-256 {hash}"),
        sections,
    }
}
