//! The pipes of `--remote-debugging-pipe`: Chromium reads DevTools commands from its fd 3 and
//! writes replies and events to its fd 4, each message ending with a NUL byte. Only the
//! process holding the other ends can speak to it; nothing listens on a port.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use tokio::net::unix::pipe;

/// Chromium's ends, to be installed as its fds 3 and 4.
pub struct ChildEnds {
    commands: OwnedFd,
    replies: OwnedFd,
}

/// The node's ends.
pub struct NodeEnds {
    pub to_chromium: pipe::Sender,
    pub from_chromium: pipe::Receiver,
}

/// Two fresh pipes. Every end is close-on-exec, so none leaks into another child; only the
/// copies [`ChildEnds::install`] makes survive Chromium's exec.
pub fn open() -> io::Result<(ChildEnds, NodeEnds)> {
    let (commands, to_chromium) = pipe_pair()?;
    let (from_chromium, replies) = pipe_pair()?;
    let node = NodeEnds {
        to_chromium: pipe::Sender::from_owned_fd(to_chromium)?,
        from_chromium: pipe::Receiver::from_owned_fd(from_chromium)?,
    };
    Ok((ChildEnds { commands, replies }, node))
}

impl ChildEnds {
    /// The raw fds, for [`install`] in the child between fork and exec.
    pub fn raw(&self) -> (RawFd, RawFd) {
        (self.commands.as_raw_fd(), self.replies.as_raw_fd())
    }
}

/// Makes `commands` fd 3 and `replies` fd 4 (without close-on-exec). Runs between fork and
/// exec, so it only calls async-signal-safe functions. The ends go to fds of 10 and above
/// first, so neither is overwritten when one already sits at 3 or 4.
pub fn install((commands, replies): (RawFd, RawFd)) -> io::Result<()> {
    let high = |fd: RawFd| match unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 10) } {
        -1 => Err(io::Error::last_os_error()),
        copy => Ok(copy),
    };
    let (commands, replies) = (high(commands)?, high(replies)?);
    for (from, to) in [(commands, 3), (replies, 4)] {
        if unsafe { libc::dup2(from, to) } == -1 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// (read end, write end), both close-on-exec.
fn pipe_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0; 2];
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } == -1 {
        return Err(io::Error::last_os_error());
    }
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

#[cfg(test)]
impl ChildEnds {
    /// (commands, replies), for tests that play Chromium.
    pub fn into_fds(self) -> (OwnedFd, OwnedFd) {
        (self.commands, self.replies)
    }
}
