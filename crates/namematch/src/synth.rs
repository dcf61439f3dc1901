//! A deterministic synthetic population shaped like the programme's registers, for the
//! timing example and the index sanity test: many Egyptians and Bangladeshis with a few very
//! common names, birth years clustered on minors, many 1 January dates, shared centre phones,
//! and about 5% of records that re-register an earlier person with another spelling, swapped
//! names, a lost date or a missing identifier.
//!
//! Not for production: enabled by the `synth` feature (and in the crate's own tests).

use crate::{BirthDate, IdKind, Person, Sex};

/// SplitMix64: tiny, fast, good enough for test data, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }

    /// Skewed towards the start of the list (roughly Zipf): common names first.
    pub fn skewed<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let a = self.below(items.len());
        let b = self.below(items.len());
        let c = self.below(items.len());
        items[a.min(b).min(c)]
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const ARABIC_GIVEN: &[&str] = &[
    "Mohamed",
    "Ahmed",
    "Mahmoud",
    "Ali",
    "Mostafa",
    "Youssef",
    "Omar",
    "Ibrahim",
    "Hassan",
    "Khaled",
    "Abdelrahman",
    "Islam",
    "Hamza",
    "Karim",
    "Said",
    "Adel",
    "Amr",
    "Tarek",
    "Saad",
    "Walid",
    "Sherif",
    "Ayman",
    "Hossam",
    "Ramy",
    "Bilal",
    "Anas",
    "Ziad",
    "Yassin",
    "Marwan",
    "Seif",
    "Nour",
    "Gamal",
    "Ashraf",
    "Emad",
    "Fathy",
    "Hany",
    "Magdy",
    "Nabil",
    "Osama",
    "Reda",
    "Sameh",
    "Tamer",
    "Wael",
    "Yehia",
    "Zakaria",
    "Abdallah",
    "Ayoub",
    "Bassem",
    "Fares",
    "Hazem",
];
const BENGALI_GIVEN: &[&str] = &[
    "Md", "Mohammad", "Rakibul", "Shahin", "Rasel", "Sajib", "Rubel", "Hasan", "Arif", "Sohel",
    "Mamun", "Jahid", "Nayeem", "Tanvir", "Imran", "Shakil", "Rifat", "Sabbir", "Monir", "Alamgir",
];
const BENGALI_FAMILY: &[&str] = &[
    "Islam",
    "Hossain",
    "Ahmed",
    "Rahman",
    "Uddin",
    "Miah",
    "Alam",
    "Chowdhury",
    "Khan",
    "Sarker",
    "Sheikh",
    "Molla",
    "Biswas",
    "Talukder",
    "Bhuiyan",
];
const WEST_AFRICAN_GIVEN: &[&str] = &[
    "Mamadou",
    "Ibrahima",
    "Abdoulaye",
    "Ousmane",
    "Moussa",
    "Lamin",
    "Amadou",
    "Alhassane",
    "Sekou",
    "Modou",
    "Ebrima",
    "Bakary",
    "Souleymane",
    "Boubacar",
    "Fode",
    "Ismaila",
];
const WEST_AFRICAN_FAMILY: &[&str] = &[
    "Diallo",
    "Bah",
    "Barry",
    "Camara",
    "Sow",
    "Traore",
    "Jallow",
    "Ceesay",
    "Toure",
    "Kone",
    "Coulibaly",
    "Cisse",
    "Keita",
    "Sylla",
    "Conde",
    "Drammeh",
    "Touray",
    "Sanneh",
    "Fofana",
];
const HORN_GIVEN: &[&str] = &[
    "Yonas",
    "Filmon",
    "Tesfay",
    "Mussie",
    "Biniam",
    "Dawit",
    "Robel",
    "Samuel",
    "Abdi",
    "Abdirahman",
    "Mohamud",
    "Yusuf",
    "Hamid",
    "Ermias",
];
const HORN_FAMILY: &[&str] = &[
    "Tesfaye",
    "Ghebre",
    "Haile",
    "Tekle",
    "Kidane",
    "Hagos",
    "Berhane",
    "Mehari",
    "Farah",
    "Osman",
    "Abdullahi",
    "Warsame",
    "Ahmed",
];
const SYLLABLES: &[&str] = &[
    "ba", "ka", "ra", "mi", "lo", "su", "ne", "ta", "zi", "do", "fa", "ha", "ja", "ke", "ma", "no",
    "pe", "ri", "sa", "tu", "wa", "ya", "el", "am", "or", "in", "ud", "ab",
];
const COUNTRIES: &[(&str, u32)] = &[
    ("EG", 30),
    ("BD", 15),
    ("TN", 6),
    ("PK", 6),
    ("GM", 4),
    ("GN", 4),
    ("CI", 3),
    ("ML", 3),
    ("SN", 3),
    ("NG", 3),
    ("ER", 3),
    ("SO", 2),
    ("ET", 2),
    ("SD", 2),
    ("AF", 4),
    ("MA", 3),
    ("UA", 2),
    ("AL", 2),
    ("GE", 1),
    ("SY", 1),
    ("IQ", 1),
];

/// Spelling variants for re-registrations.
const SPELLINGS: &[&[&str]] = &[
    &["Mohamed", "Muhammad", "Mohammed", "Mohammad", "Md"],
    &["Ahmed", "Ahmad"],
    &["Mahmoud", "Mahmud"],
    &["Hossain", "Hussain", "Hossein"],
    &[
        "Abdelrahman",
        "Abdel Rahman",
        "Abdulrahman",
        "Abd al-Rahman",
    ],
    &["Youssef", "Yusuf", "Yousef"],
    &["Mostafa", "Mustafa"],
    &["Tesfay", "Tesfaye"],
    &["Khaled", "Khalid"],
    &["Omar", "Umar"],
    &["Ibrahim", "Ebrahim"],
    &["Hassan", "Hasan"],
    &["Sherif", "Cherif"],
    &["Gamal", "Jamal"],
];

fn respell(rng: &mut Rng, name: &str) -> String {
    name.split(' ')
        .map(|w| match SPELLINGS.iter().find(|s| s.contains(&w)) {
            Some(s) => rng.pick(s).to_owned(),
            None => w.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn rare_name(rng: &mut Rng) -> String {
    let n = 2 + rng.below(2);
    let mut s: String = (0..n).map(|_| rng.pick(SYLLABLES)).collect();
    if let Some(first) = s.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    s
}

fn country(rng: &mut Rng) -> &'static str {
    let total: u32 = COUNTRIES.iter().map(|(_, w)| w).sum();
    let mut x = rng.below(total as usize) as u32;
    for (c, w) in COUNTRIES {
        if x < *w {
            return c;
        }
        x -= w;
    }
    "EG"
}

fn fresh(rng: &mut Rng, id: usize, centre_phones: &[String]) -> Person {
    let nat = country(rng);
    let (given_pool, family_pool): (&[&str], &[&str]) = match nat {
        "BD" | "PK" => (BENGALI_GIVEN, BENGALI_FAMILY),
        "GM" | "GN" | "CI" | "ML" | "SN" | "NG" => (WEST_AFRICAN_GIVEN, WEST_AFRICAN_FAMILY),
        "ER" | "SO" | "ET" => (HORN_GIVEN, HORN_FAMILY),
        _ => (ARABIC_GIVEN, ARABIC_GIVEN),
    };
    let mut given = rng.skewed(given_pool).to_owned();
    if given == "Md" || rng.chance(0.2) {
        given = format!("{given} {}", rng.skewed(given_pool));
    }
    // Half the family names are drawn from the common pool, half are rarer.
    let family = if rng.chance(0.5) {
        let mut f = rng.skewed(family_pool).to_owned();
        if rng.chance(0.4) {
            f = format!("{f} {}", rng.skewed(family_pool));
        }
        f
    } else {
        rare_name(rng)
    };
    let mut p = Person::new(format!("p{id}"), given, family).with_nationality(nat);
    p.sex = Some(if rng.chance(0.85) {
        Sex::Male
    } else {
        Sex::Female
    });
    let year = if rng.chance(0.6) {
        2004 + rng.below(6) as u16
    } else {
        1970 + rng.below(35) as u16
    };
    let roll = rng.below(10);
    p.birth = match roll {
        0 => None,
        1..=4 => Some(BirthDate::year_only(year)),
        5 => Some(BirthDate::estimated(year)),
        _ => BirthDate::ymd(year, 1 + rng.below(12) as u8, 1 + rng.below(28) as u8).ok(),
    };
    if rng.chance(0.4) {
        p.identifiers.push((
            IdKind::Cui,
            format!("{:09}", rng.next_u64() % 1_000_000_000),
        ));
    }
    if rng.chance(0.2) {
        p.identifiers.push((
            IdKind::Passport,
            format!("A{:08}", rng.next_u64() % 100_000_000),
        ));
    }
    if rng.chance(0.4) {
        p.phones
            .push(format!("3{:09}", rng.next_u64() % 1_000_000_000));
    } else if rng.chance(0.05) && !centre_phones.is_empty() {
        p.phones
            .push(centre_phones[rng.below(centre_phones.len())].clone());
    }
    p
}

/// A re-registration of `p`: respelled, maybe swapped, maybe with less data.
pub fn variant_of(rng: &mut Rng, p: &Person, id: usize) -> Person {
    let mut q = p.clone();
    q.id = format!("p{id}");
    q.given_names = respell(rng, &p.given_names);
    q.family_name = respell(rng, &p.family_name);
    if rng.chance(0.2) {
        std::mem::swap(&mut q.given_names, &mut q.family_name);
    }
    if rng.chance(0.3) {
        q.birth = q.birth.map(|b| BirthDate::year_only(b.year));
    }
    if rng.chance(0.5) {
        q.identifiers.clear();
    }
    if rng.chance(0.5) {
        q.phones.clear();
    }
    q
}

/// `n` persons, about 5% of them re-registrations of earlier ones.
pub fn population(n: usize, seed: u64) -> Vec<Person> {
    population_with_truth(n, seed).0
}

/// Like [`population`], with the truth: for each person, the index of the earlier person it
/// re-registers (or `None`). Re-registrations of re-registrations point to their own source.
pub fn population_with_truth(n: usize, seed: u64) -> (Vec<Person>, Vec<Option<usize>>) {
    let mut rng = Rng::new(seed);
    let centre_phones: Vec<String> = (0..20).map(|i| format!("06 5{i:06}")).collect();
    let mut out: Vec<Person> = Vec::with_capacity(n);
    let mut truth = Vec::with_capacity(n);
    for id in 0..n {
        if id > 10 && rng.chance(0.05) {
            let src = rng.below(out.len());
            let p = variant_of(&mut rng, &out[src], id);
            out.push(p);
            truth.push(Some(src));
        } else {
            out.push(fresh(&mut rng, id, &centre_phones));
            truth.push(None);
        }
    }
    (out, truth)
}
