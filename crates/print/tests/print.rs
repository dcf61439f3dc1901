#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Renders real documents and reads them back with a PDF parser.
//!
//! One test binary on purpose: each links the whole of typst.

use chrono::NaiveDate;
use print::{Options, PrintError, Report, Section, SectionBody, qr_svg, render, report};
use serde_json::json;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 14).unwrap()
}

fn opts(lang: &str) -> Options {
    Options::new(lang, date())
}

fn text_of(pdf: &[u8]) -> String {
    pdf_extract::extract_text_from_mem(pdf).expect("extractable text")
}

/// Collapses whitespace: extractors put line breaks and spaces where they like.
fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A right-to-left word as pdf-extract returns it: in the order its glyphs are
/// drawn, which for Arabic is from the right, so the letters come reversed.
/// (pdf-extract applies no bidi algorithm; poppler's pdftotext does.)
fn drawn(word: &str) -> String {
    word.chars().rev().collect()
}

fn page_count(pdf: &[u8]) -> usize {
    pdf_extract::Document::load_mem(pdf)
        .unwrap()
        .get_pages()
        .len()
}

/// The `BaseFont` of every font in the PDF (subset prefix included).
fn font_names(pdf: &[u8]) -> Vec<String> {
    let doc = pdf_extract::Document::load_mem(pdf).unwrap();
    doc.objects
        .values()
        .filter_map(|object| object.as_dict().ok())
        .filter(|dict| dict.has_type(b"Font"))
        .filter_map(|dict| {
            dict.get(b"BaseFont")
                .ok()?
                .as_name()
                .ok()
                .map(<[u8]>::to_vec)
        })
        .map(|name| String::from_utf8_lossy(&name).into_owned())
        .collect()
}

fn sample(title: &str, labels: [&str; 4], values: [&str; 4]) -> Report {
    Report {
        title: title.to_owned(),
        subtitle: Some(values[0].to_owned()),
        generated_line: format!("{} 14/03/2026", labels[3]),
        footer: labels[3].to_owned(),
        sections: vec![
            Section {
                heading: labels[0].to_owned(),
                body: SectionBody::Fields(vec![
                    (labels[1].to_owned(), values[0].to_owned()),
                    (labels[2].to_owned(), values[1].to_owned()),
                ]),
            },
            Section {
                heading: labels[2].to_owned(),
                body: SectionBody::Table {
                    columns: vec![labels[1].to_owned(), labels[2].to_owned()],
                    rows: vec![vec![values[2].to_owned(), values[3].to_owned()]],
                },
            },
            Section {
                heading: labels[3].to_owned(),
                body: SectionBody::Text(format!("{}\n\n{}", values[2], values[3])),
            },
            Section {
                heading: labels[1].to_owned(),
                body: SectionBody::Empty(values[3].to_owned()),
            },
        ],
    }
}

fn italian() -> Report {
    sample(
        "Dati personali conservati",
        ["Anagrafica", "Nome", "Città", "Riservato"],
        [
            "Niccolò Bartolomeo",
            "Forlì",
            "È già stato più volte là: perciò così",
            "Caffè offerto, quota versata: 12,50 €",
        ],
    )
}

#[test]
fn italian_report_reads_back_with_accents_and_euro_sign() {
    let pdf = report(&italian(), &opts("it")).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = squash(&text_of(&pdf));
    for expected in [
        "Dati personali conservati",
        "Niccolò Bartolomeo",
        "Forlì",
        "È già stato più volte là: perciò così",
        "Caffè offerto, quota versata: 12,50 €",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text:?}");
    }
    // The accented capital and every grave vowel survive the round trip.
    for c in ['à', 'è', 'ì', 'ò', 'ù', 'È', '€'] {
        assert!(text.contains(c), "missing {c}");
    }
}

#[test]
fn english_report_has_page_numbers_and_embeds_noto_sans() {
    let doc = sample(
        "Personal data we hold",
        ["Identity", "Name", "Town", "Confidential"],
        ["Jane Doe", "Rome", "First line", "Nothing recorded"],
    );
    let pdf = report(&doc, &opts("en")).unwrap();
    let text = squash(&text_of(&pdf));
    assert!(text.contains("Personal data we hold"));
    assert!(text.contains("1 / 1"), "{text}");
    assert!(font_names(&pdf).iter().any(|f| f.contains("NotoSans-")));
}

#[test]
fn arabic_report_renders_right_to_left_with_an_arabic_font() {
    let doc = sample(
        "البيانات الشخصية",
        ["الهوية", "الاسم", "المدينة", "سري"],
        ["محمد أحمد", "روما", "مرحبا", "لا شيء مسجل"],
    );
    let pdf = report(&doc, &opts("ar")).unwrap();
    let text = text_of(&pdf);
    assert!(text.contains(&drawn("روما")), "{text}");
    assert!(text.contains(&drawn("مرحبا")), "{text}");
    let doc = pdf_extract::Document::load_mem(&pdf).unwrap();
    let lang = doc
        .catalog()
        .unwrap()
        .get(b"Lang")
        .unwrap()
        .as_str()
        .unwrap();
    assert_eq!(lang, b"ar");
    assert!(
        font_names(&pdf)
            .iter()
            .any(|f| f.contains("NotoNaskhArabic")),
        "{:?}",
        font_names(&pdf)
    );
}

#[test]
fn urdu_report_is_set_in_nastaliq() {
    let doc = sample(
        "ذاتی معلومات",
        ["شناخت", "نام", "شہر", "خفیہ"],
        ["محمد علی", "روم", "پاکستان", "کچھ نہیں"],
    );
    let pdf = report(&doc, &opts("ur")).unwrap();
    assert!(
        font_names(&pdf)
            .iter()
            .any(|f| f.contains("NotoNastaliqUrdu")),
        "{:?}",
        font_names(&pdf)
    );
}

#[test]
fn tigrinya_report_embeds_the_ethiopic_font() {
    let doc = sample(
        "ውልቃዊ ሓበሬታ",
        ["መንነት", "ስም", "ከተማ", "ምስጢራዊ"],
        ["ኣማኑኤል ተስፋይ", "ሮማ", "ሰላም", "ዝተመዝገበ የለን"],
    );
    let pdf = report(&doc, &opts("ti")).unwrap();
    let fonts = font_names(&pdf);
    assert!(
        fonts.iter().any(|f| f.contains("NotoSansEthiopic")),
        "{fonts:?}"
    );
}

#[test]
fn bengali_report_embeds_the_bengali_font() {
    let doc = sample(
        "ব্যক্তিগত তথ্য",
        ["পরিচয়", "নাম", "শহর", "গোপনীয়"],
        ["মোঃ রাকিবুল ইসলাম", "রোম", "বাংলাদেশ", "কিছু নেই"],
    );
    let pdf = report(&doc, &opts("bn")).unwrap();
    let fonts = font_names(&pdf);
    assert!(
        fonts.iter().any(|f| f.contains("NotoSansBengali")),
        "{fonts:?}"
    );
}

#[test]
fn chinese_report_embeds_the_vendored_cjk_font_on_a_machine_without_one() {
    let doc = sample(
        "个人资料",
        ["身份", "姓名", "城市", "机密"],
        ["王小明", "罗马", "你好", "没有记录"],
    );
    let pdf = report(&doc, &opts("zh")).unwrap();
    let fonts = font_names(&pdf);
    assert!(fonts.iter().any(|f| f.contains("NotoSansCJK")), "{fonts:?}");
    assert!(text_of(&pdf).contains("王小明"));
}

#[test]
fn long_table_breaks_across_pages_and_repeats_its_header() {
    let rows = (1..=300)
        .map(|n| {
            vec![
                format!("{n:03}"),
                format!("Colloquio numero {n}"),
                "Roma".to_owned(),
            ]
        })
        .collect();
    let doc = Report {
        title: "Storico".into(),
        subtitle: None,
        generated_line: "Generato il 14/03/2026".into(),
        footer: "Riservato".into(),
        sections: vec![Section {
            heading: "Colloqui".into(),
            body: SectionBody::Table {
                columns: vec!["N.".into(), "Descrizione".into(), "Luogo".into()],
                rows,
            },
        }],
    };
    let pdf = report(&doc, &opts("it")).unwrap();
    let pages = page_count(&pdf);
    assert!(pages >= 5, "300 rows on only {pages} pages");

    let by_page = pdf_extract::extract_text_from_mem_by_pages(&pdf).unwrap();
    assert_eq!(by_page.len(), pages);
    for (n, page) in by_page.iter().enumerate() {
        assert!(
            page.contains("Descrizione"),
            "no header row on page {}",
            n + 1
        );
        assert!(squash(page).contains(&format!("{} / {pages}", n + 1)));
    }
    let all = squash(&by_page.concat());
    assert!(all.contains("Colloquio numero 1 ") && all.contains("Colloquio numero 300"));
}

#[test]
fn same_input_gives_the_same_bytes() {
    let first = report(&italian(), &opts("it")).unwrap();
    let second = report(&italian(), &opts("it")).unwrap();
    assert!(first == second, "two renders of the same report differ");
    // The date is part of the input: it lands in the PDF's creation date.
    let later = report(&italian(), &Options::new("it", date().succ_opt().unwrap())).unwrap();
    assert!(first != later);
}

const HOSTILE: &str = r#"#panic("x") *bold* $x$ <lbl> @ref \ #read("/etc/passwd")"#;

#[test]
fn markup_and_code_in_data_are_printed_literally() {
    let doc = Report {
        title: HOSTILE.into(),
        subtitle: Some(HOSTILE.into()),
        generated_line: HOSTILE.into(),
        footer: HOSTILE.into(),
        sections: vec![
            Section {
                heading: HOSTILE.into(),
                body: SectionBody::Fields(vec![(HOSTILE.into(), HOSTILE.into())]),
            },
            Section {
                heading: "t".into(),
                body: SectionBody::Table {
                    columns: vec![HOSTILE.into()],
                    rows: vec![vec![HOSTILE.into()]],
                },
            },
            Section {
                heading: "x".into(),
                body: SectionBody::Text(format!("{HOSTILE}\n\n{HOSTILE}")),
            },
            Section {
                heading: "e".into(),
                body: SectionBody::Empty(HOSTILE.into()),
            },
        ],
    };
    let pdf = report(&doc, &opts("it")).unwrap();
    let text = squash(&text_of(&pdf));
    // title, subtitle, generated line, footer, heading, label, value, column,
    // cell, two paragraphs, empty line
    assert!(text.matches(HOSTILE).count() >= 12, "{text}");
    assert!(
        !text.contains("root:"),
        "a server file leaked into the document"
    );
}

#[test]
fn data_given_to_a_custom_template_stays_text() {
    let template = "#let data = json(bytes(sys.inputs.data))\n#data.name\n\n#text(weight: \"bold\", data.name)\n";
    let pdf = render(template, &json!({"name": HOSTILE}), &[], &opts("it")).unwrap();
    assert_eq!(squash(&text_of(&pdf)).matches(HOSTILE).count(), 2);
}

#[test]
fn broken_templates_return_errors_not_panics() {
    let data = json!({"name": "Mario Rossi"});
    for template in [
        "#let x = (",
        "#undefined-function()",
        "#let data = json(bytes(sys.inputs.data))\n#data.missing-key",
        "#import \"@preview/example:0.1.0\": *",
        "#image(\"not-passed.png\")",
        "#read(\"/etc/passwd\")",
        "#set text(font: 12)",
    ] {
        let err = render(template, &data, &[], &opts("it")).unwrap_err();
        assert!(
            matches!(err, PrintError::Template(_)),
            "{template}: {err:?}"
        );
        assert!(err.to_string().contains("line "), "{template}: {err}");
    }
}

#[test]
fn error_messages_do_not_carry_document_data() {
    let data = json!({"name": "Mario Rossi", "age": "quarantadue"});
    for template in [
        "#let data = json(bytes(sys.inputs.data))\n#panic(data.name)",
        "#let data = json(bytes(sys.inputs.data))\n#panic(data)",
        "#let data = json(bytes(sys.inputs.data))\n#int(data.age)",
        "#let data = json(bytes(sys.inputs.data))\n#assert.eq(data.name, \"x\")",
        "#let data = json(bytes(sys.inputs.data))\n#data.at(data.name)",
    ] {
        let message = render(template, &data, &[], &opts("it"))
            .unwrap_err()
            .to_string();
        assert!(!message.contains("Mario"), "{message}");
        assert!(!message.contains("Rossi"), "{message}");
        assert!(!message.contains("quarantadue"), "{message}");
        assert!(message.contains("line 2"), "{message}");
    }
}

#[test]
fn templates_see_the_callers_date_language_and_files() {
    let template = r#"#let data = json(bytes(sys.inputs.data))
#datetime.today().display("[day]/[month]/[year]") #sys.inputs.lang #sys.inputs.dir #context text.lang #data.n
#image("qr.svg", width: 3cm)
#import "parts.typ": greeting
#greeting
"#;
    let files = [
        (
            "qr.svg",
            qr_svg("https://example.org/l/abc").unwrap().into_bytes(),
        ),
        ("parts.typ", b"#let greeting = [Saluti]".to_vec()),
    ];
    let pdf = render(template, &json!({"n": 7}), &files, &opts("fa")).unwrap();
    let text = squash(&text_of(&pdf));
    // The Persian (rtl) paragraph splits the date into bidi runs: ignore spaces.
    assert!(text.replace(' ', "").contains("14/03/2026"), "{text}");
    assert!(
        text.contains("fa") && text.contains("rtl") && text.contains('7'),
        "{text}"
    );
    assert!(text.contains("Saluti"), "{text}");
}

#[test]
fn qr_codes_are_svg() {
    let svg = qr_svg("https://sprint.example/p/0190f3c2").unwrap();
    assert!(svg.contains("<svg") && svg.ends_with("</svg>"));
}

#[test]
fn unusable_options_are_rejected() {
    let bad_lang = render("x", &json!({}), &[], &opts("italiano"));
    assert_eq!(bad_lang.unwrap_err(), PrintError::InvalidLanguage);
    let bad_file = render("x", &json!({}), &[("main.typ", vec![])], &opts("it"));
    assert_eq!(bad_file.unwrap_err(), PrintError::InvalidFileName);
}
