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

/// The shared rules keep lists as comma-separated text; an integer array
/// column (`guild_settings.post_days`) takes it as an array and gives it
/// back as that text.
#[test]
fn lists_as_text_bind_to_integer_arrays_and_read_back() {
    use crate::store::shared::Value;
    use bytes::BytesMut;
    use pg::types::{FromSql, Type};
    for ty in [Type::INT2_ARRAY, Type::INT4_ARRAY, Type::INT8_ARRAY] {
        for text in ["0,2,4", "6", ""] {
            let mut raw = BytesMut::new();
            Value::Text(text.into()).to_sql(&ty, &mut raw).unwrap();
            assert_eq!(
                Value::from_sql(&ty, &raw).unwrap(),
                Value::Text(text.into()),
                "{ty}"
            );
        }
    }
    // The driver's own arrays read the same way.
    let mut raw = BytesMut::new();
    vec![1i16, 5].to_sql(&Type::INT2_ARRAY, &mut raw).unwrap();
    assert_eq!(
        Value::from_sql(&Type::INT2_ARRAY, &raw).unwrap(),
        Value::Text("1,5".into())
    );
    // Text that is not a list of integers, or one too large for the
    // column's type, is refused rather than stored as something else.
    for (text, ty) in [("1,x", Type::INT2_ARRAY), ("40000", Type::INT2_ARRAY)] {
        let mut raw = BytesMut::new();
        assert!(
            Value::Text(text.into()).to_sql(&ty, &mut raw).is_err(),
            "{text}"
        );
    }
}
