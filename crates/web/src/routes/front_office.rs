//! The info point's front office: log a contact in a few keystrokes (the topics, the
//! language last used already chosen, "informed" as the usual outcome), optionally for a
//! person opened from the register, and the day's list of the organisation's contacts.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use domain::policy::Permission;
use serde::Deserialize;
use store::contacts::ContactInput;

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "front_office.html")]
pub struct FrontOfficePage {
    pub page: PageCtx,
    pub i: ContactInput,
    pub topics: Vec<(String, String)>,
    pub person: Option<(String, String)>,
    pub cases: Vec<(String, String)>,
    pub day: NaiveDate,
    pub contacts: store::contacts::Day,
    pub errors: FormErrors,
    pub done: bool,
    /// The empty form kept on the device: without the day's list (it names people).
    pub shell: bool,
}

impl FrontOfficePage {
    pub fn languages(&self) -> &'static [(&'static str, &'static str, bool)] {
        domain::languages::LANGUAGES
    }
    pub fn outcomes(&self) -> &'static [&'static str] {
        store::contacts::OUTCOMES
    }
    pub fn digital(&self) -> &'static [&'static str] {
        store::contacts::DIGITAL
    }
    pub fn age_bands(&self) -> &'static [&'static str] {
        store::contacts::AGE_BANDS
    }
    pub fn has_topic(&self, t: &str) -> bool {
        self.i.topics.iter().any(|x| x == t)
    }
    pub fn has_digital(&self, d: &str) -> bool {
        self.i.digital.iter().any(|x| x == d)
    }
    pub fn topic_name(&self, code: &str) -> String {
        super::public::name_in(&self.topics, code)
    }
    pub fn autonym(&self, code: &str) -> String {
        match domain::languages::autonym(code) {
            "" => self.page.t("contact-language-other"),
            name => name.to_string(),
        }
    }
}

#[derive(Deserialize, Default)]
pub struct FrontQ {
    #[serde(default)]
    person: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    done: Option<String>,
    /// The empty form the device keeps for use without signal: no person, no list.
    #[serde(default)]
    shell: Option<String>,
}

async fn page(
    st: &AppState,
    auth: &Auth,
    mut i: ContactInput,
    day: NaiveDate,
    errors: FormErrors,
    done: bool,
) -> AppResult<FrontOfficePage> {
    auth.ctx.actor.require(Permission::LogContacts)?;
    let lang = auth.lang();
    let mut topics: Vec<(String, String)> = store::catalogue::procedures(&st.db)
        .await?
        .into_iter()
        .map(|p| (p.code.clone(), p.name(lang.as_str()).to_string()))
        .collect();
    topics.push(("other".into(), auth.info.tr.t("contact-topic-other")));
    let (person, cases) = if i.person_id.is_empty() {
        (None, vec![])
    } else {
        let p = store::people::get_person(&st.db, &auth.ctx, &i.person_id).await?;
        let cases = store::cases::cases_of_person(&st.db, &auth.ctx, &p.id)
            .await?
            .into_iter()
            .filter(|c| c.status != "closed")
            .map(|c| {
                let name = topics
                    .iter()
                    .find(|t| t.0 == c.procedure_code)
                    .map(|t| t.1.clone())
                    .unwrap_or(c.procedure_code.clone());
                (c.id, name)
            })
            .collect();
        (
            Some((p.id.clone(), format!("{} {}", p.given_names, p.family_name))),
            cases,
        )
    };
    if i.language.is_empty() {
        i.language = store::contacts::last_language(&st.db, &auth.ctx)
            .await?
            .unwrap_or_else(|| "it".into());
    }
    if i.outcome.is_empty() {
        i.outcome = "informed".into();
    }
    // A fresh token per form shown: the same form sent twice is one contact.
    i.form_token = store::random_token(16);
    Ok(FrontOfficePage {
        page: auth.info.page(&auth.info.tr.t("front-office-title")),
        contacts: store::contacts::day(&st.db, &auth.ctx, day).await?,
        topics,
        person,
        cases,
        day,
        i,
        errors,
        done,
        shell: false,
    })
}

/// `GET /front-office?person=…&day=…`
pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Query(q): Query<FrontQ>,
) -> AppResult<Response> {
    let day =
        NaiveDate::parse_from_str(&q.day, "%Y-%m-%d").unwrap_or_else(|_| domain::clock::today());
    let shell = q.shell.is_some();
    let i = ContactInput {
        person_id: if shell { String::new() } else { q.person },
        ..Default::default()
    };
    let mut p = page(&st, &auth, i, day, FormErrors::default(), q.done.is_some()).await?;
    if shell {
        p.contacts.recent.clear();
        p.done = false;
        p.shell = true;
    }
    Ok(render(&p))
}

/// The form's pairs: `topics` and `digital` come once per ticked box.
fn input(form: Vec<(String, String)>) -> ContactInput {
    let mut i = ContactInput::default();
    for (k, v) in form {
        match k.as_str() {
            "topics" => i.topics.push(v),
            "digital" => i.digital.push(v),
            "language" => i.language = v,
            "outcome" => i.outcome = v,
            "person_id" => i.person_id = v,
            "case_id" => i.case_id = v,
            "sex" => i.sex = v,
            "age_band" => i.age_band = v,
            "nationality" => i.nationality = v,
            "form_token" => i.form_token = v,
            _ => {}
        }
    }
    i
}

/// `POST /front-office`
pub async fn log(
    State(st): State<AppState>,
    auth: Auth,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let i = input(form);
    match store::contacts::log(&st.db, &auth.ctx, &i).await {
        Ok(_) => Ok(see_other("/front-office?done=1#contact-form")),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let p = page(&st, &auth, i, domain::clock::today(), errors, false).await?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &p))
            }
            None => Err(AppError(e)),
        },
    }
}
