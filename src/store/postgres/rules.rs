//! PostgreSQL's side of the shared rules (`store::shared`): [`Sql`] as the
//! [`shared::Tx`] those rules run on here, with each statement's `?N`
//! placeholders rewritten to `$N` once per connection (when it is
//! prepared), values bound as the statement's parameter types require
//! (PostgreSQL checks them strictly: an integer goes as SMALLINT, INTEGER,
//! BIGINT or BOOLEAN, text as TEXT or as the bytes of a BYTEA column, a
//! list as the shared rules keep it, comma-separated text, as an integer
//! array column (`guild_settings.post_days`, `competition_rounds.option_order`),
//! a time as TIMESTAMPTZ truncated to the microsecond) and rows locked with
//! `FOR UPDATE` ([`shared::Tx::locks_rows`]).

use super::*;
use crate::store::shared::{self, SqlError, Value};
use bytes::BytesMut;
use pg::types::{FromSql, IsNull, Type};

impl<C: GenericClient> shared::Tx for Sql<'_, C> {
    type Error = PgError;

    fn query(
        &mut self,
        sql: &'static str,
        args: &[Value<'_>],
    ) -> Result<Vec<shared::Row>, PgError> {
        let statement = self.prepared(sql)?;
        let rows = self.client.query(&statement, &bound(args))?;
        if !sql.trim_start().starts_with("SELECT") {
            // A write with RETURNING: each row is one it changed.
            *self.changed += rows.len() as u64;
        }
        rows.iter().map(shared_row).collect()
    }

    fn query_opt(
        &mut self,
        sql: &'static str,
        args: &[Value<'_>],
    ) -> Result<Option<shared::Row>, PgError> {
        let statement = self.prepared(sql)?;
        let row = self.client.query_opt(&statement, &bound(args))?;
        if row.is_some() && !sql.trim_start().starts_with("SELECT") {
            *self.changed += 1;
        }
        row.as_ref().map(shared_row).transpose()
    }

    fn execute(&mut self, sql: &'static str, args: &[Value<'_>]) -> Result<u64, PgError> {
        Ok(Sql::execute(self, sql, &bound(args))?)
    }

    fn locks_rows(&self) -> bool {
        true
    }
}

/// Arguments as the driver takes them.
fn bound<'v>(args: &'v [Value<'_>]) -> Vec<&'v (dyn ToSql + Sync)> {
    args.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

fn shared_row(row: &Row) -> Result<shared::Row, PgError> {
    (0..row.len())
        .map(|i| row.try_get::<_, Value<'static>>(i))
        .collect::<Result<_, _>>()
        .map(shared::Row)
        .map_err(PgError::from)
}

type BoxedError = Box<dyn std::error::Error + Sync + Send>;

fn mismatch(value: &Value<'_>, ty: &Type) -> BoxedError {
    format!("cannot bind {value:?} to a parameter of type {ty}").into()
}

/// Binds a value as the parameter's type (which the server inferred from
/// the statement) requires.
impl ToSql for Value<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxedError> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) if *ty == Type::INT8 => v.to_sql(ty, out),
            Value::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
            Value::Int(v) if *ty == Type::INT2 => i16::try_from(*v)?.to_sql(ty, out),
            Value::Int(v) if *ty == Type::BOOL => (*v != 0).to_sql(ty, out),
            Value::Int(v) if *ty == Type::FLOAT8 => (*v as f64).to_sql(ty, out),
            Value::Real(v) if *ty == Type::FLOAT8 => v.to_sql(ty, out),
            Value::Real(v) if *ty == Type::FLOAT4 => (*v as f32).to_sql(ty, out),
            Value::Text(t) if *ty == Type::BYTEA => typed(t).to_sql(ty, out),
            Value::Text(t) if *ty == Type::INT2_ARRAY => list::<i16>(t)?.to_sql(ty, out),
            Value::Text(t) if *ty == Type::INT4_ARRAY => list::<i32>(t)?.to_sql(ty, out),
            Value::Text(t) if *ty == Type::INT8_ARRAY => list::<i64>(t)?.to_sql(ty, out),
            Value::Text(t) if <&str as ToSql>::accepts(ty) => t.as_ref().to_sql(ty, out),
            Value::Time(t) if *ty == Type::TIMESTAMPTZ => micros(*t).to_sql(ty, out),
            Value::Day(d) if *ty == Type::DATE => d.to_sql(ty, out),
            _ => Err(mismatch(self, ty)),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    pg::types::to_sql_checked!();
}

/// A list of integers from the comma-separated text the shared rules keep
/// lists as (SQLite's form, `"0,2,4"`; empty text is an empty list), for
/// an integer array column.
fn list<I: std::str::FromStr>(text: &str) -> Result<Vec<I>, BoxedError>
where
    I::Err: std::error::Error + Sync + Send + 'static,
{
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|n| n.parse().map_err(BoxedError::from))
        .collect()
}

/// An integer array column as that same text.
fn list_text<I: ToString>(items: Vec<I>) -> Value<'static> {
    let text = items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    Value::Text(text.into())
}

/// Reads a column of any type the schema uses (see [`Value`]).
impl<'a> FromSql<'a> for Value<'static> {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxedError> {
        Ok(if *ty == Type::INT8 {
            Value::Int(i64::from_sql(ty, raw)?)
        } else if *ty == Type::INT4 {
            Value::Int(i32::from_sql(ty, raw)?.into())
        } else if *ty == Type::INT2 {
            Value::Int(i16::from_sql(ty, raw)?.into())
        } else if *ty == Type::BOOL {
            Value::Int(bool::from_sql(ty, raw)?.into())
        } else if *ty == Type::FLOAT8 {
            Value::Real(f64::from_sql(ty, raw)?)
        } else if *ty == Type::FLOAT4 {
            Value::Real(f32::from_sql(ty, raw)?.into())
        } else if *ty == Type::INT2_ARRAY {
            list_text(Vec::<i16>::from_sql(ty, raw)?)
        } else if *ty == Type::INT4_ARRAY {
            list_text(Vec::<i32>::from_sql(ty, raw)?)
        } else if *ty == Type::INT8_ARRAY {
            list_text(Vec::<i64>::from_sql(ty, raw)?)
        } else if *ty == Type::BYTEA {
            // Only valid UTF-8 is ever written (see `typed`).
            Value::Text(String::from_utf8_lossy(raw).into_owned().into())
        } else if <&str as FromSql>::accepts(ty) {
            Value::Text(String::from_sql(ty, raw)?.into())
        } else if *ty == Type::TIMESTAMPTZ {
            Value::Time(DateTime::<Utc>::from_sql(ty, raw)?)
        } else if *ty == Type::DATE {
            Value::Day(NaiveDate::from_sql(ty, raw)?)
        } else {
            return Err(format!("cannot read a column of type {ty}").into());
        })
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxedError> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// The shared rules' own errors: contention is [`PgError::Contended`] (the
/// caller is told the database is busy).
impl From<SqlError> for PgError {
    fn from(e: SqlError) -> Self {
        match e {
            SqlError::Contended => PgError::Contended,
            other => PgError::Rule(other),
        }
    }
}
