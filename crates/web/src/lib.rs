//! The web face of SPRInt: server-rendered pages (askama, Bootstrap Italia, htmx where it
//! helps, everything working without JavaScript) and a JSON API, both calling the same store
//! functions. Middleware here does what every request needs: request ids, security headers,
//! sessions, CSRF, language, and turning every error into a clear localised answer.

pub mod assets;
pub mod auth;
pub mod caching;
pub mod csrf;
pub mod digest_text;
pub mod error;
pub mod export;
pub mod forms;
pub mod headers;
pub mod i18n;
pub mod idempotency;
pub mod metrics;
pub mod offline;
pub mod page;
pub mod public_i18n;
pub mod routes;
pub mod state;
pub mod svg;

pub use routes::router;
pub use state::{AppState, WebConfig};
