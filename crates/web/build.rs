//! Prepares the static files the binary embeds (`assets/`): each gets a name carrying a hash
//! of its content (`css/app.css` → `css/app.1a2b3c4d5e.css`), so browsers may keep it for a
//! year without asking again, and text files are compressed here once, at the strongest
//! settings (brotli 11, gzip 9), instead of at every request. Stylesheets' `url(...)`
//! references to other assets are rewritten to the hashed names, so a new font means a new
//! stylesheet name too. The generated table (`$OUT_DIR/assets_table.rs`) is included by
//! `src/assets.rs`.
//!
//! Not embedded: licence and version notes, the generator of the purged Bootstrap Italia
//! sheet and the full sheet it is made from, which no page uses.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

type BoxError = Box<dyn std::error::Error>;

/// Extensions of files that are served (anything else under `assets/` is documentation).
const SERVED: [&str; 6] = ["css", "js", "svg", "woff2", "png", "webmanifest"];
/// Text formats worth compressing (WOFF2 and PNG are compressed already).
const TEXT: [&str; 4] = ["css", "js", "svg", "webmanifest"];

fn main() -> Result<(), BoxError> {
    println!("cargo:rerun-if-changed=assets");
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("assets");
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("assets");
    std::fs::create_dir_all(&out)?;

    let mut files = Vec::new();
    walk(&root, &root, &mut files)?;
    // Fonts and images first: stylesheets refer to them by their hashed names.
    files.sort_by_key(|p| (p.ends_with(".css"), p.clone()));

    let mut hashed: BTreeMap<String, String> = BTreeMap::new();
    let mut table = String::from("&[\n");
    for rel in files {
        let mut data = std::fs::read(root.join(&rel))?;
        let ext = rel.rsplit('.').next().unwrap_or_default().to_string();
        if ext == "css" {
            data = rewrite_urls(&rel, &String::from_utf8(data)?, &hashed)?.into_bytes();
        }
        let digest = hex(&Sha256::digest(&data)[..5]);
        let name = match rel.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{digest}.{ext}"),
            None => format!("{rel}.{digest}"),
        };
        hashed.insert(rel.clone(), name.clone());
        let flat = name.replace('/', "__");
        std::fs::write(out.join(&flat), &data)?;
        let (br, gz) = if TEXT.contains(&ext.as_str()) {
            let br = brotli_of(&data)?;
            let gz = gzip_of(&data)?;
            std::fs::write(out.join(format!("{flat}.br")), &br)?;
            std::fs::write(out.join(format!("{flat}.gz")), &gz)?;
            (
                (br.len() < data.len()).then(|| format!("{flat}.br")),
                (gz.len() < data.len()).then(|| format!("{flat}.gz")),
            )
        } else {
            (None, None)
        };
        let include = |f: &Option<String>| match f {
            Some(f) => format!("Some(include_bytes!(concat!(env!(\"OUT_DIR\"), \"/assets/{f}\")))"),
            None => "None".to_string(),
        };
        writeln!(
            table,
            "    Asset {{ path: {rel:?}, hashed: {name:?}, digest: \"{digest}\", \
             mime: {mime:?}, raw: include_bytes!(concat!(env!(\"OUT_DIR\"), \"/assets/{flat}\")), \
             br: {br}, gz: {gz} }},",
            mime = mime(&ext),
            br = include(&br),
            gz = include(&gz),
        )?;
    }
    table.push(']');
    std::fs::write(
        PathBuf::from(std::env::var("OUT_DIR")?).join("assets_table.rs"),
        table,
    )?;
    Ok(())
}

/// Every served file under `dir`, as a path relative to `root` with `/` separators.
fn walk(root: &Path, dir: &Path, files: &mut Vec<String>) -> Result<(), BoxError> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            // The purge tool and its node_modules are for developers, not browsers.
            if name != "purge" && name != "node_modules" {
                walk(root, &path, files)?;
            }
            continue;
        }
        let ext = name.rsplit('.').next().unwrap_or_default();
        // The full Bootstrap Italia sheet is the purge's input; pages use the purged one.
        if !SERVED.contains(&ext) || name == "bootstrap-italia.min.css" || name == "sprites.svg" {
            continue;
        }
        let rel = path
            .strip_prefix(root)?
            .to_string_lossy()
            .replace('\\', "/");
        files.push(rel);
    }
    Ok(())
}

/// `url(...)` references to other embedded files, made absolute and hashed. References to
/// anything not embedded (data: URIs, unknown files) are left as they are.
fn rewrite_urls(
    css_path: &str,
    css: &str,
    hashed: &BTreeMap<String, String>,
) -> Result<String, BoxError> {
    let dir = css_path
        .rsplit_once('/')
        .map(|(d, _)| d)
        .unwrap_or_default();
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("url(") {
        let (before, after) = rest.split_at(at + 4);
        out.push_str(before);
        let Some(end) = after.find(')') else {
            rest = after;
            break;
        };
        let raw = after[..end].trim();
        let target = raw.trim_matches(|c| c == '"' || c == '\'');
        let (file, suffix) = match target.find(['?', '#']) {
            Some(i) => target.split_at(i),
            None => (target, ""),
        };
        match resolve(dir, file).and_then(|p| hashed.get(&p)) {
            Some(name) => {
                write!(out, "\"/assets/{name}{suffix}\"")?;
            }
            None => out.push_str(raw),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The embedded path a stylesheet's reference points at, if it points inside `assets/`.
fn resolve(dir: &str, file: &str) -> Option<String> {
    if file.starts_with("data:") || file.contains("://") {
        return None;
    }
    if let Some(abs) = file.strip_prefix("/assets/") {
        return Some(abs.to_string());
    }
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in file.split('/') {
        match seg {
            "." | "" => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn mime(ext: &str) -> &'static str {
    match ext {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "woff2" => "font/woff2",
        "png" => "image/png",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

fn brotli_of(data: &[u8]) -> Result<Vec<u8>, BoxError> {
    let mut out = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
        w.write_all(data)?;
    }
    Ok(out)
}

fn gzip_of(data: &[u8]) -> Result<Vec<u8>, BoxError> {
    let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    w.write_all(data)?;
    Ok(w.finish()?)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
