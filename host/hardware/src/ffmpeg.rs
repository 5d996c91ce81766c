//! Runs ffmpeg into a temporary file and answers the file as base64, within a deadline and a
//! size cap.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use base64::Engine;
use openclaw_protocol::errors::ErrorCode;
use tokio::process::Command;

use crate::HardwareError;

/// Largest recording or picture (as base64) a result carries.
pub const MAX_MEDIA_BASE64_BYTES: usize = 24 * 1024 * 1024;

/// Output options of an mp4 that plays anywhere: H.264, yuv420p, index up front.
pub const MP4_OUTPUT: &[&str] = &[
    "-c:v",
    "libx264",
    "-preset",
    "ultrafast",
    "-pix_fmt",
    "yuv420p",
    "-movflags",
    "+faststart",
    "-f",
    "mp4",
];

/// The ffmpeg on PATH.
pub fn find() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("ffmpeg"))
        .find(|candidate| candidate.is_file())
}

/// Runs `ffmpeg <args> <output>` (output named `out.<ext>` in a fresh temp dir); answers the
/// output as base64.
pub async fn capture(
    args: &[String],
    ext: &str,
    deadline: Duration,
) -> Result<String, HardwareError> {
    let ffmpeg = find().ok_or_else(|| {
        HardwareError::unavailable(
            "ffmpeg is not installed on this node; install it with `apt-get install ffmpeg`",
        )
    })?;
    let dir = tempdir()?;
    let output = dir.0.join(format!("out.{ext}"));
    let mut command = Command::new(ffmpeg);
    command
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-y"])
        .args(args)
        .arg(&output)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let child = command
        .spawn()
        .map_err(|e| HardwareError::unavailable(format!("cannot start ffmpeg: {e}")))?;
    let out = match tokio::time::timeout(deadline, child.wait_with_output()).await {
        Ok(out) => out.map_err(|e| HardwareError::unavailable(format!("ffmpeg failed: {e}")))?,
        Err(_) => {
            return Err(HardwareError::new(
                ErrorCode::Timeout,
                format!("ffmpeg did not finish within {} s", deadline.as_secs()),
            ))
        }
    };
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        return Err(HardwareError::unavailable(format!(
            "ffmpeg failed ({}): {}",
            out.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
        )));
    }
    let size = std::fs::metadata(&output).map_or(0, |m| m.len() as usize);
    if size.div_ceil(3) * 4 > MAX_MEDIA_BASE64_BYTES {
        return Err(HardwareError::new(
            ErrorCode::PayloadTooLarge,
            format!("the capture is {size} bytes, over the {MAX_MEDIA_BASE64_BYTES}-byte limit as base64; record less"),
        ));
    }
    let bytes = std::fs::read(&output)
        .map_err(|e| HardwareError::unavailable(format!("cannot read ffmpeg's output: {e}")))?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

/// A temp dir removed on drop.
struct TempDir(PathBuf);

fn tempdir() -> Result<TempDir, HardwareError> {
    let dir = std::env::temp_dir().join(format!(
        "openclaw-capture-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    std::fs::create_dir_all(&dir)
        .map_err(|e| HardwareError::unavailable(format!("cannot make a temp dir: {e}")))?;
    Ok(TempDir(dir))
}

impl Drop for TempDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[tokio::test]
    async fn captures_come_back_as_base64_within_the_cap() {
        let frame = args(&[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=1",
            "-frames:v",
            "1",
            "-f",
            "image2",
        ]);
        let jpeg = capture(&frame, "jpg", Duration::from_secs(20))
            .await
            .unwrap();
        assert_eq!(crate::camera::jpeg_size(&jpeg), Some((320, 240)));

        // 4000x4000 raw RGB is 48 MB: over the cap, refused with the protocol's code.
        let huge = args(&[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=4000x4000:rate=1",
            "-frames:v",
            "1",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
        ]);
        let e = capture(&huge, "rgb", Duration::from_secs(60))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::PayloadTooLarge, "{}", e.message);

        let broken = args(&["-f", "lavfi", "-i", "no-such-source", "-f", "image2"]);
        let e = capture(&broken, "jpg", Duration::from_secs(20))
            .await
            .unwrap_err();
        assert_eq!(e.code, ErrorCode::Unavailable);
        assert!(e.message.starts_with("ffmpeg failed"), "{}", e.message);
    }
}
