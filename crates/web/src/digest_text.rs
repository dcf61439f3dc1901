//! The words of the daily digest e-mail, from the operators' Fluent messages, for the job
//! that sends it (`store::digest`). Kinds and counts only: no names, no free text.

use domain::account::UiLang;
use store::digest::Line;

use crate::i18n::Tr;

#[derive(Debug, Default)]
pub struct FluentText;

impl store::digest::Text for FluentText {
    fn compose(&self, lang: &str, name: &str, lines: &[Line], link: &str) -> (String, String) {
        let tr = Tr::new(UiLang::parse(lang).unwrap_or(UiLang::It));
        let total: usize = lines.iter().map(|l| l.count).sum();
        let subject = tr.tc("digest-subject", "count", total as i64);
        let mut body = format!(
            "{}\n\n{}\n\n",
            tr.t1("digest-greeting", "name", name),
            tr.t("digest-intro")
        );
        for l in lines {
            let kind = tr.t(&format!("digest-kind-{}", l.kind));
            let line = match l.first_due {
                Some(d) => tr.tn(
                    "digest-line-due",
                    &[
                        ("count", l.count.to_string()),
                        ("kind", kind),
                        ("date", d.format("%d/%m/%Y").to_string()),
                    ],
                ),
                None => tr.tn(
                    "digest-line",
                    &[("count", l.count.to_string()), ("kind", kind)],
                ),
            };
            body.push_str(&format!("- {line}\n"));
        }
        body.push_str(&format!(
            "\n{}\n{link}\n\n-- \n{}\n",
            tr.t("digest-open"),
            tr.t("digest-footer")
        ));
        (subject, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::digest::Text;

    #[test]
    fn a_digest_names_kinds_and_counts_in_the_readers_language() {
        let lines = vec![
            Line {
                kind: "access_request".into(),
                count: 1,
                first_due: None,
            },
            Line {
                kind: "task".into(),
                count: 2,
                first_due: chrono::NaiveDate::from_ymd_opt(2026, 12, 9),
            },
        ];
        let (subject, body) = FluentText.compose("it", "Luca", &lines, "https://x/inbox");
        assert_eq!(subject, "SPRInt: 3 cose ti aspettano");
        assert!(body.contains("Buongiorno Luca"));
        assert!(body.contains("1 × richieste di accesso da valutare"));
        assert!(body.contains("2 × compiti (la prima scade il 09/12/2026)"));
        assert!(body.contains("https://x/inbox"));
        let (subject, _) = FluentText.compose("en", "Luca", &lines, "https://x/inbox");
        assert_eq!(subject, "SPRInt: 3 things wait for you");
        let one = [Line {
            kind: "task".into(),
            count: 1,
            first_due: None,
        }];
        let (subject, body) = FluentText.compose("it", "Luca", &one, "https://x/inbox");
        assert_eq!(subject, "SPRInt: una cosa ti aspetta");
        assert!(body.contains("1 × compiti"));
    }
}
