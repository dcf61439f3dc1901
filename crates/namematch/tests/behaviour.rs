//! One test per behaviour the issue asks for, through the public API.
// Helpers outside #[test] functions are test code too (clippy.toml only covers the latter).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use namematch::{
    BirthDate, Config, Decision, IdKind, Index, Match, Person, Precision, Reason, Sex, compare,
    country, dedup, is_tcn, name_key, normalise_name, normalise_phone,
};

fn ymd(y: u16, m: u8, d: u8) -> BirthDate {
    BirthDate::ymd(y, m, d).expect("valid date")
}

fn person(id: &str, given: &str, family: &str) -> Person {
    Person::new(id, given, family)
}

fn show(m: &Match) -> String {
    format!("{:.3} {:?} {:?}", m.score, m.decision, m.reasons)
}

/// An index with some unrelated people, so that frequencies are not all priors.
fn background() -> Index {
    let mut index = Index::new();
    let names = [
        ("Mohamed", "Ahmed"),
        ("Mohamed", "Ali"),
        ("Mahmoud", "Hassan"),
        ("Ahmed", "Mostafa"),
        ("Youssef", "Ibrahim"),
        ("Omar", "Khaled"),
        ("Mamadou", "Diallo"),
        ("Yonas", "Tekle"),
        ("Md Shahin", "Hossain"),
        ("Olena", "Kovalenko"),
    ];
    for (i, (g, f)) in names.iter().enumerate() {
        index.insert(
            &person(&format!("bg{i}"), g, f).with_birth(BirthDate::year_only(2000 + i as u16)),
        );
    }
    index
}

// --- Transliteration variants ---------------------------------------------------------------

#[test]
fn mohamed_and_muhammad_are_the_same_name() {
    for v in [
        "Muhammad", "Mohammed", "Mohammad", "Mohamad", "Md", "MD.", "Mohd",
    ] {
        assert_eq!(name_key(v), name_key("Mohamed"), "{v}");
        let a = person("a", "Mohamed", "Rakibul").with_birth(ymd(2006, 3, 9));
        let b = person("b", v, "Rakibul").with_birth(ymd(2006, 3, 9));
        let m = compare(&a, &b);
        assert_eq!(m.decision, Decision::Same, "{v}: {}", show(&m));
        assert!(m.has(Reason::NameTransliteration), "{v}: {}", show(&m));
    }
}

#[test]
fn abdel_rahman_spellings_are_the_same_name() {
    let forms = [
        "Abdel Rahman",
        "Abdulrahman",
        "Abd al-Rahman",
        "Abdelrahman",
        "Abdurrahman",
        "Abd Ar-Rahman",
        "عبد الرحمن",
    ];
    for f in forms {
        assert_eq!(name_key(f), name_key("Abdel Rahman"), "{f}");
    }
    let a = person("a", "Abdel Rahman", "Saleh").with_birth(ymd(2007, 6, 1));
    let b = person("b", "Abd al-Rahman", "Saleh").with_birth(ymd(2007, 6, 1));
    assert_eq!(compare(&a, &b).decision, Decision::Same);
}

#[test]
fn hossain_hussain_hossein_are_the_same_name() {
    assert_eq!(name_key("Hossain"), name_key("Hussain"));
    assert_eq!(name_key("Hossein"), name_key("Hussain"));
    let a = person("a", "Shahin", "Hossain").with_birth(ymd(2005, 2, 17));
    let b = person("b", "Shahin", "Hussain").with_birth(ymd(2005, 2, 17));
    let m = compare(&a, &b);
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
    assert!(m.has(Reason::NameTransliteration));
}

#[test]
fn tesfay_and_tesfaye_are_the_same_name() {
    assert_eq!(name_key("Tesfay"), name_key("Tesfaye"));
    let a = person("a", "Filmon", "Tesfay").with_birth(ymd(2006, 9, 20));
    let b = person("b", "Filmon", "Tesfaye").with_birth(ymd(2006, 9, 20));
    assert_eq!(compare(&a, &b).decision, Decision::Same);
}

#[test]
fn mahmoud_is_not_mohamed() {
    let a = person("a", "Mohamed", "Saleh").with_birth(ymd(2006, 3, 9));
    let b = person("b", "Mahmoud", "Saleh").with_birth(ymd(2006, 3, 9));
    let m = compare(&a, &b);
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
    assert!(!m.has(Reason::NameTransliteration));
}

/// Two records of one person born on a documented day, with the given names: "Same", and
/// the name agreement is reported as a transliteration (or similar spelling).
fn assert_same_spelling(a: (&str, &str), b: (&str, &str)) {
    let x = person("x", a.0, a.1).with_birth(ymd(2004, 6, 17));
    let z = person("z", b.0, b.1).with_birth(ymd(2004, 6, 17));
    let m = compare(&x, &z);
    assert_eq!(m.decision, Decision::Same, "{a:?} / {b:?}: {}", show(&m));
    assert!(
        m.has(Reason::NameTransliteration) || m.has(Reason::NameSimilar),
        "{a:?} / {b:?}: {}",
        show(&m)
    );
    assert!(!m.has(Reason::NamePartial), "{a:?} / {b:?}: {}", show(&m));
}

#[test]
fn diallo_and_jallow_are_the_same_name() {
    assert_same_spelling(("Mamadou", "Diallo"), ("Mamadou", "Jallow"));
    assert_same_spelling(("Mamadou", "Diallo"), ("Mamadou", "Djallo"));
    assert_same_spelling(("Aliou", "Jalloh"), ("Aliou", "Diallo"));
    assert_same_spelling(("Modou", "Diatta"), ("Modou", "Jatta"));
}

#[test]
fn osman_and_othman_are_the_same_name() {
    assert_same_spelling(("Omar", "Ibrahim Othman"), ("Omar", "Ibrahim Osman"));
    assert_same_spelling(("Othman", "Ali"), ("Usman", "Ali"));
}

#[test]
fn more_transliteration_variants_are_the_same_name() {
    assert_same_spelling(("Jannat", "Akhter"), ("Jannat", "Akter"));
    assert_same_spelling(("Khadiatou", "Sangare"), ("Kadiatou", "Sangare"));
    assert_same_spelling(("Bakary", "Cisse"), ("Bakary", "Sise"));
    assert_same_spelling(("Bakary", "Ceesay"), ("Bakary", "Sise"));
    // Maghrebi "Med" for Mohamed.
    assert_same_spelling(("Med", "Chebbi"), ("Mohamed", "Chebbi"));
    // Bengali names with and without the "-ul-"/"-ur-" compound.
    assert_same_spelling(("Rakibul", "Islam"), ("Rakib", "Islam"));
    assert_same_spelling(("Habibur", "Rahman"), ("Habib", "Rahman"));
    // Tigrinya compounds written apart or joined.
    assert_same_spelling(("Saba", "Ghebre Mariam"), ("Saba", "Gebremariam"));
    // A typing slip in a consonant.
    assert_same_spelling(("Kareem", "Amhed Khaleel"), ("Kareem", "Ahmed Khalil"));
}

#[test]
fn md_rakibul_islam_finds_mohammad_rakibul_islam() {
    let mut index = background();
    index.insert(
        &person("r1", "Mohammad Rakibul", "Islam")
            .with_birth(BirthDate::year_only(2006))
            .with_nationality("BD"),
    );
    let q = person("", "Md Rakibul", "Islam")
        .with_birth(BirthDate::year_only(2006))
        .with_nationality("Bangladesh");
    let found = index.candidates(&q, 5);
    assert_eq!(
        found.first().map(|c| c.id.as_str()),
        Some("r1"),
        "{found:?}"
    );
    assert!(found[0].matched.has(Reason::NameTransliteration));
}

// --- Order, particles, diacritics, scripts ---------------------------------------------------

#[test]
fn swapped_name_order_still_matches() {
    let a = person("a", "Rakibul", "Islam").with_birth(ymd(2006, 11, 2));
    let b = person("b", "Islam", "Rakibul").with_birth(ymd(2006, 11, 2));
    let m = compare(&a, &b);
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
    assert!(m.has(Reason::NameOrderSwapped));
}

#[test]
fn all_names_in_one_field_still_match() {
    let a = person("a", "Yonas", "Tekle Haile").with_birth(ymd(2006, 4, 12));
    let b = person("b", "", "Tekle Haile Yonas").with_birth(ymd(2006, 4, 12));
    let m = compare(&a, &b);
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
    assert!(m.has(Reason::NameEqual));
}

#[test]
fn particles_are_ignored() {
    let pairs = [
        ("Mohamed El-Sayed", "Mohamed Sayed"),
        ("Mohamed El Sayed", "Mohamed Elsayed"),
        ("Ahmed Ould Abdallah", "Ahmed Abdallah"),
        ("Ali Bin Omar", "Ali Omar"),
        ("Ali Ben Omar", "Ali Ibn Omar"),
        ("Marco Di Stefano", "Marco Stefano"),
        ("Maria De La Cruz", "Maria Cruz"),
        ("Jan Van Dijk", "Jan Dijk"),
        ("Hassan Al-Masri", "Hassan Masri"),
    ];
    for (x, y) in pairs {
        let a = person("a", "", x).with_birth(ymd(2001, 7, 7));
        let b = person("b", "", y).with_birth(ymd(2001, 7, 7));
        let m = compare(&a, &b);
        assert_eq!(m.decision, Decision::Same, "{x} / {y}: {}", show(&m));
    }
}

#[test]
fn diacritics_do_not_matter() {
    assert_eq!(normalise_name("Özgür Çelik"), "ozgur celik");
    assert_eq!(normalise_name("Nuñez Pérez"), "nunez perez");
    let a = person("a", "Özgür", "Çelik").with_birth(ymd(1999, 5, 5));
    let b = person("b", "OZGUR", "CELIK").with_birth(ymd(1999, 5, 5));
    let m = compare(&a, &b);
    assert_eq!(m.decision, Decision::Same);
    assert!(m.has(Reason::NameEqual));
}

#[test]
fn arabic_script_matches_latin_spelling() {
    let a = person("a", "محمد", "أحمد").with_birth(ymd(2007, 8, 15));
    let b = person("b", "Mohamed", "Ahmed").with_birth(ymd(2007, 8, 15));
    let m = compare(&a, &b);
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
    assert!(m.has(Reason::NameTransliteration));
    // As the original-script name of a Latin record, too.
    let c = person("c", "Mohamed", "Ahmed")
        .with_original("محمد أحمد")
        .with_birth(ymd(2007, 8, 15));
    let d = person("d", "", "")
        .with_original("محمد أحمد")
        .with_birth(BirthDate::year_only(2007));
    let m = compare(&c, &d);
    assert!(m.has(Reason::OriginalScriptEqual), "{}", show(&m));
    let e = person("e", "Muhammad", "Ahmad").with_birth(BirthDate::year_only(2007));
    assert_ne!(compare(&d, &e).decision, Decision::Different);
}

#[test]
fn bengali_script_matches_latin_spelling() {
    let a = person("a", "রাকিবুল", "ইসলাম").with_birth(ymd(2006, 1, 30));
    let b = person("b", "Rakibul", "Islam").with_birth(ymd(2006, 1, 30));
    let m = compare(&a, &b);
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
    assert_eq!(
        name_key("মোহাম্মদ রাকিবুল ইসলাম"),
        name_key("Mohammad Rakibul Islam")
    );
}

#[test]
fn ethiopic_script_matches_latin_spelling() {
    assert_eq!(name_key("ተስፋዬ"), name_key("Tesfaye"));
}

#[test]
fn original_script_name_supports_the_name_but_is_not_strong_evidence() {
    // Same name in Arabic script on both records and a common Latin name with only a year:
    // the script confirms the spelling, but two Mohamed Ahmed write محمد أحمد alike too.
    let a = person("a", "Mohamed", "Ahmed")
        .with_original("محمد أحمد")
        .with_birth(BirthDate::year_only(2007));
    let b = person("b", "Mohammed", "Ahmad")
        .with_original("محمد أحمد")
        .with_birth(BirthDate::year_only(2007));
    let m = compare(&a, &b);
    assert!(m.has(Reason::OriginalScriptEqual));
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
    assert!(m.has(Reason::CommonNameOnly), "{}", show(&m));
    let c = person("c", "Mohammed", "Ahmad").with_birth(BirthDate::year_only(2007));
    assert!(m.score > compare(&a, &c).score);
}

#[test]
fn an_equal_original_script_name_does_not_override_a_birth_year_conflict() {
    let a = person("a", "Khaled", "Ahmed")
        .with_original("خالد أحمد")
        .with_birth(BirthDate::year_only(2009))
        .with_nationality("EG");
    let b = person("b", "Khalid", "Ahmad")
        .with_original("خالد أحمد")
        .with_birth(ymd(1993, 5, 26))
        .with_nationality("EG");
    let m = compare(&a, &b);
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
    assert!(m.has(Reason::BirthDateConflict), "{}", show(&m));
    // The reasons describe the Latin names, which are a transliteration, not equal.
    assert!(m.has(Reason::NameTransliteration), "{}", show(&m));
    assert!(!m.has(Reason::NameEqual), "{}", show(&m));
    let c = person("c", "Anastasiia", "Rudenko")
        .with_original("Анастасія Руденко")
        .with_birth(ymd(2018, 5, 12));
    let d = person("d", "Anastasiia", "Rudenko")
        .with_original("Анастасія Руденко")
        .with_birth(ymd(2014, 7, 13));
    let m = compare(&c, &d);
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
}

#[test]
fn original_script_names_in_another_order_are_two_people() {
    // أحمد محمد is Ahmed son of Mohamed; محمد أحمد is Mohamed son of Ahmed.
    let a = person("a", "Ahmad", "Mohamed")
        .with_original("أحمد محمد")
        .with_birth(ymd(2008, 3, 4));
    let b = person("b", "Mohamed", "Ahmed")
        .with_original("محمد أحمد")
        .with_birth(ymd(2008, 3, 4));
    let m = compare(&a, &b);
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
    assert!(!m.has(Reason::OriginalScriptEqual), "{}", show(&m));
    // Without the script, swapped Latin names are a registration slip and still match.
    let c = person("c", "Ahmad", "Mohamed").with_birth(ymd(2008, 3, 4));
    let d = person("d", "Mohamed", "Ahmed").with_birth(ymd(2008, 3, 4));
    assert_eq!(compare(&c, &d).decision, Decision::Same);
}

#[test]
fn aliases_are_compared() {
    let a = person("a", "Filmon", "Ghebremedhin")
        .with_alias("Filimon Gebremedin")
        .with_birth(BirthDate::year_only(2006));
    let b = person("b", "Filimon", "Gebremedin").with_birth(BirthDate::year_only(2006));
    let m = compare(&a, &b);
    assert!(m.has(Reason::AliasMatch), "{}", show(&m));
    assert!(m.has(Reason::NameEqual), "{}", show(&m));
}

// --- Birth dates ---------------------------------------------------------------------------------

#[test]
fn first_of_january_is_compared_on_the_year_only() {
    let jan1 = BirthDate::parse("2007-01-01").unwrap().unwrap();
    assert_eq!(jan1.precision, Precision::YearOnly);
    let a = person("a", "Yonas", "Tekle").with_birth(jan1);
    let b = person("b", "Yonas", "Tekle").with_birth(ymd(2007, 9, 14));
    let m = compare(&a, &b);
    assert!(m.has(Reason::BirthYearEqual), "{}", show(&m));
    assert!(!m.has(Reason::BirthDateConflict));
    // Two 1 January placeholders do not count as an equal full date.
    let c =
        person("c", "Yonas", "Tekle").with_birth(BirthDate::parse("01/01/2007").unwrap().unwrap());
    let m = compare(&a, &c);
    assert!(
        m.has(Reason::BirthYearEqual) && !m.has(Reason::BirthDateEqual),
        "{}",
        show(&m)
    );
    // A confirmed 1 January is a full date.
    let confirmed = BirthDate::parse_confirmed("2007-01-01").unwrap().unwrap();
    let d = person("d", "Yonas", "Tekle").with_birth(confirmed);
    let e = person("e", "Yonas", "Tekle").with_birth(confirmed);
    assert!(compare(&d, &e).has(Reason::BirthDateEqual));
}

#[test]
fn estimated_year_tolerates_one_year() {
    let a = person("a", "Yonas", "Tekle").with_birth(BirthDate::estimated(2007));
    let b = person("b", "Yonas", "Tekle").with_birth(BirthDate::year_only(2008));
    assert!(compare(&a, &b).has(Reason::BirthYearClose));
    let c = person("c", "Yonas", "Tekle").with_birth(BirthDate::year_only(2009));
    assert!(compare(&a, &c).has(Reason::BirthDateConflict));
    // Without an estimate, one year apart is a conflict.
    let d = person("d", "Yonas", "Tekle").with_birth(BirthDate::year_only(2007));
    assert!(compare(&d, &b).has(Reason::BirthDateConflict));
}

#[test]
fn different_full_dates_are_a_conflict() {
    let a = person("a", "Rakibul", "Islam").with_birth(ymd(2006, 3, 9));
    let b = person("b", "Rakibul", "Islam").with_birth(ymd(2004, 7, 21));
    let m = compare(&a, &b);
    assert!(m.has(Reason::BirthDateConflict));
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
    let c = person("c", "Rakibul", "Islam").with_birth(ymd(2006, 3, 9));
    assert!(compare(&a, &c).score > m.score + 0.4);
}

#[test]
fn day_and_month_swapped_is_a_slip_not_a_conflict() {
    let a = person("a", "Rakibul", "Islam").with_birth(ymd(2006, 3, 9));
    let b = person("b", "Rakibul", "Islam").with_birth(ymd(2006, 9, 3));
    let m = compare(&a, &b);
    assert!(m.has(Reason::BirthDaySwapped));
    assert_ne!(m.decision, Decision::Different);
}

#[test]
fn a_rare_name_with_day_and_month_swapped_is_the_same_person_a_common_one_is_not() {
    // 9 March written 3 September: a typing slip of one real date, which singles a person out
    // as an equal date does, when few namesakes are born that year.
    let index = background();
    let a = person("a", "Rakibul", "Islam").with_birth(ymd(2006, 3, 9));
    let b = person("b", "Rakibul", "Islam").with_birth(ymd(2006, 9, 3));
    let m = index.compare(&a, &b);
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
    assert!(m.has(Reason::BirthDaySwapped), "{}", show(&m));
    // Among 300 Mohamed Ahmed born 2007, a namesake born on either date is likely.
    let mut index = background();
    for i in 0..300u16 {
        index.insert(
            &person(&format!("m{i}"), "Mohamed", "Ahmed")
                .with_birth(ymd(2007, (i % 12 + 1) as u8, (i % 27 + 2) as u8))
                .with_nationality("EG"),
        );
    }
    let a = person("a", "Mohamed", "Ahmed")
        .with_birth(ymd(2007, 4, 2))
        .with_nationality("EG");
    let b = person("b", "Muhammad", "Ahmad")
        .with_birth(ymd(2007, 2, 4))
        .with_nationality("EG");
    let m = index.compare(&a, &b);
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
}

// --- Common names --------------------------------------------------------------------------------

#[test]
fn common_name_and_year_alone_is_not_the_same_person() {
    let mut index = background();
    for i in 0..300 {
        // Hundreds of Egyptians called Mohamed Ahmed born 2007.
        index.insert(
            &person(&format!("m{i}"), "Mohamed", "Ahmed")
                .with_birth(BirthDate::year_only(2007))
                .with_nationality("EG")
                .with_sex(Sex::Male),
        );
    }
    let q = person("q", "Muhammad", "Ahmad")
        .with_birth(BirthDate::parse("2007-01-01").unwrap().unwrap())
        .with_nationality("Egitto")
        .with_sex(Sex::Male);
    let found = index.candidates(&q, 500);
    assert!(!found.is_empty());
    for c in &found {
        assert_ne!(
            c.matched.decision,
            Decision::Same,
            "{}: {}",
            c.id,
            show(&c.matched)
        );
        assert!(
            c.matched.has(Reason::CommonNameOnly),
            "{}",
            show(&c.matched)
        );
    }
    // Even on an empty index (built-in frequencies only).
    let a = person("a", "Mohamed", "Ahmed")
        .with_birth(BirthDate::year_only(2007))
        .with_nationality("EG")
        .with_sex(Sex::Male);
    let b = person("b", "Mohamed", "Ahmed")
        .with_birth(BirthDate::year_only(2007))
        .with_nationality("EG")
        .with_sex(Sex::Male);
    let m = compare(&a, &b);
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
    assert!(m.has(Reason::CommonNameOnly));
}

#[test]
fn common_name_with_full_date_and_phone_is_the_same_person() {
    let a = person("a", "Mohamed", "Ahmed")
        .with_birth(ymd(2007, 4, 2))
        .with_phone("333 111 2222");
    let b = person("b", "Mohamed", "Ahmed")
        .with_birth(ymd(2007, 4, 2))
        .with_phone("+39 3331112222");
    let m = compare(&a, &b);
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
    assert!(m.has(Reason::PhoneEqual) && m.has(Reason::BirthDateEqual));
}

#[test]
fn rare_names_weigh_more_than_common_ones() {
    let index = background();
    let common = index.compare(
        &person("a", "Mohamed", "Ahmed").with_birth(BirthDate::year_only(2007)),
        &person("b", "Mohamed", "Ahmed").with_birth(BirthDate::year_only(2007)),
    );
    let rare = index.compare(
        &person("a", "Filmon", "Ghebremedhin").with_birth(BirthDate::year_only(2007)),
        &person("b", "Filmon", "Ghebremedhin").with_birth(BirthDate::year_only(2007)),
    );
    assert!(
        rare.score > common.score,
        "{} vs {}",
        show(&rare),
        show(&common)
    );
}

#[test]
fn two_different_mohamed_ahmed_born_2007_with_no_identifiers_are_possible_never_same() {
    // A register with hundreds of Egyptian minors called Mohamed Ahmed born in 2007, some
    // with their name in Arabic script, some with a documented day.
    let mut persons = Vec::new();
    for i in 0..400u16 {
        let given = ["Mohamed", "Muhammad", "Mohammed", "Mouhamed"][usize::from(i % 4)];
        let mut p = person(&format!("m{i}"), given, "Ahmed")
            .with_nationality("EG")
            .with_sex(Sex::Male);
        p = if i % 3 == 0 {
            p.with_birth(ymd(2007, (i % 12 + 1) as u8, (i % 28 + 1) as u8))
        } else {
            p.with_birth(BirthDate::year_only(2007))
        };
        if i % 5 == 0 {
            p = p.with_original("محمد أحمد");
        }
        persons.push(p);
    }
    let pairs = dedup(&persons, 0.1);
    assert!(!pairs.is_empty());
    for p in &pairs {
        assert_ne!(
            p.matched.decision,
            Decision::Same,
            "{} {}: {}",
            p.id_a,
            p.id_b,
            show(&p.matched)
        );
        assert!(
            p.matched.has(Reason::CommonNameOnly),
            "{}",
            show(&p.matched)
        );
    }
}

#[test]
fn a_common_name_with_a_full_date_is_the_same_person_only_when_namesakes_are_few() {
    // 2007-04-02 for two new records; the register has 300 Mohamed Ahmed born in 2007.
    let mut index = background();
    for i in 0..300u16 {
        index.insert(
            &person(&format!("m{i}"), "Mohamed", "Ahmed")
                .with_birth(ymd(2007, (i % 12 + 1) as u8, (i % 27 + 2) as u8))
                .with_nationality("EG"),
        );
    }
    let a = person("a", "Mohamed", "Ahmed")
        .with_birth(ymd(2007, 4, 2))
        .with_nationality("EG");
    let b = person("b", "Muhammad", "Ahmad")
        .with_birth(ymd(2007, 4, 2))
        .with_nationality("Egitto");
    let m = index.compare(&a, &b);
    assert_eq!(m.decision, Decision::Possible, "{}", show(&m));
    assert!(
        m.has(Reason::BirthDateEqual) && m.has(Reason::CommonNameOnly),
        "{}",
        show(&m)
    );
    // The same pair in a register where the name is rare, or with a phone of their own.
    assert_eq!(background().compare(&a, &b).decision, Decision::Same);
    let m = index.compare(&a.with_phone("333 111 2222"), &b.with_phone("3331112222"));
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
    assert!(!m.has(Reason::CommonNameOnly), "{}", show(&m));
}

#[test]
fn a_full_date_and_one_shared_name_is_not_the_same_person() {
    for (a, b, date) in [
        (
            ("Viktoriia", "Marchenko"),
            ("Viktoriia", "Kovalchuk"),
            (1998, 11, 11),
        ),
        (
            ("Mariya", "Lysenko"),
            ("Anastasiia", "Lysenko"),
            (1956, 1, 14),
        ),
        (
            ("Ebrima Momodou", "Ceesay"),
            ("Ibrahima", "Kouasi"),
            (2007, 7, 5),
        ),
        (
            ("Shafiq", "Noori"),
            ("Naweed Bilal", "Noori"),
            (2007, 3, 17),
        ),
        (("Mohamed", ""), ("Mohamed", "Ahmed"), (2006, 9, 12)),
    ] {
        let (y, mo, d) = date;
        let x = person("x", a.0, a.1).with_birth(ymd(y, mo, d));
        let z = person("z", b.0, b.1).with_birth(ymd(y, mo, d));
        let m = compare(&x, &z);
        assert_ne!(m.decision, Decision::Same, "{a:?} / {b:?}: {}", show(&m));
        assert!(!m.has(Reason::CommonNameOnly), "{}", show(&m));
    }
}

// --- Identifiers, phones, sex, nationality -------------------------------------------------------

#[test]
fn exact_passport_match_always_surfaces() {
    let mut index = background();
    index
        .insert(&person("x", "Mahmoud", "Hassan").with_identifier(IdKind::Passport, "A12 345-678"));
    // Different spelling, swapped, no date: the passport decides.
    let q = person("q", "Hasan", "Mahmud Ali").with_identifier(IdKind::Passport, "a12345678");
    let found = index.candidates(&q, 1);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "x");
    assert_eq!(found[0].matched.score, 1.0);
    assert_eq!(found[0].matched.decision, Decision::Same);
    assert!(
        found[0]
            .matched
            .has(Reason::IdentifierEqual(IdKind::Passport))
    );
    // Even with a totally different name.
    let q = person("q", "Yonas", "Tekle").with_identifier(IdKind::Document, "A12345678");
    let found = index.candidates(&q, 5);
    assert_eq!(found[0].id, "x");
    assert_eq!(found[0].matched.score, 1.0);
}

#[test]
fn exact_cui_and_codice_fiscale_matches_surface() {
    for kind in [IdKind::Cui, IdKind::CodiceFiscale] {
        let a = person("a", "Ali", "Omar").with_identifier(kind, "RSS MRA 85T10 A562S");
        let b = person("b", "Omar", "Ali").with_identifier(kind, "rssmra85t10a562s");
        let m = compare(&a, &b);
        assert_eq!(m.score, 1.0);
        assert!(m.has(Reason::IdentifierEqual(kind)));
    }
}

#[test]
fn different_cui_is_strong_evidence_against() {
    let a = person("a", "Rakibul", "Islam")
        .with_birth(ymd(2006, 3, 9))
        .with_identifier(IdKind::Cui, "111122223");
    let b = person("b", "Rakibul", "Islam")
        .with_birth(ymd(2006, 3, 9))
        .with_identifier(IdKind::Cui, "999988887");
    let m = compare(&a, &b);
    assert!(m.has(Reason::IdentifierConflict(IdKind::Cui)));
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
}

#[test]
fn phone_numbers_are_normalised_and_strong() {
    assert_eq!(
        normalise_phone("333 1234567"),
        normalise_phone("0039 333-123-4567")
    );
    assert_eq!(
        normalise_phone("+39 333 1234567"),
        normalise_phone("3331234567")
    );
    let a = person("a", "Sajib", "Sarker")
        .with_phone("333 1234567")
        .with_birth(BirthDate::year_only(2006));
    let b = person("b", "Sajeeb", "Sarkar")
        .with_phone("0039 3331234567")
        .with_birth(BirthDate::year_only(2006));
    let m = compare(&a, &b);
    assert!(m.has(Reason::PhoneEqual), "{}", show(&m));
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
}

#[test]
fn a_phone_shared_by_many_is_weak() {
    let mut index = Index::new();
    for i in 0..30 {
        index.insert(&person(&format!("g{i}"), "Guest", &format!("N{i}")).with_phone("06 5551234"));
    }
    let m = index.compare(
        &person("a", "Yonas", "Tekle").with_phone("06 5551234"),
        &person("b", "Mamadou", "Diallo").with_phone("+39 06 5551234"),
    );
    assert!(m.has(Reason::PhoneShared), "{}", show(&m));
    assert_eq!(m.decision, Decision::Different);
}

#[test]
fn a_phone_shared_by_30_records_is_not_evidence() {
    // A reception centre's number, given by 30 different people.
    let mut index = background();
    let names = [
        "Rakibul", "Yonas", "Sajib", "Filmon", "Olena", "Mamadou", "Tarek", "Bilal", "Aya", "Nour",
    ];
    for i in 0..30 {
        let given = names[i % names.len()];
        let family = ["Islam", "Tekle", "Diallo"][i % 3];
        index.insert(
            &person(
                &format!("c{i}"),
                given,
                &format!("{family} {}", names[(i / 3) % 10]),
            )
            .with_phone("06 5551234"),
        );
    }
    let a = person("a", "Mohamed", "Ali")
        .with_birth(BirthDate::year_only(2007))
        .with_nationality("EG")
        .with_phone("06 5551234");
    let b = person("b", "Muhammad", "Ali")
        .with_birth(BirthDate::year_only(2007))
        .with_nationality("EG")
        .with_phone("+39 06 5551234");
    let m = index.compare(&a, &b);
    assert!(m.has(Reason::PhoneShared), "{}", show(&m));
    assert!(!m.has(Reason::PhoneEqual), "{}", show(&m));
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
    assert!(m.has(Reason::CommonNameOnly), "{}", show(&m));
    // The phone adds next to nothing to the name and year.
    let without = index.compare(
        &person("a", "Mohamed", "Ali")
            .with_birth(BirthDate::year_only(2007))
            .with_nationality("EG"),
        &person("b", "Muhammad", "Ali")
            .with_birth(BirthDate::year_only(2007))
            .with_nationality("EG"),
    );
    assert!(
        m.score - without.score < 0.1,
        "{} vs {}",
        show(&m),
        show(&without)
    );
}

/// A register of 2,000 persons where a reception centre's number was given by 200 of them,
/// with `namesakes` other Filmon Ghebremedhin born 2007 (a tenth of them on that number).
fn register_with_a_centre_phone(namesakes: usize) -> Index {
    let mut index = background();
    let given = [
        "Rakibul", "Sajib", "Tarek", "Bilal", "Aya", "Nour", "Olena", "Yonas",
    ];
    let family = ["Islam", "Tekle", "Diallo", "Kovalenko", "Sarker"];
    for i in 0..2_000 {
        let mut p = if i < namesakes {
            person(&format!("f{i}"), "Filmon", "Ghebremedhin")
                .with_birth(BirthDate::year_only(2007))
        } else {
            person(
                &format!("c{i}"),
                given[i % given.len()],
                &format!(
                    "{} {}",
                    family[i % family.len()],
                    given[(i / 8) % given.len()]
                ),
            )
            .with_birth(BirthDate::year_only(1980 + (i % 30) as u16))
        };
        if i % 10 == 0 {
            p = p.with_phone("06 5551234");
        }
        index.insert(&p);
    }
    index
}

#[test]
fn a_centre_phone_and_the_same_year_make_the_same_person_when_the_name_is_rare_among_its_users() {
    // The number was given under many names: a reception centre's, no evidence on its own
    // (see above). But it narrows the register down to the tenth who gave it; a name that
    // nobody else born that year carries is then very unlikely to be a namesake's.
    let a = person("a", "Filmon", "Ghebremedhin")
        .with_birth(BirthDate::year_only(2007))
        .with_nationality("ER")
        .with_phone("06 5551234");
    let b = person("b", "Filmon", "Gebremedhin")
        .with_birth(BirthDate::parse("2007-01-01").unwrap().unwrap())
        .with_nationality("Eritrea")
        .with_phone("+39 06 5551234");
    let index = register_with_a_centre_phone(0);
    let m = index.compare(&a, &b);
    assert!(m.has(Reason::PhoneShared), "{}", show(&m));
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
    assert!(!m.has(Reason::CommonNameOnly), "{}", show(&m));
    // Without the number, name and year are a look-alike's as much as one person's.
    let no_phone = |p: &Person| Person {
        phones: Vec::new(),
        ..p.clone()
    };
    let m = index.compare(&no_phone(&a), &no_phone(&b));
    assert_eq!(m.decision, Decision::Possible, "{}", show(&m));
    // With 30 other Filmon Ghebremedhin born 2007 in the register, about 3 of them among
    // the number's users, the pair is a look-alike again.
    let m = register_with_a_centre_phone(30).compare(&a, &b);
    assert!(m.has(Reason::PhoneShared), "{}", show(&m));
    assert_eq!(m.decision, Decision::Possible, "{}", show(&m));
    // Another birth year, or a common name, is never enough (Mohamed Ali: see the test of a
    // phone shared by 30 records).
    let other_year = Person {
        birth: Some(BirthDate::year_only(2005)),
        ..b.clone()
    };
    assert_ne!(index.compare(&a, &other_year).decision, Decision::Same);
}

#[test]
fn a_phone_given_by_one_person_registered_five_times_stays_personal() {
    let mut index = background();
    let spellings = [
        ("Youssef Mohammed", "Abdulaziz"),
        ("Youssef Mohamed", "Abdel Aziz"),
        ("Yousef", "Mohamed Abdelaziz"),
        ("Youssef", "Mohamed Abdulaziz"),
        ("YOUSSEF MOHAMED", "ABDELAZIZ"),
    ];
    let records: Vec<Person> = spellings
        .iter()
        .enumerate()
        .map(|(i, (g, f))| {
            person(&format!("y{i}"), g, f)
                .with_birth(BirthDate::year_only(2006))
                .with_nationality("EG")
                .with_phone(if i % 2 == 0 {
                    "347 123 4567"
                } else {
                    "+393471234567"
                })
        })
        .collect();
    for r in &records {
        index.insert(r);
    }
    let m = index.compare(&records[0], &records[1]);
    assert!(m.has(Reason::PhoneEqual), "{}", show(&m));
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
    // A relative on the same phone: the family name agrees, the given name does not.
    let brother = person("z", "Omar", "Mohamed Abdelaziz")
        .with_birth(BirthDate::year_only(2009))
        .with_phone("347 123 4567");
    let m = index.compare(&records[0], &brother);
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
}

#[test]
fn a_personal_phone_tolerates_an_undocumented_year_moved_by_one() {
    // A declared age re-assessed between two registrations, 1 January placeholders.
    let a = person("a", "Souleymane", "Kouadio")
        .with_birth(BirthDate::parse("2003-01-01").unwrap().unwrap())
        .with_phone("338 0221186")
        .with_nationality("CI");
    let b = person("b", "Soulemane", "Kwadio")
        .with_birth(BirthDate::year_only(2004))
        .with_phone("+39 338 0221186")
        .with_nationality("Costa d'Avorio");
    let m = compare(&a, &b);
    assert!(m.has(Reason::BirthDateConflict), "{}", show(&m));
    assert_eq!(m.decision, Decision::Same, "{}", show(&m));
    // Without the phone, a year apart still keeps them apart.
    let m = compare(
        &person("a", "Souleymane", "Kouadio").with_birth(BirthDate::year_only(2003)),
        &person("b", "Soulemane", "Kwadio").with_birth(BirthDate::year_only(2004)),
    );
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
    // A documented day one year off is a conflict the phone does not override.
    let c = person("c", "Souleymane", "Kouadio")
        .with_birth(ymd(2004, 6, 3))
        .with_phone("338 0221186");
    let m = compare(&a, &c);
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
}

#[test]
fn a_personal_phone_does_not_override_birth_years_apart() {
    let a = person("a", "Rakibul", "Islam")
        .with_birth(ymd(1990, 3, 9))
        .with_phone("333 1234567");
    let b = person("b", "Rakibul", "Islam")
        .with_birth(ymd(2006, 3, 9))
        .with_phone("333 1234567");
    let m = compare(&a, &b);
    assert!(m.has(Reason::PhoneEqual) && m.has(Reason::BirthDateConflict));
    assert_ne!(m.decision, Decision::Same, "{}", show(&m));
}

#[test]
fn sex_conflict_counts_against() {
    let a = person("a", "Nour", "Saleh")
        .with_birth(ymd(2006, 3, 9))
        .with_sex(Sex::Male);
    let b = person("b", "Nour", "Saleh")
        .with_birth(ymd(2006, 3, 9))
        .with_sex(Sex::Female);
    let m = compare(&a, &b);
    assert!(m.has(Reason::SexConflict));
    let c = person("c", "Nour", "Saleh")
        .with_birth(ymd(2006, 3, 9))
        .with_sex(Sex::Male);
    assert!(compare(&a, &c).score > m.score);
}

#[test]
fn nationality_names_in_three_languages_resolve_to_one_code() {
    for n in [
        "Egitto", "Egypt", "Égypte", "EGYPTE", "EG", "egy", "egiziano",
    ] {
        assert_eq!(country::lookup(n), Some("EG"), "{n}");
    }
    for n in ["Costa d'Avorio", "Côte d’Ivoire", "Ivory Coast", "CIV"] {
        assert_eq!(country::lookup(n), Some("CI"), "{n}");
    }
    let a = person("a", "Ali", "Omar")
        .with_nationality("Egitto")
        .with_birth(ymd(2006, 3, 9));
    let b = person("b", "Ali", "Omar")
        .with_nationality("Égypte")
        .with_birth(ymd(2006, 3, 9));
    let m = compare(&a, &b);
    assert!(m.has(Reason::NationalityEqual));
    let c = person("c", "Ali", "Omar")
        .with_nationality("Tunisie")
        .with_birth(ymd(2006, 3, 9));
    assert!(compare(&a, &c).has(Reason::NationalityConflict));
}

#[test]
fn third_country_nationals_are_outside_eu_eea_ch() {
    assert!(is_tcn("EG"));
    assert!(is_tcn("UA"));
    assert!(!is_tcn("IT"));
    assert!(!is_tcn("NO"));
    assert!(!is_tcn("CH"));
}

// --- Reasons -------------------------------------------------------------------------------------

/// Reasons that cannot both be true of one pair, and decisions the reasons do not support.
fn assert_consistent(m: &Match) {
    let has = |r: Reason| m.has(r);
    let identifier = m
        .reasons
        .iter()
        .any(|r| matches!(r, Reason::IdentifierEqual(_)));
    let msg = show(m);
    assert!(
        !(has(Reason::PhoneEqual) && has(Reason::PhoneShared)),
        "{msg}"
    );
    assert!(
        !(has(Reason::CommonNameOnly)
            && (identifier || has(Reason::PhoneEqual) || has(Reason::NameConflict))),
        "{msg}"
    );
    if has(Reason::NameEqual) {
        for r in [
            Reason::NameConflict,
            Reason::NamePartial,
            Reason::NameTransliteration,
            Reason::NameSimilar,
        ] {
            assert!(!has(r), "{msg}");
        }
    }
    let births = [
        Reason::BirthDateEqual,
        Reason::BirthDaySwapped,
        Reason::BirthYearEqual,
        Reason::BirthYearClose,
        Reason::BirthDateConflict,
    ];
    assert!(births.iter().filter(|r| has(**r)).count() <= 1, "{msg}");
    if m.decision == Decision::Same && !identifier {
        for r in [
            Reason::NameConflict,
            Reason::SexConflict,
            Reason::IdentifierConflict(IdKind::Cui),
            Reason::CommonNameOnly,
        ] {
            assert!(!has(r), "{msg}");
        }
    }
}

#[test]
fn reasons_never_contradict_each_other() {
    let pairs = [
        (
            person("a", "Khaled", "Ahmed")
                .with_original("خالد أحمد")
                .with_birth(BirthDate::year_only(2009)),
            person("b", "Khalid", "Ahmad")
                .with_original("خالد أحمد")
                .with_birth(ymd(1993, 5, 26)),
        ),
        (
            person("a", "Mohamed", "Ahmad")
                .with_original("محمد أحمد")
                .with_birth(BirthDate::year_only(2007)),
            person("b", "Mohamed", "Ahmed")
                .with_original("محمد أحمد")
                .with_birth(BirthDate::year_only(2007)),
        ),
        (
            person("a", "Mohamed", "Ali").with_phone("06 5551234"),
            person("b", "Mohamed", "Ali").with_phone("06 5551234"),
        ),
        (
            person("a", "Yonas", "Tekle").with_phone("333 1234567"),
            person("b", "Fatima", "Zahra").with_phone("333 1234567"),
        ),
        (
            person("a", "Ali", "Omar").with_identifier(IdKind::Cui, "12345678X"),
            person("b", "Omar", "Ali")
                .with_identifier(IdKind::Cui, "12345678X")
                .with_sex(Sex::Female),
        ),
        (
            person("a", "Rakibul", "Islam").with_birth(ymd(2006, 3, 9)),
            person("b", "Rakibul", "Islam").with_birth(ymd(2006, 3, 10)),
        ),
        (
            person("a", "Mohamed", "Ahmed").with_birth(ymd(2007, 4, 2)),
            person("b", "Mohamed", "Hassan").with_birth(ymd(2007, 4, 2)),
        ),
    ];
    let mut index = background();
    for i in 0..200u16 {
        index.insert(
            &person(&format!("m{i}"), "Mohamed", "Ali")
                .with_birth(BirthDate::year_only(2007))
                .with_phone("06 5551234"),
        );
    }
    for (a, b) in &pairs {
        assert_consistent(&compare(a, b));
        assert_consistent(&index.compare(a, b));
    }
}

// --- API -----------------------------------------------------------------------------------------

#[test]
fn thresholds_are_configurable() {
    let a = person("1", "Rakibul", "Islam").with_birth(ymd(2006, 3, 9));
    let b = person("q", "Rakibul", "Islam").with_birth(ymd(2006, 3, 9));
    let mut index = Index::new();
    index.insert(&a);
    let default = index.candidates(&b, 5)[0].matched.clone();
    assert_eq!(default.decision, Decision::Same, "{}", show(&default));
    let strict = Config {
        same: (default.score + 1.0) / 2.0,
        ..Config::default()
    };
    let mut index = Index::with_config(strict);
    index.insert(&a);
    let found = index.candidates(&b, 5);
    assert_eq!(found[0].matched.decision, Decision::Possible);
    assert_eq!(found[0].matched.score, default.score);
}

#[test]
fn dedup_finds_respelled_duplicates() {
    let persons = vec![
        person("1", "Mohammad Rakibul", "Islam").with_birth(ymd(2006, 3, 9)),
        person("2", "Md Rakibul", "Islam").with_birth(ymd(2006, 3, 9)),
        person("3", "Yonas", "Tekle").with_birth(ymd(2006, 3, 9)),
        person("4", "Tekle", "Yonas").with_phone("333 9876543"),
        person("5", "Yonas", "Tekle").with_phone("+393339876543"),
    ];
    let pairs = dedup(&persons, 0.95);
    let ids: Vec<(&str, &str)> = pairs
        .iter()
        .map(|p| (p.id_a.as_str(), p.id_b.as_str()))
        .collect();
    assert!(ids.contains(&("1", "2")), "{ids:?}");
    assert!(ids.contains(&("4", "5")), "{ids:?}");
    assert!(!ids.contains(&("1", "3")));
}

#[test]
fn records_that_are_each_the_same_person_as_a_third_are_the_same_person() {
    let persons = vec![
        // Gave a phone, no birth date.
        person("1", "Yonas", "Tekle").with_phone("333 9876543"),
        // Gave the phone and a birth date.
        person("2", "Yonas", "Tekle")
            .with_phone("+39 333 9876543")
            .with_birth(ymd(2006, 4, 12)),
        // Gave the birth date only: on its own, 1 and 3 share just a name.
        person("3", "Tekle", "Yonas").with_birth(ymd(2006, 4, 12)),
        person("4", "Fatima", "Zahra"),
    ];
    let on_their_own = compare(&persons[0], &persons[2]);
    assert_ne!(
        on_their_own.decision,
        Decision::Same,
        "{}",
        show(&on_their_own)
    );
    let pairs = dedup(&persons, 0.95);
    let find = |a: &str, b: &str| pairs.iter().find(|p| p.id_a == a && p.id_b == b);
    let (p12, p23) = (find("1", "2").unwrap(), find("2", "3").unwrap());
    assert!(p12.via.is_empty() && p23.via.is_empty());
    let p13 = find("1", "3").expect("joined through record 2");
    assert_eq!(
        p13.matched.decision,
        Decision::Same,
        "{}",
        show(&p13.matched)
    );
    assert_eq!(p13.via, ["2"]);
    assert_eq!(p13.matched.score, p12.matched.score.min(p23.matched.score));
    assert!(!p13.matched.has(Reason::CommonNameOnly));
    assert_eq!(pairs.len(), 3);

    // Not when the two rule each other out: record 7 shares a passport with 6 and a phone
    // with 5 (it has no date), but 5 and 6 were born years apart.
    let persons = vec![
        person("5", "Yonas", "Tekle")
            .with_phone("333 9876543")
            .with_birth(BirthDate::year_only(1990)),
        person("6", "Yonas", "Tekle")
            .with_identifier(IdKind::Passport, "AB1234567")
            .with_birth(ymd(2006, 4, 12)),
        person("7", "Yonas", "Tekle")
            .with_identifier(IdKind::Passport, "AB 1234567")
            .with_phone("3339876543"),
    ];
    let pairs = dedup(&persons, 0.95);
    let ids: Vec<(&str, &str)> = pairs
        .iter()
        .map(|p| (p.id_a.as_str(), p.id_b.as_str()))
        .collect();
    assert!(
        ids.contains(&("5", "7")) && ids.contains(&("6", "7")),
        "{ids:?}"
    );
    assert!(!ids.contains(&("5", "6")), "{ids:?}");
}

#[test]
fn reason_codes_are_stable_snake_case() {
    assert_eq!(
        Reason::IdentifierEqual(IdKind::Passport).code(),
        "identifier_equal"
    );
    assert_eq!(
        Reason::IdentifierEqual(IdKind::Passport)
            .id_kind()
            .map(IdKind::code),
        Some("passport")
    );
    assert_eq!(Reason::CommonNameOnly.code(), "common_name_only");
    assert_eq!(Decision::Possible.code(), "possible");
}
