//! PostgreSQL connections over TLS: encrypted and verified against the CA
//! the URL names with `sslrootcert=PATH`; a server whose certificate is not
//! accepted is refused with advice, never used unencrypted; `sslmode=disable`
//! turns TLS off.
//!
//! Needs `STUDYBOT_TEST_POSTGRES_URL` naming a server that speaks TLS, with
//! its CA as `sslrootcert` (`.ci/postgres.sh start` sets one up and prints
//! it). Without one the tests say so and pass, except under CI, where they
//! must run.

use studybot::store::postgres::connect_client;

/// The test server's URL (with `sslrootcert`), or `None` after saying why.
fn server(case: &str) -> Option<String> {
    let url = std::env::var("STUDYBOT_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| url.contains("sslrootcert="));
    if url.is_none() {
        assert!(
            std::env::var_os("CI").is_none_or(|ci| ci.is_empty()),
            "under CI STUDYBOT_TEST_POSTGRES_URL must name a TLS server and its CA \
             (eval \"$(.ci/postgres.sh start)\" sets it)"
        );
        eprintln!("{case} skipped: STUDYBOT_TEST_POSTGRES_URL names no server with sslrootcert");
    }
    url
}

/// `url` without its `sslrootcert` parameter.
fn without_ca(url: &str) -> String {
    let (base, query) = url.split_once('?').unwrap();
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.starts_with("sslrootcert="))
        .collect();
    if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    }
}

fn with(url: &str, param: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{param}")
}

/// Whether this connection is encrypted, as the server sees it.
fn encrypted(url: &str) -> bool {
    let mut client = connect_client(url).unwrap_or_else(|e| panic!("{url}: {e}"));
    client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0)
}

#[test]
fn with_the_servers_ca_the_connection_is_encrypted() {
    let Some(url) = server("with_the_servers_ca_the_connection_is_encrypted") else {
        return;
    };
    assert!(encrypted(&url));
    assert!(encrypted(&with(&url, "sslmode=require")));
}

#[test]
fn a_certificate_from_an_unknown_authority_is_refused_with_advice() {
    let Some(url) = server("a_certificate_from_an_unknown_authority_is_refused_with_advice") else {
        return;
    };
    // Mozilla's public roots only: the test CA is not among them. Refused,
    // not used unencrypted, by a single connection and by a store alike.
    let advice =
        "the server's TLS certificate was not accepted (if a private authority signed it, \
                  name that authority's certificate with `sslrootcert=PATH` in the URL; \
                  `sslmode=disable` turns TLS off): ";
    let Err(e) = connect_client(&without_ca(&url)) else {
        panic!("connected without the CA");
    };
    let text = e.to_string();
    assert!(text.contains(advice), "{text}");
    assert!(text.contains("UnknownIssuer"), "{text}");
    let Err(e) = studybot::store::open(&without_ca(&url)) else {
        panic!("a store opened without the CA");
    };
    assert!(e.to_string().contains(advice), "{e}");
    // The right CA, but the server reached under another name than the
    // certificate's (127.0.0.1 and localhost): refused too. `hostaddr`
    // connects to the same address while the name is checked.
    let (head, tail) = url.split_once('@').unwrap();
    let (host, rest) = tail.split_once(':').unwrap();
    let misnamed = with(
        &format!("{head}@studybot-test.invalid:{rest}"),
        &format!("hostaddr={host}"),
    );
    let Err(e) = connect_client(&misnamed) else {
        panic!("a certificate for {host} was accepted for another name");
    };
    let text = e.to_string();
    assert!(
        text.contains(advice) && text.contains("not valid for name \"studybot-test.invalid\""),
        "{text}"
    );
}

#[test]
fn sslmode_disable_connects_unencrypted() {
    let Some(url) = server("sslmode_disable_connects_unencrypted") else {
        return;
    };
    assert!(!encrypted(&with(&without_ca(&url), "sslmode=disable")));
}
