//! The daily e-mail digest of the inbox, sent to a real SMTP server started on 127.0.0.1
//! (the `mailin` crate's SMTP state machine over a socket of the test's), from two
//! instances of the platform at once: each item reaches its reader in one message.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener};
use std::sync::{Arc, Mutex};

use store::Db;

use crate::support::*;

/// A message the server accepted: its recipients and its text.
#[derive(Clone, Debug)]
struct Received {
    to: Vec<String>,
    text: String,
}

#[derive(Clone)]
struct Collect {
    inbox: Arc<Mutex<Vec<Received>>>,
    to: Vec<String>,
    data: Vec<u8>,
}

impl mailin::Handler for Collect {
    fn data_start(
        &mut self,
        _domain: &str,
        _from: &str,
        _is8bit: bool,
        to: &[String],
    ) -> mailin::Response {
        self.to = to.to_vec();
        self.data.clear();
        mailin::response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }
    fn data_end(&mut self) -> mailin::Response {
        self.inbox.lock().unwrap().push(Received {
            to: std::mem::take(&mut self.to),
            text: unquote(&self.data),
        });
        mailin::response::OK
    }
}

/// The message as a reader sees it: quoted-printable decoded (soft line breaks joined,
/// `=XX` bytes restored), so the test can read the words.
fn unquote(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw)
        .replace("=\r\n", "")
        .replace("=\n", "");
    let b = text.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'=' && i + 2 < b.len())
            .then(|| std::str::from_utf8(&b[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(v) = hex {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

/// An SMTP server on 127.0.0.1 for the length of the test: its port and what it received.
fn smtp_server() -> (u16, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = Arc::new(Mutex::new(vec![]));
    let handler = Collect {
        inbox: inbox.clone(),
        to: vec![],
        data: vec![],
    };
    std::thread::spawn(move || {
        let builder = mailin::SessionBuilder::new("smtp.test");
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let handler = handler.clone();
            let builder = builder.clone();
            std::thread::spawn(move || {
                let ip: IpAddr = "127.0.0.1".parse().unwrap();
                let mut session = builder.build(ip, handler);
                let mut out = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let _ = session.greeting().write_to(&mut out);
                let mut line = vec![];
                loop {
                    line.clear();
                    match reader.read_until(b'\n', &mut line) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let res = session.process(&line);
                    match res.action {
                        mailin::Action::Reply => {
                            let _ = res.write_to(&mut out);
                            let _ = out.flush();
                        }
                        mailin::Action::Close | mailin::Action::UpgradeTls => {
                            let _ = res.write_to(&mut out);
                            let _ = out.flush();
                            return;
                        }
                        mailin::Action::NoReply => {}
                    }
                }
            });
        }
    });
    (port, inbox)
}

fn mail_settings(port: u16) -> store::db::Settings {
    store::db::Settings {
        mail: Some(Arc::new(store::digest::MailSettings {
            smtp_host: "127.0.0.1".into(),
            smtp_port: port,
            from: "SPRInt <sprint@sprint.test>".into(),
            hour: 0,
            base_url: "https://sprint.test".into(),
            text: Arc::new(web::digest_text::FluentText),
        })),
        ..test_settings()
    }
}

/// Another instance on the same database, as a second `sprint serve` would have it.
async fn second_instance(tdb: &TestDb, port: u16) -> Db {
    Db::connect(&tdb.url, mail_settings(port)).await.unwrap()
}

fn to_of(m: &Received) -> String {
    m.to.join(",")
}

#[tokio::test]
async fn the_digest_reaches_each_reader_once_even_with_two_instances() {
    let (port, received) = smtp_server();
    let tdb = TestDb::with_settings(mail_settings(port)).await;
    store::demo::seed(&tdb.db).await.unwrap();
    let other = second_instance(&tdb, port).await;
    let today = domain::clock::today();

    // Both instances run the day's digest at the same moment.
    let (a, b) = tokio::join!(
        store::digest::run(&tdb.db, today),
        store::digest::run(&other, today)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let got = received.lock().unwrap().clone();
    assert_eq!(a.sent + b.sent, got.len(), "{a:?} {b:?}");
    assert!(got.len() >= 5, "only {} digests", got.len());
    let mut recipients: Vec<String> = got.iter().map(to_of).collect();
    recipients.sort();
    let before = recipients.len();
    recipients.dedup();
    assert_eq!(
        before,
        recipients.len(),
        "someone got two digests: {recipients:?}"
    );
    let luca = got
        .iter()
        .find(|m| to_of(m).contains("luca@"))
        .expect("a digest for luca");
    assert!(
        luca.text.contains("1 × richieste di accesso da valutare"),
        "{}",
        luca.text
    );
    assert!(
        luca.text.contains("1 × risposte dell'helpdesk"),
        "{}",
        luca.text
    );
    assert!(
        luca.text.contains("Subject: SPRInt: 2 cose ti aspettano"),
        "{}",
        luca.text
    );
    assert!(luca.text.contains("https://sprint.test/inbox"));
    // Kinds and counts only: no person's name leaves the platform.
    for m in &got {
        for name in ["Aliou", "Ndiaye", "Rakibul", "Fatima", "Abdoulaye"] {
            assert!(!m.text.contains(name), "{name} in a digest: {}", m.text);
        }
    }

    // Run again, on either instance: nothing new, nothing sent twice.
    store::digest::run(&other, today).await.unwrap();
    store::digest::run(&tdb.db, today).await.unwrap();
    assert_eq!(received.lock().unwrap().len(), got.len());

    // A new item tomorrow goes out alone, once.
    let ctx = store::Ctx::system("t");
    let luca_id = store::account::find_user_id(&tdb.db, "luca")
        .await
        .unwrap()
        .unwrap();
    let mut tx = tdb.db.begin().await.unwrap();
    store::inbox::notify(
        &mut tx,
        &ctx,
        store::inbox::Notice::new(
            "task",
            store::inbox::To::User(&luca_id),
            "case_task",
            "digest-test",
            "/".into(),
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let tomorrow = today + chrono::Duration::days(1);
    let (x, y) = tokio::join!(
        store::digest::run(&tdb.db, tomorrow),
        store::digest::run(&other, tomorrow)
    );
    assert_eq!(x.unwrap().sent + y.unwrap().sent, 1);
    let all = received.lock().unwrap().clone();
    let last = all.last().unwrap();
    assert!(to_of(last).contains("luca@"));
    assert!(last.text.contains("1 × compiti"), "{}", last.text);
    assert!(!last.text.contains("richieste di accesso"), "{}", last.text);
}

#[tokio::test]
async fn a_digest_run_killed_while_sending_is_finished_by_the_next_run_once() {
    let (port, received) = smtp_server();
    let tdb = TestDb::with_settings(mail_settings(port)).await;
    store::demo::seed(&tdb.db).await.unwrap();
    let today = domain::clock::today();
    store::digest::run(&tdb.db, today).await.unwrap();
    let first = received.lock().unwrap().len();
    // A message a killed instance had claimed and not sent: its lease ran out.
    let mut tx = tdb.db.begin().await.unwrap();
    store::with_tx!(&mut tx, |c| sqlx::query(
        "UPDATE mail_outbox SET state = 'sending', claimed_until = $1, sent_at = NULL \
         WHERE id = (SELECT id FROM mail_outbox ORDER BY created_at LIMIT 1)"
    )
    .bind(store::Ts::now().plus_seconds(-60))
    .execute(c)
    .await
    .map(|r| r.rows_affected()))
    .unwrap();
    tx.commit().await.unwrap();
    let other = second_instance(&tdb, port).await;
    let (a, b) = tokio::join!(
        store::digest::run(&tdb.db, today),
        store::digest::run(&other, today)
    );
    assert_eq!(a.unwrap().sent + b.unwrap().sent, 1);
    assert_eq!(received.lock().unwrap().len(), first + 1);
    // The queue's job runs the digest from its payload, once per day whichever instance.
    let ran = store::jobs::run_due(&tdb.db, "w1").await.unwrap();
    let ran2 = store::jobs::run_due(&other, "w2").await.unwrap();
    let digests = ran
        .iter()
        .chain(ran2.iter())
        .filter(|(k, _)| k == store::digest::KIND)
        .count();
    assert_eq!(digests, 1, "{ran:?} {ran2:?}");
    assert_eq!(
        received.lock().unwrap().len(),
        first + 1,
        "the job sent again"
    );
}
