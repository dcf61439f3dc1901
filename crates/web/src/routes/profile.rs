//! The signed-in person's own settings: language, password, second factor, API tokens.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use domain::Error;
use domain::account::UiLang;
use serde::Deserialize;
use store::auth::ApiToken;

use crate::auth::{Auth, LANG_COOKIE, set_cookie};
use crate::error::AppResult;
use crate::forms::FormErrors;
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Deserialize, Default)]
pub struct Reason {
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "profile.html")]
pub struct ProfilePage {
    pub page: PageCtx,
    pub user: store::account::User,
    pub roles: Vec<(String, String)>,
    pub done: Option<String>,
    /// The user receives the daily digest; whether the platform sends mail at all.
    pub digest: bool,
    pub mail_on: bool,
}

pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Query(r): Query<Reason>,
) -> AppResult<Response> {
    let tr = auth.info.tr;
    let roles = auth
        .user
        .grants
        .iter()
        .map(|g| {
            (
                tr.t(&format!("role-{}", g.role)),
                tr.t(&format!("scope-{}", g.scope)),
            )
        })
        .collect();
    Ok(render(&ProfilePage {
        page: auth.info.page(&tr.t("profile-title")),
        digest: store::auth::own_digest(&st.db, &auth.ctx).await?,
        mail_on: st.db.settings.mail.is_some(),
        user: auth.user.clone(),
        roles,
        done: r
            .done
            .as_deref()
            .filter(|c| ["saved", "password", "totp_on", "totp_off"].contains(c))
            .map(|c| tr.t(&format!("done-{c}"))),
    }))
}

#[derive(Deserialize)]
pub struct DigestForm {
    /// Checkbox: present when ticked.
    #[serde(default)]
    digest: Option<String>,
}

/// `POST /profile/digest`: the daily e-mail digest on or off.
pub async fn set_digest(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<DigestForm>,
) -> AppResult<Response> {
    store::auth::set_own_digest(&st.db, &auth.ctx, f.digest.is_some()).await?;
    Ok(see_other("/profile?done=saved"))
}

#[derive(Deserialize)]
pub struct LangForm {
    #[serde(default)]
    lang: String,
}

pub async fn set_language(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<LangForm>,
) -> AppResult<Response> {
    let lang = UiLang::parse(&f.lang).ok_or(Error::field("lang", "field_required"))?;
    store::auth::set_own_language(&st.db, &auth.ctx, lang).await?;
    let mut resp = see_other("/profile?done=saved");
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

#[derive(Template)]
#[template(path = "password.html")]
pub struct PasswordPage {
    pub page: PageCtx,
    pub must_change: bool,
    pub errors: FormErrors,
}

pub async fn password_form(auth: Auth) -> AppResult<Response> {
    Ok(render(&PasswordPage {
        page: auth.info.page(&auth.info.tr.t("password-title")),
        must_change: auth.user.must_change_password,
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm_password: String,
}

pub async fn password_submit(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    match store::auth::change_own_password(
        &st.db,
        &auth.ctx,
        &f.current_password,
        &f.new_password,
        &f.confirm_password,
        auth.token.as_deref(),
    )
    .await
    {
        Ok(()) => Ok(see_other("/profile?done=password")),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &PasswordPage {
                    page: auth.info.page(&auth.info.tr.t("password-title")),
                    must_change: auth.user.must_change_password,
                    errors,
                },
            )),
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "totp.html")]
pub struct TotpPage {
    pub page: PageCtx,
    pub enabled: bool,
    pub required: bool,
    /// Enrolment in progress: the otpauth URL as a QR code (SVG) and the secret.
    pub pending: Option<(String, String)>,
    pub errors: FormErrors,
}

fn qr_svg(url: &str) -> String {
    qrcode::QrCode::new(url.as_bytes())
        .map(|c| {
            c.render::<qrcode::render::svg::Color>()
                .min_dimensions(200, 200)
                .build()
        })
        .unwrap_or_default()
}

async fn totp_view(
    st: &AppState,
    auth: &Auth,
    errors: FormErrors,
    reason: Option<&str>,
) -> AppResult<TotpPage> {
    let pending = store::auth::pending_totp(&st.db, &auth.ctx)
        .await?
        .map(|(url, secret)| (qr_svg(&url), secret));
    Ok(TotpPage {
        page: auth.info.page(&auth.info.tr.t("totp-title")),
        enabled: auth.user.totp_enabled,
        required: reason == Some("required"),
        pending,
        errors,
    })
}

pub async fn totp_page(
    State(st): State<AppState>,
    auth: Auth,
    Query(r): Query<Reason>,
) -> AppResult<Response> {
    let v = totp_view(&st, &auth, FormErrors::default(), r.reason.as_deref()).await?;
    Ok(render(&v))
}

pub async fn totp_start(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    store::auth::begin_totp_enrolment(&st.db, &auth.ctx).await?;
    Ok(see_other("/profile/totp"))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

pub async fn totp_confirm(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    match store::auth::confirm_totp_enrolment(&st.db, &auth.ctx, &f.code).await {
        Ok(()) => Ok(see_other("/profile?done=totp_on")),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let v = totp_view(&st, &auth, errors, None).await?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &v))
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Deserialize)]
pub struct PasswordOnly {
    #[serde(default)]
    current_password: String,
}

pub async fn totp_disable(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<PasswordOnly>,
) -> AppResult<Response> {
    match store::auth::disable_totp(&st.db, &auth.ctx, &f.current_password).await {
        Ok(()) => Ok(see_other("/profile?done=totp_off")),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                let v = totp_view(&st, &auth, errors, None).await?;
                Ok(render_status(StatusCode::UNPROCESSABLE_ENTITY, &v))
            }
            None => Err(e.into()),
        },
    }
}

#[derive(Template)]
#[template(path = "tokens.html")]
pub struct TokensPage {
    pub page: PageCtx,
    pub tokens: Vec<ApiToken>,
    pub new_token: Option<String>,
    pub errors: FormErrors,
}

pub async fn tokens(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    let tokens = store::auth::list_api_tokens(&st.db, &auth.ctx).await?;
    Ok(render(&TokensPage {
        page: auth.info.page(&auth.info.tr.t("tokens-title")),
        tokens,
        new_token: None,
        errors: FormErrors::default(),
    }))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
}

/// Creates a token and shows it once, in this response.
pub async fn token_create(
    State(st): State<AppState>,
    auth: Auth,
    Form(f): Form<TokenForm>,
) -> AppResult<Response> {
    let result = store::auth::create_api_token(&st.db, &auth.ctx, &f.name).await;
    let tokens = store::auth::list_api_tokens(&st.db, &auth.ctx).await?;
    let page = auth.info.page(&auth.info.tr.t("tokens-title"));
    match result {
        Ok(t) => Ok(render(&TokensPage {
            page,
            tokens,
            new_token: Some(t),
            errors: FormErrors::default(),
        })),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => Ok(render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &TokensPage {
                    page,
                    tokens,
                    new_token: None,
                    errors,
                },
            )),
            None => Err(e.into()),
        },
    }
}

pub async fn token_revoke(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    store::auth::revoke_api_token(&st.db, &auth.ctx, &id).await?;
    Ok(see_other("/profile/tokens"))
}
