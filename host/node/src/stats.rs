//! `node.host.stats`: CPU count, load, memory and disk of this machine, as the real node host
//! reports them (every 60 s and on connect).

use serde_json::{json, Value};

pub fn host_stats() -> Value {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut stats = json!({"cpuCount": cpus});
    if let Some(load) = load_average() {
        stats["loadAverage"] = json!(load);
    }
    let (total, available) = memory();
    stats["memoryTotalBytes"] = json!(total);
    stats["memoryFreeBytes"] = json!(available.min(total));
    if let Some((total, available)) = disk("/") {
        stats["diskTotalBytes"] = json!(total);
        stats["diskAvailableBytes"] = json!(available.min(total));
    }
    stats
}

fn load_average() -> Option<[f64; 3]> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let mut parts = text.split_whitespace().map(|p| p.parse::<f64>().ok());
    Some([parts.next()??, parts.next()??, parts.next()??])
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
        assert!(s["cpuCount"].as_u64().unwrap() >= 1);
        assert!(s["memoryTotalBytes"].as_u64().unwrap() >= s["memoryFreeBytes"].as_u64().unwrap());
        assert_eq!(s["loadAverage"].as_array().unwrap().len(), 3);
        assert!(s["diskTotalBytes"].as_u64().unwrap() > 0);
    }
}
