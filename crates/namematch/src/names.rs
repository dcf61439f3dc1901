//! Name comparison: align the tokens of two readings of a name and weigh the agreements.
//!
//! Each token of one reading is paired with at most one token of the other, choosing the
//! pairing that maximises the total evidence (an exact assignment: names have few tokens),
//! regardless of position and field, so swapped given/family names and names crammed into one
//! field align like any other. A token pair agrees at one of these levels:
//!
//! | level | test | value |
//! |---|---|---|
//! | exact | same normalised token | 1.0 |
//! | transliteration | same vowel-collapsed key (Mohamed/Muhammad) | 0.95 |
//! | script | same consonant skeleton, one side in Arabic script (محمد/Mohamed) | 0.9 |
//! | skeleton only | same skeleton, both Latin (Mohamd/Mohamed) | 0.5 |
//! | similar | Jaro–Winkler ≥ 0.9 on the keys (typing slips) | 0.3–0.8 |
//!
//! Common names that these keys would conflate although they are different names
//! (Mohamed/Mahmoud, Ahmed/Hamed, Said/Saad/Sayed…) never agree: see `distinct`.
//!
//! A pair's evidence is its value times the token's weight (`weights`: rarer names count
//! more); the reading's evidence is the sum, less 3.5 bits for each token left unpaired on
//! *both* sides (a name that disagrees), at most 8. Extra tokens on one side only (a
//! second given name, a grandfather's name) cost nothing: records often omit them. No
//! agreeing token at all is strong evidence against (−8 bits).

use crate::phonetic::keys_equal;
use crate::profile::{Profile, TokenInfo, Variant, VariantKind};
use crate::similarity::jaro_winkler;
use crate::tokens::Field;
use crate::weights::Frequencies;

const DISAGREE_BITS: f64 = 3.5;
/// Similar tokens that agree at least this much (a Latin skeleton match, a Bengali short form,
/// Jaro–Winkler from 0.94), or that are one typing slip apart, are one name; the others
/// (Koval / Kovalenko, Ebrima / Ebrahim) are look-alikes.
const FIRM_SIMILARITY: f64 = 0.5;
const MAX_DISAGREE_BITS: f64 = 8.0;
const NO_AGREEMENT_BITS: f64 = -8.0;

/// How a token pair agrees.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Level {
    Exact,
    Transliteration,
    Similar,
}

fn token_similarity(a: &TokenInfo, b: &TokenInfo, abjad: bool) -> Option<(f64, Level)> {
    // Hashes first: most token pairs differ, and comparing two u64 is cheaper than bytes.
    if a.norm_hash == b.norm_hash && a.norm == b.norm {
        return Some((1.0, Level::Exact));
    }
    if a.distinct_group != 0 && b.distinct_group != 0 && a.distinct_group != b.distinct_group {
        return None;
    }
    let maybe_ambiguous = a.ambiguous || b.ambiguous;
    if (maybe_ambiguous || a.light_hash == b.light_hash) && keys_equal(&a.light, &b.light) {
        return Some((0.95, Level::Transliteration));
    }
    if !a.skeleton.is_empty()
        && (maybe_ambiguous || a.skeleton_hash == b.skeleton_hash)
        && keys_equal(&a.skeleton, &b.skeleton)
    {
        return Some(if abjad {
            (0.9, Level::Transliteration)
        } else {
            (0.5, Level::Similar)
        });
    }
    // Bengali names built on an Arabic compound with the article ("-ul-", "-ur-": Rakib-ul-
    // Islam, Habib-ur-Rahman) are as often written without it: Rakibul/Rakib, Habibur/Habib,
    // Jannatul/Jannat. The same name, shortened.
    if short_form(&a.norm, &b.norm) || short_form(&b.norm, &a.norm) {
        return Some((SHORT_FORM, Level::Similar));
    }
    // An initial agrees a little with a name that starts with it (M. Ahmed).
    if (a.norm.len() == 1 && b.norm.starts_with(&*a.norm))
        || (b.norm.len() == 1 && a.norm.starts_with(&*b.norm))
    {
        return Some((0.3, Level::Similar));
    }
    // A typing slip in a word of five letters or more (or a letter replaced in one of four)
    // is the name mistyped, also where the phonetic keys are too short or too changed for
    // Jaro–Winkler (Fleet/Fleey, Hamza/Hanza, Webb/Webv).
    let typo = typing_slip(a, b, abjad).then_some((TYPO_SIMILARITY, Level::Similar));
    // Short keys make Jaro–Winkler generous (2 of 3 letters is 0.8): require longer keys.
    if a.light.len().min(b.light.len()) < 4 {
        return typo;
    }
    // A typing slip (one letter replaced, added or dropped) changes at most two symbols of
    // the set; more means a different name, and Jaro–Winkler need not run. Arabic script
    // lacks vowels, so there only the consonants are compared.
    let (ma, mb) = if abjad {
        (a.symbols & !VOWEL_BIT, b.symbols & !VOWEL_BIT)
    } else {
        (a.symbols, b.symbols)
    };
    if (ma ^ mb).count_ones() > 2 {
        return typo;
    }
    // Order the pair so that the result does not depend on which record is "a".
    let (x, y) = if a.light <= b.light { (a, b) } else { (b, a) };
    let mut jw = jaro_winkler(&x.light, &y.light);
    if abjad {
        jw = jw.max(jaro_winkler(&x.skeleton, &y.skeleton));
    }
    if jw >= 0.9 {
        let v = 0.3 + (jw - 0.9) * 5.0;
        return Some((typo.map_or(v, |(t, _)| v.max(t)), Level::Similar));
    }
    typo
}

/// Words from this length on are compared for typing slips letter by letter (one letter
/// shorter, only for a letter replaced): in shorter ones, and by a letter added to a word of
/// four, a slip makes another name (Ali/Ari, Sami/Samir, Amin/Amina).
const MIN_TYPO_LEN: usize = 5;
/// The agreement of two words one typing slip apart.
const TYPO_SIMILARITY: f64 = 0.5;

/// Whether two Latin words are one typing slip apart and long enough for that to mean the
/// same name.
fn typing_slip(a: &TokenInfo, b: &TokenInfo, abjad: bool) -> bool {
    let shorter = a.norm.len().min(b.norm.len());
    !abjad
        && (shorter >= MIN_TYPO_LEN
            || (shorter == MIN_TYPO_LEN - 1 && a.norm.len() == b.norm.len()))
        && within_one_edit(a.norm.as_bytes(), b.norm.as_bytes())
}

/// Whether two words are at most one typing slip apart: a letter replaced, added or dropped,
/// or two neighbours swapped (Amhed/Ahmed, Siddiui/Siddiqui).
pub(crate) fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let start = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if start == short.len() {
        return true;
    }
    if short.len() == long.len() {
        let rest = start + 1;
        // Replaced, or swapped with the next letter.
        short[rest..] == long[rest..]
            || (rest < short.len()
                && short[start] == long[rest]
                && short[rest] == long[start]
                && short[rest + 1..] == long[rest + 1..])
    } else {
        short[start..] == long[start + 1..]
    }
}

/// The agreement of a Bengali short form with the full name.
const SHORT_FORM: f64 = 0.6;

/// `long` is `short` followed by the article "ul" or "ur" (Rakibul, Rakib).
fn short_form(long: &str, short: &str) -> bool {
    short.len() >= 3
        && long.len() == short.len() + 2
        && long.starts_with(short)
        && (long.ends_with("ul") || long.ends_with("ur"))
}

const VOWEL_BIT: u32 = 1 << (crate::phonetic::VOWEL - b'a');

/// The evidence from the best-aligned pair of readings of two persons' names.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameEvidence {
    /// Total evidence in bits (negative when the names disagree).
    pub(crate) bits: f64,
    /// Token pairs that agree, by level.
    pub(crate) exact: u8,
    pub(crate) transliteration: u8,
    pub(crate) similar: u8,
    /// Of the `similar` pairs, those that agree only faintly (value under 0.5: Koval /
    /// Kovalenko share a prefix, Ben Ali / Ben Salah most letters): look-alikes, not one name.
    pub(crate) faint: u8,
    /// Tokens left unpaired on both sides (min of the two counts).
    pub(crate) disagreements: u8,
    /// Tokens left unpaired on one side only.
    pub(crate) extra: u8,
    /// Sum of the weights of the agreeing tokens, before scaling by level: how rare the
    /// shared name is.
    pub(crate) agreeing_weight: f64,
    /// Given names met family names (and the other way round) more than their own field.
    pub(crate) swapped: bool,
    /// Which readings gave the evidence.
    pub(crate) kinds: Option<(VariantKind, VariantKind)>,
}

impl NameEvidence {
    pub(crate) fn agreeing(&self) -> u8 {
        self.exact + self.transliteration + self.similar
    }

    /// Both names present and every token paired with an exact equal.
    pub(crate) fn all_exact(&self) -> bool {
        self.exact > 0
            && self.transliteration == 0
            && self.similar == 0
            && self.disagreements == 0
            && self.extra == 0
    }

    /// Some token agrees and none contradicts one of the other name: Viktoriia Marchenko /
    /// Viktoriia Kovalchuk share a name but are not one name. A name missing on one side (a
    /// second given name, the family name) is no contradiction; how much the agreeing part is
    /// worth is the score's business.
    pub(crate) fn agrees_throughout(&self) -> bool {
        self.disagreements == 0 && self.agreeing() > 0
    }

    /// Agrees throughout, and every agreement is firm (no faint look-alike among them): the
    /// same name, which an equal birth date needs (a phone number already singles out a
    /// person and only needs the name not to contradict it).
    pub(crate) fn full_agreement(&self) -> bool {
        self.faint == 0 && self.agrees_throughout()
    }
}

/// The name comparison of two persons: the evidence, and the readings to explain it with.
#[derive(Clone, Debug, Default)]
pub(crate) struct NameComparison {
    /// The best-aligned pair of readings: what the score uses.
    pub(crate) best: NameEvidence,
    /// What the reasons describe: the best pair of readings that involves the name as
    /// registered (not both original-script names), when it agrees at all. Two records
    /// both written خالد أحمد agree exactly on the script, but Khaled Ahmed / Khalid Ahmad
    /// is a transliteration, and the operator reads the Latin names.
    pub(crate) shown: NameEvidence,
}

/// Compare the names of two persons: every reading of one with every reading of the other,
/// keeping the best.
pub(crate) fn compare(a: &Profile, b: &Profile, freq: &Frequencies) -> NameComparison {
    let mut best: Option<NameEvidence> = None;
    let mut registered: Option<NameEvidence> = None;
    for va in &a.variants {
        for vb in &b.variants {
            let e = compare_variants(va, vb, freq);
            let both_original =
                va.kind == VariantKind::Original && vb.kind == VariantKind::Original;
            if !both_original && better(&e, registered.as_ref()) {
                registered = Some(e.clone());
            }
            if better(&e, best.as_ref()) {
                best = Some(e);
            }
        }
    }
    let best = best.unwrap_or_default();
    let shown = match registered {
        Some(r) if r.agreeing() > 0 => r,
        _ => best.clone(),
    };
    NameComparison { best, shown }
}

/// Whether `e` beats the current best. Ties go to the more natural pair of readings (primary
/// before alias), in an order that does not depend on which person is "a".
fn better(e: &NameEvidence, current: Option<&NameEvidence>) -> bool {
    let Some(cur) = current else { return true };
    let rank = |e: &NameEvidence| e.kinds.map(|(x, y)| if x <= y { (x, y) } else { (y, x) });
    e.bits > cur.bits + 1e-9 || ((e.bits - cur.bits).abs() <= 1e-9 && rank(e) < rank(cur))
}

const MAX_SIDE: usize = crate::tokens::MAX_TOKENS;

fn compare_variants(va: &Variant, vb: &Variant, freq: &Frequencies) -> NameEvidence {
    let (n, m) = (va.tokens.len().min(MAX_SIDE), vb.tokens.len().min(MAX_SIDE));
    let mut e = NameEvidence {
        kinds: Some((va.kind, vb.kind)),
        ..NameEvidence::default()
    };
    if n == 0 || m == 0 {
        return e;
    }
    let abjad = va.abjad || vb.abjad;
    let both_script = va.abjad && vb.abjad;
    // value[i][j]: evidence in bits if token i of a is paired with token j of b.
    let mut value = [[0.0f64; MAX_SIDE]; MAX_SIDE];
    let mut level = [[None::<Level>; MAX_SIDE]; MAX_SIDE];
    let mut weight = [[0.0f64; MAX_SIDE]; MAX_SIDE];
    let mut firm = [[false; MAX_SIDE]; MAX_SIDE];
    let mut any = false;
    for i in 0..n {
        let ta = &va.tokens[i].info;
        for j in 0..m {
            let tb = &vb.tokens[j].info;
            if let Some((s, l)) = token_similarity(ta, tb, abjad) {
                // Two names both in Arabic script are weighed as skeletons: محمد counts as
                // common as all the Mohameds it may stand for, not as rare as the few records
                // that carry it in script. Against a Latin spelling the lighter weight (the
                // Latin one) is taken anyway.
                let key = |t: &TokenInfo| {
                    if both_script {
                        t.skeleton_weight_key
                    } else {
                        t.weight_key
                    }
                };
                let w = freq.token_bits(key(ta)).min(freq.token_bits(key(tb)));
                value[i][j] = s * w;
                level[i][j] = Some(l);
                weight[i][j] = w;
                // A typing slip scores at least FIRM_SIMILARITY, so it is firm too.
                firm[i][j] = l != Level::Similar || s >= FIRM_SIMILARITY;
                any = true;
            }
        }
    }
    let pairs = if any {
        best_assignment(&value, n, m)
    } else {
        Vec::new()
    };

    let (mut same_field, mut cross_field) = (0u8, 0u8);
    let mut paired = 0usize;
    for (i, j) in pairs {
        let Some(l) = level[i][j] else { continue };
        paired += 1;
        e.bits += value[i][j];
        e.agreeing_weight += weight[i][j];
        match l {
            Level::Exact => e.exact += 1,
            Level::Transliteration => e.transliteration += 1,
            Level::Similar => {
                e.similar += 1;
                if !firm[i][j] {
                    e.faint += 1;
                }
            }
        }
        match (va.tokens[i].field, vb.tokens[j].field) {
            (Field::Given, Field::Given) | (Field::Family, Field::Family) => same_field += 1,
            (Field::Given, Field::Family) | (Field::Family, Field::Given) => cross_field += 1,
            _ => {}
        }
    }
    let (left_a, left_b) = (n - paired, m - paired);
    e.disagreements = left_a.min(left_b) as u8;
    e.extra = left_a.abs_diff(left_b) as u8;
    if paired == 0 {
        e.bits = NO_AGREEMENT_BITS;
    } else {
        e.bits -= (f64::from(e.disagreements) * DISAGREE_BITS).min(MAX_DISAGREE_BITS);
    }
    e.swapped = va.fielded && vb.fielded && cross_field > same_field;
    e
}

/// The pairing (at most one partner per token) with the largest total value. Pairs of
/// value 0 are never chosen.
fn best_assignment(value: &[[f64; MAX_SIDE]; MAX_SIDE], n: usize, m: usize) -> Vec<(usize, usize)> {
    if m > n {
        // The dynamic programme is exponential in the column count: use the shorter side.
        let mut t = [[0.0f64; MAX_SIDE]; MAX_SIDE];
        for (i, row) in value.iter().enumerate().take(n) {
            for (j, v) in row.iter().enumerate().take(m) {
                t[j][i] = *v;
            }
        }
        return best_assignment(&t, m, n)
            .into_iter()
            .map(|(j, i)| (i, j))
            .collect();
    }
    if m == 1 {
        // One column: its best row, if any agrees.
        let best = (0..n)
            .filter(|&i| value[i][0] > 0.0)
            .max_by(|&x, &y| value[x][0].total_cmp(&value[y][0]).then(y.cmp(&x)));
        return best.map(|i| vec![(i, 0)]).unwrap_or_default();
    }
    dynamic_assignment(value, n, m)
}

/// Exact assignment by dynamic programming over the subsets of the columns (m ≤ n, so at
/// most 2^8 subsets).
fn dynamic_assignment(
    value: &[[f64; MAX_SIDE]; MAX_SIDE],
    n: usize,
    m: usize,
) -> Vec<(usize, usize)> {
    let masks = 1usize << m;
    // best[i * masks + used]: the best total from rows i.. when `used` columns are taken.
    let mut small = [0.0f64; (MAX_SIDE + 1) * 16];
    let mut large = Vec::new();
    let best: &mut [f64] = if masks <= 16 {
        &mut small[..(n + 1) * masks]
    } else {
        large.resize((n + 1) * masks, 0.0);
        &mut large
    };
    for i in (0..n).rev() {
        for used in 0..masks {
            let mut v = best[(i + 1) * masks + used];
            for (j, &val) in value[i].iter().enumerate().take(m) {
                if val > 0.0 && used & (1 << j) == 0 {
                    v = v.max(val + best[(i + 1) * masks + (used | 1 << j)]);
                }
            }
            best[i * masks + used] = v;
        }
    }
    let mut pairs = Vec::with_capacity(m);
    let mut used = 0usize;
    for i in 0..n {
        let target = best[i * masks + used];
        if target == best[(i + 1) * masks + used] {
            continue;
        }
        for (j, &val) in value[i].iter().enumerate().take(m) {
            if val > 0.0
                && used & (1 << j) == 0
                && val + best[(i + 1) * masks + (used | 1 << j)] == target
            {
                pairs.push((i, j));
                used |= 1 << j;
                break;
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::person::Person;
    use crate::profile::Lookup;

    fn evidence(a: &Person, b: &Person) -> NameEvidence {
        let f = Frequencies::default();
        let pa = Profile::build(a, &mut Lookup(None));
        let pb = Profile::build(b, &mut Lookup(None));
        compare(&pa, &pb, &f).best
    }

    #[test]
    fn assignment_is_optimal_not_greedy() {
        let mut v = [[0.0; MAX_SIDE]; MAX_SIDE];
        // Greedy would take (0,0)=5 and then (1,1)=0; the best is (0,1)+(1,0)=8.
        v[0][0] = 5.0;
        v[0][1] = 4.0;
        v[1][0] = 4.0;
        let pairs = best_assignment(&v, 2, 2);
        assert_eq!(pairs, vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn swapped_order_is_detected() {
        let e = evidence(
            &Person::new("a", "Rakibul", "Islam"),
            &Person::new("b", "Islam", "Rakibul"),
        );
        assert!(e.swapped);
        assert_eq!(e.exact, 2);
        let e = evidence(
            &Person::new("a", "Rakibul", "Islam"),
            &Person::new("b", "Rakibul", "Islam"),
        );
        assert!(!e.swapped);
        assert!(e.all_exact());
    }

    #[test]
    fn different_names_are_negative() {
        let e = evidence(
            &Person::new("a", "Yonas", "Tekle"),
            &Person::new("b", "Fatima", "Zahra"),
        );
        assert!(e.bits < 0.0);
        assert_eq!(e.agreeing(), 0);
    }

    #[test]
    fn extra_names_cost_nothing_but_different_ones_do() {
        let full = evidence(
            &Person::new("a", "Mohamed Ahmed", "Ali"),
            &Person::new("b", "Mohamed", "Ali"),
        );
        assert_eq!(full.extra, 1);
        assert_eq!(full.disagreements, 0);
        let other = evidence(
            &Person::new("a", "Mohamed", "Hassan"),
            &Person::new("b", "Mohamed", "Ali"),
        );
        assert_eq!(other.disagreements, 1);
        assert!(other.bits < full.bits);
    }

    #[test]
    fn one_edit() {
        assert!(within_one_edit(b"amhed", b"ahmed"));
        assert!(within_one_edit(b"siddiui", b"siddiqui"));
        assert!(within_one_edit(b"marzouki", b"marzuki"));
        assert!(within_one_edit(b"hanza", b"hamza"));
        assert!(within_one_edit(b"ali", b"ali"));
        assert!(within_one_edit(b"", b"a"));
        assert!(!within_one_edit(b"koval", b"kovalenko"));
        assert!(!within_one_edit(b"ebrima", b"ebrahima"));
        assert!(!within_one_edit(b"abc", b"cba"));
    }

    #[test]
    fn full_agreement_needs_the_whole_name() {
        let full = |a: &str, b: &str| {
            evidence(&Person::new("a", "", a), &Person::new("b", "", b)).full_agreement()
        };
        assert!(full("Mohamed Ahmed Ali", "Muhammad Ahmad"));
        assert!(full("Sohrab", "Suhrab"));
        assert!(!full("Viktoriia Marchenko", "Viktoriia Kovalchuk"));
        assert!(full("Mohamed", "Mohamed Ahmed"));
        assert!(full("Sarah Fleet", "Sarah Fleey"));
        assert!(!full("Shafiq Noori", "Naweed Bilal Noori"));
        assert!(full("Hamza Marzouki", "Hamza Marzougui"));
        assert!(full("Md Rakibul Islam", "Rakib Islam"));
        assert!(full("Kareem Amhed Khaleel", "Kareem Ahmed Khalil"));
        assert!(!full("Tetiana Koval", "Tetiana Kovalenko"));
    }

    #[test]
    fn reasons_describe_the_registered_names_not_the_script() {
        let f = Frequencies::default();
        let pa = Profile::build(
            &Person::new("a", "Khaled", "Ahmed").with_original("خالد أحمد"),
            &mut Lookup(None),
        );
        let pb = Profile::build(
            &Person::new("b", "Khalid", "Ahmad").with_original("خالد أحمد"),
            &mut Lookup(None),
        );
        let c = compare(&pa, &pb, &f);
        assert!(c.best.all_exact());
        assert!(
            !c.shown.all_exact() && c.shown.transliteration == 2,
            "{c:?}"
        );
    }
}
