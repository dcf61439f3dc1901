//! Translations (Fluent). Italian is the operators' default and the fallback; English is
//! complete; Arabic covers the interface shell and is laid out right to left.

use std::borrow::Cow;
use std::collections::HashMap;

use domain::account::UiLang;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use unic_langid::LanguageIdentifier;

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "it",
        // Bidi isolation marks around placeables confuse copy-paste of codes and names;
        // the templates set `dir` where direction matters.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Translator for one language.
#[derive(Debug, Clone, Copy)]
pub struct Tr {
    pub lang: UiLang,
}

fn langid(lang: UiLang) -> LanguageIdentifier {
    lang.as_str()
        .parse()
        .unwrap_or_else(|_| LanguageIdentifier::default())
}

impl Tr {
    pub fn new(lang: UiLang) -> Self {
        Tr { lang }
    }

    /// The message `id`; falls back to Italian, then to the id itself (visible, not a crash).
    pub fn t(&self, id: &str) -> String {
        LOCALES
            .try_lookup(&langid(self.lang), id)
            .unwrap_or_else(|| id.to_string())
    }

    pub fn t1(&self, id: &str, name: &'static str, value: impl ToString) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_string()));
        LOCALES
            .try_lookup_with_args(&langid(self.lang), id, &args)
            .unwrap_or_else(|| id.to_string())
    }

    /// The message `id` with a number (plural forms select on it).
    pub fn tc(&self, id: &str, name: &'static str, n: i64) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(n));
        LOCALES
            .try_lookup_with_args(&langid(self.lang), id, &args)
            .unwrap_or_else(|| id.to_string())
    }

    /// The message `id` with several arguments.
    pub fn tn(&self, id: &str, args: &[(&'static str, String)]) -> String {
        let mut map: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        for (k, v) in args {
            map.insert(Cow::Borrowed(*k), FluentValue::from(v.clone()));
        }
        LOCALES
            .try_lookup_with_args(&langid(self.lang), id, &map)
            .unwrap_or_else(|| id.to_string())
    }

    /// Whether `id` exists in this very language (no fallback): for completeness tests.
    pub fn has_own(lang: UiLang, id: &str) -> bool {
        let ftl = match lang {
            UiLang::It => include_str!("../locales/it/main.ftl"),
            UiLang::En => include_str!("../locales/en/main.ftl"),
            UiLang::Ar => include_str!("../locales/ar/main.ftl"),
        };
        ftl.lines().any(|l| {
            l.strip_prefix(id)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
    }

    pub fn dir(&self) -> &'static str {
        if self.lang.is_rtl() { "rtl" } else { "ltr" }
    }
}

/// Message ids defined in a Fluent file (top-level messages only).
pub fn message_ids(ftl: &str) -> Vec<String> {
    ftl.lines()
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_string()))
        .collect()
}

/// Picks the language: explicit choice (cookie), then the browser's Accept-Language, then
/// Italian.
pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> UiLang {
    if let Some(l) = cookie.and_then(UiLang::parse) {
        return l;
    }
    if let Some(al) = accept_language {
        for part in al.split(',') {
            let tag = part.split(';').next().unwrap_or("").trim().to_lowercase();
            let primary = tag.split('-').next().unwrap_or("");
            if let Some(l) = UiLang::parse(primary) {
                return l;
            }
        }
    }
    UiLang::It
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_and_italian_define_every_message_the_other_has() {
        let it = message_ids(include_str!("../locales/it/main.ftl"));
        let en = message_ids(include_str!("../locales/en/main.ftl"));
        let missing_en: Vec<_> = it.iter().filter(|id| !en.contains(id)).collect();
        let missing_it: Vec<_> = en.iter().filter(|id| !it.contains(id)).collect();
        assert!(missing_en.is_empty(), "missing in en: {missing_en:?}");
        assert!(missing_it.is_empty(), "missing in it: {missing_it:?}");
    }

    #[test]
    fn every_error_code_has_a_message_in_each_operator_language() {
        for code in domain::error::ALL_CODES {
            for lang in [UiLang::It, UiLang::En] {
                assert!(Tr::has_own(lang, code), "{code} missing in {lang}");
            }
        }
    }

    #[test]
    fn arabic_messages_are_a_subset_of_italian_ones() {
        let it = message_ids(include_str!("../locales/it/main.ftl"));
        let ar = message_ids(include_str!("../locales/ar/main.ftl"));
        let stray: Vec<_> = ar.iter().filter(|id| !it.contains(id)).collect();
        assert!(stray.is_empty(), "unknown ids in ar: {stray:?}");
    }

    #[test]
    fn language_negotiation_prefers_the_cookie_then_the_browser() {
        assert_eq!(negotiate(Some("en"), Some("ar")), UiLang::En);
        assert_eq!(negotiate(None, Some("fr-FR,ar;q=0.8")), UiLang::Ar);
        assert_eq!(negotiate(None, Some("de")), UiLang::It);
        assert_eq!(negotiate(Some("xx"), None), UiLang::It);
    }

    #[test]
    fn lookup_falls_back_to_the_id_instead_of_failing() {
        assert_eq!(Tr::new(UiLang::En).t("no-such-message"), "no-such-message");
    }
}
