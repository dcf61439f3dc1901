//! Sessions and identity for each request: the session cookie for pages, bearer tokens for
//! the API. Pages outside the public list require a signed-in, fully verified user.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::Error;
use domain::account::UiLang;
use store::Ctx;
use store::account::User;
use store::auth::{Session, SessionLookup};

use crate::error::{AppError, ErrorInfo, error_response};
use crate::i18n::{Tr, negotiate};
use crate::page::{Badge, ReqInfo, see_other};
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "sprint_session";
pub const PRE_COOKIE: &str = "sprint_pre";
pub const LANG_COOKIE: &str = "sprint_lang";

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(
    name: &str,
    value: &str,
    max_age: Option<i64>,
    secure: bool,
    same_site: &str,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

/// The signed-in session of this request, if any.
#[derive(Clone, Debug)]
pub struct CurrentSession {
    pub session: Box<Session>,
    pub token: String,
}

/// The address a request came from, for per-address limits and the audit. Behind a reverse
/// proxy (`trust_proxy`), the proxy appends the address it saw to `X-Forwarded-For`: the
/// last entry is the proxy's word, while the ones before it are whatever the client sent,
/// so the last one is taken (a client cannot pick its address to escape a limit). Without
/// `trust_proxy` the header is ignored.
pub fn client_ip(req_headers: &HeaderMap, conn: Option<&SocketAddr>, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(last) = req_headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|a| !a.is_empty())
    {
        return last.to_string();
    }
    conn.map(|a| a.ip().to_string())
        .unwrap_or_else(|| "local".to_string())
}

#[cfg(test)]
mod client_ip_tests {
    use super::*;

    #[test]
    fn behind_a_proxy_the_address_it_appended_counts_not_the_one_the_client_wrote() {
        let mut h = HeaderMap::new();
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 10.1.2.3"),
        );
        let conn: SocketAddr = ([127, 0, 0, 1], 9).into();
        assert_eq!(client_ip(&h, Some(&conn), true), "10.1.2.3");
        assert_eq!(client_ip(&h, Some(&conn), false), "127.0.0.1");
        h.append("x-forwarded-for", HeaderValue::from_static("10.9.9.9"));
        assert_eq!(client_ip(&h, Some(&conn), true), "10.9.9.9");
        assert_eq!(client_ip(&HeaderMap::new(), None, true), "local");
    }
}

fn badge(user: &User, restricted: bool) -> Badge {
    Badge {
        id: user.id.clone(),
        full_name: user.full_name.clone(),
        username: user.username.clone(),
        org_name: user.org_name.clone(),
        roles: user
            .grants
            .iter()
            .map(|g| g.role.as_str().to_string())
            .collect(),
        actor: user.actor(),
        restricted,
        inbox: 0,
    }
}

/// Loads the session (if any), chooses the language and records the per-request facts
/// every handler and the error renderer use.
pub async fn session_layer(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_string();
    let path = req.uri().path().to_string();
    let is_api = path.starts_with("/api/");
    let lang_cookie = cookie(req.headers(), LANG_COOKIE).map(str::to_string);
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut lang = negotiate(lang_cookie.as_deref(), accept.as_deref());
    let mut info = ReqInfo {
        request_id,
        tr: Tr::new(lang),
        is_api,
        path: req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| path.clone()),
        csrf: String::new(),
        user: None,
        demo: st.cfg.demo,
    };
    let mut clear_session = false;
    let mut new_pre: Option<String> = None;
    if !is_api && let Some(token) = cookie(req.headers(), SESSION_COOKIE).map(str::to_string) {
        match store::auth::load_session(&st.db, &token, st.cfg.session).await {
            Ok(SessionLookup::Valid(s)) => {
                if lang_cookie.is_none() {
                    lang = s.user.ui_lang();
                    info.tr = Tr::new(lang);
                }
                let restricted = !s.is_active()
                    || s.user.must_change_password
                    || store::auth::must_enrol_totp(&s.user, st.cfg.require_totp_for_admins);
                let mut b = badge(&s.user, restricted);
                // The header of every page counts what waits in the inbox (three indexed
                // counts; not for files, which have no header).
                if !restricted && !path.starts_with("/assets/") {
                    b.inbox = store::inbox::count_open(&st.db, &b.actor)
                        .await
                        .unwrap_or_else(|e| {
                            tracing::warn!(error = %e, "inbox count failed");
                            0
                        });
                }
                info.user = Some(b);
                info.csrf = s.csrf_token.clone();
                req.extensions_mut()
                    .insert(CurrentSession { session: s, token });
            }
            Ok(SessionLookup::Expired) => {
                clear_session = true;
                req.extensions_mut().insert(SessionExpired);
            }
            Ok(SessionLookup::Unknown) => {
                // Ended elsewhere (logout, housekeeping): for the person it is the same.
                clear_session = true;
                req.extensions_mut().insert(SessionExpired);
            }
            Err(e) => {
                let status = axum::http::StatusCode::from_u16(e.status())
                    .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
                tracing::error!(error = %e, "session lookup failed");
                return error_response(
                    &info,
                    status,
                    &ErrorInfo {
                        code: e.code(),
                        fields: vec![],
                    },
                );
            }
        }
    }
    if info.user.is_none() && !is_api {
        match cookie(req.headers(), PRE_COOKIE) {
            Some(pre) if pre.len() == 64 => info.csrf = pre.to_string(),
            _ => {
                let pre = store::random_token(32);
                info.csrf = pre.clone();
                // Only pages that may show a form get the cookie (not health checks or files).
                let is_page =
                    !path.starts_with("/assets/") && path != "/healthz" && path != "/metrics";
                // Public information pages have no form and are cached: no cookie either.
                if req.method() == Method::GET
                    && is_page
                    && !crate::caching::is_public_page(req.method(), &path)
                {
                    new_pre = Some(pre);
                }
            }
        }
    }
    req.extensions_mut().insert(info);
    let mut resp = next.run(req).await;
    let secure = st.cfg.secure_cookies;
    if clear_session {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", Some(0), secure, "Lax"),
        );
    }
    if let Some(pre) = new_pre {
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(PRE_COOKIE, &pre, None, secure, "Strict"),
        );
    }
    resp
}

/// Marker: the request carried a session cookie whose session has ended (expired or
/// removed). The cookie is SameSite=Lax, so a cross-site form never carries it: a request
/// with this marker comes from this site's own pages.
#[derive(Clone, Copy)]
pub struct SessionExpired;

/// Paths a not-fully-signed-in user may still reach.
fn allowed_while_restricted(path: &str) -> bool {
    path == "/logout"
        || path.starts_with("/login/totp")
        || path.starts_with("/profile/password")
        || path.starts_with("/profile/totp")
}

/// Guards every non-public page: no session → the login page (saying when it expired);
/// a session waiting for its second factor, a forced password change or a required TOTP
/// enrolment → only that step.
pub async fn require_login(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some(cs) = req.extensions().get::<CurrentSession>().cloned() else {
        let next_path = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let reason = if req.extensions().get::<SessionExpired>().is_some() {
            "expired"
        } else {
            "required"
        };
        if req.method() != Method::GET {
            return AppError(if reason == "expired" {
                Error::SessionExpired
            } else {
                Error::Unauthenticated
            })
            .into_response();
        }
        let to = format!(
            "/login?reason={reason}&next={}",
            form_urlencoded::byte_serialize(next_path.as_bytes()).collect::<String>()
        );
        return see_other(&to);
    };
    let s = &cs.session;
    if !s.is_active() && !allowed_while_restricted(&path) {
        return see_other("/login/totp");
    }
    if s.is_active() && s.user.must_change_password && !allowed_while_restricted(&path) {
        return see_other("/profile/password?reason=must_change");
    }
    if s.is_active()
        && store::auth::must_enrol_totp(&s.user, st.cfg.require_totp_for_admins)
        && !allowed_while_restricted(&path)
    {
        return see_other("/profile/totp?reason=required");
    }
    next.run(req).await
}

/// Authenticates API calls by `Authorization: Bearer spr_…`. Cookies are not accepted
/// here, so the API needs no CSRF protection.
pub async fn require_token(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);
    let Some(token) = token else {
        return AppError(Error::Unauthenticated).into_response();
    };
    match store::auth::authenticate_api_token(&st.db, &token).await {
        Ok(user) => {
            req.extensions_mut().insert(ApiUser(Box::new(user)));
            next.run(req).await
        }
        Err(e) => AppError(e).into_response(),
    }
}

#[derive(Clone, Debug)]
pub struct ApiUser(pub Box<User>);

/// The signed-in user of a page or API request, with the store context to act as them.
pub struct Auth {
    pub user: User,
    pub ctx: Ctx,
    pub info: ReqInfo,
    /// The session cookie token (pages only).
    pub token: Option<String>,
}

impl Auth {
    pub fn lang(&self) -> UiLang {
        self.info.tr.lang
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let info = parts
            .extensions
            .get::<ReqInfo>()
            .cloned()
            .ok_or(AppError(Error::Unauthenticated))?;
        let (user, token) = if let Some(cs) = parts.extensions.get::<CurrentSession>() {
            (cs.session.user.clone(), Some(cs.token.clone()))
        } else if let Some(api) = parts.extensions.get::<ApiUser>() {
            ((*api.0).clone(), None)
        } else {
            return Err(AppError(Error::Unauthenticated));
        };
        let ctx = Ctx {
            actor: user.actor(),
            request_id: Some(info.request_id.clone()),
            purpose: None,
        };
        Ok(Auth {
            user,
            ctx,
            info,
            token,
        })
    }
}

/// Per-request facts for public pages (no sign-in needed).
pub struct Info(pub ReqInfo);

impl<S: Send + Sync> FromRequestParts<S> for Info {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<ReqInfo>()
            .cloned()
            .map(Info)
            .ok_or(AppError(Error::internal("request info missing")))
    }
}

/// The client address of a request (for login throttling and the audit log).
pub fn ip_of(parts_headers: &HeaderMap, ext: &axum::http::Extensions, trust_proxy: bool) -> String {
    let conn = ext.get::<ConnectInfo<SocketAddr>>().map(|c| &c.0);
    client_ip(parts_headers, conn, trust_proxy)
}
