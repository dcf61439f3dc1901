//! Configuration, in layers: built-in defaults, then an optional `sprint.toml`, then
//! `SPRINT_*` environment variables, then command-line flags. A secret may be given as
//! `<key>_file` (for example `SPRINT_DATABASE_URL_FILE`): its value is read from that file.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// sqlite://PATH (embedded default) or postgres://USER:PASSWORD@HOST:PORT/DB
    pub database_url: String,
    /// Read the database URL (with its password) from this file instead.
    pub database_url_file: Option<PathBuf>,
    /// Address and port to listen on.
    pub bind: String,
    /// Key(s) for special-category data, `id:base64` comma-separated, current first.
    pub encryption_key: Option<String>,
    /// Read the encryption key(s) from this file instead. On SQLite the default is
    /// `encryption.key` beside the database, created on first start.
    pub encryption_key_file: Option<PathBuf>,
    /// Seed the demo world (organisations and one user per role) at start-up.
    #[serde(deserialize_with = "flex_bool")]
    pub demo: bool,
    /// Mark cookies Secure and send HSTS: set when serving behind HTTPS.
    #[serde(deserialize_with = "flex_bool")]
    pub secure_cookies: bool,
    /// Administrators must use a TOTP second factor.
    #[serde(deserialize_with = "flex_bool")]
    pub require_totp_for_admins: bool,
    /// Minutes of inactivity before a session ends, and hours before any session ends.
    pub session_idle_minutes: i64,
    pub session_max_hours: i64,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Largest document accepted on a case.
    pub max_document_bytes: usize,
    /// Addressees of the notices about an unaccompanied minor.
    pub minors_prosecutor: String,
    pub minors_court: String,
    /// Minors per volunteer guardian before an appointment needs confirming.
    pub guardian_max_minors: usize,
    /// Map tiles for the centres' map, e.g. `https://tiles.example.org/{z}/{x}/{y}.png`
    /// (an in-house tile server); empty: the map shows the centres without a background.
    pub map_tiles: String,
    /// The platform's public address, printed in leaflets' QR codes (`https://…`, no
    /// trailing slash); empty: taken from each request's Host.
    pub public_url: String,
    /// Trust X-Forwarded-For from a reverse proxy for client addresses.
    #[serde(deserialize_with = "flex_bool")]
    pub trust_proxy: bool,
    /// Failed logins before an account is locked, and for how many minutes.
    pub lockout_threshold: i64,
    pub lockout_minutes: i64,
    /// Failed logins from one address in 15 minutes before it is refused.
    pub ip_rate_limit: i64,
    /// Argon2id memory cost in KiB and iterations (OWASP minimum by default).
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    /// Log filter, as in RUST_LOG (for example "info" or "sprint=debug,info").
    pub log: String,
    /// Log lines as `text` (for people) or `json` (one object per line, for collectors).
    pub log_format: String,
    /// Bearer token a Prometheus scraper sends to `/metrics`; empty: no metrics endpoint.
    /// Never logged.
    pub metrics_token: String,
    /// Run the background jobs (housekeeping) in this process. Several instances may all
    /// run them: the shared queue hands each job to one.
    #[serde(deserialize_with = "flex_bool")]
    pub jobs: bool,
    /// The SMTP relay for the daily digest of the inbox, `smtp://HOST:PORT`; empty (the
    /// default): no mail is sent.
    pub mail_url: String,
    /// The sender of the digest.
    pub mail_from: String,
    /// The hour (Rome, 0-23) after which the day's digest goes out.
    pub digest_hour: u32,
}

impl Default for Config {
    fn default() -> Self {
        let s = store::db::Settings::default();
        Config {
            database_url: "sqlite://data/sprint.db".into(),
            database_url_file: None,
            bind: "127.0.0.1:8080".into(),
            encryption_key: None,
            encryption_key_file: None,
            demo: false,
            secure_cookies: false,
            require_totp_for_admins: false,
            session_idle_minutes: 30,
            session_max_hours: 12,
            max_body_bytes: 1024 * 1024,
            max_document_bytes: 10 * 1024 * 1024,
            minors_prosecutor: s.minors_prosecutor.clone(),
            minors_court: s.minors_court.clone(),
            guardian_max_minors: s.guardian_max_minors,
            map_tiles: String::new(),
            public_url: String::new(),
            trust_proxy: false,
            lockout_threshold: s.lockout_threshold,
            lockout_minutes: s.lockout_seconds / 60,
            ip_rate_limit: s.ip_rate_limit,
            argon2_memory_kib: s.argon2_m_kib,
            argon2_iterations: s.argon2_t,
            log: "info".into(),
            log_format: "text".into(),
            metrics_token: String::new(),
            jobs: true,
            mail_url: String::new(),
            mail_from: "SPRInt <sprint@localhost>".into(),
            digest_hour: 7,
        }
    }
}

/// Creates a key file readable only by its owner, for a SQLite installation's first start.
fn create_key_file(file: &Path) -> Result<(), String> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(file).map_err(|e| {
        format!(
            "cannot create the encryption key file {}: {e}",
            file.display()
        )
    })?;
    std::io::Write::write_all(
        &mut f,
        format!("k1:{}\n", store::crypto::generate_key()).as_bytes(),
    )
    .map_err(|e| e.to_string())?;
    tracing::warn!(
        file = %file.display(),
        "created a new encryption key for special-category data: back it up apart from the database, \
         without it those fields cannot be read"
    );
    Ok(())
}

/// Accepts true/false, 1/0, yes/no, on/off for switches, as people write them in
/// environment variables.
fn flex_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flex {
        B(bool),
        I(i64),
        S(String),
    }
    match Flex::deserialize(d)? {
        Flex::B(b) => Ok(b),
        Flex::I(0) => Ok(false),
        Flex::I(1) => Ok(true),
        Flex::S(s) => match s.trim().to_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(true),
            "false" | "0" | "no" | "off" | "" => Ok(false),
            other => Err(serde::de::Error::custom(format!(
                "expected true or false, found '{other}'"
            ))),
        },
        Flex::I(n) => Err(serde::de::Error::custom(format!(
            "expected true or false, found {n}"
        ))),
    }
}

/// Flags given on the command line override everything else.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo: Option<bool>,
}

pub const HELP: &str = "\
CONFIGURATION (later layers win):
  1. built-in defaults
  2. sprint.toml in the working directory, or the file given by --config / SPRINT_CONFIG
  3. environment variables SPRINT_<KEY> (for example SPRINT_DATABASE_URL)
  4. command-line flags

KEYS (sprint.toml key / environment variable, default):
  database_url             SPRINT_DATABASE_URL             sqlite://data/sprint.db
                           (or postgres://USER:PASSWORD@HOST:PORT/DB)
  database_url_file        SPRINT_DATABASE_URL_FILE        read the URL (a secret) from a file
  bind                     SPRINT_BIND                     127.0.0.1:8080
  encryption_key           SPRINT_ENCRYPTION_KEY           key(s) for special-category data (secret)
  encryption_key_file      SPRINT_ENCRYPTION_KEY_FILE      read them from a file; on SQLite the default
                           is encryption.key beside the database, created on first start;
                           PostgreSQL needs one file shared by every instance (`sprint keygen`)
  demo                     SPRINT_DEMO                     false (1/true seeds the demo world)
  secure_cookies           SPRINT_SECURE_COOKIES           false (set true behind HTTPS)
  require_totp_for_admins  SPRINT_REQUIRE_TOTP_FOR_ADMINS  false
  session_idle_minutes     SPRINT_SESSION_IDLE_MINUTES     30
  session_max_hours        SPRINT_SESSION_MAX_HOURS        12
  max_body_bytes           SPRINT_MAX_BODY_BYTES           1048576
  max_document_bytes       SPRINT_MAX_DOCUMENT_BYTES       10485760 (largest upload on a case)
  minors_prosecutor        SPRINT_MINORS_PROSECUTOR        addressee of a minor's notice to the prosecutor
  minors_court             SPRINT_MINORS_COURT             addressee of a minor's notice to the court
  guardian_max_minors      SPRINT_GUARDIAN_MAX_MINORS      3 (minors per guardian before a warning)
  map_tiles                SPRINT_MAP_TILES                empty (no map background); a tile URL
                           with {z}/{x}/{y}, e.g. https://tiles.example.org/{z}/{x}/{y}.png
  public_url               SPRINT_PUBLIC_URL               empty (from the request); the address
                           printed in leaflets' QR codes, e.g. https://sprint.example.org
  trust_proxy              SPRINT_TRUST_PROXY              false
  lockout_threshold        SPRINT_LOCKOUT_THRESHOLD        5 failed logins
  lockout_minutes          SPRINT_LOCKOUT_MINUTES          15
  ip_rate_limit            SPRINT_IP_RATE_LIMIT            20 failures per address per 15 minutes
  argon2_memory_kib        SPRINT_ARGON2_MEMORY_KIB        19456
  argon2_iterations        SPRINT_ARGON2_ITERATIONS        2
  log                      SPRINT_LOG                      info
  log_format               SPRINT_LOG_FORMAT               text (or json: one object per line,
                           with the request id on every line logged while answering)
  metrics_token            SPRINT_METRICS_TOKEN            empty (no /metrics); the bearer token
                           a Prometheus scraper sends
  jobs                     SPRINT_JOBS                     true (run background jobs here; each
                           job runs once whichever instances run them)
  mail_url                 SPRINT_MAIL_URL                 empty (no mail); smtp://HOST:PORT of a relay
                           for the daily digest of each user's inbox (kinds and counts, no names)
  mail_from                SPRINT_MAIL_FROM                SPRInt <sprint@localhost>
  digest_hour              SPRINT_DIGEST_HOUR              7 (Rome time; the day's digest goes after it)

Several `sprint serve` processes may share one PostgreSQL database: sessions, login
throttling and locks live in the database.";

impl Config {
    pub fn load(config_file: Option<&Path>, overrides: &Overrides) -> Result<Config, String> {
        let file = config_file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("SPRINT_CONFIG").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("sprint.toml"));
        if config_file.is_some() && !file.exists() {
            return Err(format!("configuration file {} not found", file.display()));
        }
        let mut cfg: Config = Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&file))
            .merge(Env::prefixed("SPRINT_").ignore(&["config", "test_database_url"]))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(|e| format!("invalid configuration: {e}"))?;
        if !cfg.mail_url.trim().is_empty() {
            store::digest::MailSettings::parse_url(cfg.mail_url.trim())?;
            if cfg.digest_hour > 23 {
                return Err(format!(
                    "invalid configuration: digest_hour must be 0-23, found {}",
                    cfg.digest_hour
                ));
            }
        }
        if let Some(f) = &cfg.database_url_file {
            cfg.database_url = std::fs::read_to_string(f)
                .map_err(|e| format!("cannot read {}: {e}", f.display()))?
                .trim()
                .to_string();
        }
        Ok(cfg)
    }

    /// The keys for special-category data: given, read from a file, or (SQLite only)
    /// created beside the database on first start. Never logged.
    pub fn keyring(&self) -> Result<std::sync::Arc<store::crypto::Keyring>, String> {
        let spec = if let Some(k) = &self.encryption_key {
            k.clone()
        } else {
            let file = match (
                &self.encryption_key_file,
                store::db::parse_url(&self.database_url)?,
            ) {
                (Some(f), _) => f.clone(),
                (None, store::db::Engine::Sqlite(db)) => db
                    .parent()
                    .map(|d| d.join("encryption.key"))
                    .unwrap_or_else(|| PathBuf::from("encryption.key")),
                (None, store::db::Engine::Postgres) => {
                    return Err(
                        "PostgreSQL needs an encryption key shared by every instance: \
                        create one with `sprint keygen > FILE` and set SPRINT_ENCRYPTION_KEY_FILE"
                            .into(),
                    );
                }
            };
            if !file.exists() && self.encryption_key_file.is_none() {
                create_key_file(&file)?;
            }
            std::fs::read_to_string(&file).map_err(|e| {
                format!(
                    "cannot read the encryption key file {}: {e}",
                    file.display()
                )
            })?
        };
        store::crypto::Keyring::from_spec(&spec).map(std::sync::Arc::new)
    }

    pub fn store_settings(&self) -> store::db::Settings {
        store::db::Settings {
            argon2_m_kib: self.argon2_memory_kib,
            argon2_t: self.argon2_iterations,
            lockout_threshold: self.lockout_threshold,
            lockout_seconds: self.lockout_minutes * 60,
            ip_rate_limit: self.ip_rate_limit,
            keyring: self.keyring().ok(),
            max_document_bytes: self.max_document_bytes,
            minors_prosecutor: self.minors_prosecutor.clone(),
            minors_court: self.minors_court.clone(),
            guardian_max_minors: self.guardian_max_minors,
            mail: self.mail_settings(),
            ..Default::default()
        }
    }

    /// The digest's mail settings, when a relay is configured (checked at load).
    fn mail_settings(&self) -> Option<std::sync::Arc<store::digest::MailSettings>> {
        let (smtp_host, smtp_port) =
            store::digest::MailSettings::parse_url(self.mail_url.trim()).ok()?;
        let base_url = match self.public_url.trim().trim_end_matches('/') {
            "" => format!("http://{}", self.bind),
            u => u.to_string(),
        };
        Some(std::sync::Arc::new(store::digest::MailSettings {
            smtp_host,
            smtp_port,
            from: self.mail_from.clone(),
            hour: self.digest_hour,
            base_url,
            text: std::sync::Arc::new(web::digest_text::FluentText),
        }))
    }

    pub fn web_config(&self) -> web::WebConfig {
        web::WebConfig {
            secure_cookies: self.secure_cookies,
            require_totp_for_admins: self.require_totp_for_admins,
            session: store::auth::SessionTimes {
                idle_seconds: self.session_idle_minutes * 60,
                max_seconds: self.session_max_hours * 3600,
            },
            max_body_bytes: self.max_body_bytes,
            trust_proxy: self.trust_proxy,
            demo: self.demo,
            map_tiles: self.map_tiles.trim().to_string(),
            public_url: self.public_url.trim().trim_end_matches('/').to_string(),
            metrics_token_sha256: web::metrics::token_digest(&self.metrics_token),
        }
    }

    /// The URL with any password hidden, for logs.
    pub fn redacted_url(&self) -> String {
        match self.database_url.split_once("://") {
            Some((scheme, rest)) => match rest.rsplit_once('@') {
                Some((cred, host)) => {
                    let user = cred.split(':').next().unwrap_or("");
                    format!("{scheme}://{user}:***@{host}")
                }
                None => self.database_url.clone(),
            },
            None => self.database_url.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment's test jail returns its own error type
    fn switches_accept_the_usual_spellings() {
        for (v, want) in [
            ("1", true),
            ("true", true),
            ("yes", true),
            ("0", false),
            ("off", false),
        ] {
            figment::Jail::expect_with(|jail| {
                jail.set_env("SPRINT_DEMO", v);
                let c = Config::load(None, &Overrides::default()).map_err(|e| e.to_string())?;
                assert_eq!(c.demo, want, "{v}");
                Ok(())
            });
        }
    }

    #[test]
    fn passwords_in_database_urls_are_hidden_in_logs() {
        let c = Config {
            database_url: "postgres://app:s3cret@db:5432/sprint".into(),
            ..Default::default()
        };
        assert_eq!(c.redacted_url(), "postgres://app:***@db:5432/sprint");
        assert!(!c.redacted_url().contains("s3cret"));
    }
}
