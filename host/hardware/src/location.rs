//! The node's position: a fixed one from the config, or a fix from gpsd (its JSON protocol on
//! a TCP port, usually 127.0.0.1:2947). Off unless the operator turns it on.

use std::time::{Duration, Instant};

use openclaw_protocol::errors::ErrorCode;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

use crate::time::now_iso;
use crate::HardwareError;

/// gpsd's standard address.
pub const DEFAULT_GPSD: &str = "127.0.0.1:2947";
/// Accuracy reported for a fixed position when the config gives none.
const FIXED_ACCURACY_METERS: f64 = 10.0;
/// A fix at least this good counts as precise.
const PRECISE_METERS: f64 = 50.0;

#[derive(Debug, Clone, PartialEq)]
pub struct FixedPosition {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_meters: Option<f64>,
}

#[derive(Debug, Clone, Default)]
pub struct LocationOptions {
    /// `nodeHost.location.enabled`.
    pub enabled: bool,
    /// `nodeHost.location.fixed`: used instead of gpsd.
    pub fixed: Option<FixedPosition>,
    /// `nodeHost.location.gpsd` (`host:port`); `None` is [`DEFAULT_GPSD`].
    pub gpsd: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fix {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_meters: f64,
    pub altitude_meters: Option<f64>,
    pub speed_mps: Option<f64>,
    pub heading_deg: Option<f64>,
    /// ISO-8601, as the source stamped it.
    pub timestamp: String,
    pub is_precise: bool,
    /// `gps` or `unknown` (a fixed position).
    pub source: &'static str,
}

pub struct Location {
    options: LocationOptions,
    /// The last fix from gpsd and when it arrived.
    last: Mutex<Option<(Fix, Instant)>>,
}

impl Location {
    pub fn new(options: LocationOptions) -> Location {
        Location {
            options,
            last: Mutex::new(None),
        }
    }

    pub fn enabled(&self) -> bool {
        self.options.enabled
    }

    fn gpsd(&self) -> &str {
        self.options.gpsd.as_deref().unwrap_or(DEFAULT_GPSD)
    }

    /// Whether a position can be had: a fixed one, or a gpsd that answers.
    pub async fn works(&self) -> bool {
        if !self.options.enabled {
            return false;
        }
        if self.options.fixed.is_some() {
            return true;
        }
        let connect = TcpStream::connect(self.gpsd());
        matches!(
            tokio::time::timeout(Duration::from_secs(1), connect).await,
            Ok(Ok(_))
        )
    }

    /// A fix no older than `max_age` (none: a new one), waiting at most `timeout` for gpsd.
    pub async fn current(
        &self,
        max_age: Option<Duration>,
        timeout: Duration,
    ) -> Result<Fix, HardwareError> {
        if !self.options.enabled {
            return Err(HardwareError::new(
                ErrorCode::LocationDisabled,
                "location is off on this node; set nodeHost.location.enabled to true in openclaw.json",
            ));
        }
        if let Some(fixed) = &self.options.fixed {
            let accuracy = fixed.accuracy_meters.unwrap_or(FIXED_ACCURACY_METERS);
            return Ok(Fix {
                lat: fixed.lat,
                lon: fixed.lon,
                accuracy_meters: accuracy,
                altitude_meters: None,
                speed_mps: None,
                heading_deg: None,
                timestamp: now_iso(),
                is_precise: accuracy <= PRECISE_METERS,
                source: "unknown",
            });
        }
        if let Some(max_age) = max_age {
            if let Some((fix, at)) = self.last.lock().await.as_ref() {
                if at.elapsed() <= max_age {
                    return Ok(fix.clone());
                }
            }
        }
        let fix = match tokio::time::timeout(timeout, read_fix(self.gpsd())).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(HardwareError::new(
                    ErrorCode::Timeout,
                    format!(
                        "no GPS fix from gpsd at {} within {} ms",
                        self.gpsd(),
                        timeout.as_millis()
                    ),
                ))
            }
        };
        *self.last.lock().await = Some((fix.clone(), Instant::now()));
        Ok(fix)
    }
}

/// Watches gpsd until it reports a position (a TPV with a 2D or 3D fix).
async fn read_fix(address: &str) -> Result<Fix, HardwareError> {
    let mut stream = TcpStream::connect(address).await.map_err(|e| {
        HardwareError::unavailable(format!(
            "gpsd is not reachable at {address} ({e}); start gpsd, or set nodeHost.location.fixed in openclaw.json"
        ))
    })?;
    stream
        .write_all(b"?WATCH={\"enable\":true,\"json\":true};\n")
        .await
        .map_err(|e| HardwareError::unavailable(format!("gpsd at {address}: {e}")))?;
    let mut lines = BufReader::new(stream).lines();
    loop {
        let line = lines
            .next_line()
            .await
            .map_err(|e| HardwareError::unavailable(format!("gpsd at {address}: {e}")))?
            .ok_or_else(|| {
                HardwareError::unavailable(format!("gpsd at {address} closed the connection"))
            })?;
        let Ok(report) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        if let Some(fix) = fix_of(&report) {
            return Ok(fix);
        }
    }
}

/// A position from a gpsd TPV report, if it has one.
fn fix_of(report: &Value) -> Option<Fix> {
    if report["class"] != "TPV" || report["mode"].as_u64().unwrap_or(0) < 2 {
        return None;
    }
    let (lat, lon) = (report["lat"].as_f64()?, report["lon"].as_f64()?);
    let accuracy = report["eph"]
        .as_f64()
        .or_else(|| Some(report["epx"].as_f64()?.max(report["epy"].as_f64()?)))
        .unwrap_or(PRECISE_METERS);
    Some(Fix {
        lat,
        lon,
        accuracy_meters: accuracy,
        altitude_meters: report["altMSL"].as_f64().or(report["alt"].as_f64()),
        speed_mps: report["speed"].as_f64(),
        heading_deg: report["track"].as_f64(),
        timestamp: report["time"]
            .as_str()
            .map(String::from)
            .unwrap_or_else(now_iso),
        is_precise: accuracy <= PRECISE_METERS,
        source: "gps",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tpv_reports() {
        let tpv: Value = serde_json::from_str(r#"{"class":"TPV","mode":3,"time":"2026-11-22T12:00:03.000Z","lat":48.1173,"lon":11.516666667,"altMSL":545.4,"track":84.4,"speed":11.524,"eph":17.1}"#).unwrap();
        let fix = fix_of(&tpv).unwrap();
        assert_eq!(
            (fix.lat, fix.lon, fix.accuracy_meters),
            (48.1173, 11.516666667, 17.1)
        );
        assert_eq!(
            (fix.altitude_meters, fix.heading_deg),
            (Some(545.4), Some(84.4))
        );
        assert!(fix.is_precise);
        assert_eq!(fix.timestamp, "2026-11-22T12:00:03.000Z");
        let no_fix: Value = serde_json::from_str(r#"{"class":"TPV","mode":1}"#).unwrap();
        assert!(fix_of(&no_fix).is_none());
        let sky: Value = serde_json::from_str(r#"{"class":"SKY"}"#).unwrap();
        assert!(fix_of(&sky).is_none());
    }

    #[tokio::test]
    async fn off_unless_enabled() {
        let location = Location::new(LocationOptions {
            enabled: false,
            fixed: Some(FixedPosition {
                lat: 1.0,
                lon: 2.0,
                accuracy_meters: None,
            }),
            gpsd: None,
        });
        let e = location
            .current(None, Duration::from_secs(1))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::LocationDisabled);
        assert!(e.message.contains("nodeHost.location.enabled"));
        assert!(!location.works().await);
    }
}
