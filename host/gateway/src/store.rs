//! Durable gateway state in SQLite (WAL): one table of JSON records by kind and key. Every write
//! is a transaction, so a killed process leaves either the old or the new state, never half.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("gateway state database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("gateway state record is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Kinds of records.
pub mod kind {
    pub const DEVICE: &str = "device";
    pub const TOKEN: &str = "device-token";
    pub const DEVICE_REQUEST: &str = "device-request";
    pub const NODE: &str = "node";
    pub const NODE_REQUEST: &str = "node-request";
    pub const PENDING: &str = "pending";
    pub const PENDING_REVISION: &str = "pending-revision";
    /// Exec approvals (`exec.approval.*`): parent `pending` or `terminal`.
    pub const EXEC_APPROVAL: &str = "exec-approval";
}

pub struct Store {
    conn: Mutex<Connection>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS records (
    kind   TEXT NOT NULL,
    key    TEXT NOT NULL,
    parent TEXT NOT NULL DEFAULT '',
    record TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
CREATE INDEX IF NOT EXISTS records_by_parent ON records (kind, parent);
";

impl Store {
    pub fn open(path: &Path) -> StoreResult<Store> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    pub fn get<T: DeserializeOwned>(&self, kind: &str, key: &str) -> StoreResult<Option<T>> {
        get_record(&self.conn.lock().unwrap(), kind, key)
    }

    /// All records of a kind, in insertion order.
    pub fn list<T: DeserializeOwned>(&self, kind: &str) -> StoreResult<Vec<T>> {
        self.query(
            "SELECT record FROM records WHERE kind = ?1 ORDER BY rowid",
            params![kind],
        )
    }

    /// All records of a kind with their keys, in insertion order.
    pub fn list_keyed<T: DeserializeOwned>(&self, kind: &str) -> StoreResult<Vec<(String, T)>> {
        let conn = self.conn.lock().unwrap();
        let mut stmt =
            conn.prepare_cached("SELECT key, record FROM records WHERE kind = ?1 ORDER BY rowid")?;
        let rows = stmt.query_map(params![kind], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (key, record) = row?;
            out.push((key, serde_json::from_str(&record)?));
        }
        Ok(out)
    }

    /// Records of a kind that belong to `parent`, in insertion order.
    pub fn children<T: DeserializeOwned>(&self, kind: &str, parent: &str) -> StoreResult<Vec<T>> {
        self.query(
            "SELECT record FROM records WHERE kind = ?1 AND parent = ?2 ORDER BY rowid",
            params![kind, parent],
        )
    }

    fn query<T: DeserializeOwned>(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> StoreResult<Vec<T>> {
        let conn = self.conn.lock().unwrap();
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(args, |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(serde_json::from_str(&row?)?);
        }
        Ok(out)
    }

    /// Runs `f` in one transaction; nothing is written unless it returns `Ok`.
    pub fn write<R>(&self, f: impl FnOnce(&Writer) -> StoreResult<R>) -> StoreResult<R> {
        let mut conn = self.conn.lock().unwrap();
        // Immediate: another process (`openclaw qr`) may write too, and a read that turns into
        // a write must not find the snapshot it read gone.
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let result = f(&Writer { tx: &tx })?;
        tx.commit()?;
        Ok(result)
    }
}

fn get_record<T: DeserializeOwned>(
    conn: &Connection,
    kind: &str,
    key: &str,
) -> StoreResult<Option<T>> {
    let text: Option<String> = conn
        .query_row(
            "SELECT record FROM records WHERE kind = ?1 AND key = ?2",
            params![kind, key],
            |r| r.get(0),
        )
        .optional()?;
    Ok(text.map(|t| serde_json::from_str(&t)).transpose()?)
}

/// Writes inside one transaction.
pub struct Writer<'a> {
    tx: &'a Transaction<'a>,
}

impl Writer<'_> {
    pub fn put<T: Serialize>(
        &self,
        kind: &str,
        key: &str,
        parent: &str,
        record: &T,
    ) -> StoreResult<()> {
        let text = serde_json::to_string(record)?;
        // An update keeps the row (and so its place in insertion order).
        let updated = self.tx.execute(
            "UPDATE records SET parent = ?3, record = ?4 WHERE kind = ?1 AND key = ?2",
            params![kind, key, parent, text],
        )?;
        if updated == 0 {
            self.tx.execute(
                "INSERT INTO records (kind, key, parent, record) VALUES (?1, ?2, ?3, ?4)",
                params![kind, key, parent, text],
            )?;
        }
        Ok(())
    }

    pub fn delete(&self, kind: &str, key: &str) -> StoreResult<bool> {
        Ok(self.tx.execute(
            "DELETE FROM records WHERE kind = ?1 AND key = ?2",
            params![kind, key],
        )? > 0)
    }

    pub fn delete_children(&self, kind: &str, parent: &str) -> StoreResult<usize> {
        Ok(self.tx.execute(
            "DELETE FROM records WHERE kind = ?1 AND parent = ?2",
            params![kind, parent],
        )?)
    }

    pub fn get<T: DeserializeOwned>(&self, kind: &str, key: &str) -> StoreResult<Option<T>> {
        get_record(self.tx, kind, key)
    }

    pub fn parent_of(&self, kind: &str, key: &str) -> StoreResult<Option<String>> {
        Ok(self
            .tx
            .query_row(
                "SELECT parent FROM records WHERE kind = ?1 AND key = ?2",
                params![kind, key],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn count_children(&self, kind: &str, parent: &str) -> StoreResult<u64> {
        Ok(self.tx.query_row(
            "SELECT COUNT(*) FROM records WHERE kind = ?1 AND parent = ?2",
            params![kind, parent],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_survive_reopen_and_failed_writes_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gateway.sqlite");
        {
            let store = Store::open(&path).unwrap();
            store
                .write(|w| w.put("k", "a", "p", &serde_json::json!({"n": 1})))
                .unwrap();
            let failed: StoreResult<()> = store.write(|w| {
                w.put("k", "b", "p", &serde_json::json!({"n": 2}))?;
                Err(StoreError::Corrupt(
                    serde_json::from_str::<u8>("x").unwrap_err(),
                ))
            });
            assert!(failed.is_err());
        }
        let store = Store::open(&path).unwrap();
        let all: Vec<serde_json::Value> = store.children("k", "p").unwrap();
        assert_eq!(all, vec![serde_json::json!({"n": 1})]);
    }
}
