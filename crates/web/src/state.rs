//! What every handler can reach: the database and the web settings. Nothing here holds
//! per-user state: sessions, rate limits and locks live in the database, so several
//! instances can serve the same users. (The PDF cache holds only public documents.)

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use store::Db;
use store::auth::SessionTimes;

/// How many typeset public PDFs are kept (a few hundred kilobytes each at most).
const PDF_CACHE_ENTRIES: NonZeroUsize = match NonZeroUsize::new(200) {
    Some(n) => n,
    None => NonZeroUsize::MIN,
};

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
    /// Tile URL template for the centres' map (`{z}`, `{x}`, `{y}`), or empty for none.
    pub map_tiles: String,
    /// The platform's public address (`https://sprint.example.org`), printed in leaflets'
    /// QR codes and the service pages' structured data. Empty: taken from the request.
    pub public_url: String,
    /// SHA-256 of the bearer token `/metrics` asks for; `None`: no metrics endpoint.
    pub metrics_token_sha256: Option<[u8; 32]>,
}

impl WebConfig {
    /// The tile server's origin (`https://host[:port]`), when the template is usable: the
    /// content security policy lets images come from there and nowhere else.
    pub fn tile_origin(&self) -> Option<String> {
        let t = self.map_tiles.as_str();
        if !["{z}", "{x}", "{y}"].iter().all(|p| t.contains(p)) {
            return None;
        }
        let (scheme, rest) = t.split_once("://")?;
        if scheme != "https" && scheme != "http" {
            return None;
        }
        let host = rest.split('/').next().filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })?;
        Some(format!("{scheme}://{host}"))
    }

    /// The content security policy, with the tile server added to `img-src` if set.
    pub fn csp(&self) -> String {
        match self.tile_origin() {
            Some(o) => crate::headers::CSP
                .replace("img-src 'self' data:", &format!("img-src 'self' data: {o}")),
            None => crate::headers::CSP.to_string(),
        }
    }
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
            map_tiles: String::new(),
            public_url: String::new(),
            metrics_token_sha256: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub cfg: Arc<WebConfig>,
    /// The content security policy header, built once from the configuration.
    pub csp: axum::http::HeaderValue,
    /// Public PDFs (leaflets, the guide's checklists) already typeset. They depend only on
    /// the published text, the language, the answers and the day, so their number is
    /// bounded and a visitor asking again costs no typesetting.
    pub pdfs: Arc<Mutex<LruCache<String, Arc<Vec<u8>>>>>,
    /// This process's request, pool and job figures.
    pub metrics: crate::metrics::Metrics,
}

impl AppState {
    pub fn new(db: Db, cfg: WebConfig) -> Self {
        let csp = axum::http::HeaderValue::from_str(&cfg.csp())
            .unwrap_or_else(|_| axum::http::HeaderValue::from_static(crate::headers::CSP));
        AppState {
            db,
            cfg: Arc::new(cfg),
            csp,
            pdfs: Arc::new(Mutex::new(LruCache::new(PDF_CACHE_ENTRIES))),
            metrics: crate::metrics::Metrics::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WebConfig;

    fn with_tiles(t: &str) -> WebConfig {
        WebConfig {
            map_tiles: t.into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_tile_server_and_nothing_else_is_added_to_the_image_sources() {
        let c = with_tiles("https://tiles.example.org:8443/osm/{z}/{x}/{y}.png");
        assert_eq!(
            c.tile_origin().as_deref(),
            Some("https://tiles.example.org:8443")
        );
        assert!(
            c.csp()
                .contains("img-src 'self' data: https://tiles.example.org:8443;")
        );
        assert!(c.csp().contains("script-src 'self';"));
    }

    #[test]
    fn a_tile_address_without_placeholders_or_with_odd_characters_is_ignored() {
        for bad in [
            "",
            "https://tiles.example.org/map.png",
            "javascript://x/{z}/{x}/{y}",
            "https://evil.example.org;script-src *//{z}/{x}/{y}",
        ] {
            let c = with_tiles(bad);
            assert_eq!(c.tile_origin(), None, "{bad}");
            assert_eq!(c.csp(), crate::headers::CSP);
        }
    }
}
