//! Unit tests of the PostgresStore internals (the shared behaviour is in
//! `tests/store_contract.rs`).

use super::*;

#[test]
fn sslrootcert_is_taken_out_of_the_url_and_decoded() {
    let (url, root) = take_query_param(
        "postgres://u:p@db:5432/x?sslmode=require&sslrootcert=%2Fetc%2Fmy%20ca.pem&options=-c%20a%3Db",
        "sslrootcert",
    );
    assert_eq!(
        url,
        "postgres://u:p@db:5432/x?sslmode=require&options=-c%20a%3Db"
    );
    assert_eq!(root.as_deref(), Some("/etc/my ca.pem"));
    let (url, root) = take_query_param("postgres://db/x?sslrootcert=ca.pem", "sslrootcert");
    assert_eq!(
        (url.as_str(), root.as_deref()),
        ("postgres://db/x", Some("ca.pem"))
    );
    let (url, root) = take_query_param("postgres://db/x?sslmode=disable", "sslrootcert");
    assert_eq!(
        (url.as_str(), root),
        ("postgres://db/x?sslmode=disable", None)
    );
    let (_, root) = take_query_param("postgres://db/x?sslrootcert=100%25%zz%41", "sslrootcert");
    assert_eq!(
        root.as_deref(),
        Some("100%%zzA"),
        "invalid escapes kept as they are"
    );
    let (_, root) = take_query_param("postgres://db/x?sslrootcert=100%", "sslrootcert");
    assert_eq!(root.as_deref(), Some("100%"));
}

#[test]
fn tls_is_off_only_when_the_url_says_so_and_a_bad_root_file_is_named() {
    assert!(matches!(
        settings("postgres://db/x?sslmode=disable"),
        Ok((_, Tls::Off))
    ));
    assert!(matches!(
        settings("postgres://db/x"),
        Ok((_, Tls::Verified(_)))
    ));
    assert!(matches!(
        settings("postgres://db/x?sslmode=require"),
        Ok((_, Tls::Verified(_)))
    ));
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let Err(e) = settings(&format!(
        "postgres://db/x?sslrootcert={}",
        missing.display()
    )) else {
        panic!("a missing root file is an error");
    };
    let text = e.to_string();
    assert!(
        text.starts_with(&format!(
            "cannot read the CA certificates in {}",
            missing.display()
        )),
        "{text}"
    );
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let Err(e) = settings(&format!("postgres://db/x?sslrootcert={}", empty.display())) else {
        panic!("a file with no certificate is an error");
    };
    assert!(e.to_string().ends_with("no PEM certificate in it"), "{e}");
    assert!(matches!(
        settings("postgres://db/x?nonsense=1"),
        Err(PgError::Url(_))
    ));
}
