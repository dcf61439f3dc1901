//! Organisations and user accounts, with their roles. Users are personal data: every read
//! of a user record is audited, every change is audited in the same transaction.

use domain::account::{Grant, OrgKind, Role, Scope, UiLang};
use domain::policy::{Actor, Permission};
use domain::validate;
use domain::{Error, FieldError, Result};
use serde_json::json;

use crate::audit::{self, Event};
use crate::auth::hash_password;
use crate::db::{Ctx, Db, Tx, db_err};
use crate::{Ts, new_id, with_pool, with_tx};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct Org {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub active: bool,
    pub is_demo: bool,
    pub version: i32,
    pub created_at: Ts,
    pub updated_at: Ts,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OrgInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub kind: String,
    /// Checkbox: present means active.
    #[serde(default)]
    pub active: Option<String>,
}

struct OrgValues {
    name: String,
    kind: OrgKind,
    active: bool,
}

fn check_org(input: &OrgInput) -> Result<OrgValues> {
    let mut errs = vec![];
    let name = validate::required_text("name", &input.name, 200).map_err(|e| errs.push(e));
    let kind = OrgKind::parse(input.kind.trim());
    if kind.is_none() {
        errs.push(FieldError::new("kind", "field_required"));
    }
    match (name, kind) {
        (Ok(name), Some(kind)) if errs.is_empty() => Ok(OrgValues {
            name,
            kind,
            active: input.active.is_some(),
        }),
        _ => Err(Error::Validation(errs)),
    }
}

pub async fn create_org(db: &Db, ctx: &Ctx, input: &OrgInput, is_demo: bool) -> Result<String> {
    ctx.actor.require(Permission::ManageOrganisations)?;
    let v = check_org(input)?;
    let id = new_id();
    let now = Ts::now();
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO organisations (id, name, kind, active, is_demo, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
        )
        .bind(&id)
        .bind(&v.name)
        .bind(v.kind.as_str())
        .bind(v.active)
        .bind(is_demo)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("organisation.create", "organisation", Some(&id))
            .details(json!({"name": v.name, "kind": v.kind.as_str()})),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Updates an organisation if nobody changed it since `version` was read; otherwise
/// `Conflict`, and nothing is written.
pub async fn update_org(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    version: i32,
    input: &OrgInput,
) -> Result<()> {
    ctx.actor.require(Permission::ManageOrganisations)?;
    let v = check_org(input)?;
    let mut tx = db.begin().await?;
    let done = with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE organisations SET name = $1, kind = $2, active = $3, version = version + 1, \
             updated_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(&v.name)
        .bind(v.kind.as_str())
        .bind(v.active)
        .bind(Ts::now())
        .bind(id)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if done == 0 {
        return Err(if org_exists(&mut tx, id).await? {
            Error::Conflict
        } else {
            Error::NotFound
        });
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new("organisation.update", "organisation", Some(id))
            .details(json!({"name": v.name, "kind": v.kind.as_str(), "active": v.active})),
    )
    .await?;
    tx.commit().await
}

async fn org_exists(tx: &mut Tx, id: &str) -> Result<bool> {
    let n: Option<(String,)> = with_tx!(tx, |c| {
        sqlx::query_as("SELECT id FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(c)
            .await
    })
    .map_err(db_err)?;
    Ok(n.is_some())
}

pub async fn list_orgs(db: &Db, ctx: &Ctx) -> Result<Vec<Org>> {
    ctx.actor.require(Permission::ViewOrganisations)?;
    with_pool!(db, |p| {
        sqlx::query_as("SELECT * FROM organisations ORDER BY name")
            .fetch_all(p)
            .await
    })
    .map_err(db_err)
}

pub async fn get_org(db: &Db, ctx: &Ctx, id: &str) -> Result<Org> {
    ctx.actor.require(Permission::ViewOrganisations)?;
    with_pool!(db, |p| {
        sqlx::query_as("SELECT * FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)?
    .ok_or(Error::NotFound)
}

pub async fn find_org_by_name(db: &Db, name: &str) -> Result<Option<Org>> {
    with_pool!(db, |p| {
        sqlx::query_as("SELECT * FROM organisations WHERE name = $1")
            .bind(name)
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct User {
    pub id: String,
    pub org_id: String,
    pub org_name: String,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub lang: String,
    pub active: bool,
    pub must_change_password: bool,
    pub totp_enabled: bool,
    pub locked_until: Option<Ts>,
    pub last_login_at: Option<Ts>,
    pub version: i32,
    pub created_at: Ts,
    #[sqlx(skip)]
    pub grants: Vec<Grant>,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor::user(self.id.clone(), self.org_id.clone(), self.grants.clone())
    }

    pub fn ui_lang(&self) -> UiLang {
        UiLang::parse(&self.lang).unwrap_or(UiLang::It)
    }

    pub fn is_locked(&self, now: Ts) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }
}

const USER_COLUMNS: &str = "u.id, u.org_id, o.name AS org_name, u.username, u.full_name, \
    u.email, u.lang, u.active, u.must_change_password, u.totp_enabled, u.locked_until, \
    u.last_login_at, u.version, u.created_at FROM users u JOIN organisations o ON o.id = u.org_id";

/// Loads the roles of users in one query (not one per user).
async fn attach_grants(db: &Db, users: &mut [User]) -> Result<()> {
    if users.is_empty() {
        return Ok(());
    }
    let rows: Vec<(String, String, String)> = if users.len() == 1 {
        with_pool!(db, |p| {
            sqlx::query_as("SELECT user_id, role, scope FROM user_roles WHERE user_id = $1")
                .bind(&users[0].id)
                .fetch_all(p)
                .await
        })
    } else {
        with_pool!(db, |p| {
            sqlx::query_as("SELECT user_id, role, scope FROM user_roles")
                .fetch_all(p)
                .await
        })
    }
    .map_err(db_err)?;
    for u in users.iter_mut() {
        u.grants = rows
            .iter()
            .filter(|(uid, _, _)| *uid == u.id)
            .filter_map(|(_, r, s)| {
                Some(Grant {
                    role: Role::parse(r)?,
                    scope: Scope::parse(s)?,
                })
            })
            .collect();
        u.grants.sort_by_key(|g| g.role);
    }
    Ok(())
}

/// The users who receive the daily digest: active, with an e-mail address, not opted out.
pub(crate) async fn digest_recipients(db: &Db) -> Result<Vec<User>> {
    let sql = format!(
        "SELECT {USER_COLUMNS} WHERE u.active AND u.digest AND u.email IS NOT NULL AND u.email <> '' ORDER BY u.id"
    );
    let mut users: Vec<User> = with_pool!(db, |p| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
        .fetch_all(p)
        .await)
    .map_err(db_err)?;
    attach_grants(db, &mut users).await?;
    Ok(users)
}

/// Loads a user without permission checks or audit: for authentication only.
pub(crate) async fn load_user(db: &Db, id: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {USER_COLUMNS} WHERE u.id = $1");
    let u: Option<User> = with_pool!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(id)
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)?;
    match u {
        Some(u) => {
            let mut v = [u];
            attach_grants(db, &mut v).await?;
            let [u] = v;
            Ok(Some(u))
        }
        None => Ok(None),
    }
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct UserFilter {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub org: String,
    #[serde(default)]
    pub role: String,
}

/// Lists the users the actor may see (their organisation's, or all), audited as a read.
pub async fn list_users(db: &Db, ctx: &Ctx, f: &UserFilter) -> Result<Vec<User>> {
    let scope = ctx.actor.require(Permission::ViewUsers)?;
    let own_org = match scope {
        Scope::All => String::new(),
        _ => ctx.actor.org_id.clone().unwrap_or_default(),
    };
    let q = format!("%{}%", f.q.trim().to_lowercase().replace(['%', '_'], ""));
    let sql = format!(
        "SELECT {USER_COLUMNS} WHERE ($1 = '' OR u.org_id = $1) AND ($2 = '' OR u.org_id = $2) \
         AND (LOWER(u.username) LIKE $3 ESCAPE '\\' OR LOWER(u.full_name) LIKE $3 ESCAPE '\\') \
         AND ($4 = '' OR EXISTS (SELECT 1 FROM user_roles r WHERE r.user_id = u.id AND r.role = $4)) \
         ORDER BY u.full_name LIMIT 500"
    );
    let mut users: Vec<User> = with_pool!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
            .bind(&own_org)
            .bind(f.org.trim())
            .bind(&q)
            .bind(f.role.trim())
            .fetch_all(p)
            .await
    })
    .map_err(db_err)?;
    attach_grants(db, &mut users).await?;
    audit::record(
        db,
        ctx,
        Event::new("user.list", "user", None)
            .details(json!({"q": f.q, "org": f.org, "role": f.role, "count": users.len()})),
    )
    .await?;
    Ok(users)
}

/// One user, if the actor may see them; audited as a read of personal data.
pub async fn get_user(db: &Db, ctx: &Ctx, id: &str) -> Result<User> {
    ctx.actor.require(Permission::ViewUsers)?;
    let u = load_user(db, id).await?.ok_or(Error::NotFound)?;
    if !ctx
        .actor
        .reaches(Permission::ViewUsers, &u.org_id, Some(&u.id))
    {
        // Not "forbidden": whether a user exists elsewhere is itself not for this actor.
        return Err(Error::NotFound);
    }
    audit::record(db, ctx, Event::new("user.read", "user", Some(id))).await?;
    Ok(u)
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct UserInput {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub full_name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub org_id: String,
    #[serde(default)]
    pub lang: String,
    /// `role:scope` entries.
    #[serde(default)]
    pub grants: Vec<String>,
    #[serde(default)]
    pub password: String,
}

struct UserValues {
    full_name: String,
    email: Option<String>,
    org_id: String,
    lang: UiLang,
    grants: Vec<Grant>,
}

fn check_user(input: &UserInput) -> (Option<UserValues>, Vec<FieldError>) {
    let mut errs = vec![];
    let full_name = validate::required_text("full_name", &input.full_name, 200)
        .map_err(|e| errs.push(e))
        .ok();
    let email = validate::optional_email(&input.email)
        .map_err(|e| errs.push(e))
        .ok();
    if input.org_id.trim().is_empty() {
        errs.push(FieldError::new("org_id", "field_required"));
    }
    let lang = UiLang::parse(input.lang.trim()).unwrap_or(UiLang::It);
    let mut grants: Vec<Grant> = vec![];
    for g in &input.grants {
        match Grant::parse(g) {
            Some(g) if !grants.iter().any(|x| x.role == g.role) => grants.push(g),
            Some(_) => {}
            None => errs.push(FieldError::new("grants", "role_invalid")),
        }
    }
    if grants.is_empty() {
        errs.push(FieldError::new("grants", "role_required"));
    }
    match (full_name, email) {
        (Some(full_name), Some(email)) if errs.is_empty() => (
            Some(UserValues {
                full_name,
                email,
                org_id: input.org_id.trim().to_string(),
                lang,
                grants,
            }),
            errs,
        ),
        _ => (None, errs),
    }
}

/// The actor may only hand out grants within their own reach: an organisation-scoped
/// admin manages their organisation's users and cannot grant "all".
fn check_reach(actor: &Actor, org_id: &str, grants: &[Grant]) -> Result<()> {
    if !actor.reaches(Permission::ManageUsers, org_id, None) {
        return Err(Error::Forbidden);
    }
    let mine = actor
        .scope_for(Permission::ManageUsers)
        .unwrap_or(Scope::Own);
    if grants.iter().any(|g| g.scope > mine) {
        return Err(Error::field("grants", "scope_beyond_own"));
    }
    Ok(())
}

pub async fn create_user(db: &Db, ctx: &Ctx, input: &UserInput) -> Result<String> {
    ctx.actor.require(Permission::ManageUsers)?;
    let username = validate::username(&input.username);
    let (values, mut errs) = check_user(input);
    let username = match username {
        Ok(u) => Some(u),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    if let Some(u) = &username
        && let Err(e) = validate::new_password("password", &input.password, u)
    {
        errs.push(e);
    }
    let (Some(v), Some(username), true) = (values, username, errs.is_empty()) else {
        return Err(Error::Validation(errs));
    };
    check_reach(&ctx.actor, &v.org_id, &v.grants)?;
    let hash = hash_password(db, &input.password)?;
    let id = new_id();
    let now = Ts::now();
    let mut tx = db.begin().await?;
    if !org_exists(&mut tx, &v.org_id).await? {
        return Err(Error::field("org_id", "field_required"));
    }
    with_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO users (id, org_id, username, full_name, email, password_hash, lang, \
             active, must_change_password, totp_enabled, failed_logins, version, created_at, updated_at) \
             VALUES ($1,$2,$3,$4,$5,$6,$7, TRUE, FALSE, FALSE, 0, 1, $8, $8)",
        )
        .bind(&id)
        .bind(&v.org_id)
        .bind(&username)
        .bind(&v.full_name)
        .bind(&v.email)
        .bind(&hash)
        .bind(v.lang.as_str())
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    write_grants(&mut tx, &id, &v.grants).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("user.create", "user", Some(&id)).details(json!({
            "username": username, "org_id": v.org_id,
            "grants": v.grants.iter().map(|g| format!("{}:{}", g.role, g.scope)).collect::<Vec<_>>(),
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

async fn write_grants(tx: &mut Tx, user_id: &str, grants: &[Grant]) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1")
            .bind(user_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    for g in grants {
        with_tx!(tx, |c| {
            sqlx::query("INSERT INTO user_roles (user_id, role, scope) VALUES ($1, $2, $3)")
                .bind(user_id)
                .bind(g.role.as_str())
                .bind(g.scope.as_str())
                .execute(c)
                .await
                .map(|r| r.rows_affected())
        })
        .map_err(db_err)?;
    }
    Ok(())
}

/// Saves an administrator's edit of a user, refusing stale versions with `Conflict`.
pub async fn update_user(
    db: &Db,
    ctx: &Ctx,
    id: &str,
    version: i32,
    input: &UserInput,
) -> Result<()> {
    ctx.actor.require(Permission::ManageUsers)?;
    let (values, errs) = check_user(input);
    let Some(v) = values else {
        return Err(Error::Validation(errs));
    };
    let current = load_user(db, id).await?.ok_or(Error::NotFound)?;
    if !ctx
        .actor
        .reaches(Permission::ManageUsers, &current.org_id, None)
    {
        return Err(Error::NotFound);
    }
    check_reach(&ctx.actor, &v.org_id, &v.grants)?;
    if current.id == ctx.actor.id && !v.grants.iter().any(|g| g.role == Role::Admin) {
        // Taking away one's own admin role by accident would lock the door from inside.
        return Err(Error::field("grants", "cannot_remove_own_admin"));
    }
    let mut tx = db.begin().await?;
    let done = with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE users SET full_name = $1, email = $2, org_id = $3, lang = $4, \
             version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7",
        )
        .bind(&v.full_name)
        .bind(&v.email)
        .bind(&v.org_id)
        .bind(v.lang.as_str())
        .bind(Ts::now())
        .bind(id)
        .bind(version)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if done == 0 {
        return Err(Error::Conflict);
    }
    write_grants(&mut tx, id, &v.grants).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("user.update", "user", Some(id)).details(json!({
            "org_id": v.org_id,
            "grants": v.grants.iter().map(|g| format!("{}:{}", g.role, g.scope)).collect::<Vec<_>>(),
        })),
    )
    .await?;
    tx.commit().await
}

/// Enables or disables an account. Disabling ends its sessions and API tokens at once.
pub async fn set_active(db: &Db, ctx: &Ctx, id: &str, active: bool) -> Result<()> {
    ctx.actor.require(Permission::ManageUsers)?;
    let current = load_user(db, id).await?.ok_or(Error::NotFound)?;
    if !ctx
        .actor
        .reaches(Permission::ManageUsers, &current.org_id, None)
    {
        return Err(Error::NotFound);
    }
    if !active && current.id == ctx.actor.id {
        return Err(Error::field("active", "cannot_disable_self"));
    }
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE users SET active = $1, failed_logins = 0, locked_until = NULL, \
             version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(active)
        .bind(Ts::now())
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    if !active {
        crate::auth::end_all_sessions(&mut tx, id).await?;
    }
    audit::append(
        &mut tx,
        ctx,
        Event::new(
            if active {
                "user.enable"
            } else {
                "user.disable"
            },
            "user",
            Some(id),
        ),
    )
    .await?;
    tx.commit().await
}

/// Sets a new temporary password that must be changed at the next login, unlocks the
/// account and ends its sessions. Returns the temporary password to hand over once.
pub async fn reset_password(db: &Db, ctx: &Ctx, id: &str) -> Result<String> {
    ctx.actor.require(Permission::ManageUsers)?;
    let current = load_user(db, id).await?.ok_or(Error::NotFound)?;
    if !ctx
        .actor
        .reaches(Permission::ManageUsers, &current.org_id, None)
    {
        return Err(Error::NotFound);
    }
    let temp = crate::auth::temporary_password();
    let hash = hash_password(db, &temp)?;
    let mut tx = db.begin().await?;
    with_tx!(&mut tx, |c| {
        sqlx::query(
            "UPDATE users SET password_hash = $1, must_change_password = TRUE, failed_logins = 0, \
             locked_until = NULL, version = version + 1, updated_at = $2 WHERE id = $3",
        )
        .bind(&hash)
        .bind(Ts::now())
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
    })
    .map_err(db_err)?;
    crate::auth::end_all_sessions(&mut tx, id).await?;
    audit::append(
        &mut tx,
        ctx,
        Event::new("user.reset_password", "user", Some(id)),
    )
    .await?;
    tx.commit().await?;
    Ok(temp)
}

pub async fn find_user_id(db: &Db, username: &str) -> Result<Option<String>> {
    let r: Option<(String,)> = with_pool!(db, |p| {
        sqlx::query_as("SELECT id FROM users WHERE username = $1")
            .bind(username.trim().to_lowercase())
            .fetch_optional(p)
            .await
    })
    .map_err(db_err)?;
    Ok(r.map(|r| r.0))
}

/// Counts for the administrator's home page (no personal data).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Counts {
    pub organisations: i64,
    pub users: i64,
    pub active_users: i64,
    pub locked_users: i64,
    pub audit_entries: i64,
}

pub async fn counts(db: &Db, ctx: &Ctx) -> Result<Counts> {
    ctx.actor.require(Permission::ViewUsers)?;
    let now = Ts::now();
    let row: (i64, i64, i64, i64, i64) = with_pool!(db, |p| {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM organisations), (SELECT COUNT(*) FROM users), \
             (SELECT COUNT(*) FROM users WHERE active), \
             (SELECT COUNT(*) FROM users WHERE locked_until IS NOT NULL AND locked_until > $1), \
             (SELECT COUNT(*) FROM audit_log)",
        )
        .bind(now)
        .fetch_one(p)
        .await
    })
    .map_err(db_err)?;
    Ok(Counts {
        organisations: row.0,
        users: row.1,
        active_users: row.2,
        locked_users: row.3,
        audit_entries: row.4,
    })
}
