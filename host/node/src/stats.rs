//! `node.host.stats`: CPU count, load, memory and disk of this machine, as the real node host
//! reports them (every 60 s and on connect).

use openclaw_protocol::node_events::HostStats;

pub fn host_stats() -> HostStats {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (memory_total, memory_available) = memory();
    let disk = disk("/");
    HostStats {
        cpu_count: cpus as u64,
        load_average: load_average(),
        memory_total_bytes: memory_total,
        memory_free_bytes: memory_available.min(memory_total),
        disk_total_bytes: disk.map(|(total, _)| total),
        disk_available_bytes: disk.map(|(total, available)| available.min(total)),
    }
}

fn load_average() -> Option<Vec<f64>> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace()
        .take(3)
        .map(|p| p.parse::<f64>().ok())
        .collect::<Option<Vec<f64>>>()
        .filter(|load| load.len() == 3)
}

/// (MemTotal, MemAvailable) in bytes.
fn memory() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("MemTotal:"), field("MemAvailable:"))
}

/// (total, available) bytes of the filesystem holding `path`.
fn disk(path: &str) -> Option<(u64, u64)> {
    let c_path = std::ffi::CString::new(path).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: a valid C string and a zeroed out-struct of the right type.
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut st) } != 0 {
        return None;
    }
    let frsize = st.f_frsize as u64;
    Some((st.f_blocks as u64 * frsize, st.f_bavail as u64 * frsize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_are_plausible() {
        let s = host_stats();
        assert!(s.cpu_count >= 1);
        assert!(s.memory_total_bytes >= s.memory_free_bytes);
        assert_eq!(s.load_average.unwrap().len(), 3);
        assert!(s.disk_total_bytes.unwrap() > 0);
    }
}
