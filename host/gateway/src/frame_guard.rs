//! Enforces the pre-hello size limit at the frame layer: a reader between the socket and the
//! WebSocket that follows the client's bytes (the HTTP upgrade, then each frame header) and
//! fails the read as soon as a header announces more than the limit, before any of that
//! payload is read or buffered. Once the client is authenticated the guard steps aside and the
//! WebSocket's own (larger) limits apply.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Longest HTTP upgrade request accepted.
const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// Shared between the guard and the connection: lift it after hello; it says whether it
/// tripped.
#[derive(Clone, Default)]
pub struct GuardSwitch {
    lifted: Arc<AtomicBool>,
    tripped: Arc<AtomicBool>,
}

impl GuardSwitch {
    pub fn lift(&self) {
        self.lifted.store(true, Ordering::Relaxed);
    }

    /// A frame over the limit was announced.
    pub fn tripped(&self) -> bool {
        self.tripped.load(Ordering::Relaxed)
    }
}

enum State {
    /// Inside the HTTP request head; how many of `\r\n\r\n` were just seen, and its length.
    Head { matched: usize, seen: usize },
    /// Reading a frame header: the bytes so far.
    Header(Vec<u8>),
    /// Skipping a frame's payload.
    Payload(u64),
}

pub struct FrameGuard<T> {
    inner: T,
    limit: u64,
    state: State,
    /// Bytes of the data message being assembled from fragments.
    message: u64,
    switch: GuardSwitch,
}

impl<T> FrameGuard<T> {
    pub fn new(inner: T, limit: usize, switch: GuardSwitch) -> FrameGuard<T> {
        FrameGuard {
            inner,
            limit: limit as u64,
            state: State::Head {
                matched: 0,
                seen: 0,
            },
            message: 0,
            switch,
        }
    }

    /// Follows `bytes` through the protocol; an error names what broke the limit.
    fn inspect(&mut self, mut bytes: &[u8]) -> Result<(), String> {
        while !bytes.is_empty() {
            match &mut self.state {
                State::Head { matched, seen } => {
                    let b = bytes[0];
                    bytes = &bytes[1..];
                    *seen += 1;
                    let expect = b"\r\n\r\n"[*matched];
                    *matched = if b == expect {
                        *matched + 1
                    } else {
                        usize::from(b == b'\r')
                    };
                    if *matched == 4 {
                        self.state = State::Header(Vec::with_capacity(14));
                    } else if *seen > MAX_REQUEST_HEAD {
                        return Err("the upgrade request is too long".into());
                    }
                }
                State::Header(header) => {
                    header.push(bytes[0]);
                    bytes = &bytes[1..];
                    let Some((length, complete)) = announced(header) else {
                        continue;
                    };
                    let (fin, data) = (header[0] & 0x80 != 0, header[0] & 0x0f < 8);
                    // A header may announce up to 2^64 - 1 bytes: the sum saturates, so it can
                    // never wrap round to a small message that passes.
                    let message = self.message.saturating_add(length);
                    // Refused as soon as the length is known, before the mask key even.
                    if data && message > self.limit {
                        return Err(format!(
                            "a frame announced {length} bytes, over the {}-byte limit before hello",
                            self.limit
                        ));
                    }
                    if !complete {
                        continue;
                    }
                    if data {
                        self.message = if fin { 0 } else { message };
                    }
                    self.state = match length {
                        0 => State::Header(Vec::with_capacity(14)),
                        n => State::Payload(n),
                    };
                }
                State::Payload(left) => {
                    let take = (*left).min(bytes.len() as u64);
                    bytes = &bytes[take as usize..];
                    *left -= take;
                    if *left == 0 {
                        self.state = State::Header(Vec::with_capacity(14));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The payload length a header announces, once its length bytes are in, and whether the
/// header is complete (its mask key read too).
fn announced(header: &[u8]) -> Option<(u64, bool)> {
    if header.len() < 2 {
        return None;
    }
    let masked = header[1] & 0x80 != 0;
    let (length, at) = match header[1] & 0x7f {
        126 if header.len() >= 4 => (u64::from(u16::from_be_bytes([header[2], header[3]])), 4),
        127 if header.len() >= 10 => (u64::from_be_bytes(header[2..10].try_into().ok()?), 10),
        126 | 127 => return None,
        short => (u64::from(short), 2),
    };
    Some((length, header.len() >= at + if masked { 4 } else { 0 }))
}

impl<T: AsyncRead + Unpin> AsyncRead for FrameGuard<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && !this.switch.lifted.load(Ordering::Relaxed) {
            if let Err(why) = this.inspect(&buf.filled()[before..]) {
                this.switch.tripped.store(true, Ordering::Relaxed);
                // Nothing of the oversized frame goes further.
                buf.set_filled(before);
                return Poll::Ready(Err(io::Error::new(io::ErrorKind::InvalidData, why)));
            }
        }
        polled
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for FrameGuard<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> FrameGuard<()> {
        FrameGuard::new((), 65_536, GuardSwitch::default())
    }

    const HEAD: &[u8] = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    /// A masked client frame header announcing `len` bytes.
    fn header(fin: bool, opcode: u8, len: u64) -> Vec<u8> {
        let mut h = vec![(u8::from(fin) << 7) | opcode];
        match len {
            0..=125 => h.push(0x80 | len as u8),
            126..=65_535 => {
                h.push(0x80 | 126);
                h.extend((len as u16).to_be_bytes());
            }
            _ => {
                h.push(0x80 | 127);
                h.extend(len.to_be_bytes());
            }
        }
        h.extend([1, 2, 3, 4]);
        h
    }

    #[test]
    fn an_oversized_frame_is_refused_at_its_header() {
        let mut g = guard();
        g.inspect(HEAD).unwrap();
        let mut small = header(true, 1, 10);
        small.extend([b'x'; 10]);
        g.inspect(&small).unwrap();
        // One byte at a time, as a slow client sends it: refused once the length is known.
        let big = header(true, 1, 20 << 20);
        for (i, b) in big.iter().enumerate() {
            let r = g.inspect(&[*b]);
            if i < 9 {
                assert!(r.is_ok(), "byte {i}");
            } else {
                assert!(r.unwrap_err().contains("20971520 bytes"));
                return;
            }
        }
        panic!("never refused");
    }

    #[test]
    fn fragments_count_toward_one_message_and_control_frames_do_not() {
        let mut g = guard();
        g.inspect(HEAD).unwrap();
        let fragment = |fin: bool, opcode: u8| {
            let mut f = header(fin, opcode, 30_000);
            f.extend(vec![0; 30_000]);
            f
        };
        g.inspect(&fragment(false, 1)).unwrap();
        g.inspect(&fragment(false, 0)).unwrap();
        assert!(
            g.inspect(&fragment(true, 0)).is_err(),
            "three fragments of 30 000 bytes are one message over 64 KiB"
        );
        let mut g = guard();
        g.inspect(HEAD).unwrap();
        let mut ping = header(true, 9, 4);
        ping.extend([0; 4]);
        let mut text = header(true, 1, 60_000);
        text.extend(vec![0; 60_000]);
        for _ in 0..3 {
            g.inspect(&ping).unwrap();
            g.inspect(&text).unwrap();
        }
    }

    #[test]
    fn lengths_near_the_top_of_u64_are_refused_and_never_wrap() {
        // 100 bytes in, then a fragment announcing nearly 2^64: the sum wraps to 49 unless it
        // saturates, and 49 would pass the limit.
        let mut g = guard();
        g.inspect(HEAD).unwrap();
        let mut first = header(false, 1, 100);
        first.extend([0; 100]);
        g.inspect(&first).unwrap();
        let e = g.inspect(&header(false, 0, u64::MAX - 50)).unwrap_err();
        assert!(e.contains(&format!("{} bytes", u64::MAX - 50)), "{e}");

        // A limit of usize::MAX: fragments whose sum passes u64::MAX stop at it, without a
        // panic and without coming back round to a small message.
        let mut g = FrameGuard::new((), usize::MAX, GuardSwitch::default());
        g.inspect(HEAD).unwrap();
        g.inspect(&header(false, 1, u64::MAX / 2 + 1)).unwrap();
        g.state = State::Header(Vec::new());
        g.inspect(&header(false, 0, u64::MAX / 2 + 1)).unwrap();
        assert_eq!(g.message, u64::MAX);
    }

    #[test]
    fn an_endless_upgrade_request_is_refused() {
        let mut g = guard();
        assert!(g.inspect(&vec![b'a'; MAX_REQUEST_HEAD + 1]).is_err());
    }
}
