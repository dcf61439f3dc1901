//! Scoring: combine the evidence of every field into one score, a decision and the reasons.
//!
//! The model is Fellegi–Sunter: each field adds (agreement) or removes (disagreement) bits of
//! evidence, the log2 of how much likelier the observation is for one person than for two.
//! The total `T`, after a prior of −10 bits (most compared pairs are different people), goes
//! through the logistic function: `score = 1 / (1 + 2^-(T - 10))`. See the crate README for
//! the table of weights. Two rules sit on top:
//! - an identical identifier (CUI, codice fiscale, passport/document number) gives score 1;
//! - "Same" needs strong evidence besides the name: a phone shared by few, a full birth date
//!   or the same original-script name. Otherwise the score is held just below the "Same"
//!   threshold, with the reason `CommonNameOnly`: many different people share a name and a
//!   birth year (hundreds of Egyptian minors called Mohamed Ahmed born 2007), and even a name
//!   that looks rare in the register may be common in the country it comes from. The operator
//!   sees such pairs at the top of the "possible" list.

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

use crate::birth::{self, BirthAgreement};
use crate::names::{self, NameEvidence};
use crate::person::{IdKind, Sex};
use crate::profile::{Profile, VariantKind};
use crate::weights::Frequencies;

/// Evidence, in bits, that the prior has to overcome.
const PRIOR_BITS: f64 = 10.0;
const ORIGINAL_SCRIPT_BITS: f64 = 4.0;
const DATE_EQUAL_BITS: f64 = 9.0;
const DATE_SWAPPED_BITS: f64 = 3.0;
const YEAR_EQUAL_BITS: f64 = 2.0;
const YEAR_CLOSE_BITS: f64 = 1.0;
const SAME_YEAR_OTHER_DAY_BITS: f64 = -4.0;
const YEAR_CONFLICT_BITS: f64 = -8.0;
const SEX_EQUAL_BITS: f64 = 0.3;
const SEX_CONFLICT_BITS: f64 = -6.0;
const NATIONALITY_EQUAL_BITS: f64 = 1.0;
const NATIONALITY_CONFLICT_BITS: f64 = -2.5;
/// Below this, the agreeing name is common: say so in the reasons.
const COMMON_NAME_BITS: f64 = 10.0;

fn identifier_conflict_bits(kind: IdKind) -> f64 {
    match kind {
        // One fingerprint identifier per person: different CUIs are different people.
        IdKind::Cui => -12.0,
        // Codici fiscali get recomputed after a corrected birth date or name.
        IdKind::CodiceFiscale => -5.0,
        // People renew passports and hold several documents.
        IdKind::Passport | IdKind::Document => -1.5,
    }
}

/// Decision thresholds and search limits.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Config {
    /// Score from which a pair is the same person (default 0.95).
    pub same: f64,
    /// Score from which a pair is a possible match worth showing (default 0.1: two records
    /// sharing a common full name and a birth year are worth a look, not more).
    pub possible: f64,
    /// Posting lists longer than this are not read whole: name-pair lists fall back to
    /// name-pair-and-birth-year lists, others are skipped (default 1,000).
    pub max_block: usize,
    /// At most this many candidates are scored for one query (default 5,000).
    pub max_candidates: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            same: 0.95,
            possible: 0.1,
            max_block: 1_000,
            max_candidates: 5_000,
        }
    }
}

/// The verdict on a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Decision {
    Same,
    Possible,
    Different,
}

impl Decision {
    pub fn code(self) -> &'static str {
        match self {
            Decision::Same => "same",
            Decision::Possible => "possible",
            Decision::Different => "different",
        }
    }
}

/// Why a pair scored as it did. `code()` gives a stable snake_case id for translations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(Serialize, Deserialize),
    serde(rename_all = "snake_case")
)]
pub enum Reason {
    /// The same identifier of this kind (normalised).
    IdentifierEqual(IdKind),
    /// Both have identifiers of this kind, and none is shared.
    IdentifierConflict(IdKind),
    /// A phone number in common.
    PhoneEqual,
    /// The same phone, but shared by many records (a centre's or mediator's phone).
    PhoneShared,
    /// The same name, token for token.
    NameEqual,
    /// The same name in another spelling or script (Mohamed/Muhammad, محمد/Mohamed).
    NameTransliteration,
    /// Similar names (a typing slip, or spellings that only share consonants).
    NameSimilar,
    /// Part of the name agrees; one record has names the other lacks or contradicts.
    NamePartial,
    /// Given and family names are swapped between the records.
    NameOrderSwapped,
    /// The names have nothing in common.
    NameConflict,
    /// The agreement comes from an alias.
    AliasMatch,
    /// The same name written in the same original script.
    OriginalScriptEqual,
    /// The same full date of birth.
    BirthDateEqual,
    /// Full dates of birth with day and month swapped.
    BirthDaySwapped,
    /// The same birth year (one date is year-only or a 1 January placeholder).
    BirthYearEqual,
    /// Birth years within the tolerance of an estimated year.
    BirthYearClose,
    /// Birth dates that cannot belong to one person.
    BirthDateConflict,
    /// Different recorded sex.
    SexConflict,
    NationalityEqual,
    NationalityConflict,
    /// Only a common name (and perhaps a birth year) agrees: not enough for "Same".
    CommonNameOnly,
}

impl Reason {
    /// A stable machine code (`identifier_equal`, `name_transliteration`…). The identifier
    /// kind of `IdentifierEqual`/`IdentifierConflict` is in [`Reason::id_kind`].
    pub fn code(&self) -> &'static str {
        match self {
            Reason::IdentifierEqual(_) => "identifier_equal",
            Reason::IdentifierConflict(_) => "identifier_conflict",
            Reason::PhoneEqual => "phone_equal",
            Reason::PhoneShared => "phone_shared",
            Reason::NameEqual => "name_equal",
            Reason::NameTransliteration => "name_transliteration",
            Reason::NameSimilar => "name_similar",
            Reason::NamePartial => "name_partial",
            Reason::NameOrderSwapped => "name_order_swapped",
            Reason::NameConflict => "name_conflict",
            Reason::AliasMatch => "alias_match",
            Reason::OriginalScriptEqual => "original_script_equal",
            Reason::BirthDateEqual => "birth_date_equal",
            Reason::BirthDaySwapped => "birth_day_swapped",
            Reason::BirthYearEqual => "birth_year_equal",
            Reason::BirthYearClose => "birth_year_close",
            Reason::BirthDateConflict => "birth_date_conflict",
            Reason::SexConflict => "sex_conflict",
            Reason::NationalityEqual => "nationality_equal",
            Reason::NationalityConflict => "nationality_conflict",
            Reason::CommonNameOnly => "common_name_only",
        }
    }

    /// The identifier kind, for identifier reasons.
    pub fn id_kind(&self) -> Option<IdKind> {
        match self {
            Reason::IdentifierEqual(k) | Reason::IdentifierConflict(k) => Some(*k),
            _ => None,
        }
    }

    /// Whether the reason speaks against the pair being one person.
    pub fn is_against(&self) -> bool {
        matches!(
            self,
            Reason::IdentifierConflict(_)
                | Reason::NameConflict
                | Reason::BirthDateConflict
                | Reason::SexConflict
                | Reason::NationalityConflict
        )
    }
}

/// The result of comparing two persons.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(Serialize, Deserialize))]
pub struct Match {
    /// In [0, 1]; 1 for an identical identifier.
    pub score: f64,
    pub decision: Decision,
    /// Most important first: identifiers, phones, names, birth, sex, nationality.
    pub reasons: Vec<Reason>,
}

impl Match {
    pub fn has(&self, reason: Reason) -> bool {
        self.reasons.contains(&reason)
    }
}

/// Compare two prepared persons.
pub(crate) fn compare(a: &Profile, b: &Profile, freq: &Frequencies, config: &Config) -> Match {
    let mut reasons = Vec::new();
    let mut bits = 0.0;
    let mut strong = false;

    // Identifiers.
    let mut identifier_equal = false;
    for (ka, va) in &a.identifiers {
        for (kb, vb) in &b.identifiers {
            if ka.group() == kb.group() && va == vb {
                push_unique(&mut reasons, Reason::IdentifierEqual((*ka).min(*kb)));
                identifier_equal = true;
            }
        }
    }
    for kind in [
        IdKind::Cui,
        IdKind::CodiceFiscale,
        IdKind::Passport,
        IdKind::Document,
    ] {
        let has = |p: &Profile| p.identifiers.iter().any(|(k, _)| *k == kind);
        let shared_group = reasons
            .iter()
            .any(|r| matches!(r, Reason::IdentifierEqual(k) if k.group() == kind.group()));
        if has(a) && has(b) && !shared_group {
            reasons.push(Reason::IdentifierConflict(kind));
            bits += identifier_conflict_bits(kind);
        }
    }

    // Phones: the best shared number.
    let mut phone: Option<(f64, bool)> = None;
    for (pa, ha) in &a.phones {
        if b.phones.iter().any(|(pb, _)| pa == pb) {
            let (w, s) = freq.phone_bits(*ha);
            if phone.is_none_or(|(best, _)| w > best) {
                phone = Some((w, s));
            }
        }
    }
    if let Some((w, s)) = phone {
        bits += w;
        strong |= s;
        reasons.push(if s {
            Reason::PhoneEqual
        } else {
            Reason::PhoneShared
        });
    }

    // Names.
    let name = names::compare(a, b, freq);
    bits += name.bits;
    if let (Some(oa), Some(ob)) = (&a.original, &b.original)
        && oa == ob
    {
        bits += ORIGINAL_SCRIPT_BITS;
        strong = true;
        reasons.push(Reason::OriginalScriptEqual);
    }
    name_reasons(&name, &mut reasons);

    // Birth.
    if let (Some(ba), Some(bb)) = (&a.birth, &b.birth) {
        let (w, reason) = match birth::compare(ba, bb) {
            BirthAgreement::DateEqual => {
                strong = true;
                (DATE_EQUAL_BITS, Reason::BirthDateEqual)
            }
            BirthAgreement::DaySwapped => (DATE_SWAPPED_BITS, Reason::BirthDaySwapped),
            BirthAgreement::YearEqual => (YEAR_EQUAL_BITS, Reason::BirthYearEqual),
            BirthAgreement::YearClose => (YEAR_CLOSE_BITS, Reason::BirthYearClose),
            BirthAgreement::SameYearOtherDay => {
                (SAME_YEAR_OTHER_DAY_BITS, Reason::BirthDateConflict)
            }
            BirthAgreement::Conflict => (YEAR_CONFLICT_BITS, Reason::BirthDateConflict),
        };
        bits += w;
        reasons.push(reason);
    }

    // Sex.
    match (a.sex, b.sex) {
        (Some(x), Some(y)) if x != Sex::Other && y != Sex::Other => {
            if x == y {
                bits += SEX_EQUAL_BITS;
            } else {
                bits += SEX_CONFLICT_BITS;
                reasons.push(Reason::SexConflict);
            }
        }
        _ => {}
    }

    // Nationality.
    if let (Some(x), Some(y)) = (a.nationality, b.nationality) {
        if x == y {
            bits += NATIONALITY_EQUAL_BITS;
            reasons.push(Reason::NationalityEqual);
        } else {
            bits += NATIONALITY_CONFLICT_BITS;
            reasons.push(Reason::NationalityConflict);
        }
    }

    let mut score = 1.0 / (1.0 + (PRIOR_BITS - bits).exp2());
    if identifier_equal {
        score = 1.0;
    } else if score >= config.same && !strong {
        score = (config.same - 0.005).max(0.0);
        push_unique(&mut reasons, Reason::CommonNameOnly);
    }
    if !strong
        && !identifier_equal
        && name.agreeing() > 0
        && name.agreeing_weight < COMMON_NAME_BITS
        && score >= config.possible
    {
        push_unique(&mut reasons, Reason::CommonNameOnly);
    }
    let score = if score.is_finite() {
        score.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let decision = if score >= config.same {
        Decision::Same
    } else if score >= config.possible {
        Decision::Possible
    } else {
        Decision::Different
    };
    Match {
        score,
        decision,
        reasons,
    }
}

fn name_reasons(name: &NameEvidence, reasons: &mut Vec<Reason>) {
    let Some((ka, kb)) = name.kinds else { return };
    if name.agreeing() == 0 {
        reasons.push(Reason::NameConflict);
        return;
    }
    if name.all_exact() {
        reasons.push(Reason::NameEqual);
    } else {
        if name.transliteration > 0 {
            reasons.push(Reason::NameTransliteration);
        }
        if name.similar > 0 {
            reasons.push(Reason::NameSimilar);
        }
        if name.disagreements > 0 || name.extra > 0 {
            reasons.push(Reason::NamePartial);
        }
        if name.transliteration == 0
            && name.similar == 0
            && name.disagreements == 0
            && name.extra == 0
        {
            reasons.push(Reason::NameEqual);
        }
    }
    if name.swapped {
        reasons.push(Reason::NameOrderSwapped);
    }
    if ka == VariantKind::Alias || kb == VariantKind::Alias {
        reasons.push(Reason::AliasMatch);
    }
}

fn push_unique(reasons: &mut Vec<Reason>, r: Reason) {
    if !reasons.contains(&r) {
        reasons.push(r);
    }
}
