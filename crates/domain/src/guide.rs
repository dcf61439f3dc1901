//! The public "what do I need" guide: a few plain questions, asked one at a time, lead to a
//! procedure of the catalogue and to the notes that apply to this person (no passport,
//! under 18). Answers travel in the address (`?need=permit&permit=expiring…`), are never
//! stored, and identify nobody.
//!
//! Questions and answers are message ids of the public pages' translations, so the guide
//! reads the same in every language.

/// A question: its field in the address, its message id and its answers (value, message
/// id).
#[derive(Debug, PartialEq, Eq)]
pub struct Question {
    pub field: &'static str,
    pub prompt: &'static str,
    pub options: &'static [(&'static str, &'static str)],
}

const YES_NO: &[(&str, &str)] = &[("yes", "guide-yes"), ("no", "guide-no")];

pub const NEED: Question = Question {
    field: "need",
    prompt: "guide-q-need",
    options: &[
        ("permit", "guide-need-permit"),
        ("family", "guide-need-family"),
        ("citizenship", "guide-need-citizenship"),
        ("work", "guide-need-work"),
        ("digital", "guide-need-digital"),
    ],
};

pub const PERMIT: Question = Question {
    field: "permit",
    prompt: "guide-q-permit",
    options: &[
        ("none", "guide-permit-none"),
        ("expiring", "guide-permit-expiring"),
        ("change", "guide-permit-change"),
        ("longterm", "guide-permit-longterm"),
    ],
};

pub const MARRIED: Question = Question {
    field: "married",
    prompt: "guide-q-married",
    options: YES_NO,
};

pub const PASSPORT: Question = Question {
    field: "passport",
    prompt: "guide-q-passport",
    options: YES_NO,
};

pub const MINOR: Question = Question {
    field: "minor",
    prompt: "guide-q-minor",
    options: YES_NO,
};

/// The answers so far, as they come in the address (unknown values count as unanswered).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Answers {
    pub need: String,
    pub permit: String,
    pub married: String,
    pub passport: String,
    pub minor: String,
}

impl Answers {
    fn get(&self, field: &str) -> &str {
        match field {
            "need" => &self.need,
            "permit" => &self.permit,
            "married" => &self.married,
            "passport" => &self.passport,
            "minor" => &self.minor,
            _ => "",
        }
    }

    /// Whether `q` has one of its own answers.
    pub fn answered(&self, q: &Question) -> bool {
        let v = self.get(q.field);
        q.options.iter().any(|o| o.0 == v)
    }

    /// The questions this person is asked, in order: the second depends on the first.
    pub fn path(&self) -> Vec<&'static Question> {
        let mut path = vec![&NEED];
        match self.need.as_str() {
            "permit" => path.push(&PERMIT),
            "citizenship" => path.push(&MARRIED),
            _ => {}
        }
        path.push(&PASSPORT);
        path.push(&MINOR);
        path
    }

    /// The first question of the path still without a valid answer.
    pub fn next(&self) -> Option<&'static Question> {
        self.path().into_iter().find(|q| !self.answered(q))
    }

    /// Only the answers on this person's path, valid ones: what the result and the PDF
    /// links carry forward.
    pub fn cleaned(&self) -> Answers {
        let mut a = Answers::default();
        for q in self.path() {
            if self.answered(q) {
                let v = self.get(q.field).to_string();
                match q.field {
                    "need" => a.need = v,
                    "permit" => a.permit = v,
                    "married" => a.married = v,
                    "passport" => a.passport = v,
                    _ => a.minor = v,
                }
            }
        }
        a
    }
}

/// Where the answers lead: a procedure of the catalogue and the notes for this person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub procedure: &'static str,
    pub notes: Vec<&'static str>,
}

/// The outcome once every question on the path is answered.
pub fn outcome(a: &Answers) -> Option<Outcome> {
    if a.next().is_some() {
        return None;
    }
    let procedure = match (a.need.as_str(), a.permit.as_str(), a.married.as_str()) {
        ("permit", "none", _) => "permit_first",
        ("permit", "expiring", _) => "permit_renewal",
        ("permit", "change", _) => "permit_conversion",
        ("permit", _, _) => "eu_long_term",
        ("family", _, _) => "family_reunification",
        ("citizenship", _, "yes") => "citizenship_marriage",
        ("citizenship", _, _) => "citizenship_residence",
        ("work", _, _) => "work_clearance",
        _ => "digital_identity",
    };
    let mut notes = vec![];
    if a.passport == "no" {
        notes.push("guide-extra-passport");
    }
    if a.minor == "yes" {
        notes.push("guide-extra-minor");
    }
    Some(Outcome { procedure, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers(pairs: &[(&str, &str)]) -> Answers {
        let mut a = Answers::default();
        for (k, v) in pairs {
            let v = v.to_string();
            match *k {
                "need" => a.need = v,
                "permit" => a.permit = v,
                "married" => a.married = v,
                "passport" => a.passport = v,
                _ => a.minor = v,
            }
        }
        a
    }

    #[test]
    fn an_expiring_permit_leads_to_renewal_after_four_questions() {
        let mut a = Answers::default();
        assert_eq!(a.next(), Some(&NEED));
        a.need = "permit".into();
        assert_eq!(a.next(), Some(&PERMIT));
        a.permit = "expiring".into();
        assert_eq!(a.next(), Some(&PASSPORT));
        a.passport = "yes".into();
        assert_eq!(a.next(), Some(&MINOR));
        a.minor = "no".into();
        assert_eq!(
            outcome(&a),
            Some(Outcome {
                procedure: "permit_renewal",
                notes: vec![]
            })
        );
    }

    #[test]
    fn family_reunification_asks_no_second_question_and_notes_a_missing_passport() {
        let a = answers(&[("need", "family"), ("passport", "no"), ("minor", "no")]);
        let o = outcome(&a).unwrap();
        assert_eq!(o.procedure, "family_reunification");
        assert_eq!(o.notes, vec!["guide-extra-passport"]);
    }

    #[test]
    fn marriage_to_an_italian_leads_to_citizenship_by_marriage() {
        let base = [
            ("need", "citizenship"),
            ("passport", "yes"),
            ("minor", "no"),
        ];
        let mut yes = answers(&base);
        yes.married = "yes".into();
        assert_eq!(outcome(&yes).unwrap().procedure, "citizenship_marriage");
        let mut no = answers(&base);
        no.married = "no".into();
        assert_eq!(outcome(&no).unwrap().procedure, "citizenship_residence");
    }

    #[test]
    fn an_unknown_answer_is_asked_again_and_answers_off_the_path_are_dropped() {
        let a = answers(&[
            ("need", "permit"),
            ("permit", "<script>"),
            ("married", "yes"),
        ]);
        assert_eq!(a.next(), Some(&PERMIT));
        assert_eq!(a.cleaned(), answers(&[("need", "permit")]));
        assert!(outcome(&a).is_none());
    }

    #[test]
    fn every_outcome_is_a_procedure_of_the_seeded_catalogue() {
        let catalogue = [
            "permit_first",
            "permit_renewal",
            "permit_conversion",
            "eu_long_term",
            "family_reunification",
            "citizenship_marriage",
            "citizenship_residence",
            "work_clearance",
            "digital_identity",
        ];
        for need in NEED.options {
            for permit in PERMIT.options {
                for married in YES_NO {
                    let a = answers(&[
                        ("need", need.0),
                        ("permit", permit.0),
                        ("married", married.0),
                        ("passport", "yes"),
                        ("minor", "yes"),
                    ]);
                    let o = outcome(&a).unwrap();
                    assert!(catalogue.contains(&o.procedure), "{}", o.procedure);
                    assert_eq!(o.notes, vec!["guide-extra-minor"]);
                }
            }
        }
    }
}
