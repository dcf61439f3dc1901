//! The classes the templates write against the stylesheets that pages load: every class is
//! styled by some sheet (or is a named hook that a script or a test finds elements by), and
//! the purged Bootstrap Italia sheet still has every Bootstrap Italia class the templates use,
//! so forgetting to re-run `assets/vendor/bootstrap-italia/purge/purge.mjs` after a template
//! takes up a new one fails here rather than as an unstyled page.
//!
//! Plain string scanning, no HTML or CSS parser: a class attribute is `class="…"` in a template,
//! its parts written by askama (`{{ … }}`, `{% … %}`) skipped, since they are values that only a
//! running page knows; a sheet defines a class when one of its selectors names it as `.class`
//! outside any parenthesis (`.btn` in `:not(.btn)` selects nothing by that class).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Classes that no stylesheet defines on purpose: a script or a test finds elements by them.
/// Each one names who does. A class in neither a sheet nor this list is a mistake in a
/// template (a typo, or a name that was meant to be styled and never was).
const HOOKS: &[&str] = &[
    // tests/e2e/work.test.js reads who granted access from `main .access-via`.
    "access-via",
    // tests/e2e/network.test.js finds an action item in `ul.action-items li`.
    "action-items",
    // tests/e2e (people-and-cases, work, support/pages.js) follow `a.ask-access`;
    // crates/web/tests/app/work.rs checks the search result offers it.
    "ask-access",
    // assets/js/inspection.js writes the autosave status into `.autosave-msg`.
    "autosave-msg",
    // tests/e2e (case-records, offline, support/pages.js) read notes as `#notes .case-note`.
    "case-note",
    // tests/e2e/monitoring.test.js counts `#findings li.finding`.
    "finding",
    // tests/e2e/minors.test.js and support/pages.js read the hub's rows from `.hub-table`.
    "hub-table",
    // bench/load/load.mjs takes the people search's results from `<p class="match-name">`.
    "match-name",
    // tests/e2e/people-and-cases.test.js reads the owner of a possible match.
    "match-owner",
    // person_form.html itself: `hx-trigger="change from:.matchable"` asks for possible matches.
    "matchable",
    // tests/e2e/network.test.js and support/pages.js open a meeting from `ul.meetings a`.
    "meetings",
    // tests/e2e/minors.test.js reads placement offers as `#offers li.offer`.
    "offer",
    // bench/load/load.mjs, bench/pages/run.sh and profile.sh find a person's page by
    // `class="open-record"`.
    "open-record",
    // tests/e2e/service-pages.test.js waits for the marked changes in `.source-changes ins`.
    "source-changes",
    // tests/e2e/minors.test.js and work.test.js find a transfer request as `li.transfer`.
    "transfer",
    // Names that say what an element is, for whoever reads the markup (a screen-reader
    // user's tools, a tester, the next developer); they need no style of their own.
    "access-reason",
    "actions",
    "answer",
    "backlog",
    "card-form",
    "clash",
    "contact-form",
    "contact-person",
    "content-field",
    "content-form",
    "content-matrix",
    "content-source",
    "evidence-link",
    "hub-row",
    "inbox-done",
    "kb-entry",
    "match-why",
    "minutes",
    "notification-list",
    "pair",
    "protocol",
    "question",
    "referral-list",
    "referral-note",
    "state",
    "versions",
];

fn web() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The sheets that define classes for the templates: the purged Bootstrap Italia sheet and
/// app.css (operator pages), public.css (public pages).
fn sheets() -> Vec<PathBuf> {
    let assets = web().join("assets");
    vec![
        assets.join("vendor/bootstrap-italia/css/bootstrap-italia.purged.css"),
        assets.join("css/app.css"),
        assets.join("css/public.css"),
    ]
}

fn full_bootstrap_italia() -> PathBuf {
    web().join("assets/vendor/bootstrap-italia/css/bootstrap-italia.min.css")
}

/// Every `.html` file under `templates/`, as (path relative to crates/web, text).
fn templates() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
                .path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|x| x == "html") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&web().join("templates"), &mut paths);
    paths.sort();
    assert!(
        !paths.is_empty(),
        "no templates found under crates/web/templates"
    );
    paths
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(web()).unwrap_or(&p).display();
            let rel = format!("crates/web/{rel}");
            let text = read(&p);
            (rel, text)
        })
        .collect()
}

/// The text with askama comments `{# … #}` blanked out (kept as spaces, so offsets and line
/// numbers still hold).
fn without_askama_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{#") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("#}")
            .map_or(rest.len(), |e| start + e + 2);
        out.extend(
            rest[start..end]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' }),
        );
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The static class names of every `class="…"` attribute in a template, with the line each
/// attribute starts on. `{% … %}` tags separate names (`form-control{% if e %} is-invalid{% endif %}`
/// gives form-control and is-invalid); a name with a `{{ … }}` in it (`deadline-{{ d.state }}`) is
/// only known when the page is rendered and is left out.
fn template_classes(text: &str) -> Vec<(usize, String)> {
    let text = without_askama_comments(text);
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("class=") {
        let at = from + found;
        from = at + "class=".len();
        // An attribute: after white space, with a quoted value (not `data-class=`, not prose).
        let attribute = at > 0 && bytes[at - 1].is_ascii_whitespace();
        let quote = bytes.get(from).copied();
        if !attribute || !matches!(quote, Some(b'"' | b'\'')) {
            continue;
        }
        let quote = char::from(bytes[from]);
        let mut value = String::new();
        let mut i = from + 1;
        while i < text.len() {
            let rest = &text[i..];
            if rest.starts_with("{{") || rest.starts_with("{%") {
                let close = if rest.starts_with("{{") { "}}" } else { "%}" };
                let end = rest.find(close).map_or(text.len(), |e| i + e + 2);
                // An expression becomes part of the name it is glued to; a tag separates names.
                value.push_str(if close == "}}" { "{}" } else { " " });
                i = end;
                continue;
            }
            let Some(c) = rest.chars().next() else { break };
            if c == quote {
                break;
            }
            value.push(c);
            i += c.len_utf8();
        }
        let line = text[..at].matches('\n').count() + 1;
        for name in value.split_whitespace() {
            if !name.contains('{') && !name.contains('%') && !name.contains('}') {
                out.push((line, name.to_string()));
            }
        }
        from = i;
    }
    out
}

/// Each selector of a stylesheet (a list `a, b` gives two; at-rule preludes none), comments and
/// quoted strings left out.
fn selectors(css: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut chars = css.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            '"' | '\'' => {
                let mut escaped = false;
                for s in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if s == '\\' {
                        escaped = true;
                    } else if s == c {
                        break;
                    }
                }
                current.push_str("\"\"");
            }
            '{' => {
                let prelude = current.trim();
                if !prelude.is_empty() && !prelude.starts_with('@') {
                    out.extend(split_selector_list(prelude));
                }
                current.clear();
            }
            '}' | ';' => current.clear(),
            c => current.push(c),
        }
    }
    out
}

/// `a, b:is(c, d)` → `a`, `b:is(c, d)`.
fn split_selector_list(list: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in list.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(list[start..i].trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(list[start..].trim().to_string());
    parts.retain(|p| !p.is_empty());
    parts
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || !c.is_ascii()
}

/// The classes a selector selects by: every `.name` outside parentheses (so not those inside
/// `:not(…)` or `:has(…)`) and outside attribute brackets.
fn selector_classes(selector: &str) -> BTreeSet<String> {
    let mut classes = BTreeSet::new();
    let mut depth = 0usize;
    let mut chars = selector.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '\\' => {
                chars.next();
            }
            '.' if depth == 0 => {
                let rest = &selector[i + 1..];
                let len = rest.find(|c| !is_name_char(c)).unwrap_or(rest.len());
                let name = &rest[..len];
                // Not a number (`12.5%` in keyframes), nor an escaped name (left alone).
                let starts_well = name
                    .trim_start_matches('-')
                    .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_' || !c.is_ascii());
                if starts_well && !rest[len..].starts_with('\\') {
                    classes.insert(name.to_string());
                }
            }
            _ => {}
        }
    }
    classes
}

fn defined_classes(css: &str) -> BTreeSet<String> {
    selectors(css)
        .iter()
        .flat_map(|s| selector_classes(s))
        .collect()
}

/// Every static class any template uses, with where: class → ["templates/x.html:12", …].
fn classes_in_templates() -> BTreeMap<String, Vec<String>> {
    let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, text) in templates() {
        for (line, class) in template_classes(&text) {
            let places = used.entry(class).or_default();
            let place = format!("{path}:{line}");
            if !places.contains(&place) {
                places.push(place);
            }
        }
    }
    used
}

fn places(places: &[String]) -> String {
    const SHOWN: usize = 4;
    let mut s = places
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if places.len() > SHOWN {
        s.push_str(&format!(" and {} more", places.len() - SHOWN));
    }
    s
}

#[test]
fn every_class_a_template_uses_is_defined_by_a_stylesheet() {
    let defined: BTreeSet<String> = sheets()
        .iter()
        .flat_map(|p| defined_classes(&read(p)))
        .collect();
    let hooks: BTreeSet<&str> = HOOKS.iter().copied().collect();
    let undefined: Vec<String> = classes_in_templates()
        .into_iter()
        .filter(|(class, _)| !defined.contains(class) && !hooks.contains(class.as_str()))
        .map(|(class, at)| format!("  class \"{class}\" in {}", places(&at)))
        .collect();
    assert!(
        undefined.is_empty(),
        "templates use classes that no stylesheet (bootstrap-italia.purged.css, app.css, \
         public.css) defines:\n{}\nStyle them in app.css or public.css, drop them from the \
         template, or, if a script or a test finds elements by them, add them to HOOKS in \
         crates/web/tests/css_classes.rs saying who. A Bootstrap Italia class missing here may \
         be one the purged sheet lacks: see the stale-sheet test.",
        undefined.join("\n")
    );
}

#[test]
fn the_purged_sheet_has_every_bootstrap_italia_class_the_templates_use() {
    let used = classes_in_templates();
    let purged = defined_classes(&read(&sheets()[0]));
    // A class of the full sheet counts when one of its selectors could match on our pages as far
    // as classes go: every class the selector needs is one the templates use. (`.transfer` is in
    // the full sheet only as `.it-transfer-buttons a.transfer`; no page has it, so PurgeCSS rightly
    // drops it.)
    let mut missing: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for selector in selectors(&read(&full_bootstrap_italia())) {
        let needs = selector_classes(&selector);
        if needs.is_empty() || !needs.iter().all(|c| used.contains_key(c)) {
            continue;
        }
        for class in needs {
            if !purged.contains(&class) {
                missing.entry(class).or_default().push(selector.clone());
            }
        }
    }
    let report: Vec<String> = missing
        .iter()
        .map(|(class, sel)| {
            format!(
                "  class \"{class}\" (in {}; full sheet: `{}`)",
                places(&used[class]),
                sel[0]
            )
        })
        .collect();
    assert!(
        report.is_empty(),
        "bootstrap-italia.purged.css lacks Bootstrap Italia classes that templates use:\n{}\n\
         Run again: cd crates/web/assets/vendor/bootstrap-italia/purge && npm ci && node purge.mjs",
        report.join("\n")
    );
}

#[test]
fn every_hook_class_is_used_by_a_template_and_styled_by_no_sheet() {
    let used = classes_in_templates();
    let defined: BTreeSet<String> = sheets()
        .iter()
        .flat_map(|p| defined_classes(&read(p)))
        .collect();
    let stale: Vec<&str> = HOOKS
        .iter()
        .copied()
        .filter(|h| !used.contains_key(*h) || defined.contains(*h))
        .collect();
    assert!(
        stale.is_empty(),
        "HOOKS names classes that no template uses any more, or that a sheet now styles (so \
         they need no exception): {stale:?}"
    );
}

#[test]
fn the_scanners_read_what_templates_and_sheets_write() {
    let html = r#"<p class="a b{% if x %} c{% endif %}" data-class="z">{# class="gone" #}
<span class="deadline deadline-{{ d.state.as_str() }} {{ extra }}">
<a {% if n.active %} class="active"{% endif %} class='q'>"#;
    let got: Vec<(usize, String)> = template_classes(html);
    let want: Vec<(usize, String)> = [
        (1, "a"),
        (1, "b"),
        (1, "c"),
        (2, "deadline"),
        (3, "active"),
        (3, "q"),
    ]
    .into_iter()
    .map(|(l, c)| (l, c.to_string()))
    .collect();
    assert_eq!(got, want);

    let css = "/* .comment */ .a, p.b:not(.c) > .d[title=\".e\"]::after { x: url(\"f.g\") }\
               @media (min-width: 576px) { .h { y: .5rem } } @keyframes k { 12.5% { z: 1 } }";
    let got: Vec<String> = defined_classes(css).into_iter().collect();
    assert_eq!(got, ["a", "b", "d", "h"]);
    assert_eq!(
        selectors(css),
        [".a", "p.b:not(.c) > .d[title=\"\"]::after", ".h", "12.5%"]
    );
}
