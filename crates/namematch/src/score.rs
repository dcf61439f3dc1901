//! Scoring: combine the evidence of every field into one score, a decision and the reasons.
//!
//! The model is Fellegi–Sunter: each field adds (agreement) or removes (disagreement) bits of
//! evidence, the log2 of how much likelier the observation is for one person than for two.
//! The total `T`, after a prior of −10 bits (most compared pairs are different people), goes
//! through the logistic function: `score = 1 / (1 + 2^-(T - 10))`. See the crate README for
//! the table of weights. Two rules sit on top:
//! - an identical identifier (CUI, codice fiscale, passport/document number) gives score 1;
//! - otherwise "Same" needs strong evidence besides the name, and the name must agree
//!   throughout (no token contradicting one of the other name): a phone number given under
//!   few names (not a reception centre's), an equal full birth date (or the same date with
//!   day and month swapped) when the name is rare enough in the register that a namesake
//!   born the same day is unlikely, or a shared phone (a centre's) with the same birth year
//!   when the name is rare enough that another person of that name and year among the
//!   number's few users is unlikely. Birth years apart,
//!   another sex or another CUI rule strong evidence out. Without it the score is held just
//!   below the "Same" threshold: many different people share a name and a birth year
//!   (hundreds of Egyptian minors called Mohamed Ahmed born 2007), in a large register even a
//!   full date, and the same name written in the same original script says nothing more,
//!   since namesakes write it the same way. The operator sees such pairs at the top of the
//!   "possible" list, with the reason `CommonNameOnly` when a common name is all they share.

#[cfg(feature = "serde")]
use serde::{Deserialize, Serialize};

use crate::birth::{self, BirthAgreement};
use crate::blocking::{Census, namesakes_in_year};
use crate::names::{self, NameEvidence};
use crate::person::{IdKind, Sex};
use crate::profile::{Profile, VariantKind};
use crate::weights::Frequencies;

/// Evidence, in bits, that the prior has to overcome.
const PRIOR_BITS: f64 = 10.0;
/// The same name in the same original script: a confirmation, never strong evidence.
const ORIGINAL_SCRIPT_BITS: f64 = 0.5;
const DATE_EQUAL_BITS: f64 = 9.0;
const DATE_SWAPPED_BITS: f64 = 3.0;
const YEAR_EQUAL_BITS: f64 = 2.0;
const YEAR_CLOSE_BITS: f64 = 1.0;
const SAME_YEAR_OTHER_DAY_BITS: f64 = -4.0;
const YEAR_CONFLICT_BITS: f64 = -8.0;
/// Years one apart when neither date has a documented day.
const YEAR_NEAR_BITS: f64 = -3.0;
const SEX_EQUAL_BITS: f64 = 0.3;
const SEX_CONFLICT_BITS: f64 = -6.0;
const NATIONALITY_EQUAL_BITS: f64 = 1.0;
const NATIONALITY_CONFLICT_BITS: f64 = -2.5;
/// Days a birth date is spread over, for the chance that a namesake shares it.
const DAYS_PER_YEAR: f64 = 365.0;
/// The largest expected number of other persons with the same name born on the same day for
/// which an equal full date still makes the pair "Same": one chance in twenty (about 18 other
/// namesakes born the same year).
const MAX_NAMESAKES_ON_DATE: f64 = 0.05;
/// The largest expected number of other persons with the same name and birth year among
/// those who gave a shared phone number (a centre's), counted as if they were a random part
/// of the register, for which the number and the year make the pair "Same". One chance in
/// twenty as for a birth date, divided by ten: a centre houses people alike in nationality
/// and age, so namesakes gather on its number more than chance says.
const MAX_NAMESAKES_IN_GROUP: f64 = 0.005;
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
    /// A phone number in common, given under few names: a person's own.
    PhoneEqual,
    /// The same phone, but given under many names (a centre's or mediator's phone): no
    /// evidence of its own.
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
    /// The same name written in the same original script, in the same order. Supporting
    /// information only: namesakes write their name the same way too.
    OriginalScriptEqual,
    /// The same full date of birth.
    BirthDateEqual,
    /// Full dates of birth with day and month swapped.
    BirthDaySwapped,
    /// The same birth year (one date is year-only or a 1 January placeholder).
    BirthYearEqual,
    /// Birth years within the tolerance of an estimated year.
    BirthYearClose,
    /// Birth dates that disagree. Years apart (two or more, or one where a day is documented)
    /// rule out "Same" without an identifier. Undocumented years one apart (a declared age
    /// re-assessed, a 1 January placeholder moved) and another day of the same year (a typing
    /// slip) only count against.
    BirthDateConflict,
    /// Different recorded sex.
    SexConflict,
    NationalityEqual,
    NationalityConflict,
    /// The pair rests on a common name (with perhaps a birth year, or a full date that
    /// namesakes in the register share too): not enough for "Same".
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
pub(crate) fn compare(
    a: &Profile,
    b: &Profile,
    freq: &Frequencies,
    census: &dyn Census,
    config: &Config,
) -> Match {
    assess(a, b, freq, census, config).0
}

/// Compare two prepared persons, and say whether they can be one person at all: `false`
/// when something rules that out without an identifier (birth years apart, another sex,
/// another CUI, names with nothing in common). Deduplication uses it before joining two
/// records that are each the same person as a third.
pub(crate) fn assess(
    a: &Profile,
    b: &Profile,
    freq: &Frequencies,
    census: &dyn Census,
    config: &Config,
) -> (Match, bool) {
    let mut reasons = Vec::new();
    let mut bits = 0.0;

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
    let mut cui_conflict = false;
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
        if has(a) && has(b) && !shared_group && !one_slip_apart(a, b, kind) {
            reasons.push(Reason::IdentifierConflict(kind));
            bits += identifier_conflict_bits(kind);
            cui_conflict |= kind == IdKind::Cui;
        }
    }

    // Phones: the best shared number.
    let mut phone: Option<(f64, bool)> = None;
    // Of the shared numbers, the fewest records filed with one: the smallest group of
    // persons both records belong to.
    let mut group: Option<u32> = None;
    for (pa, ha) in &a.phones {
        if b.phones.iter().any(|(pb, _)| pa == pb) {
            let (w, s) = freq.phone_bits(*ha);
            if phone.is_none_or(|(best, _)| w > best) {
                phone = Some((w, s));
            }
            let records = freq.phone_records(*ha);
            if group.is_none_or(|g| records < g) {
                group = Some(records);
            }
        }
    }
    let personal_phone = phone.is_some_and(|(_, personal)| personal);
    if let Some((w, personal)) = phone {
        bits += w;
        reasons.push(if personal {
            Reason::PhoneEqual
        } else {
            Reason::PhoneShared
        });
    }

    // Names. The original-script name is one more reading of the name (compared with the
    // others in `names`). That both records write it identically adds little of its own: two
    // people with one name write it the same way too. It only confirms that the Latin
    // spellings stand for one name (not Hassan/Hussein, حسن/حسين, spelled alike).
    let names = names::compare(a, b, freq);
    let name = &names.best;
    bits += name.bits;
    let mut full_name = name.full_agreement();
    let mut same_name = name.agrees_throughout();
    if let (Some(oa), Some(ob)) = (&a.original, &b.original) {
        if oa.ordered == ob.ordered {
            bits += ORIGINAL_SCRIPT_BITS;
            reasons.push(Reason::OriginalScriptEqual);
        } else if oa.sorted == ob.sorted {
            // The same words in another order, written by the persons themselves: محمد أحمد
            // (Mohamed, son of Ahmed) and أحمد محمد (Ahmed, son of Mohamed) are two people.
            full_name = false;
            same_name = false;
        }
    }
    name_reasons(&names.shown, &mut reasons);
    let name_conflict = name.kinds.is_some() && name.agreeing() == 0;

    // Birth.
    let mut date_equal = false;
    let mut day_swapped = false;
    let mut same_year = false;
    let mut years_apart = false;
    if let (Some(ba), Some(bb)) = (&a.birth, &b.birth) {
        let (w, reason) = match birth::compare(ba, bb) {
            BirthAgreement::DateEqual => {
                date_equal = true;
                (DATE_EQUAL_BITS, Reason::BirthDateEqual)
            }
            BirthAgreement::DaySwapped => {
                day_swapped = true;
                (DATE_SWAPPED_BITS, Reason::BirthDaySwapped)
            }
            BirthAgreement::YearEqual => (YEAR_EQUAL_BITS, Reason::BirthYearEqual),
            BirthAgreement::YearClose => (YEAR_CLOSE_BITS, Reason::BirthYearClose),
            // Another day of the same year: a typing slip as often as another person. It
            // costs evidence, but does not rule out one person the way years apart do.
            BirthAgreement::SameYearOtherDay => {
                (SAME_YEAR_OTHER_DAY_BITS, Reason::BirthDateConflict)
            }
            // One year apart with no documented day on either side: both years are
            // declarations or age assessments (or their 1 January placeholders), which a
            // re-registration often moves by one. Evidence against, not proof.
            BirthAgreement::Conflict
                if !ba.is_exact() && !bb.is_exact() && ba.year.abs_diff(bb.year) == 1 =>
            {
                (YEAR_NEAR_BITS, Reason::BirthDateConflict)
            }
            BirthAgreement::Conflict => {
                years_apart = true;
                (YEAR_CONFLICT_BITS, Reason::BirthDateConflict)
            }
        };
        same_year = ba.year == bb.year;
        bits += w;
        reasons.push(reason);
    }

    // Sex.
    let mut sex_conflict = false;
    match (a.sex, b.sex) {
        (Some(x), Some(y)) if x != Sex::Other && y != Sex::Other => {
            if x == y {
                bits += SEX_EQUAL_BITS;
            } else {
                bits += SEX_CONFLICT_BITS;
                sex_conflict = true;
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

    // Strong evidence: what may make a pair "Same" without an identifier. A phone number
    // given under few names; an equal full birth date (or one with day and month swapped,
    // a typing slip of the same real date) when the name is rare enough that a namesake born
    // that day is unlikely; or a number shared by many (a reception centre's) with the same
    // birth year, when the name is rare enough that another person of that name and year
    // among the number's users is unlikely: the number narrows the register down to the few
    // persons who gave it, as a date narrows a year down to a day. Each needs the name to
    // agree throughout (a shared first name is a look-alike) and nothing that two records of
    // one person do not show: birth years apart, another sex, another CUI. The phone or date
    // and the name then tell one story. Anything less is a look-alike for the operator to
    // judge.
    let compatible = !years_apart && !sex_conflict && !cui_conflict;
    let personal = compatible && personal_phone && same_name;
    let dated = compatible && date_equal && full_name;
    let rare = dated && rare_on_date(a, b, census);
    let swapped = compatible && day_swapped && full_name && rare_on_date(a, b, census);
    let grouped = compatible
        && same_year
        && full_name
        && !personal_phone
        && name.agreeing_weight >= COMMON_NAME_BITS
        && group.is_some_and(|records| rare_in_group(a, b, records, freq.persons(), census));
    let strong = personal || rare || swapped || grouped;

    let mut score = 1.0 / (1.0 + (PRIOR_BITS - bits).exp2());
    let mut held = false;
    if identifier_equal {
        score = 1.0;
    } else if !strong && score > config.same - 0.005 {
        // Held below "Same", and so is anything between the hold and "Same": otherwise a
        // held pair (a record against itself) could rank below a weaker, unheld one.
        held = score >= config.same;
        score = (config.same - 0.005).max(0.0);
    }
    // Say that the pair rests on a common name when it does: a name (with perhaps a birth
    // year, or a full date that namesakes share too) and nothing that singles a person out.
    // Never next to an identifier or a personal phone, and never for names that disagree.
    let rests_on_name =
        !identifier_equal && !personal_phone && !name_conflict && name.agreeing() > 0;
    let common = if date_equal {
        held && dated && !rare
    } else {
        held || (name.agreeing_weight < COMMON_NAME_BITS && score >= config.possible)
    };
    if rests_on_name && common {
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
    let match_ = Match {
        score,
        decision,
        reasons,
    };
    (match_, compatible && !name_conflict)
}

/// Whether the two persons' identifiers of this kind include two that are one typing slip
/// apart (3061208 / 3061308, P9VSXJH / P9VSXJ5): more likely one number mistyped than two
/// documents, so neither an agreement nor a conflict.
fn one_slip_apart(a: &Profile, b: &Profile, kind: IdKind) -> bool {
    fn of_kind(p: &Profile, kind: IdKind) -> impl Iterator<Item = &[u8]> {
        p.identifiers
            .iter()
            .filter(move |(k, _)| *k == kind)
            .map(|(_, v)| v.as_bytes())
    }
    of_kind(a, kind).any(|x| {
        of_kind(b, kind)
            .any(|y| x.len().min(y.len()) >= MIN_SLIP_ID_LEN && names::within_one_edit(x, y))
    })
}

/// Identifiers from this length on are checked for typing slips (shorter ones are mostly
/// short sequential numbers, where one digit makes another document).
const MIN_SLIP_ID_LEN: usize = 6;

/// Whether the shared name is rare enough that an equal full birth date makes one person of
/// it. In a register of 100,000 with minors born in a few years, two different Mohamed Ahmed
/// born on the same day are to be expected: the index knows how many persons of the year
/// carry the name, and with a day of birth spread over the year, more than a few of them
/// make a namesake born the same day too likely (see `namesakes_in_year` for names that share
/// no pair of tokens).
fn rare_on_date(a: &Profile, b: &Profile, census: &dyn Census) -> bool {
    let Some(year) = a.birth.map(|d| d.year) else {
        return false;
    };
    namesakes_in_year(a, b, year, census).is_some_and(|n| {
        // The pair's own two records are among those filed.
        let others = n.saturating_sub(2) as f64;
        others / DAYS_PER_YEAR <= MAX_NAMESAKES_ON_DATE
    })
}

/// Whether the shared name is rare enough that a shared phone number and the same birth
/// year make one person of it. A number given under many names is a reception centre's or a
/// mediator's: the persons who gave it are a small part of the register (its records). Of
/// the persons born that year with the name, the expected number among them besides the pair
/// is their count times that part; above `MAX_NAMESAKES_IN_GROUP`, it is a look-alike. The
/// hundreds of Mohamed Ahmed born 2007 stay "Possible" even on one centre's number (their
/// name is common anyway, which rules the phone out before counting).
fn rare_in_group(
    a: &Profile,
    b: &Profile,
    records: u32,
    persons: u64,
    census: &dyn Census,
) -> bool {
    let Some(year) = a.birth.map(|d| d.year) else {
        return false;
    };
    namesakes_in_year(a, b, year, census).is_some_and(|n| {
        // The pair's own two records are among those filed, and among the number's records.
        let others = n.saturating_sub(2) as f64;
        let share = f64::from(records.saturating_sub(2)) / (persons.max(1) as f64);
        others * share <= MAX_NAMESAKES_IN_GROUP
    })
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
