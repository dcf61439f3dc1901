//! Signing in and out, the second factor, and the language switch.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use domain::Error;
use domain::account::UiLang;
use serde::Deserialize;

use crate::auth::{Auth, CurrentSession, Info, LANG_COOKIE, SESSION_COOKIE, ip_of, set_cookie};
use crate::error::{AppError, AppResult};
use crate::page::{PageCtx, render, render_status, safe_next, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub page: PageCtx,
    pub username: String,
    pub next: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub resume: Resume,
}

/// A form that was sent after its session ended, carried through the login so that
/// nothing typed is lost: where it was going and its fields (passwords never kept).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Resume {
    #[serde(default)]
    pub resume_to: Option<String>,
    #[serde(default)]
    pub resume: Option<String>,
}

impl Resume {
    pub fn is_some(&self) -> bool {
        self.resume_to.is_some() && self.resume.is_some()
    }
    pub fn to(&self) -> &str {
        self.resume_to.as_deref().unwrap_or("")
    }
    pub fn data(&self) -> &str {
        self.resume.as_deref().unwrap_or("")
    }
    /// The kept fields, for the confirmation page.
    pub fn fields(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(self.data().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }
}

/// The login page shown when a form arrives after its session ended. The form's fields,
/// except its token and any password, ride along in the login form.
pub fn resume_login(info: &crate::page::ReqInfo, path: &str, body: &[u8]) -> Response {
    let kept = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            form_urlencoded::parse(body).filter(|(k, _)| k != "csrf" && !k.contains("password")),
        )
        .finish();
    let page = LoginPage {
        page: info.page(&info.tr.t("login-title")),
        username: info
            .user
            .as_ref()
            .map(|u| u.username.clone())
            .unwrap_or_default(),
        next: "/".into(),
        notice: Some(info.tr.t("login-notice-resume")),
        error: None,
        resume: Resume {
            resume_to: Some(safe_next(Some(path))),
            resume: Some(kept),
        },
    };
    render_status(StatusCode::UNAUTHORIZED, &page)
}

#[derive(Template)]
#[template(path = "resume.html")]
pub struct ResumePage {
    pub page: PageCtx,
    pub resume: Resume,
    pub csrf: String,
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

pub async fn login_form(
    Info(info): Info,
    Query(q): Query<LoginQuery>,
    session: Option<axum::Extension<CurrentSession>>,
) -> Response {
    if let Some(s) = session
        && s.session.is_active()
    {
        return see_other(&safe_next(q.next.as_deref()));
    }
    let notice = match q.reason.as_deref() {
        Some("expired") => Some(info.tr.t("login-notice-expired")),
        Some("required") => Some(info.tr.t("login-notice-required")),
        Some("logged_out") => Some(info.tr.t("login-notice-logged-out")),
        Some("password_changed") => Some(info.tr.t("login-notice-password-changed")),
        _ => None,
    };
    render(&LoginPage {
        page: info.page(&info.tr.t("login-title")),
        username: String::new(),
        next: safe_next(q.next.as_deref()),
        notice,
        error: None,
        resume: Resume::default(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(flatten)]
    resume: Resume,
}

pub async fn login_submit(
    State(st): State<AppState>,
    Info(info): Info,
    headers: HeaderMap,
    req_ext: axum::http::Extensions,
    Form(f): Form<LoginForm>,
) -> Response {
    let ip = ip_of(&headers, &req_ext, st.cfg.trust_proxy);
    let next = safe_next(f.next.as_deref());
    let result = store::auth::login(
        &st.db,
        &f.username,
        &f.password,
        &ip,
        Some(info.request_id.clone()),
    )
    .await;
    let logged = match result {
        Ok(l) => l,
        Err(e) => {
            let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNAUTHORIZED);
            if matches!(
                e,
                Error::Internal(_) | Error::Unavailable(_) | Error::StorageFull(_)
            ) {
                return axum::response::IntoResponse::into_response(AppError(e));
            }
            return render_status(
                status,
                &LoginPage {
                    page: info.page(&info.tr.t("login-title")),
                    username: f.username.chars().take(64).collect(),
                    next,
                    notice: f.resume.is_some().then(|| info.tr.t("login-notice-resume")),
                    error: Some(info.tr.t(e.code())),
                    resume: f.resume,
                },
            );
        }
    };
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    let session = match store::auth::create_session(
        &st.db,
        &logged.user.id,
        logged.needs_totp,
        st.cfg.session,
        Some(&ip),
        ua,
    )
    .await
    {
        Ok(t) => t,
        Err(e) => return axum::response::IntoResponse::into_response(AppError(e)),
    };
    let mut resp = if f.resume.is_some() {
        // A form kept through the login: confirm before sending it again.
        let mut p = info.page(&info.tr.t("resume-title"));
        p.csrf = session.csrf.clone();
        if logged.needs_totp {
            let mut tp = info.page(&info.tr.t("totp-login-title"));
            tp.csrf = session.csrf.clone();
            render(&TotpLoginPage {
                page: tp,
                next,
                error: None,
                resume: f.resume,
            })
        } else {
            render(&ResumePage {
                page: p,
                csrf: session.csrf.clone(),
                resume: f.resume,
            })
        }
    } else if logged.needs_totp {
        see_other(&format!(
            "/login/totp?next={}",
            form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        ))
    } else {
        see_other(&next)
    };
    let token = session.token;
    let secure = st.cfg.secure_cookies;
    let h = resp.headers_mut();
    h.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, None, secure, "Lax"),
    );
    h.append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            &logged.user.lang,
            Some(31_536_000),
            secure,
            "Lax",
        ),
    );
    resp
}

#[derive(Template)]
#[template(path = "totp_login.html")]
pub struct TotpLoginPage {
    pub page: PageCtx,
    pub next: String,
    pub error: Option<String>,
    pub resume: Resume,
}

pub async fn totp_form(auth: Auth, Query(q): Query<LoginQuery>) -> Response {
    render(&TotpLoginPage {
        page: auth.info.page(&auth.info.tr.t("totp-login-title")),
        next: safe_next(q.next.as_deref()),
        error: None,
        resume: Resume::default(),
    })
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(flatten)]
    resume: Resume,
}

pub async fn totp_submit(
    State(st): State<AppState>,
    auth: Auth,
    axum::Extension(cs): axum::Extension<CurrentSession>,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let next = safe_next(f.next.as_deref());
    match store::auth::confirm_totp_login(&st.db, &cs.session, &f.code, &auth.ctx).await {
        Ok(()) if f.resume.is_some() => Ok(render(&ResumePage {
            page: auth.info.page(&auth.info.tr.t("resume-title")),
            csrf: cs.session.csrf_token.clone(),
            resume: f.resume,
        })),
        Ok(()) => Ok(see_other(&next)),
        Err(Error::InvalidTotp) => Ok(render_status(
            StatusCode::UNAUTHORIZED,
            &TotpLoginPage {
                page: auth.info.page(&auth.info.tr.t("totp-login-title")),
                next,
                error: Some(auth.info.tr.t("invalid_totp")),
                resume: f.resume,
            },
        )),
        Err(e) => Err(e.into()),
    }
}

pub async fn logout(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    if let Some(token) = &auth.token {
        store::auth::logout(&st.db, &auth.ctx, token).await?;
    }
    let mut resp = see_other("/login?reason=logged_out");
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", Some(0), st.cfg.secure_cookies, "Lax"),
    );
    Ok(resp)
}

/// Switches the interface language (a cookie; the profile keeps the default).
pub async fn set_language(
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<LoginQuery>,
) -> AppResult<Response> {
    let lang = UiLang::parse(&code).ok_or(AppError(Error::NotFound))?;
    let mut resp = see_other(&safe_next(q.next.as_deref()));
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            LANG_COOKIE,
            lang.as_str(),
            Some(31_536_000),
            st.cfg.secure_cookies,
            "Lax",
        ),
    );
    Ok(resp)
}
