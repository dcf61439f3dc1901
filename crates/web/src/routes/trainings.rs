//! Trainings (journey 7): the trainer's courses with sessions, enrolment and attendance;
//! the participant's survey and certificate; and the public page where anyone checks a
//! certificate's code.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use domain::Error;
use domain::policy::Permission;
use serde::Deserialize;
use store::trainings::{
    Certificate, Course, CourseInput, CourseView, EnrolInput, SessionInput, SurveyInput,
};

use crate::auth::{Auth, Info, ip_of};
use crate::error::{AppError, AppResult};
use crate::forms::{Done, FormErrors};
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

/// The certificate's typst template (A4 landscape, a QR code to the verification page).
const CERTIFICATE: &str = include_str!("../../pdf/certificate.typ");

fn done_msg(auth: &Auth, d: &Done) -> Option<String> {
    d.message(
        &auth.info.tr,
        "done-training",
        &["course", "session", "enrolled", "attendance", "survey"],
    )
}

#[derive(Template)]
#[template(path = "trainings.html")]
pub struct TrainingsPage {
    pub page: PageCtx,
    pub courses: Vec<Course>,
    pub manage: bool,
    pub input: CourseInput,
    pub procedures: Vec<(String, String)>,
    pub errors: FormErrors,
    pub done: Option<String>,
}

impl TrainingsPage {
    pub fn audience_label(&self, a: &str) -> String {
        self.page.t(&format!("audience-{a}"))
    }
    pub fn audiences(&self) -> &'static [&'static str] {
        store::trainings::AUDIENCES
    }
}

async fn list_page(
    st: &AppState,
    auth: &Auth,
    input: CourseInput,
    errors: FormErrors,
    done: Option<String>,
) -> AppResult<TrainingsPage> {
    let it = auth.lang().as_str() == "it";
    Ok(TrainingsPage {
        page: auth.info.page(&auth.info.tr.t("trainings-title")),
        courses: store::trainings::courses(&st.db, &auth.ctx).await?,
        manage: auth.ctx.actor.can(Permission::ManageTrainings),
        procedures: store::catalogue::procedures(&st.db)
            .await?
            .into_iter()
            .map(|p| {
                let name = if it { p.name_it } else { p.name_en };
                (p.code, name)
            })
            .collect(),
        input,
        errors,
        done,
    })
}

/// `GET /trainings`
pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let done = done_msg(&auth, &d);
    let input = CourseInput {
        audience: "patronati".into(),
        min_attendance_pct: "75".into(),
        ..Default::default()
    };
    Ok(render(
        &list_page(&st, &auth, input, FormErrors::default(), done).await?,
    ))
}

/// `POST /trainings`
pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    Form(i): Form<CourseInput>,
) -> AppResult<Response> {
    match store::trainings::create_course(&st.db, &auth.ctx, &i).await {
        Ok(id) => Ok(see_other(&format!("/trainings/{id}?done=course"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                crate::forms::error_status(&e),
                &list_page(&st, &auth, i, errors, None).await?,
            )),
            None => Err(AppError(e)),
        },
    }
}

#[derive(Template)]
#[template(path = "training.html")]
pub struct CoursePage {
    pub page: PageCtx,
    pub v: CourseView,
    pub manage: bool,
    pub users: Vec<(String, String)>,
    pub orgs: Vec<store::account::Org>,
    pub hosts: Vec<store::account::Org>,
    pub session: SessionInput,
    pub enrol: EnrolInput,
    pub errors: FormErrors,
    pub done: Option<String>,
}

impl CoursePage {
    pub fn when(&self, s: &store::trainings::Session) -> String {
        domain::clock::rome(s.starts_at.0)
            .format("%d/%m/%Y %H:%M")
            .to_string()
    }
    pub fn started(&self, s: &store::trainings::Session) -> bool {
        s.starts_at.0 <= chrono::Utc::now()
    }
    pub fn hours(&self, minutes: &i32) -> String {
        format!("{:.1}", f64::from(*minutes) / 60.0)
    }
    pub fn kind_label(&self, k: &str) -> String {
        self.page.t(&format!("session-kind-{k}"))
    }
    pub fn kinds(&self) -> &'static [&'static str] {
        store::trainings::SESSION_KINDS
    }
    pub fn audience_label(&self, a: &str) -> String {
        self.page.t(&format!("audience-{a}"))
    }
    /// Whether the enrolment was marked present at session `i`.
    pub fn mark(&self, st: &store::trainings::Standing, i: &usize) -> Option<bool> {
        st.marks.get(*i).copied().flatten()
    }
    /// Whether the enrolment was marked present at session `s`.
    pub fn present_at(
        &self,
        st: &store::trainings::Standing,
        s: &store::trainings::Session,
    ) -> bool {
        self.v
            .sessions
            .iter()
            .position(|x| x.id == s.id)
            .and_then(|i| st.marks.get(i).copied().flatten())
            == Some(true)
    }
    pub fn useful_share(&self) -> String {
        let (useful, answered) = self.v.survey;
        if answered == 0 {
            "—".into()
        } else {
            format!(
                "{useful}/{answered} ({:.0} %)",
                useful as f64 * 100.0 / answered as f64
            )
        }
    }
}

async fn course_page(
    st: &AppState,
    auth: &Auth,
    id: &str,
    forms: (SessionInput, EnrolInput),
    errors: FormErrors,
    done: Option<String>,
) -> AppResult<CoursePage> {
    let v = store::trainings::course(&st.db, &auth.ctx, id).await?;
    let manage = auth.ctx.actor.can(Permission::ManageTrainings);
    let (users, orgs) = if manage {
        let orgs: Vec<store::account::Org> = store::account::list_orgs(&st.db, &auth.ctx)
            .await?
            .into_iter()
            .filter(|o| o.active)
            .collect();
        (
            store::trainings::participant_choices(&st.db, &auth.ctx).await?,
            orgs,
        )
    } else {
        (vec![], vec![])
    };
    let hosts = orgs
        .iter()
        .filter(|o| o.kind == "managing_body")
        .cloned()
        .collect();
    Ok(CoursePage {
        page: auth.info.page(&v.course.title),
        v,
        manage,
        users,
        orgs,
        hosts,
        session: forms.0,
        enrol: forms.1,
        errors,
        done,
    })
}

fn blank_forms() -> (SessionInput, EnrolInput) {
    (
        SessionInput {
            minutes: "180".into(),
            kind: "classroom".into(),
            ..Default::default()
        },
        EnrolInput::default(),
    )
}

/// `GET /trainings/{id}`
pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let done = done_msg(&auth, &d);
    Ok(render(
        &course_page(&st, &auth, &id, blank_forms(), FormErrors::default(), done).await?,
    ))
}

/// `POST /trainings/{id}/sessions`
pub async fn add_session(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(i): Form<SessionInput>,
) -> AppResult<Response> {
    match store::trainings::add_session(&st.db, &auth.ctx, &id, &i).await {
        Ok(_) => Ok(see_other(&format!("/trainings/{id}?done=session"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let forms = (i, EnrolInput::default());
                Ok(render_status(
                    crate::forms::error_status(&e),
                    &course_page(&st, &auth, &id, forms, errors, None).await?,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

/// `POST /trainings/{id}/enrolments`
pub async fn enrol(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(i): Form<EnrolInput>,
) -> AppResult<Response> {
    match store::trainings::enrol(&st.db, &auth.ctx, &id, &i).await {
        Ok(_) => Ok(see_other(&format!("/trainings/{id}?done=enrolled"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let forms = (blank_forms().0, i);
                Ok(render_status(
                    crate::forms::error_status(&e),
                    &course_page(&st, &auth, &id, forms, errors, None).await?,
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

/// `POST /trainings/sessions/{id}/attendance`
pub async fn attendance(
    State(st): State<AppState>,
    auth: Auth,
    Path(session): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let present: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "present")
        .map(|(_, v)| v)
        .collect();
    let course = store::trainings::record_attendance(&st.db, &auth.ctx, &session, &present).await?;
    Ok(see_other(&format!("/trainings/{course}?done=attendance")))
}

/// `POST /trainings/{id}/survey`
pub async fn survey(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(i): Form<SurveyInput>,
) -> AppResult<Response> {
    match store::trainings::answer_survey(&st.db, &auth.ctx, &id, &i).await {
        Ok(()) => Ok(see_other(&format!("/trainings/{id}?done=survey"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                crate::forms::error_status(&e),
                &course_page(&st, &auth, &id, blank_forms(), errors, None).await?,
            )),
            None => Err(AppError(e)),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct CertQuery {
    #[serde(default)]
    enrolment: Option<String>,
}

/// `GET /trainings/{id}/certificate.pdf[?enrolment=…]`: one's own, or any for a trainer.
pub async fn certificate(
    State(st): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<CertQuery>,
) -> AppResult<Response> {
    let cert =
        match store::trainings::certificate(&st.db, &auth.ctx, &id, q.enrolment.as_deref()).await {
            Ok(c) => c,
            Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
                Some(errors) => {
                    return Ok(render_status(
                        crate::forms::error_status(&e),
                        &course_page(&st, &auth, &id, blank_forms(), errors, None).await?,
                    ));
                }
                None => return Err(AppError(e)),
            },
        };
    let base = super::public_pdf::public_base(&st, &headers);
    let pdf = certificate_pdf(&cert, &auth.info.tr, &base).await?;
    let mut r = Response::new(axum::body::Body::from(pdf));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        super::case_records::attachment(&format!("certificate-{}.pdf", cert.code)),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    r.extensions_mut().insert(crate::error::Rendered);
    Ok(r)
}

/// The certificate typeset in the reader's language, with a QR code to its verification.
pub async fn certificate_pdf(
    c: &Certificate,
    tr: &crate::i18n::Tr,
    base: &str,
) -> AppResult<Vec<u8>> {
    let url = format!("{base}/verify?code={}", c.code);
    let hours = format!("{:.1}", f64::from(c.minutes_attended) / 60.0);
    let data = serde_json::json!({
        "issuer": tr.t("certificate-issuer"),
        "title": tr.t("certificate-title"),
        "intro": tr.t("certificate-intro"),
        "name": c.full_name,
        "org": c.org_name,
        "attended": tr.t("certificate-attended"),
        "course": c.course_title,
        "hours": tr.t1("certificate-hours", "hours", &hours),
        "issued": tr.t1("certificate-issued", "date", domain::clock::rome(c.issued_at.0).format("%d/%m/%Y").to_string()),
        "code_label": tr.t("certificate-code"),
        "code": c.code,
        "verify_label": tr.t("certificate-verify-at"),
        "verify_url": url,
    });
    let qr = print::qr_svg(&url).map_err(|e| AppError(Error::internal(e)))?;
    let opts = print::Options::new(tr.lang.as_str(), domain::clock::today());
    tokio::task::spawn_blocking(move || {
        print::render(CERTIFICATE, &data, &[("qr.svg", qr.into_bytes())], &opts)
    })
    .await
    .map_err(|e| AppError(Error::internal(e)))?
    .map_err(|e| AppError(Error::internal(e)))
}

#[derive(Template)]
#[template(path = "verify.html")]
pub struct VerifyPage {
    pub page: PageCtx,
    pub code: String,
    pub found: Option<Certificate>,
    /// A code was asked and matched nothing.
    pub unknown: bool,
    pub error: Option<String>,
}

impl VerifyPage {
    pub fn hours(&self, minutes: &i32) -> String {
        format!("{:.1}", f64::from(*minutes) / 60.0)
    }
    pub fn issued(&self, c: &Certificate) -> String {
        domain::clock::rome(c.issued_at.0)
            .format("%d/%m/%Y")
            .to_string()
    }
    pub fn audience_label(&self, a: &str) -> String {
        self.page.t(&format!("audience-{a}"))
    }
}

#[derive(Deserialize, Default)]
pub struct VerifyQuery {
    #[serde(default)]
    code: String,
}

/// `GET /verify?code=…`: public; shows what the certificate shows, nothing more.
pub async fn verify(
    State(st): State<AppState>,
    Info(info): Info,
    headers: HeaderMap,
    req_ext: axum::http::Extensions,
    Query(q): Query<VerifyQuery>,
) -> AppResult<Response> {
    let title = info.tr.t("verify-title");
    let code = q.code.trim().to_string();
    let mut page = VerifyPage {
        page: info.page(&title),
        code: code.clone(),
        found: None,
        unknown: false,
        error: None,
    };
    if code.is_empty() {
        return Ok(render(&page));
    }
    let ip = ip_of(&headers, &req_ext, st.cfg.trust_proxy);
    match store::trainings::verify(&st.db, &ip, &code).await {
        Ok(Some(c)) => {
            page.found = Some(c);
            Ok(render(&page))
        }
        Ok(None) => {
            page.unknown = true;
            Ok(render_status(StatusCode::NOT_FOUND, &page))
        }
        Err(Error::RateLimited) => {
            page.error = Some(info.tr.t("rate_limited"));
            Ok(render_status(StatusCode::TOO_MANY_REQUESTS, &page))
        }
        Err(e) => Err(AppError(e)),
    }
}
