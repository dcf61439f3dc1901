//! `sprint dedup` as partners' registers meet it: the real binary on small CSV files in a
//! temporary directory, with no database and no configuration.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sprint");
const HEADER: &str = "id,given_names,family_name,sex,birth_date,nationality";

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// The output file, if it was written.
    pairs: Option<String>,
}

impl Run {
    /// The (id_a, id_b) of each output row, in order.
    fn pair_ids(&self) -> Vec<(String, String)> {
        self.rows()
            .into_iter()
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect()
    }

    fn rows(&self) -> Vec<Vec<String>> {
        let text = self.pairs.as_deref().expect("no output file");
        text.lines()
            .skip(1)
            .map(|l| l.split(',').map(str::to_owned).collect())
            .collect()
    }
}

/// Writes `csv` to a fresh directory and runs `sprint dedup` on it there, with `extra`
/// arguments, in an environment that names no database.
fn dedup(csv: &str, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("register.csv");
    std::fs::write(&input, csv).unwrap();
    let output = dir.path().join("pairs.csv");
    let out = run_in(dir.path(), &input, &output, extra);
    let pairs = std::fs::read_to_string(&output).ok();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        pairs,
    }
}

fn run_in(dir: &Path, input: &Path, output: &Path, extra: &[&str]) -> Output {
    Command::new(BIN)
        .arg("dedup")
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output)
        .args(extra)
        .current_dir(dir)
        .env_remove("SPRINT_DATABASE_URL")
        .env_remove("SPRINT_CONFIG")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn register(rows: &[&str]) -> String {
    register_with(HEADER, rows)
}

fn register_with(header: &str, rows: &[&str]) -> String {
    let mut s = format!("{header}\n");
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_owned(), b.to_owned())
}

#[test]
fn finds_a_transliterated_re_registration_with_the_same_date_and_passport() {
    let csv = register_with(
        &format!("{HEADER},passport"),
        &[
            "r1,Mohamed,Ahmed,M,2007-03-14,EG,A1234567",
            "r2,Yonas,Tekle,M,2005-08-02,ER,",
            "r3,Muhammad,Ahmad,male,2007-03-14,Egitto,a-123 4567",
            "r4,Fatima,Diallo,F,1999-11-30,GN,",
        ],
    );
    let run = dedup(&csv, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.pair_ids(), vec![pair("r1", "r3")]);
    let score: f64 = run.rows()[0][2].parse().unwrap();
    assert!((0.95..=1.0).contains(&score), "{score}");
}

#[test]
fn finds_a_transliterated_re_registration_from_the_full_birth_date_alone() {
    let run = dedup(
        &register(&[
            "r1,Mohamed,Ahmed,M,2007-03-14,EG",
            "r2,Muhammad,Ahmad,M,2007-03-14,Egypt",
            "r3,Mohamed,Ahmed,M,2007-09-21,EG",
        ]),
        &[],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.pair_ids(), vec![pair("r1", "r2")]);
}

#[test]
fn does_not_pair_two_common_name_records_sharing_only_a_birth_year() {
    let run = dedup(
        &register(&[
            "m1,Mohamed,Ahmed,M,2007,EG",
            "m2,Mohamed,Ahmed,M,2007-01-01,EG",
            "m3,Mohamed,Ahmed,M,2007,Egitto",
        ]),
        &[],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.pairs.as_deref(), Some("id_a,id_b,score\n"));
    assert!(run.stdout.contains("0 pairs found"), "{}", run.stdout);
}

#[test]
fn reports_each_bad_row_with_its_line_number_and_reason_and_still_processes_the_rest() {
    let csv = register(&[
        "a1,Mohamed,Ahmed,M,2007-03-14,EG",              // line 2
        ",Nobody,Known,M,2001,EG",                       // line 3: no id
        "a1,Someone,Else,F,1990-05-06,TN",               // line 4: duplicate id
        "b1,Bad,Date,M,2007-13-45,EG",                   // line 5: month 13
        "b2,Bad,Country,M,2007,Atlantis",                // line 6: unknown nationality
        "b3,Too,Few,M",                                  // line 7: 4 fields
        "b4,Too,Many,M,2007,EG,extra",                   // line 8: 7 fields
        "b5,Odd,Sex,Q,2007,EG",                          // line 9: unknown sex
        "a2,Muhammad,Ahmad,M,2007-03-14,Costa d'Avorio", // line 10: fine, other nationality
        "a3,Muhammad,Ahmad,M,14/03/2007,Egypt",          // line 11: fine
    ]);
    let run = dedup(&csv, &[]);
    assert_eq!(run.code, Some(0), "skipped rows are not a failure");
    let expect = [
        (3, "missing id"),
        (4, "duplicate id \"a1\" (first on line 2)"),
        (5, "unreadable birth_date \"2007-13-45\""),
        (6, "unknown nationality \"Atlantis\""),
        (7, "4 fields where the header has 6"),
        (8, "7 fields where the header has 6"),
        (9, "unknown sex \"Q\""),
    ];
    let reports: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("row skipped"))
        .collect();
    assert_eq!(reports.len(), expect.len(), "{}", run.stderr);
    for ((line, reason), report) in expect.iter().zip(&reports) {
        assert!(
            report.contains(&format!("register.csv:{line}: {reason}")),
            "line {line}: {report}"
        );
    }
    assert!(
        run.stdout.contains("10 rows read, 7 skipped"),
        "{}",
        run.stdout
    );
    // The good rows were compared: a1 and a3 are one person; a2 is from another country.
    assert_eq!(run.pair_ids(), vec![pair("a1", "a3")]);
}

#[test]
fn a_missing_required_header_column_is_a_one_line_error_with_exit_code_2() {
    let run = dedup(
        "id,given_names,family_name,sex,nationality\nx,Mohamed,Ahmed,M,EG\n",
        &[],
    );
    assert_eq!(run.code, Some(2));
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("birth_date"), "{}", run.stderr);
    assert!(run.pairs.is_none(), "no output without a register");
}

#[test]
fn an_empty_file_lacks_every_required_column() {
    let run = dedup("", &[]);
    assert_eq!(run.code, Some(2));
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn the_threshold_flag_decides_which_pairs_are_written() {
    let csv = register_with(
        &format!("{HEADER},document_id"),
        &[
            "m1,Mohamed,Ahmed,M,2007,EG,",
            "m2,Mohamed,Ahmed,M,2007,EG,",
            "p1,Khaled,Saeed,M,1990-04-04,SY,N0012345",
            "p2,Khalid,Said,M,1990-04-04,SY,N0012345",
        ],
    );
    let strict = dedup(&csv, &[]);
    assert_eq!(strict.pair_ids(), vec![pair("p1", "p2")]);
    let loose = dedup(&csv, &["--threshold", "0.3"]);
    assert_eq!(loose.code, Some(0), "{}", loose.stderr);
    assert_eq!(loose.pair_ids(), vec![pair("p1", "p2"), pair("m1", "m2")]);
    for row in loose.rows() {
        let score: f64 = row[2].parse().unwrap();
        assert!((0.3..=1.0).contains(&score), "{row:?}");
        assert_eq!(row[2].split('.').nth(1).map(str::len), Some(4), "{row:?}");
    }
    let refused = dedup(&csv, &["--threshold", "1.5"]);
    assert_eq!(refused.code, Some(2));
    assert!(
        refused.stderr.contains("between 0 and 1"),
        "{}",
        refused.stderr
    );
}

#[test]
fn the_output_header_is_exactly_id_a_id_b_score() {
    let run = dedup(
        &register(&[
            "1,Yonas,Tekle,M,2006-04-12,ER",
            "2,Tekle,Yonas,M,2006-04-12,Eritrea",
        ]),
        &[],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let text = run.pairs.unwrap();
    assert_eq!(text.lines().next(), Some("id_a,id_b,score"));
    assert!(text.starts_with("id_a,id_b,score\n1,2,"), "{text}");
}

#[test]
fn needs_no_database_nor_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(
        &input,
        register(&[
            "1,Amadou,Diallo,M,2004-02-03,GN",
            "2,Amadou,Diallo,M,2004-02-03,GN",
        ]),
    )
    .unwrap();
    let output = dir.path().join("out.csv");
    // A broken configuration file and an unreachable database do not matter to dedup.
    std::fs::write(dir.path().join("sprint.toml"), "this is = = not toml").unwrap();
    let out = Command::new(BIN)
        .args([
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
            "dedup",
        ])
        .arg("--input")
        .arg(&input)
        .arg("--output")
        .arg(&output)
        .current_dir(dir.path())
        .env("SPRINT_DATABASE_URL_FILE", dir.path().join("missing"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(std::fs::read_to_string(&output).unwrap().contains("1,2,"));
    let created: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(
        created.len(),
        3,
        "only input, output and sprint.toml: {created:?}"
    );
}

#[test]
fn an_unwritable_output_or_missing_input_is_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, register(&["1,Amadou,Diallo,M,2004-02-03,GN"])).unwrap();
    let out = run_in(
        dir.path(),
        &input,
        &dir.path().join("no/such/dir/out.csv"),
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run_in(
        dir.path(),
        &dir.path().join("missing.csv"),
        &dir.path().join("out.csv"),
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn reads_semicolon_separated_exports_with_optional_columns_in_any_order() {
    let csv = "NATIONALITY;Birth_Date;Sex;Family_Name;Given_Names;ID;Phone;Notes\n\
               Bangladesh;2006-07-09;M;Islam;Md Rakibul;k1;+39 333 123 4567;first visit\n\
               BD;09/07/2006;M;Islam;Mohammad Rakibul;k2;3331234567;\n";
    let run = dedup(csv, &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.pair_ids(), vec![pair("k1", "k2")]);
}

#[test]
fn prints_plain_progress_and_a_summary_when_not_on_a_terminal() {
    let rows: Vec<String> = (0..2_500)
        .map(|i| format!("id{i},Given{i},Family{},M,{},EG", i % 97, 1970 + i % 40))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let run = dedup(&register(&rows), &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("records compared"), "{}", run.stderr);
    assert!(!run.stderr.contains('\r'), "no bar drawing off a terminal");
    let summary = run.stdout.lines().last().unwrap();
    for part in [
        "2500 rows read",
        "0 skipped",
        "pairs found",
        "clusters",
        " s;",
    ] {
        assert!(summary.contains(part), "{summary}");
    }
}
