//! Checks the network's modules share: a signed-in person, and a text field's length in
//! forms that report every field at once.

use domain::policy::ActorKind;
use domain::{Error, FieldError, Result};

use crate::db::Ctx;

/// Anyone signed in (or the platform itself); nobody anonymous.
pub(crate) fn signed_in(ctx: &Ctx) -> Result<()> {
    match ctx.actor.kind {
        ActorKind::Anonymous => Err(Error::Forbidden),
        _ => Ok(()),
    }
}

/// Adds `field_required` when a required text is blank, `field_too_long` when it has more
/// than `max` characters (trimmed).
pub(crate) fn text(
    field: &'static str,
    value: &str,
    max: usize,
    required: bool,
    errors: &mut Vec<FieldError>,
) {
    let n = value.trim().chars().count();
    if required && n == 0 {
        errors.push(FieldError::new(field, "field_required"));
    } else if n > max {
        errors.push(FieldError::new(field, "field_too_long"));
    }
}
