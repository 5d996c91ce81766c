//! Connections that have not authenticated yet are bounded in number. A flood of idle or
//! half-open connections cannot lock legitimate clients out: when the bound is reached, the
//! oldest unauthenticated connection is dropped to admit the newest, and a client that
//! completes its handshake promptly is never the oldest for long.

use std::collections::VecDeque;
use std::sync::Mutex;

use tokio::sync::oneshot;

/// Unauthenticated connections held at once.
pub const MAX_UNAUTHENTICATED: usize = 256;

#[derive(Default)]
pub struct Admission {
    waiting: Mutex<Waiting>,
}

#[derive(Default)]
struct Waiting {
    next: u64,
    queue: VecDeque<(u64, oneshot::Sender<()>)>,
}

/// One connection's place until it authenticates (or goes away). Its `evicted` fires when a
/// newer connection takes the place.
pub struct Ticket<'a> {
    admission: &'a Admission,
    id: u64,
    pub evicted: oneshot::Receiver<()>,
}

impl Admission {
    pub fn admit(&self) -> Ticket<'_> {
        let mut waiting = self.waiting.lock().unwrap();
        while waiting.queue.len() >= MAX_UNAUTHENTICATED {
            if let Some((_, oldest)) = waiting.queue.pop_front() {
                oldest.send(()).ok();
            }
        }
        let id = waiting.next;
        waiting.next += 1;
        let (tx, evicted) = oneshot::channel();
        waiting.queue.push_back((id, tx));
        Ticket {
            admission: self,
            id,
            evicted,
        }
    }

    /// Connections waiting to authenticate.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.waiting.lock().unwrap().queue.len()
    }
}

impl Drop for Ticket<'_> {
    /// Authenticated or gone: the place is free.
    fn drop(&mut self) {
        let mut waiting = self.admission.waiting.lock().unwrap();
        waiting.queue.retain(|(id, _)| *id != self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_waiting_connection_makes_room_for_the_newest() {
        let admission = Admission::default();
        let mut tickets: Vec<Ticket> = (0..MAX_UNAUTHENTICATED)
            .map(|_| admission.admit())
            .collect();
        let newest = admission.admit();
        assert_eq!(admission.len(), MAX_UNAUTHENTICATED);
        assert!(
            tickets[0].evicted.try_recv().is_ok(),
            "the oldest was told to go"
        );
        assert!(tickets[1].evicted.try_recv().is_err());
        drop(newest);
        tickets.truncate(10);
        assert_eq!(admission.len(), 9, "dropped tickets free their places");
    }
}
