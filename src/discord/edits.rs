//! Coalesces edits of one message: Discord rate-limits message edits, and a
//! class answering together would otherwise edit the daily question's tally
//! once per answer. The first edit of a message opens a window of `WINDOW`;
//! later edits in it only replace what will be sent; when the window closes
//! the latest state is sent. So there is at most one edit per message per
//! window, and the last state of a burst is always sent (the final flush).
//! The lock is never held across an `.await`.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const WINDOW: Duration = Duration::from_secs(3);

type Send<K, V> = dyn Fn(K, V) -> Pin<Box<dyn Future<Output = ()> + std::marker::Send>>
    + std::marker::Send
    + Sync;

pub struct Coalescer<K, V> {
    window: Duration,
    pending: Mutex<HashMap<K, V>>,
    send: Box<Send<K, V>>,
}

impl<K, V> Coalescer<K, V>
where
    K: Eq + Hash + Clone + std::marker::Send + 'static,
    V: std::marker::Send + 'static,
{
    pub fn new(window: Duration, send: Box<Send<K, V>>) -> Arc<Self> {
        Arc::new(Self {
            window,
            pending: Mutex::new(HashMap::new()),
            send,
        })
    }

    /// Queues `value` as the next state of message `key`.
    pub fn submit(self: &Arc<Self>, key: K, value: V) {
        let opens_window = {
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            pending.insert(key.clone(), value).is_none()
        };
        if opens_window {
            let this = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(this.window).await;
                let latest = this
                    .pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&key);
                if let Some(value) = latest {
                    (this.send)(key, value).await;
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_burst_becomes_one_edit_with_the_latest_state() {
        let sent: Arc<Mutex<Vec<(u64, u32)>>> = Arc::default();
        let log = sent.clone();
        let coalescer = Coalescer::new(
            WINDOW,
            Box::new(move |k: u64, v: u32| {
                let log = log.clone();
                Box::pin(async move { log.lock().unwrap().push((k, v)) })
            }),
        );
        for tally in 1..=30 {
            coalescer.submit(1, tally);
            coalescer.submit(2, tally * 10);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(WINDOW).await;
        let mut got = sent.lock().unwrap().clone();
        got.sort();
        // 30 answers in 1.5 s: one edit per message, carrying the last tally.
        assert_eq!(got, [(1, 30), (2, 300)]);
        // A later answer opens a new window and is sent too.
        coalescer.submit(1, 31);
        tokio::time::sleep(WINDOW + Duration::from_millis(10)).await;
        assert_eq!(sent.lock().unwrap().last(), Some(&(1, 31)));
    }
}
