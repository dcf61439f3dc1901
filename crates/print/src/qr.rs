//! QR codes as SVG, to place in a document through a virtual file.

use qrcode::QrCode;
use qrcode::render::svg;

use crate::PrintError;

/// An SVG QR code for `url` (error correction level M, with the quiet zone).
///
/// Pass it to [`render`](crate::render) as a file, e.g. `("qr.svg", svg.into_bytes())`,
/// and place it with `#image("qr.svg", width: 3cm)`. Vector output keeps the
/// modules sharp at any print size.
pub fn qr_svg(url: &str) -> Result<String, PrintError> {
    let code = QrCode::new(url.as_bytes()).map_err(|err| PrintError::Qr(err.to_string()))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build())
}
