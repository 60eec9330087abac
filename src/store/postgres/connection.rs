//! PostgreSQL connections: the URL's settings and TLS, one session per
//! connection with its prepared statements, and the connection threads that
//! run the store's jobs (see the notes on threads in `mod.rs`).

use super::*;

/// The parameters of one statement.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// A connection, or a transaction on it, with the connection's prepared
/// statements (each SQL text is parsed by the server once per connection)
/// and its count of rows written.
pub(super) struct Sql<'a, C> {
    pub(super) client: &'a mut C,
    pub(super) statements: &'a mut HashMap<&'static str, Statement>,
    pub(super) changed: &'a mut u64,
}

impl<C: GenericClient> Sql<'_, C> {
    pub(super) fn prepared(&mut self, sql: &'static str) -> Result<Statement, pg::Error> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        // Shared SQL (`store::shared`) is written with `?N` placeholders.
        let statement = self
            .client
            .prepare(&crate::store::shared::postgres_placeholders(sql))?;
        self.statements.insert(sql, statement.clone());
        Ok(statement)
    }

    pub(super) fn query(
        &mut self,
        sql: &'static str,
        params: Params,
    ) -> Result<Vec<Row>, pg::Error> {
        let statement = self.prepared(sql)?;
        self.client.query(&statement, params)
    }

    pub(super) fn query_opt(
        &mut self,
        sql: &'static str,
        params: Params,
    ) -> Result<Option<Row>, pg::Error> {
        let statement = self.prepared(sql)?;
        self.client.query_opt(&statement, params)
    }

    /// The row a query returns, if any, read by `read` (the shape every
    /// single-row lookup has).
    pub(super) fn row_opt<T>(
        &mut self,
        sql: &'static str,
        params: Params,
        read: impl FnOnce(&Row) -> Result<T, pg::Error>,
    ) -> Result<Option<T>, pg::Error> {
        self.query_opt(sql, params)?.as_ref().map(read).transpose()
    }

    pub(super) fn query_one(
        &mut self,
        sql: &'static str,
        params: Params,
    ) -> Result<Row, pg::Error> {
        let statement = self.prepared(sql)?;
        self.client.query_one(&statement, params)
    }

    /// Runs a statement that writes; returns how many rows it changed.
    pub(super) fn execute(&mut self, sql: &'static str, params: Params) -> Result<u64, pg::Error> {
        let statement = self.prepared(sql)?;
        let changed = self.client.execute(&statement, params)?;
        *self.changed += changed;
        Ok(changed)
    }

    /// Runs an `INSERT`, `UPDATE` or `DELETE ... RETURNING` that changes one
    /// row or none.
    pub(super) fn returning_opt(
        &mut self,
        sql: &'static str,
        params: Params,
    ) -> Result<Option<Row>, pg::Error> {
        let row = self.query_opt(sql, params)?;
        *self.changed += u64::from(row.is_some());
        Ok(row)
    }
}

/// A transaction with the connection's prepared statements.
pub(super) type Tx<'a, 't> = Sql<'a, Transaction<'t>>;

/// One open connection, its prepared statements, and how many rows the
/// current job has written (see [`Store::write_problem`]).
pub(super) struct Session {
    pub(super) client: Client,
    pub(super) statements: HashMap<&'static str, Statement>,
    pub(super) changed: u64,
}

impl Session {
    pub(super) fn open(config: &pg::Config, tls: &Tls) -> Result<Self, pg::Error> {
        let mut client = tls.connect(config)?;
        // READ COMMITTED whatever the server's default: "insert, or read the
        // row that won" relies on each statement seeing the latest commits.
        client.batch_execute(&format!(
            "SET lock_timeout = '{LOCK_TIMEOUT}';
             SET default_transaction_isolation = 'read committed'"
        ))?;
        Ok(Self {
            client,
            statements: HashMap::new(),
            changed: 0,
        })
    }

    /// Statements run one by one, each atomic by itself.
    pub(super) fn direct(&mut self) -> Sql<'_, Client> {
        Sql {
            client: &mut self.client,
            statements: &mut self.statements,
            changed: &mut self.changed,
        }
    }

    /// One read-write transaction, committed when `f` succeeds.
    pub(super) fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, PgError>,
    ) -> Result<T, PgError> {
        let mut tx = self.client.transaction()?;
        let out = f(&mut Sql {
            client: &mut tx,
            statements: &mut self.statements,
            changed: &mut self.changed,
        })?;
        tx.commit()?;
        Ok(out)
    }

    /// Several reads from one snapshot, so they agree with each other.
    pub(super) fn snapshot<T>(
        &mut self,
        f: impl FnOnce(&mut Tx<'_, '_>) -> Result<T, PgError>,
    ) -> Result<T, PgError> {
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()?;
        let out = f(&mut Sql {
            client: &mut tx,
            statements: &mut self.statements,
            changed: &mut self.changed,
        })?;
        tx.commit()?;
        Ok(out)
    }
}

/// How connections are encrypted (see [`PostgresStore::connect`]).
#[derive(Clone)]
pub(super) enum Tls {
    /// `sslmode=disable`.
    Off,
    /// The server's certificate must chain to one of the roots and name the
    /// host. With `sslmode=prefer` (the default) a server that offers no TLS
    /// at all is still reached unencrypted, as libpq does.
    Verified(MakeRustlsConnect),
}

impl Tls {
    pub(super) fn connect(&self, config: &pg::Config) -> Result<Client, pg::Error> {
        match self {
            Tls::Off => config.connect(NoTls),
            Tls::Verified(tls) => config.connect(tls.clone()),
        }
    }
}

/// The client's settings and TLS for a `postgres://` URL. `sslrootcert=PATH`
/// (libpq's name for it; the driver refuses options it does not know) is
/// taken out of the URL: the PEM certificates in that file are trusted
/// besides Mozilla's list of public authorities.
pub(super) fn settings(url: &str) -> Result<(pg::Config, Tls), PgError> {
    let (url, root_file) = take_query_param(url, "sslrootcert");
    let config: pg::Config = url.parse().map_err(PgError::Url)?;
    if config.get_ssl_mode() == pg::config::SslMode::Disable {
        return Ok((config, Tls::Off));
    }
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = root_file {
        use rustls::pki_types::{pem::PemObject, CertificateDer};
        let unreadable = |why: String| PgError::RootCert {
            path: path.clone(),
            why,
        };
        let certificates = CertificateDer::pem_file_iter(&path)
            .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
            .map_err(|e| unreadable(e.to_string()))?;
        if certificates.is_empty() {
            return Err(unreadable("no PEM certificate in it".into()));
        }
        for certificate in certificates {
            roots
                .add(certificate)
                .map_err(|e| unreadable(e.to_string()))?;
        }
    }
    // ring explicitly, not the process default: that is ambiguous (and
    // panics) as soon as any crate in the build enables a second provider.
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("ring supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok((config, Tls::Verified(MakeRustlsConnect::new(tls))))
}

/// `url` without the query parameter `name`, and that parameter's value
/// (percent-decoded), if it was there.
pub(super) fn take_query_param(url: &str, name: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut value = None;
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some((key, v)) if key == name => {
                value = Some(
                    percent_encoding::percent_decode_str(v)
                        .decode_utf8_lossy()
                        .into_owned(),
                )
            }
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    (url, value)
}

/// Why a connection could not be opened, with advice when it was the
/// server's certificate.
pub(super) fn connect_error(e: pg::Error) -> PgError {
    // rustls's words ("invalid peer certificate: UnknownIssuer"), under the
    // driver's and tokio-rustls's wrappers.
    let mut certificate = false;
    let mut cause: Option<&dyn std::error::Error> = Some(&e);
    while let Some(c) = cause {
        certificate |= c.to_string().contains("invalid peer certificate");
        cause = c.source();
    }
    if certificate {
        PgError::Certificate(e)
    } else {
        PgError::Connect(e)
    }
}

/// One connection with the store's URL rules and TLS, outside any store:
/// for tools and tests that run their own SQL (creating a schema, say).
/// Not on a tokio runtime thread (see the module's notes on threads).
pub fn connect_client(url: &str) -> Result<Client, StoreError> {
    let (config, tls) = settings(url)?;
    tls.connect(&config).map_err(|e| connect_error(e).into())
}

/// A connection thread's connection, reopened when it breaks.
pub(super) struct Connection {
    pub(super) config: pg::Config,
    pub(super) tls: Tls,
    pub(super) session: Option<Session>,
}

/// A job's result, and whether it wrote any row.
pub(super) type Outcome<T> = (Result<T, StoreError>, bool);

impl Connection {
    pub(super) fn open(config: pg::Config, tls: Tls) -> Result<Self, PgError> {
        let session = Session::open(&config, &tls).map_err(connect_error)?;
        Ok(Self {
            config,
            tls,
            session: Some(session),
        })
    }

    pub(super) fn session(&mut self) -> Result<&mut Session, PgError> {
        if self.session.as_ref().is_none_or(|s| s.client.is_closed()) {
            self.session = None;
            self.session = Some(Session::open(&self.config, &self.tls).map_err(connect_error)?);
        }
        let session = self.session.as_mut().expect("the session was just opened");
        session.changed = 0;
        Ok(session)
    }

    /// Runs a job, again if it lost a deadlock or failed to serialise (each
    /// attempt is a whole transaction that rolled back).
    pub(super) fn run<T>(
        &mut self,
        job: &mut impl FnMut(&mut Session) -> Result<T, PgError>,
    ) -> Outcome<T> {
        let mut attempt = 1;
        loop {
            match self.session().and_then(&mut *job) {
                Err(e) if e.retry_whole() && attempt < ATTEMPTS => attempt += 1,
                Err(e) => return (Err(e.into()), false),
                Ok(out) => {
                    let wrote = self.session.as_ref().is_some_and(|s| s.changed > 0);
                    return (Ok(out), wrote);
                }
            }
        }
    }
}

/// Work for a connection thread.
pub(super) type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// Takes jobs from the queue until the store is dropped.
pub(super) fn serve(mut connection: Connection, queue: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(job) = next else { return };
        // A panicking job must not take a connection thread with it; the
        // caller sees its reply channel close. The session may be mid-way
        // through something, so it is reopened.
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut connection))).is_err()
        {
            tracing::error!("a PostgreSQL store job panicked; reopening its connection");
            connection.session = None;
        }
    }
}
