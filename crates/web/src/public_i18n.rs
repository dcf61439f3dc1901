//! Translations of the public pages, in every language of the programme
//! (`domain::languages`). Separate from the operators' messages: the public reads a short
//! set of plain texts, in many more languages. A message missing in a language falls back
//! to Italian, the source.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use unic_langid::LanguageIdentifier;

static_loader! {
    static PUBLIC = {
        locales: "./locales-public",
        fallback_language: "it",
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// Translator of the public pages for one language of `domain::languages::LANGUAGES`.
#[derive(Debug, Clone, Copy)]
pub struct PublicTr {
    pub lang: &'static str,
    pub rtl: bool,
}

impl PublicTr {
    /// The translator for a language code of the URL, if the portal is published in it.
    pub fn for_code(code: &str) -> Option<Self> {
        domain::languages::LANGUAGES
            .iter()
            .find(|l| l.0 == code)
            .map(|l| PublicTr {
                lang: l.0,
                rtl: l.2,
            })
    }

    fn id(&self) -> LanguageIdentifier {
        self.lang.parse().unwrap_or_default()
    }

    pub fn t(&self, id: &str) -> String {
        PUBLIC
            .try_lookup(&self.id(), id)
            .unwrap_or_else(|| id.to_string())
    }

    pub fn t1(&self, id: &str, name: &'static str, value: impl ToString) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_string()));
        PUBLIC
            .try_lookup_with_args(&self.id(), id, &args)
            .unwrap_or_else(|| id.to_string())
    }

    pub fn dir(&self) -> &'static str {
        if self.rtl { "rtl" } else { "ltr" }
    }
}

/// The public messages file of a language, for the completeness test.
pub fn source(code: &str) -> Option<&'static str> {
    Some(match code {
        "it" => include_str!("../locales-public/it/public.ftl"),
        "en" => include_str!("../locales-public/en/public.ftl"),
        "fr" => include_str!("../locales-public/fr/public.ftl"),
        "es" => include_str!("../locales-public/es/public.ftl"),
        "ar" => include_str!("../locales-public/ar/public.ftl"),
        "fa" => include_str!("../locales-public/fa/public.ftl"),
        "prs" => include_str!("../locales-public/prs/public.ftl"),
        "ps" => include_str!("../locales-public/ps/public.ftl"),
        "ur" => include_str!("../locales-public/ur/public.ftl"),
        "bn" => include_str!("../locales-public/bn/public.ftl"),
        "ti" => include_str!("../locales-public/ti/public.ftl"),
        "uk" => include_str!("../locales-public/uk/public.ftl"),
        "zh" => include_str!("../locales-public/zh/public.ftl"),
        "sq" => include_str!("../locales-public/sq/public.ftl"),
        "tl" => include_str!("../locales-public/tl/public.ftl"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_public_language_has_every_message_of_the_italian_source() {
        let ids = crate::i18n::message_ids(source("it").unwrap_or_default());
        assert!(ids.len() > 20);
        for (code, _, _) in domain::languages::LANGUAGES {
            let ftl = source(code).unwrap_or_else(|| panic!("no public messages for {code}"));
            let own = crate::i18n::message_ids(ftl);
            for id in &ids {
                assert!(own.contains(id), "{code} lacks {id}");
            }
        }
    }

    #[test]
    fn arabic_script_languages_read_right_to_left() {
        for code in ["ar", "fa", "prs", "ps", "ur"] {
            assert_eq!(PublicTr::for_code(code).map(|t| t.dir()), Some("rtl"));
        }
        assert_eq!(PublicTr::for_code("ti").map(|t| t.dir()), Some("ltr"));
        assert!(PublicTr::for_code("xx").is_none());
    }
}
