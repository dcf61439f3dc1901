//! What every handler can reach: the database and the web settings. Nothing here holds
//! per-user state: sessions, rate limits and locks live in the database, so several
//! instances can serve the same users.

use std::sync::Arc;

use store::Db;
use store::auth::SessionTimes;

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Set the `Secure` flag on cookies (behind HTTPS). Off only for plain-HTTP local use.
    pub secure_cookies: bool,
    /// Require administrators to use a TOTP second factor.
    pub require_totp_for_admins: bool,
    pub session: SessionTimes,
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Trust `X-Forwarded-For` for client addresses (only behind a known proxy).
    pub trust_proxy: bool,
    /// Shown on pages and in the README: the demo world is seeded.
    pub demo: bool,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            require_totp_for_admins: false,
            session: SessionTimes {
                idle_seconds: 30 * 60,
                max_seconds: 12 * 3600,
            },
            max_body_bytes: 1024 * 1024,
            trust_proxy: false,
            demo: false,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub cfg: Arc<WebConfig>,
}

impl AppState {
    pub fn new(db: Db, cfg: WebConfig) -> Self {
        AppState {
            db,
            cfg: Arc::new(cfg),
        }
    }
}
