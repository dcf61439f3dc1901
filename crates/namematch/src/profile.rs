//! The comparison form of a person: everything normalised once, when the person is indexed,
//! so that scoring a candidate does no string processing beyond comparing prepared keys.

use std::collections::HashMap;
use std::sync::Arc;

use crate::birth::BirthDate;
use crate::hashing::hash_bytes;
use crate::normalise::normalise_with_script;
use crate::person::{IdKind, Person, Sex};
use crate::phonetic;
use crate::tokens::{self, Field, Tokens};
use crate::{country, ident};

/// A name token with its keys. Shared (interned) between all persons of an index that have it.
#[derive(Debug)]
pub(crate) struct TokenInfo {
    pub(crate) norm: Box<str>,
    pub(crate) light: Box<[u8]>,
    pub(crate) skeleton: Box<[u8]>,
    /// Hash of the light key with ambiguous symbols read one way (`J` as `g`): the
    /// frequency-table key, so that spellings of one name (Mohamed/Muhammad) share one count.
    pub(crate) weight_key: u64,
    /// Hash of the consonant skeleton (its first reading): the frequency-table key when two
    /// names in Arabic script are compared. It counts محمد with every Latin Mohamed (and
    /// Mahmoud), so that a name written in Arabic script weighs no more than the Latin names
    /// it may stand for.
    pub(crate) skeleton_weight_key: u64,
    /// The group of a common name that the phonetic keys would conflate with another one
    /// (see `distinct`); 0 for most tokens.
    pub(crate) distinct_group: u8,
    /// Hashes of `norm`, `light` and `skeleton`: equality tests compare these first.
    pub(crate) norm_hash: u64,
    pub(crate) light_hash: u64,
    pub(crate) skeleton_hash: u64,
    /// The key contains an ambiguous symbol (`J`, `TH`, `KH`), so hash inequality does not
    /// prove key inequality.
    pub(crate) ambiguous: bool,
    /// Which symbols occur in the light key (bit 0–25 for a–z, 26 for the ambiguous ones): a
    /// cheap filter
    /// before Jaro–Winkler.
    pub(crate) symbols: u32,
}

impl TokenInfo {
    fn new(norm: &str) -> Self {
        let k = phonetic::keys(norm);
        let resolved = phonetic::first_reading(&k.light);
        TokenInfo {
            norm: norm.into(),
            weight_key: hash_bytes(b'w', &resolved),
            skeleton_weight_key: hash_bytes(
                b'k',
                &phonetic::first_reading(if k.skeleton.is_empty() {
                    &k.light
                } else {
                    &k.skeleton
                }),
            ),
            distinct_group: crate::distinct::group(norm),
            norm_hash: hash_bytes(b'n', norm.as_bytes()),
            light_hash: hash_bytes(b'l', &k.light),
            skeleton_hash: hash_bytes(b's', &k.skeleton),
            ambiguous: k.light.iter().any(|&s| phonetic::is_ambiguous(s)),
            symbols: k.light.iter().fold(0u32, |acc, &s| acc | symbol_bit(s)),
            light: k.light.into_boxed_slice(),
            skeleton: k.skeleton.into_boxed_slice(),
        }
    }

    /// The frequency-table keys (spelling group, skeleton) of a token written in canonical
    /// form.
    pub(crate) fn for_weights(norm: &str) -> [u64; 2] {
        let t = TokenInfo::new(norm);
        [t.weight_key, t.skeleton_weight_key]
    }

    /// The blocking key material: the skeleton, or the light key for vowel-only names (Aya).
    pub(crate) fn block_key(&self) -> &[u8] {
        if self.skeleton.is_empty() {
            &self.light
        } else {
            &self.skeleton
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Tok {
    pub(crate) info: Arc<TokenInfo>,
    pub(crate) field: Field,
}

/// Where a reading of the name came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum VariantKind {
    Primary,
    Glued,
    Original,
    Alias,
}

#[derive(Clone, Debug)]
pub(crate) struct Variant {
    pub(crate) kind: VariantKind,
    /// Written in an abjad (Arabic script): only consonants are comparable.
    pub(crate) abjad: bool,
    /// Both given and family names were filled, so field order means something.
    pub(crate) fielded: bool,
    pub(crate) tokens: Vec<Tok>,
}

/// An original-script name, normalised: as written, and with its words sorted.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OriginalName {
    pub(crate) ordered: Box<str>,
    pub(crate) sorted: Box<str>,
}

#[derive(Debug)]
pub(crate) struct Profile {
    pub(crate) id: Box<str>,
    pub(crate) variants: Vec<Variant>,
    pub(crate) birth: Option<BirthDate>,
    pub(crate) sex: Option<Sex>,
    pub(crate) nationality: Option<&'static str>,
    pub(crate) identifiers: Vec<(IdKind, Box<str>)>,
    /// Normalised phones with their hashes (the frequency-table key).
    pub(crate) phones: Vec<(Box<str>, u64)>,
    /// The original-script name, normalised, in the order written and with its tokens sorted.
    /// The order matters: in an Arabic name the first word is the person's own name and the
    /// next one the father's, so محمد أحمد and أحمد محمد are usually two different people.
    pub(crate) original: Option<OriginalName>,
    /// Distinct token weight keys (spelling groups and skeletons, sorted), counted once per
    /// person in the frequency table.
    pub(crate) weight_keys: Vec<u64>,
    /// A hash of the name's consonant skeletons, sorted (see `name_signature`): how the
    /// frequency table tells the persons behind a phone number apart.
    pub(crate) name_signature: u64,
}

/// Where token infos come from: an index interns them; a query reuses interned ones when they
/// exist and makes fresh ones otherwise.
pub(crate) trait TokenSource {
    fn token(&mut self, norm: &str) -> Arc<TokenInfo>;
}

#[derive(Default)]
pub(crate) struct Interner {
    map: HashMap<Box<str>, Arc<TokenInfo>>,
}

impl TokenSource for Interner {
    fn token(&mut self, norm: &str) -> Arc<TokenInfo> {
        if let Some(t) = self.map.get(norm) {
            return Arc::clone(t);
        }
        let t = Arc::new(TokenInfo::new(norm));
        self.map.insert(norm.into(), Arc::clone(&t));
        t
    }
}

impl Interner {
    pub(crate) fn contains(&self, norm: &str) -> bool {
        self.map.contains_key(norm)
    }

    /// The interned tokens that begin with `prefix` (a scan of the distinct names, which are
    /// far fewer than the persons).
    pub(crate) fn starting_with<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a TokenInfo> + 'a {
        self.map
            .iter()
            .filter(move |(k, _)| k.starts_with(prefix))
            .map(|(_, v)| &**v)
    }
}

/// Read-only access to an interner, for queries against a shared index.
pub(crate) struct Lookup<'a>(pub(crate) Option<&'a Interner>);

impl TokenSource for Lookup<'_> {
    fn token(&mut self, norm: &str) -> Arc<TokenInfo> {
        match self.0.and_then(|i| i.map.get(norm)) {
            Some(t) => Arc::clone(t),
            None => Arc::new(TokenInfo::new(norm)),
        }
    }
}

/// At most this many readings of a name per person (primary, glued, original, aliases):
/// scoring compares every pair of readings.
const MAX_VARIANTS: usize = 6;

impl Profile {
    /// Every token of every reading (a name search compares spellings across all of them).
    pub(crate) fn all_tokens(&self) -> impl Iterator<Item = &Tok> {
        self.variants.iter().flat_map(|v| &v.tokens)
    }

    pub(crate) fn build(person: &Person, source: &mut dyn TokenSource) -> Profile {
        let mut variants: Vec<Variant> = Vec::new();

        let (given, given_abjad) = normalise_with_script(&person.given_names);
        let (family, family_abjad) = normalise_with_script(&person.family_name);
        let words: Vec<(&str, Field)> = words_of(&given, Field::Given)
            .chain(words_of(&family, Field::Family))
            .collect();
        let fielded = !given.is_empty() && !family.is_empty();
        push_readings(
            &mut variants,
            source,
            &words,
            VariantKind::Primary,
            given_abjad || family_abjad,
            fielded,
        );

        let mut original = None;
        if let Some(raw) = person.name_original.as_deref() {
            let (norm, abjad) = normalise_with_script(raw);
            let words: Vec<(&str, Field)> = words_of(&norm, Field::Whole).collect();
            push_readings(
                &mut variants,
                source,
                &words,
                VariantKind::Original,
                abjad,
                false,
            );
            // Only a name in another script says how the person writes it; a Latin one is
            // just another spelling.
            if !raw.is_ascii() && !norm.is_empty() {
                let mut words: Vec<&str> = norm.split(' ').collect();
                words.sort_unstable();
                let sorted = words.join(" ").into_boxed_str();
                original = Some(OriginalName {
                    sorted,
                    ordered: norm.into_boxed_str(),
                });
            }
        }
        for alias in &person.aliases {
            let (norm, abjad) = normalise_with_script(alias);
            let words: Vec<(&str, Field)> = words_of(&norm, Field::Whole).collect();
            push_readings(
                &mut variants,
                source,
                &words,
                VariantKind::Alias,
                abjad,
                false,
            );
        }
        variants.truncate(MAX_VARIANTS);

        let mut weight_keys: Vec<u64> = variants
            .iter()
            .flat_map(|v| {
                v.tokens
                    .iter()
                    .flat_map(|t| [t.info.weight_key, t.info.skeleton_weight_key])
            })
            .collect();
        weight_keys.sort_unstable();
        weight_keys.dedup();

        let name_signature = name_signature(variants.first());

        let mut identifiers: Vec<(IdKind, Box<str>)> = person
            .identifiers
            .iter()
            .filter_map(|(k, v)| ident::normalise_identifier(v).map(|v| (*k, v.into_boxed_str())))
            .collect();
        identifiers.sort();
        identifiers.dedup();

        let mut phones: Vec<(Box<str>, u64)> = person
            .phones
            .iter()
            .filter_map(|p| ident::normalise_phone(p))
            .map(|p| {
                let h = hash_bytes(b'p', p.as_bytes());
                (p.into_boxed_str(), h)
            })
            .collect();
        phones.sort();
        phones.dedup();

        Profile {
            id: person.id.as_str().into(),
            variants,
            birth: person.birth,
            sex: person.sex,
            nationality: person.nationality.as_deref().and_then(country::lookup),
            identifiers,
            phones,
            original,
            weight_keys,
            name_signature,
        }
    }
}

/// The sorted consonant skeletons of a reading (ambiguous symbols resolved), hashed. One
/// person's records mostly share it whatever the spelling (Rakibul/Rakibol, Hossain/Hussain,
/// محمد/Mohamed, swapped order), so counting distinct signatures behind a phone number
/// approximates counting the persons who gave it, which counting records does not: one
/// person registered five times is not a reception centre's phone.
fn name_signature(reading: Option<&Variant>) -> u64 {
    let Some(v) = reading else { return 0 };
    let mut keys: Vec<Vec<u8>> = v
        .tokens
        .iter()
        .map(|t| crate::phonetic::first_reading(t.info.block_key()))
        .collect();
    keys.sort_unstable();
    let mut h = crate::hashing::KeyHasher::new(b'S');
    for k in &keys {
        h.bytes(k);
    }
    h.finish()
}

fn symbol_bit(s: u8) -> u32 {
    match s {
        b'a'..=b'z' => 1 << (s - b'a'),
        _ => 1 << 26,
    }
}

fn words_of(norm: &str, field: Field) -> impl Iterator<Item = (&str, Field)> {
    norm.split(' ')
        .filter(|w| !w.is_empty())
        .map(move |w| (w, field))
}

fn push_readings(
    variants: &mut Vec<Variant>,
    source: &mut dyn TokenSource,
    words: &[(&str, Field)],
    kind: VariantKind,
    abjad: bool,
    fielded: bool,
) {
    if words.is_empty() {
        return;
    }
    let readings = tokens::readings(words);
    let mut add = |t: &Tokens, kind: VariantKind| {
        if t.words.is_empty() {
            return;
        }
        // A reading identical to one already present (an alias equal to the name) adds
        // nothing but comparison time.
        let same = |v: &Variant| {
            v.tokens.len() == t.words.len()
                && v.tokens
                    .iter()
                    .zip(&t.words)
                    .all(|(a, (b, _))| *a.info.norm == **b)
        };
        if variants.iter().any(same) {
            return;
        }
        let tokens = t
            .words
            .iter()
            .map(|(w, f)| Tok {
                info: source.token(w),
                field: *f,
            })
            .collect();
        variants.push(Variant {
            kind,
            abjad,
            fielded,
            tokens,
        });
    };
    add(&readings.primary, kind);
    if let Some(g) = &readings.glued {
        add(
            g,
            if kind == VariantKind::Primary {
                VariantKind::Glued
            } else {
                kind
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(p: &Person) -> Profile {
        Profile::build(p, &mut Lookup(None))
    }

    #[test]
    fn fields_and_readings() {
        let p = build(&Person::new("1", "Mohamed", "El Sayed"));
        assert_eq!(p.variants.len(), 2);
        assert_eq!(p.variants[0].kind, VariantKind::Primary);
        assert!(p.variants[0].fielded);
        let words: Vec<&str> = p.variants[1].tokens.iter().map(|t| &*t.info.norm).collect();
        assert_eq!(words, ["mohamed", "elsayed"]);
    }

    #[test]
    fn original_script_is_a_variant() {
        let p = build(&Person::new("1", "Mohamed", "Ahmed").with_original("محمد أحمد"));
        let orig = p.variants.iter().find(|v| v.kind == VariantKind::Original);
        assert!(orig.is_some_and(|v| v.abjad));
        let original = p.original.as_ref().map(|o| (&*o.ordered, &*o.sorted));
        assert_eq!(original, Some(("mhmd hmd", "hmd mhmd")));
    }

    #[test]
    fn identifiers_phones_and_nationality_are_normalised() {
        let p = build(
            &Person::new("1", "A", "B")
                .with_identifier(IdKind::Passport, "a 123-456")
                .with_identifier(IdKind::Cui, "n/a")
                .with_phone("333 1234567")
                .with_nationality("Egitto"),
        );
        assert_eq!(p.identifiers, vec![(IdKind::Passport, "A123456".into())]);
        assert_eq!(&*p.phones[0].0, "+393331234567");
        assert_eq!(p.nationality, Some("EG"));
    }

    #[test]
    fn duplicate_aliases_are_skipped() {
        let p = build(
            &Person::new("1", "Ali", "Omar")
                .with_alias("ALI OMAR")
                .with_alias("Omar Ali"),
        );
        assert_eq!(p.variants.len(), 2);
    }
}
