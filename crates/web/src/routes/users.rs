//! User administration: list, create, edit roles, disable, reset a password.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::account::{Role, Scope, UiLang};
use domain::policy::Permission;
use serde::Deserialize;
use store::account::{Org, User, UserFilter, UserInput};

use crate::auth::Auth;
use crate::error::{AppError, AppResult};
use crate::forms::FormErrors;
use crate::page::{PageCtx, render, render_status, see_other};
use crate::state::AppState;

#[derive(Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub page: PageCtx,
    pub users: Vec<User>,
    pub f: UserFilter,
    pub orgs: Vec<Org>,
    pub roles: Vec<(&'static str, String)>,
    pub can_manage: bool,
}

fn role_names(auth: &Auth) -> Vec<(&'static str, String)> {
    Role::ALL
        .iter()
        .map(|r| (r.as_str(), auth.info.tr.t(&format!("role-{r}"))))
        .collect()
}

pub async fn list(
    State(st): State<AppState>,
    auth: Auth,
    Query(f): Query<UserFilter>,
) -> AppResult<Response> {
    let users = store::account::list_users(&st.db, &auth.ctx, &f).await?;
    let orgs = store::account::list_orgs(&st.db, &auth.ctx).await?;
    Ok(render(&UsersPage {
        page: auth.info.page(&auth.info.tr.t("users-title")),
        users,
        f,
        orgs,
        roles: role_names(&auth),
        can_manage: auth.ctx.actor.can(Permission::ManageUsers),
    }))
}

/// One row of the roles table in the user form.
pub struct RoleRow {
    pub role: &'static str,
    pub label: String,
    pub checked: bool,
    pub scope: &'static str,
}

#[derive(Template)]
#[template(path = "user_form.html")]
pub struct UserForm {
    pub page: PageCtx,
    pub user: Option<User>,
    pub version: i32,
    pub input: UserInput,
    pub orgs: Vec<Org>,
    pub role_rows: Vec<RoleRow>,
    pub scopes: Vec<(&'static str, String)>,
    pub langs: Vec<(&'static str, &'static str)>,
    pub errors: FormErrors,
    pub can_manage: bool,
    pub done: Option<String>,
    pub temp_password: Option<String>,
}

impl UserForm {
    fn build(
        auth: &Auth,
        title: &str,
        user: Option<User>,
        version: i32,
        input: UserInput,
        orgs: Vec<Org>,
        errors: FormErrors,
    ) -> Self {
        let role_rows = Role::ALL
            .iter()
            .map(|r| {
                let held = input
                    .grants
                    .iter()
                    .find(|g| g.split(':').next() == Some(r.as_str()));
                let scope = held
                    .and_then(|g| g.split(':').nth(1))
                    .and_then(Scope::parse)
                    .unwrap_or(Scope::Organisation);
                RoleRow {
                    role: r.as_str(),
                    label: auth.info.tr.t(&format!("role-{r}")),
                    checked: held.is_some(),
                    scope: scope.as_str(),
                }
            })
            .collect();
        UserForm {
            page: auth.info.page(title),
            user,
            version,
            input,
            orgs,
            role_rows,
            scopes: Scope::ALL
                .iter()
                .map(|s| (s.as_str(), auth.info.tr.t(&format!("scope-{s}"))))
                .collect(),
            langs: UiLang::ALL
                .iter()
                .map(|l| {
                    (
                        l.as_str(),
                        match l {
                            UiLang::It => "Italiano",
                            UiLang::En => "English",
                            UiLang::Ar => "العربية",
                        },
                    )
                })
                .collect(),
            errors,
            can_manage: auth.ctx.actor.can(Permission::ManageUsers),
            done: None,
            temp_password: None,
        }
    }
}

/// Reads the user form: checkboxes `role` (repeated) and a `scope_<role>` select per role.
fn parse_user_form(pairs: &[(String, String)]) -> (UserInput, i32) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let grants = pairs
        .iter()
        .filter(|(n, _)| n == "role")
        .map(|(_, r)| {
            let scope = get(&format!("scope_{r}"));
            if scope.is_empty() {
                r.clone()
            } else {
                format!("{r}:{scope}")
            }
        })
        .collect();
    (
        UserInput {
            username: get("username"),
            full_name: get("full_name"),
            email: get("email"),
            org_id: get("org_id"),
            lang: get("lang"),
            grants,
            password: get("password"),
        },
        get("version").parse().unwrap_or(0),
    )
}

pub async fn new_form(State(st): State<AppState>, auth: Auth) -> AppResult<Response> {
    auth.ctx.actor.require(Permission::ManageUsers)?;
    let orgs = store::account::list_orgs(&st.db, &auth.ctx).await?;
    let input = UserInput {
        org_id: auth.user.org_id.clone(),
        lang: "it".into(),
        ..Default::default()
    };
    let title = auth.info.tr.t("user-new-title");
    Ok(render(&UserForm::build(
        &auth,
        &title,
        None,
        0,
        input,
        orgs,
        FormErrors::default(),
    )))
}

pub async fn create(
    State(st): State<AppState>,
    auth: Auth,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (mut input, _) = parse_user_form(&pairs);
    match store::account::create_user(&st.db, &auth.ctx, &input).await {
        Ok(id) => Ok(see_other(&format!("/admin/users/{id}?done=created"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                input.password.clear();
                let orgs = store::account::list_orgs(&st.db, &auth.ctx).await?;
                let title = auth.info.tr.t("user-new-title");
                Ok(render_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    &UserForm::build(&auth, &title, None, 0, input, orgs, errors),
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

fn input_of(u: &User) -> UserInput {
    UserInput {
        username: u.username.clone(),
        full_name: u.full_name.clone(),
        email: u.email.clone().unwrap_or_default(),
        org_id: u.org_id.clone(),
        lang: u.lang.clone(),
        grants: u
            .grants
            .iter()
            .map(|g| format!("{}:{}", g.role, g.scope))
            .collect(),
        password: String::new(),
    }
}

pub async fn show(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Query(d): Query<Done>,
) -> AppResult<Response> {
    let user = store::account::get_user(&st.db, &auth.ctx, &id).await?;
    let orgs = store::account::list_orgs(&st.db, &auth.ctx).await?;
    let input = input_of(&user);
    let version = user.version;
    let title = user.full_name.clone();
    let mut form = UserForm::build(
        &auth,
        &title,
        Some(user),
        version,
        input,
        orgs,
        FormErrors::default(),
    );
    form.done = d
        .done
        .as_deref()
        .filter(|c| ["created", "saved", "disabled", "enabled"].contains(c))
        .map(|c| auth.info.tr.t(&format!("done-{c}")));
    Ok(render(&form))
}

pub async fn update(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (input, version) = parse_user_form(&pairs);
    match store::account::update_user(&st.db, &auth.ctx, &id, version, &input).await {
        Ok(()) => Ok(see_other(&format!("/admin/users/{id}?done=saved"))),
        Err(e) => match FormErrors::from_error(&e, &auth.info.tr) {
            Some(errors) => {
                // Show what the person typed, over the stored record, with the problem.
                let user = store::account::get_user(&st.db, &auth.ctx, &id).await?;
                let orgs = store::account::list_orgs(&st.db, &auth.ctx).await?;
                let title = user.full_name.clone();
                let current_version = if matches!(e, domain::Error::Conflict) {
                    user.version
                } else {
                    version
                };
                let mut input = input;
                input.username = user.username.clone();
                Ok(render_status(
                    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
                    &UserForm::build(
                        &auth,
                        &title,
                        Some(user),
                        current_version,
                        input,
                        orgs,
                        errors,
                    ),
                ))
            }
            None => Err(AppError(e)),
        },
    }
}

pub async fn disable(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    store::account::set_active(&st.db, &auth.ctx, &id, false).await?;
    Ok(see_other(&format!("/admin/users/{id}?done=disabled")))
}

pub async fn enable(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    store::account::set_active(&st.db, &auth.ctx, &id, true).await?;
    Ok(see_other(&format!("/admin/users/{id}?done=enabled")))
}

/// Shows the temporary password once, on this response only (never stored in clear).
pub async fn reset_password(
    State(st): State<AppState>,
    auth: Auth,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let temp = store::account::reset_password(&st.db, &auth.ctx, &id).await?;
    let user = store::account::get_user(&st.db, &auth.ctx, &id).await?;
    let orgs = store::account::list_orgs(&st.db, &auth.ctx).await?;
    let input = input_of(&user);
    let version = user.version;
    let title = user.full_name.clone();
    let mut form = UserForm::build(
        &auth,
        &title,
        Some(user),
        version,
        input,
        orgs,
        FormErrors::default(),
    );
    form.temp_password = Some(temp);
    Ok(render(&form))
}
