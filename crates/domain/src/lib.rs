//! Pure domain types and rules of SPRInt: no I/O here, so everything is unit-testable
//! and shared by the store, the web layer and the command line.

pub mod account;
pub mod clock;
pub mod error;
pub mod guide;
pub mod languages;
pub mod legal;
pub mod minors;
pub mod monitoring;
pub mod people;
pub mod placement;
pub mod policy;
pub mod suppression;
pub mod validate;

pub use error::{Error, FieldError, Result};
