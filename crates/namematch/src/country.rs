//! Country lookup: ISO 3166-1 alpha-2/alpha-3 codes and country names in Italian, English
//! and French (with or without accents, any case, including common nationality adjectives)
//! → ISO alpha-2. And `is_tcn`: third-country national = not EU/EEA/Swiss.
//!
//! The full ISO list (codes and English short names, 248 entries) comes from the `iso3166`
//! crate; the names in Italian and French, the long English forms and the nationality
//! adjectives are the table below, which covers the programme's main countries of origin,
//! the EU/EEA/Swiss states and other frequent origins. Lookups normalise the input the same
//! way as names (`normalise_name`: transliteration, lowercase, punctuation as spaces), so
//! "Côte d'Ivoire", "COTE D IVOIRE" and "costa d’avorio" all meet.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::normalise_name;

/// EU member states (27), the other EEA states (Iceland, Liechtenstein, Norway) and
/// Switzerland: their citizens are not third-country nationals.
pub const EU_EEA_CH: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", // EU
    "IS", "LI", "NO", // EEA
    "CH",
];

/// alpha-2 → names and adjectives (Italian, English, French; accents optional, they are
/// normalised away). The ISO English short name does not need repeating.
const NAMES: &[(&str, &[&str])] = &[
    // Main countries of origin of the programme.
    (
        "EG",
        &[
            "Egitto",
            "Egypt",
            "Égypte",
            "Arab Republic of Egypt",
            "Repubblica Araba d'Egitto",
            "egiziano",
            "egiziana",
            "Egyptian",
            "égyptien",
            "égyptienne",
        ],
    ),
    (
        "BD",
        &[
            "Bangladesh",
            "People's Republic of Bangladesh",
            "bangladese",
            "bengalese",
            "Bangladeshi",
            "bangladais",
            "bangladaise",
        ],
    ),
    (
        "TN",
        &[
            "Tunisia",
            "Tunisie",
            "tunisino",
            "tunisina",
            "Tunisian",
            "tunisien",
            "tunisienne",
        ],
    ),
    (
        "PK",
        &[
            "Pakistan",
            "Islamic Republic of Pakistan",
            "pakistano",
            "pakistana",
            "Pakistani",
            "pakistanais",
            "pakistanaise",
        ],
    ),
    (
        "AF",
        &[
            "Afghanistan",
            "Afganistan",
            "afghano",
            "afghana",
            "afgano",
            "afgana",
            "Afghan",
            "afghan",
            "afghane",
        ],
    ),
    (
        "GM",
        &[
            "Gambia",
            "The Gambia",
            "Gambie",
            "gambiano",
            "gambiana",
            "Gambian",
            "gambien",
            "gambienne",
        ],
    ),
    (
        "GN",
        &[
            "Guinea",
            "Guinée",
            "Guinea Conakry",
            "Guinée Conakry",
            "Republic of Guinea",
            "guineano",
            "guineana",
            "Guinean",
            "guinéen",
            "guinéenne",
        ],
    ),
    (
        "CI",
        &[
            "Costa d'Avorio",
            "Côte d'Ivoire",
            "Cote d'Ivoire",
            "Ivory Coast",
            "ivoriano",
            "ivoriana",
            "Ivorian",
            "ivoirien",
            "ivoirienne",
        ],
    ),
    (
        "ER",
        &[
            "Eritrea",
            "Érythrée",
            "eritreo",
            "eritrea",
            "Eritrean",
            "érythréen",
            "érythréenne",
        ],
    ),
    (
        "UA",
        &[
            "Ucraina",
            "Ukraine",
            "ucraino",
            "ucraina",
            "Ukrainian",
            "ukrainien",
            "ukrainienne",
        ],
    ),
    (
        "MA",
        &[
            "Marocco",
            "Morocco",
            "Maroc",
            "marocchino",
            "marocchina",
            "Moroccan",
            "marocain",
            "marocaine",
        ],
    ),
    (
        "NG",
        &[
            "Nigeria",
            "Nigéria",
            "nigeriano",
            "nigeriana",
            "Nigerian",
            "nigérian",
            "nigériane",
        ],
    ),
    (
        "ML",
        &["Mali", "maliano", "maliana", "Malian", "malien", "malienne"],
    ),
    (
        "SN",
        &[
            "Senegal",
            "Sénégal",
            "senegalese",
            "Senegalese",
            "sénégalais",
            "sénégalaise",
        ],
    ),
    (
        "SD",
        &[
            "Sudan",
            "Soudan",
            "sudanese",
            "Sudanese",
            "soudanais",
            "soudanaise",
        ],
    ),
    (
        "SO",
        &[
            "Somalia",
            "Somalie",
            "somalo",
            "somala",
            "Somali",
            "somalien",
            "somalienne",
        ],
    ),
    (
        "ET",
        &[
            "Etiopia",
            "Ethiopia",
            "Éthiopie",
            "etiope",
            "Ethiopian",
            "éthiopien",
            "éthiopienne",
        ],
    ),
    (
        "SY",
        &[
            "Siria",
            "Syria",
            "Syrie",
            "Syrian Arab Republic",
            "siriano",
            "siriana",
            "Syrian",
            "syrien",
            "syrienne",
        ],
    ),
    (
        "IQ",
        &[
            "Iraq",
            "Irak",
            "iracheno",
            "irachena",
            "Iraqi",
            "irakien",
            "irakienne",
        ],
    ),
    (
        "IR",
        &[
            "Iran",
            "Islamic Republic of Iran",
            "Iran (Islamic Republic of)",
            "Persia",
            "iraniano",
            "iraniana",
            "Iranian",
            "iranien",
            "iranienne",
        ],
    ),
    (
        "AL",
        &[
            "Albania",
            "Albanie",
            "albanese",
            "Albanian",
            "albanais",
            "albanaise",
        ],
    ),
    (
        "GE",
        &[
            "Georgia",
            "Géorgie",
            "georgiano",
            "georgiana",
            "Georgian",
            "géorgien",
            "géorgienne",
        ],
    ),
    (
        "PE",
        &[
            "Perù",
            "Peru",
            "Pérou",
            "peruviano",
            "peruviana",
            "Peruvian",
            "péruvien",
            "péruvienne",
        ],
    ),
    (
        "LK",
        &[
            "Sri Lanka",
            "Ceylon",
            "srilankese",
            "singalese",
            "Sri Lankan",
            "sri-lankais",
            "sri-lankaise",
        ],
    ),
    (
        "IN",
        &[
            "India", "Inde", "indiano", "indiana", "Indian", "indien", "indienne",
        ],
    ),
    (
        "CN",
        &[
            "Cina",
            "China",
            "Chine",
            "People's Republic of China",
            "Repubblica Popolare Cinese",
            "cinese",
            "Chinese",
            "chinois",
            "chinoise",
        ],
    ),
    (
        "PH",
        &[
            "Filippine",
            "Philippines",
            "filippino",
            "filippina",
            "Filipino",
            "Filipina",
            "philippin",
            "philippine",
        ],
    ),
    // EU, EEA and Switzerland.
    (
        "IT",
        &[
            "Italia",
            "Italy",
            "Italie",
            "italiano",
            "italiana",
            "Italian",
            "italien",
            "italienne",
        ],
    ),
    (
        "AT",
        &[
            "Austria",
            "Autriche",
            "austriaco",
            "austriaca",
            "Austrian",
            "autrichien",
        ],
    ),
    (
        "BE",
        &["Belgio", "Belgium", "Belgique", "belga", "Belgian", "belge"],
    ),
    (
        "BG",
        &[
            "Bulgaria",
            "Bulgarie",
            "bulgaro",
            "bulgara",
            "Bulgarian",
            "bulgare",
        ],
    ),
    (
        "HR",
        &[
            "Croazia", "Croatia", "Croatie", "croato", "croata", "Croatian", "croate",
        ],
    ),
    (
        "CY",
        &[
            "Cipro",
            "Cyprus",
            "Chypre",
            "cipriota",
            "Cypriot",
            "chypriote",
        ],
    ),
    (
        "CZ",
        &[
            "Repubblica Ceca",
            "Cechia",
            "Czech Republic",
            "Czechia",
            "République tchèque",
            "Tchéquie",
            "ceco",
            "ceca",
            "Czech",
            "tchèque",
        ],
    ),
    (
        "DK",
        &[
            "Danimarca",
            "Denmark",
            "Danemark",
            "danese",
            "Danish",
            "danois",
            "danoise",
        ],
    ),
    (
        "EE",
        &[
            "Estonia",
            "Estonie",
            "estone",
            "Estonian",
            "estonien",
            "estonienne",
        ],
    ),
    (
        "FI",
        &[
            "Finlandia",
            "Finland",
            "Finlande",
            "finlandese",
            "Finnish",
            "finlandais",
            "finlandaise",
        ],
    ),
    (
        "FR",
        &[
            "Francia",
            "France",
            "francese",
            "French",
            "français",
            "française",
        ],
    ),
    (
        "DE",
        &[
            "Germania",
            "Germany",
            "Allemagne",
            "Deutschland",
            "tedesco",
            "tedesca",
            "German",
            "allemand",
            "allemande",
        ],
    ),
    (
        "GR",
        &[
            "Grecia", "Greece", "Grèce", "Hellas", "EL", "greco", "greca", "Greek", "grec",
            "grecque",
        ],
    ),
    (
        "HU",
        &[
            "Ungheria",
            "Hungary",
            "Hongrie",
            "ungherese",
            "Hungarian",
            "hongrois",
            "hongroise",
        ],
    ),
    (
        "IE",
        &[
            "Irlanda",
            "Ireland",
            "Irlande",
            "irlandese",
            "Irish",
            "irlandais",
            "irlandaise",
        ],
    ),
    (
        "LV",
        &[
            "Lettonia", "Latvia", "Lettonie", "lettone", "Latvian", "letton", "lettone",
        ],
    ),
    (
        "LT",
        &[
            "Lituania",
            "Lithuania",
            "Lituanie",
            "lituano",
            "lituana",
            "Lithuanian",
            "lituanien",
            "lituanienne",
        ],
    ),
    (
        "LU",
        &[
            "Lussemburgo",
            "Luxembourg",
            "lussemburghese",
            "Luxembourger",
            "luxembourgeois",
            "luxembourgeoise",
        ],
    ),
    (
        "MT",
        &[
            "Malta", "Malte", "maltese", "Maltese", "maltais", "maltaise",
        ],
    ),
    (
        "NL",
        &[
            "Paesi Bassi",
            "Olanda",
            "Netherlands",
            "The Netherlands",
            "Holland",
            "Pays-Bas",
            "olandese",
            "Dutch",
            "néerlandais",
            "néerlandaise",
        ],
    ),
    (
        "PL",
        &[
            "Polonia",
            "Poland",
            "Pologne",
            "polacco",
            "polacca",
            "Polish",
            "polonais",
            "polonaise",
        ],
    ),
    (
        "PT",
        &[
            "Portogallo",
            "Portugal",
            "portoghese",
            "Portuguese",
            "portugais",
            "portugaise",
        ],
    ),
    (
        "RO",
        &[
            "Romania", "Roumanie", "rumeno", "rumena", "romeno", "romena", "Romanian", "roumain",
            "roumaine",
        ],
    ),
    (
        "SK",
        &[
            "Slovacchia",
            "Slovakia",
            "Slovaquie",
            "slovacco",
            "slovacca",
            "Slovak",
            "slovaque",
        ],
    ),
    (
        "SI",
        &[
            "Slovenia",
            "Slovénie",
            "sloveno",
            "slovena",
            "Slovenian",
            "slovène",
        ],
    ),
    (
        "ES",
        &[
            "Spagna",
            "Spain",
            "Espagne",
            "España",
            "spagnolo",
            "spagnola",
            "Spanish",
            "espagnol",
            "espagnole",
        ],
    ),
    (
        "SE",
        &[
            "Svezia",
            "Sweden",
            "Suède",
            "svedese",
            "Swedish",
            "suédois",
            "suédoise",
        ],
    ),
    (
        "IS",
        &[
            "Islanda",
            "Iceland",
            "Islande",
            "islandese",
            "Icelandic",
            "islandais",
            "islandaise",
        ],
    ),
    ("LI", &["Liechtenstein"]),
    (
        "NO",
        &[
            "Norvegia",
            "Norway",
            "Norvège",
            "norvegese",
            "Norwegian",
            "norvégien",
            "norvégienne",
        ],
    ),
    (
        "CH",
        &[
            "Svizzera",
            "Switzerland",
            "Suisse",
            "Schweiz",
            "svizzero",
            "svizzera",
            "Swiss",
            "suisse",
        ],
    ),
    // Other frequent origins.
    (
        "DZ",
        &[
            "Algeria",
            "Algérie",
            "algerino",
            "algerina",
            "Algerian",
            "algérien",
            "algérienne",
        ],
    ),
    (
        "LY",
        &[
            "Libia", "Libya", "Libye", "libico", "libica", "Libyan", "libyen", "libyenne",
        ],
    ),
    (
        "MR",
        &[
            "Mauritania",
            "Mauritanie",
            "mauritano",
            "mauritana",
            "Mauritanian",
            "mauritanien",
        ],
    ),
    ("BF", &["Burkina Faso", "burkinabè", "burkinabe"]),
    (
        "GH",
        &["Ghana", "ghanese", "Ghanaian", "ghanéen", "ghanéenne"],
    ),
    (
        "SL",
        &[
            "Sierra Leone",
            "sierraleonese",
            "Sierra Leonean",
            "sierraléonais",
        ],
    ),
    (
        "LR",
        &[
            "Liberia",
            "Libéria",
            "liberiano",
            "liberiana",
            "Liberian",
            "libérien",
        ],
    ),
    (
        "GW",
        &[
            "Guinea-Bissau",
            "Guinea Bissau",
            "Guinée-Bissau",
            "bissau-guineano",
        ],
    ),
    (
        "GQ",
        &[
            "Guinea Equatoriale",
            "Equatorial Guinea",
            "Guinée équatoriale",
        ],
    ),
    (
        "CM",
        &[
            "Camerun",
            "Cameroon",
            "Cameroun",
            "camerunense",
            "Cameroonian",
            "camerounais",
            "camerounaise",
        ],
    ),
    (
        "TD",
        &["Ciad", "Chad", "Tchad", "ciadiano", "Chadian", "tchadien"],
    ),
    (
        "NE",
        &[
            "Niger",
            "nigerino",
            "nigerina",
            "Nigerien",
            "nigérien",
            "nigérienne",
        ],
    ),
    (
        "TG",
        &["Togo", "togolese", "Togolese", "togolais", "togolaise"],
    ),
    (
        "BJ",
        &[
            "Benin",
            "Bénin",
            "beninese",
            "Beninese",
            "béninois",
            "béninoise",
        ],
    ),
    (
        "CV",
        &[
            "Capo Verde",
            "Cape Verde",
            "Cabo Verde",
            "Cap-Vert",
            "capoverdiano",
            "Cape Verdean",
            "cap-verdien",
        ],
    ),
    (
        "CG",
        &[
            "Congo",
            "Repubblica del Congo",
            "Republic of the Congo",
            "Congo-Brazzaville",
            "Congo Brazzaville",
            "République du Congo",
        ],
    ),
    (
        "CD",
        &[
            "Repubblica Democratica del Congo",
            "Democratic Republic of the Congo",
            "DR Congo",
            "RD Congo",
            "RDC",
            "Congo-Kinshasa",
            "Congo Kinshasa",
            "République démocratique du Congo",
        ],
    ),
    (
        "SS",
        &[
            "Sud Sudan",
            "South Sudan",
            "Soudan du Sud",
            "sud-sudanese",
            "South Sudanese",
        ],
    ),
    ("KE", &["Kenya", "keniota", "Kenyan", "kényan"]),
    (
        "UG",
        &["Uganda", "Ouganda", "ugandese", "Ugandan", "ougandais"],
    ),
    (
        "TZ",
        &[
            "Tanzania",
            "Tanzanie",
            "tanzaniano",
            "Tanzanian",
            "tanzanien",
        ],
    ),
    (
        "DJ",
        &[
            "Gibuti",
            "Djibouti",
            "gibutiano",
            "Djiboutian",
            "djiboutien",
        ],
    ),
    (
        "TR",
        &[
            "Turchia", "Turkey", "Türkiye", "Turquie", "turco", "turca", "Turkish", "turc",
            "turque",
        ],
    ),
    (
        "RU",
        &[
            "Russia",
            "Russian Federation",
            "Federazione Russa",
            "Russie",
            "russo",
            "russa",
            "Russian",
            "russe",
        ],
    ),
    (
        "MD",
        &[
            "Moldavia",
            "Moldova",
            "Republic of Moldova",
            "Moldavie",
            "moldavo",
            "moldava",
            "Moldovan",
            "moldave",
        ],
    ),
    (
        "BY",
        &[
            "Bielorussia",
            "Belarus",
            "Biélorussie",
            "bielorusso",
            "Belarusian",
            "biélorusse",
        ],
    ),
    (
        "RS",
        &["Serbia", "Serbie", "serbo", "serba", "Serbian", "serbe"],
    ),
    (
        "XK",
        &["Kosovo", "kosovaro", "kosovara", "Kosovar", "kosovar"],
    ),
    (
        "MK",
        &[
            "Macedonia del Nord",
            "North Macedonia",
            "Macédoine du Nord",
            "Macedonia",
            "macedone",
            "Macedonian",
            "macédonien",
        ],
    ),
    (
        "BA",
        &[
            "Bosnia ed Erzegovina",
            "Bosnia and Herzegovina",
            "Bosnie-Herzégovine",
            "Bosnia-Herzegovina",
            "bosniaco",
            "bosniaca",
            "Bosnian",
            "bosnien",
        ],
    ),
    (
        "ME",
        &[
            "Montenegro",
            "Monténégro",
            "montenegrino",
            "Montenegrin",
            "monténégrin",
        ],
    ),
    (
        "AM",
        &[
            "Armenia",
            "Arménie",
            "armeno",
            "armena",
            "Armenian",
            "arménien",
        ],
    ),
    (
        "AZ",
        &[
            "Azerbaigian",
            "Azerbaijan",
            "Azerbaïdjan",
            "azero",
            "azera",
            "Azerbaijani",
            "azerbaïdjanais",
        ],
    ),
    (
        "PS",
        &[
            "Palestina",
            "Palestine",
            "State of Palestine",
            "Stato di Palestina",
            "palestinese",
            "Palestinian",
            "palestinien",
            "palestinienne",
        ],
    ),
    (
        "LB",
        &[
            "Libano",
            "Lebanon",
            "Liban",
            "libanese",
            "Lebanese",
            "libanais",
            "libanaise",
        ],
    ),
    (
        "JO",
        &[
            "Giordania",
            "Jordan",
            "Jordanie",
            "giordano",
            "giordana",
            "Jordanian",
            "jordanien",
        ],
    ),
    ("YE", &["Yemen", "Yémen", "yemenita", "Yemeni", "yéménite"]),
    (
        "SA",
        &[
            "Arabia Saudita",
            "Saudi Arabia",
            "Arabie saoudite",
            "saudita",
            "Saudi",
            "saoudien",
        ],
    ),
    (
        "KW",
        &["Kuwait", "Koweït", "kuwaitiano", "Kuwaiti", "koweïtien"],
    ),
    (
        "NP",
        &[
            "Nepal",
            "Népal",
            "nepalese",
            "Nepali",
            "Nepalese",
            "népalais",
        ],
    ),
    (
        "MM",
        &[
            "Myanmar", "Birmania", "Burma", "Birmanie", "birmano", "Burmese", "birman",
        ],
    ),
    (
        "VN",
        &[
            "Vietnam",
            "Viet Nam",
            "Viêt Nam",
            "vietnamita",
            "Vietnamese",
            "vietnamien",
        ],
    ),
    (
        "ID",
        &[
            "Indonesia",
            "Indonésie",
            "indonesiano",
            "Indonesian",
            "indonésien",
        ],
    ),
    (
        "UZ",
        &[
            "Uzbekistan",
            "Ouzbékistan",
            "uzbeko",
            "uzbeka",
            "Uzbek",
            "ouzbek",
        ],
    ),
    (
        "KZ",
        &[
            "Kazakistan",
            "Kazakhstan",
            "kazako",
            "kazaka",
            "Kazakh",
            "kazakh",
        ],
    ),
    (
        "KG",
        &[
            "Kirghizistan",
            "Kyrgyzstan",
            "kirghiso",
            "Kyrgyz",
            "kirghize",
        ],
    ),
    (
        "TJ",
        &[
            "Tagikistan",
            "Tajikistan",
            "Tadjikistan",
            "tagiko",
            "Tajik",
            "tadjik",
        ],
    ),
    (
        "TM",
        &[
            "Turkmenistan",
            "Turkménistan",
            "turkmeno",
            "Turkmen",
            "turkmène",
        ],
    ),
    (
        "EC",
        &[
            "Ecuador",
            "Équateur",
            "ecuadoriano",
            "ecuadoriana",
            "Ecuadorian",
            "équatorien",
        ],
    ),
    (
        "CO",
        &[
            "Colombia",
            "Colombie",
            "colombiano",
            "colombiana",
            "Colombian",
            "colombien",
        ],
    ),
    (
        "VE",
        &[
            "Venezuela",
            "venezuelano",
            "venezuelana",
            "Venezuelan",
            "vénézuélien",
        ],
    ),
    (
        "BO",
        &[
            "Bolivia",
            "Bolivie",
            "boliviano",
            "boliviana",
            "Bolivian",
            "bolivien",
        ],
    ),
    (
        "BR",
        &[
            "Brasile",
            "Brazil",
            "Brésil",
            "brasiliano",
            "brasiliana",
            "Brazilian",
            "brésilien",
        ],
    ),
    (
        "AR",
        &[
            "Argentina",
            "Argentine",
            "argentino",
            "Argentinian",
            "argentin",
        ],
    ),
    (
        "DO",
        &[
            "Repubblica Dominicana",
            "Dominican Republic",
            "République dominicaine",
            "dominicano",
            "dominicana",
            "Dominican",
        ],
    ),
    (
        "SV",
        &[
            "El Salvador",
            "Salvador",
            "salvadoregno",
            "salvadoregna",
            "Salvadoran",
            "salvadorien",
        ],
    ),
    (
        "CU",
        &["Cuba", "cubano", "cubana", "Cuban", "cubain", "cubaine"],
    ),
    (
        "MX",
        &[
            "Messico",
            "Mexico",
            "Mexique",
            "messicano",
            "messicana",
            "Mexican",
            "mexicain",
        ],
    ),
    (
        "GB",
        &[
            "Regno Unito",
            "United Kingdom",
            "Great Britain",
            "Gran Bretagna",
            "Royaume-Uni",
            "UK",
            "britannico",
            "britannica",
            "British",
            "britannique",
        ],
    ),
    (
        "US",
        &[
            "Stati Uniti",
            "Stati Uniti d'America",
            "United States",
            "United States of America",
            "USA",
            "États-Unis",
            "statunitense",
            "American",
            "américain",
        ],
    ),
];

struct Table {
    by_name: HashMap<String, &'static str>,
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut by_name = HashMap::new();
        // ISO English short names and alpha-3 codes first; our table overrides them.
        for c in iso3166::LIST {
            by_name.insert(normalise_name(c.name), c.alpha2);
            by_name.insert(c.alpha3.to_ascii_lowercase(), c.alpha2);
        }
        for (code, names) in NAMES {
            for name in *names {
                by_name.insert(normalise_name(name), *code);
            }
        }
        Table { by_name }
    })
}

/// Resolve a country written as an ISO alpha-2 or alpha-3 code, or a country name or
/// nationality adjective in Italian, English or French, to its ISO 3166-1 alpha-2 code.
///
/// ```
/// use namematch::country::lookup;
/// assert_eq!(lookup("Egitto"), Some("EG"));
/// assert_eq!(lookup("égypte"), Some("EG"));
/// assert_eq!(lookup("EGY"), Some("EG"));
/// assert_eq!(lookup("eg"), Some("EG"));
/// assert_eq!(lookup("Costa d'Avorio"), Some("CI"));
/// assert_eq!(lookup("Atlantis"), None);
/// ```
pub fn lookup(input: &str) -> Option<&'static str> {
    let norm = normalise_name(input);
    if norm.is_empty() {
        return None;
    }
    if norm.len() == 2
        && let Some(c) = iso3166::Country::from_alpha2_ignore_case(&norm)
    {
        return Some(c.alpha2);
    }
    table().by_name.get(&norm).copied()
}

/// Whether the alpha-2 code is an EU, EEA or Swiss state.
pub fn is_eu_eea_ch(alpha2: &str) -> bool {
    EU_EEA_CH
        .iter()
        .any(|c| c.eq_ignore_ascii_case(alpha2.trim()))
}

/// Third-country national: a citizen of a state that is not in the EU, the EEA or
/// Switzerland. Takes an alpha-2 code (as returned by [`lookup`]); stateless persons, who
/// have no code, are third-country nationals too, so any code outside the list answers `true`.
///
/// ```
/// use namematch::country::is_tcn;
/// assert!(is_tcn("EG"));
/// assert!(!is_tcn("IT"));
/// assert!(!is_tcn("ch"));
/// ```
pub fn is_tcn(alpha2: &str) -> bool {
    !is_eu_eea_ch(alpha2)
}

/// The ISO alpha-3 code of an alpha-2 code.
pub fn alpha3(alpha2: &str) -> Option<&'static str> {
    if alpha2.eq_ignore_ascii_case("XK") {
        return Some("XKX");
    }
    iso3166::Country::from_alpha2_ignore_case(alpha2).map(|c| c.alpha3)
}

/// The ISO English short name of an alpha-2 code.
pub fn english_name(alpha2: &str) -> Option<&'static str> {
    if alpha2.eq_ignore_ascii_case("XK") {
        return Some("Kosovo");
    }
    iso3166::Country::from_alpha2_ignore_case(alpha2).map(|c| c.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_code_is_iso_or_kosovo() {
        for (code, _) in NAMES {
            assert!(
                *code == "XK" || iso3166::Country::from_alpha2(code).is_some(),
                "{code}"
            );
        }
        for code in EU_EEA_CH {
            assert!(iso3166::Country::from_alpha2(code).is_some(), "{code}");
        }
    }

    #[test]
    fn every_main_country_resolves_in_three_languages() {
        let cases: &[(&str, &[&str])] = &[
            ("EG", &["Egitto", "Egypt", "Égypte"]),
            ("BD", &["Bangladesh"]),
            ("TN", &["Tunisia", "Tunisie"]),
            ("PK", &["Pakistan"]),
            ("AF", &["Afghanistan"]),
            ("GM", &["Gambia", "Gambie"]),
            ("GN", &["Guinea", "Guinée"]),
            ("CI", &["Costa d'Avorio", "Ivory Coast", "Côte d’Ivoire"]),
            ("ER", &["Eritrea", "Érythrée"]),
            ("UA", &["Ucraina", "Ukraine"]),
            ("MA", &["Marocco", "Morocco", "Maroc"]),
            ("NG", &["Nigeria", "Nigéria"]),
            ("ML", &["Mali"]),
            ("SN", &["Senegal", "Sénégal"]),
            ("SD", &["Sudan", "Soudan"]),
            ("SO", &["Somalia", "Somalie"]),
            ("ET", &["Etiopia", "Ethiopia", "Éthiopie"]),
            ("SY", &["Siria", "Syria", "Syrie"]),
            ("IQ", &["Iraq", "Irak"]),
            ("IR", &["Iran"]),
            ("AL", &["Albania", "Albanie"]),
            ("GE", &["Georgia", "Géorgie"]),
            ("PE", &["Perù", "Peru", "Pérou"]),
            ("LK", &["Sri Lanka"]),
            ("IN", &["India", "Inde"]),
            ("CN", &["Cina", "China", "Chine"]),
            ("PH", &["Filippine", "Philippines"]),
            ("IT", &["Italia", "Italy", "Italie"]),
        ];
        for (code, names) in cases {
            for n in *names {
                assert_eq!(lookup(n), Some(*code), "{n}");
                assert_eq!(lookup(&n.to_uppercase()), Some(*code), "{n}");
            }
            assert_eq!(lookup(code), Some(*code));
            assert_eq!(lookup(alpha3(code).unwrap_or_default()), Some(*code));
        }
    }

    #[test]
    fn similar_names_stay_apart() {
        assert_eq!(lookup("Guinea-Bissau"), Some("GW"));
        assert_eq!(lookup("Guinea Equatoriale"), Some("GQ"));
        assert_eq!(lookup("Niger"), Some("NE"));
        assert_eq!(lookup("Nigeria"), Some("NG"));
        assert_eq!(lookup("Sudan"), Some("SD"));
        assert_eq!(lookup("Sud Sudan"), Some("SS"));
        assert_eq!(lookup("Congo"), Some("CG"));
        assert_eq!(lookup("RD Congo"), Some("CD"));
    }

    #[test]
    fn every_iso_country_resolves_by_code_and_english_name() {
        for c in iso3166::LIST {
            assert_eq!(lookup(c.alpha2), Some(c.alpha2));
            assert_eq!(lookup(c.alpha3), Some(c.alpha2));
        }
        assert!(iso3166::LIST.len() >= 240);
    }

    #[test]
    fn tcn_is_everything_outside_eu_eea_ch() {
        assert_eq!(EU_EEA_CH.len(), 31);
        for code in ["EG", "BD", "UA", "AL", "GB", "US", "TR", "XK"] {
            assert!(is_tcn(code), "{code}");
        }
        for code in ["IT", "FR", "RO", "NO", "IS", "LI", "CH", "gr"] {
            assert!(!is_tcn(code), "{code}");
        }
    }

    #[test]
    fn adjectives_resolve() {
        assert_eq!(lookup("egiziano"), Some("EG"));
        assert_eq!(lookup("Bangladeshi"), Some("BD"));
        assert_eq!(lookup("ivoirienne"), Some("CI"));
    }
}
