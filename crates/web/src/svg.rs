//! Pictures drawn on the server as SVG: the centres' map, a centre's occupancy chart and
//! the reports' bar charts.
//! No script and no third-party library: they render on any phone, print, and pass the
//! content security policy (an SVG `<image>` for map tiles is an image load, allowed only
//! from the configured tile server). Every text is escaped.

use std::f64::consts::PI;
use std::fmt::Write;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// A point on the map.
pub struct Pin<'a> {
    pub lat: f64,
    pub lon: f64,
    pub label: &'a str,
    pub href: String,
    /// Drawn red: over capacity, or high risk.
    pub alert: bool,
}

/// Web Mercator pixel coordinates at zoom `z` (256-pixel tiles).
fn project(lat: f64, lon: f64, z: u32) -> (f64, f64) {
    let n = 256.0 * f64::from(1u32 << z);
    let lat = lat.clamp(-85.05, 85.05).to_radians();
    let x = (lon + 180.0) / 360.0 * n;
    let y = (1.0 - (lat.tan() + 1.0 / lat.cos()).ln() / PI) / 2.0 * n;
    (x, y)
}

pub const MAP_W: f64 = 640.0;
pub const MAP_H: f64 = 420.0;

/// The map of `pins`, zoomed to fit them, over tiles from `tiles` (`{z}/{x}/{y}`) if set.
/// `title` names the picture for screen readers. It is a group, not an image: each pin is a
/// link to its centre (named by its `<title>`); the page also lists the centres as text.
pub fn map(pins: &[Pin], tiles: Option<&str>, title: &str) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="centre-map" viewBox="0 0 {MAP_W} {MAP_H}" role="group" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(title)
    );
    out.push_str(r##"<rect width="100%" height="100%" fill="#eef3f7"/>"##);
    if pins.is_empty() {
        out.push_str("</svg>");
        return out;
    }
    let pad = 40.0;
    // The closest zoom that fits every pin, at most street level.
    let mut z = 16;
    let (mut cx, mut cy);
    loop {
        let pts: Vec<(f64, f64)> = pins.iter().map(|p| project(p.lat, p.lon, z)).collect();
        let (minx, maxx) = pts
            .iter()
            .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.0), a.1.max(p.0)));
        let (miny, maxy) = pts
            .iter()
            .fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.1), a.1.max(p.1)));
        cx = (minx + maxx) / 2.0;
        cy = (miny + maxy) / 2.0;
        if (maxx - minx <= MAP_W - 2.0 * pad && maxy - miny <= MAP_H - 2.0 * pad) || z <= 3 {
            break;
        }
        z -= 1;
    }
    if pins.len() == 1 {
        z = 13;
        let p = project(pins[0].lat, pins[0].lon, z);
        cx = p.0;
        cy = p.1;
    }
    let left = cx - MAP_W / 2.0;
    let top = cy - MAP_H / 2.0;
    if let Some(t) = tiles {
        let max = (1u32 << z) as i64;
        let (tx0, tx1) = (
            (left / 256.0).floor() as i64,
            ((left + MAP_W) / 256.0).floor() as i64,
        );
        let (ty0, ty1) = (
            (top / 256.0).floor() as i64,
            ((top + MAP_H) / 256.0).floor() as i64,
        );
        for ty in ty0.max(0)..=ty1.min(max - 1) {
            for tx in tx0..=tx1 {
                let wx = tx.rem_euclid(max);
                let url = t
                    .replace("{z}", &z.to_string())
                    .replace("{x}", &wx.to_string())
                    .replace("{y}", &ty.to_string());
                let _ = write!(
                    out,
                    r#"<image href="{}" x="{:.1}" y="{:.1}" width="256" height="256"/>"#,
                    esc(&url),
                    tx as f64 * 256.0 - left,
                    ty as f64 * 256.0 - top
                );
            }
        }
    }
    for p in pins {
        let (x, y) = project(p.lat, p.lon, z);
        let (x, y) = (x - left, y - top);
        let fill = if p.alert { "#b71918" } else { "#0066cc" };
        // Labels of pins on the right half run leftwards, so they stay inside the picture.
        let (tx, anchor) = if x > MAP_W * 0.55 {
            (x - 14.0, "end")
        } else {
            (x + 14.0, "start")
        };
        let _ = write!(
            out,
            r##"<a href="{href}"><title>{label}</title><circle cx="{x:.1}" cy="{y:.1}" r="10" fill="{fill}" stroke="#fff" stroke-width="3"/><text x="{tx:.1}" y="{ty:.1}" font-size="17" text-anchor="{anchor}" fill="#17324d" stroke="#fff" stroke-width="4" paint-order="stroke">{label}</text></a>"##,
            href = esc(&p.href),
            label = esc(p.label),
            ty = y + 5.0,
        );
    }
    out.push_str("</svg>");
    out
}

/// One day of a centre's occupancy.
pub struct Day {
    pub label: String,
    pub guests: i32,
}

/// Bars of guests per day (oldest left), with the capacity as a line; bars over it red.
pub fn occupancy(days: &[Day], capacity: Option<i32>, title: &str) -> String {
    let (w, h, pad_l, pad_b) = (600.0, 180.0, 36.0, 22.0);
    let top = days
        .iter()
        .map(|d| d.guests)
        .chain(capacity)
        .max()
        .unwrap_or(1)
        .max(1);
    let scale = (h - pad_b - 10.0) / f64::from(top);
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="occupancy-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(title)
    );
    let n = days.len().max(1) as f64;
    let bw = (w - pad_l) / n;
    for (i, d) in days.iter().enumerate() {
        let bh = f64::from(d.guests) * scale;
        let over = capacity.is_some_and(|c| d.guests > c);
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {}</title></rect>"##,
            pad_l + i as f64 * bw + 1.0,
            h - pad_b - bh,
            (bw - 2.0).max(1.0),
            bh,
            if over { "#b71918" } else { "#5c6f82" },
            esc(&d.label),
            d.guests
        );
    }
    if let Some(c) = capacity {
        let y = h - pad_b - f64::from(c) * scale;
        let _ = write!(
            out,
            r##"<line x1="{pad_l}" x2="{w}" y1="{y:.1}" y2="{y:.1}" stroke="#0066cc" stroke-width="2" stroke-dasharray="6 4"/><text x="2" y="{:.1}" font-size="12" fill="#0066cc">{c}</text>"##,
            y + 4.0
        );
    }
    let _ = write!(
        out,
        r##"<text x="2" y="{:.1}" font-size="12" fill="#17324d">0</text>"##,
        h - pad_b
    );
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        let _ = write!(
            out,
            r##"<text x="{pad_l}" y="{:.1}" font-size="12" fill="#17324d">{}</text><text x="{w}" y="{:.1}" font-size="12" fill="#17324d" text-anchor="end">{}</text>"##,
            h - 6.0,
            esc(&first.label),
            h - 6.0,
            esc(&last.label)
        );
    }
    out.push_str("</svg>");
    out
}

/// The reports' colours (Okabe–Ito: told apart with every kind of colour blindness); a
/// series keeps its colour on every chart.
pub const PALETTE: &[&str] = &[
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000",
];

/// Vertical bars, one per label (months), with the largest value marked on the axis.
/// `colour` is the series' colour; a bar without a value (a share of nothing) is left out.
/// An image with its title: the page puts the same figures in a table beside it.
pub fn bars(points: &[(String, Option<f64>)], title: &str, colour: &str) -> String {
    let (w, h, pad_l, pad_b) = (640.0, 200.0, 44.0, 24.0);
    let max = points
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let scale = (h - pad_b - 10.0) / max;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="report-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(title)
    );
    let n = points.len().max(1) as f64;
    let bw = (w - pad_l) / n;
    for (i, (label, v)) in points.iter().enumerate() {
        let Some(v) = v else { continue };
        let bh = v * scale;
        let _ = write!(
            out,
            r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {}</title></rect>"##,
            pad_l + i as f64 * bw + 1.0,
            h - pad_b - bh,
            (bw - 2.0).max(1.0),
            bh,
            esc(colour),
            esc(label),
            trim_number(*v)
        );
    }
    let _ = write!(
        out,
        r##"<text x="2" y="{:.1}" font-size="12" fill="#17324d">0</text><text x="2" y="14" font-size="12" fill="#17324d">{}</text>"##,
        h - pad_b,
        trim_number(max)
    );
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let _ = write!(
            out,
            r##"<text x="{pad_l}" y="{:.1}" font-size="12" fill="#17324d">{}</text><text x="{w}" y="{:.1}" font-size="12" fill="#17324d" text-anchor="end">{}</text>"##,
            h - 6.0,
            esc(&first.0),
            h - 6.0,
            esc(&last.0)
        );
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars for a breakdown: a label and its value on each line, largest first as
/// given, each value's bar in the colour its label always has.
pub fn hbars(rows: &[(String, f64)], title: &str) -> String {
    let (w, line, label_w) = (640.0, 22.0, 220.0);
    let h = line * rows.len().max(1) as f64 + 4.0;
    let max = rows
        .iter()
        .map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let scale = (w - label_w - 60.0) / max;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="report-chart" viewBox="0 0 {w} {h}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(title)
    );
    for (i, (label, v)) in rows.iter().enumerate() {
        let y = 2.0 + i as f64 * line;
        let short: String = label.chars().take(30).collect();
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="#17324d" text-anchor="end">{}</text><rect x="{label_w}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" font-size="12" fill="#17324d">{}</text>"##,
            label_w - 6.0,
            y + 15.0,
            esc(&short),
            y + 3.0,
            (v * scale).max(1.0),
            line - 6.0,
            colour_of(label),
            esc(label),
            trim_number(*v),
            label_w + v * scale + 4.0,
            y + 15.0,
            trim_number(*v)
        );
    }
    out.push_str("</svg>");
    out
}

/// The colour a label always gets (the same category the same colour on every chart).
pub fn colour_of(label: &str) -> &'static str {
    let h = label
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    PALETTE[h as usize % PALETTE.len()]
}

fn trim_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_escapes_labels_and_links_and_draws_tiles_only_when_configured() {
        let pins = [
            Pin {
                lat: 41.89,
                lon: 12.55,
                label: "CAS <Casilina>",
                href: "/centres/a".into(),
                alert: true,
            },
            Pin {
                lat: 41.77,
                lon: 12.24,
                label: "Tevere \"Nord\"",
                href: "/centres/b".into(),
                alert: false,
            },
        ];
        let bare = map(&pins, None, "Map");
        assert!(bare.contains("CAS &lt;Casilina&gt;"));
        assert!(bare.contains("Tevere &quot;Nord&quot;"));
        assert!(!bare.contains("<image"));
        let tiled = map(
            &pins,
            Some("https://tiles.example.org/{z}/{x}/{y}.png"),
            "Map",
        );
        assert!(tiled.contains(r#"<image href="https://tiles.example.org/"#));
        assert!(!tiled.contains("{z}"));
    }

    #[test]
    fn pins_fall_inside_the_picture() {
        let pins = [
            Pin {
                lat: 41.9,
                lon: 12.5,
                label: "a",
                href: "/".into(),
                alert: false,
            },
            Pin {
                lat: 45.46,
                lon: 9.19,
                label: "b",
                href: "/".into(),
                alert: false,
            },
        ];
        let svg = map(&pins, None, "m");
        for part in svg.split("<circle cx=\"").skip(1) {
            let x: f64 = part
                .split('"')
                .next()
                .unwrap_or("x")
                .parse()
                .unwrap_or(-1.0);
            assert!((0.0..=MAP_W).contains(&x), "{x}");
        }
    }

    #[test]
    fn report_charts_escape_labels_and_leave_out_bars_without_a_value() {
        let svg = bars(
            &[
                ("2026-01".into(), Some(3.0)),
                ("<b>".into(), None),
                ("2026-03".into(), Some(12.5)),
            ],
            "Chart \"x\"",
            PALETTE[0],
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("Chart &quot;x&quot;") && !svg.contains("<b>"));
        let h = hbars(&[("Egitto".into(), 4.0), ("<i>".into(), 2.0)], "t");
        assert!(h.contains("&lt;i&gt;") && !h.contains("<i>"));
        assert_eq!(colour_of("Egitto"), colour_of("Egitto"));
    }

    #[test]
    fn chart_marks_days_over_capacity() {
        let days = [
            Day {
                label: "2026-11-24".into(),
                guests: 50,
            },
            Day {
                label: "2026-11-25".into(),
                guests: 64,
            },
        ];
        let svg = occupancy(&days, Some(60), "Occupancy");
        assert_eq!(svg.matches("#b71918").count(), 1);
        assert!(svg.contains("stroke-dasharray"));
    }
}
