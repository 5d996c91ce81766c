//! The hardware plugins (`location`, `notify`, `screen`, `camera`) through our gateway and node
//! host, against real services: gpsd fed by gpsfake, a notification service on a private
//! session D-Bus, an Xvfb display recorded with ffmpeg.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Instant;

use base64::Engine;
use openclaw_test_support::gateway::*;
use openclaw_test_support::hardware_services::*;
use openclaw_test_support::node::*;
use serde_json::{json, Value};

fn data(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/e2e/data")
        .join(name)
}

async fn describe(op: &openclaw_client::GatewayClient, id: &str) -> Value {
    op.request("node.describe", json!({"nodeId": id}))
        .await
        .unwrap()
}

fn has(described: &Value, command: &str) -> bool {
    described["commands"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c == command))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn location_comes_from_gpsd_and_is_off_by_default() {
    // The gateway's Linux defaults leave location.get out, as on the real gateway.
    let mut config = default_config();
    config["gateway"]["nodes"]["commands"]["allow"] = json!(["location.get"]);
    let gw = GatewayProc::start_with(config, &[], &[]);
    let op = gw.operator().await;
    let (_gpsd, address) = gpsfake(&data("gps-fix.nmea"));
    let config = json!({"nodeHost": {"location": {"enabled": true, "gpsd": address}}});
    let (_node, id) = start_paired(&gw, &op, "gps-node", config).await;
    let described = describe(&op, &id).await;
    assert!(has(&described, "location.get"), "{described}");
    assert_eq!(described["permissions"]["location"], true, "{described}");

    let fix = call(&op, &id, "location.get", json!({"timeoutMs": 10000})).await;
    assert_eq!(
        (fix["lat"].as_f64(), fix["lon"].as_f64()),
        (Some(48.1173), Some(11.516666667)),
        "{fix}"
    );
    assert_eq!(fix["accuracyMeters"], 17.1);
    assert_eq!(fix["altitudeMeters"], 545.4);
    assert_eq!(
        (fix["source"].as_str(), fix["isPrecise"].as_bool()),
        (Some("gps"), Some(true))
    );
    assert!(fix["timestamp"].as_str().unwrap().ends_with('Z'), "{fix}");
    // Within maxAgeMs the cached fix comes back; with 0, a new one from gpsd.
    let cached = call(&op, &id, "location.get", json!({"maxAgeMs": 60000})).await;
    assert_eq!(cached["timestamp"], fix["timestamp"]);
    let fresh = call(&op, &id, "location.get", json!({"maxAgeMs": 0})).await;
    assert_ne!(fresh["timestamp"], fix["timestamp"], "a new fix");
    let coarse = call(
        &op,
        &id,
        "location.get",
        json!({"desiredAccuracy": "coarse"}),
    )
    .await;
    assert_eq!(
        (coarse["lat"].as_f64(), coarse["lon"].as_f64()),
        (Some(48.12), Some(11.52))
    );
    assert_eq!(
        (
            coarse["accuracyMeters"].as_f64(),
            coarse["isPrecise"].as_bool()
        ),
        (Some(1000.0), Some(false))
    );

    // gpsd that never gets a fix: TIMEOUT. No gpsd: UNAVAILABLE, saying where it looked.
    let (_blind, blind) = gpsfake(&data("gps-no-fix.nmea"));
    let config = json!({"nodeHost": {"location": {"enabled": true, "gpsd": blind}}});
    let (_n2, blind_id) = start_paired(&gw, &op, "blind-gps-node", config).await;
    let started = Instant::now();
    let (code, msg) = refused(&op, &blind_id, "location.get", json!({"timeoutMs": 1500})).await;
    assert_eq!(code, "TIMEOUT", "{msg}");
    assert!(
        started.elapsed().as_millis() >= 1400,
        "waited {:?}",
        started.elapsed()
    );
    let config = json!({"nodeHost": {"location": {"enabled": true, "gpsd": "127.0.0.1:1"}}});
    let (_n3, gone_id) = start_paired(&gw, &op, "no-gpsd-node", config).await;
    let (code, msg) = refused(&op, &gone_id, "location.get", json!({})).await;
    assert_eq!(code, "UNAVAILABLE");
    assert!(
        msg.contains("gpsd is not reachable at 127.0.0.1:1"),
        "{msg}"
    );
    assert_eq!(
        describe(&op, &gone_id).await["permissions"]["location"],
        false
    );

    // A fixed position from the config.
    let config = json!({"nodeHost": {"location": {"enabled": true, "fixed": {"lat": 52.52, "lon": 13.405, "accuracyMeters": 25}}}});
    let (_n4, fixed_id) = start_paired(&gw, &op, "fixed-node", config).await;
    let fixed = call(&op, &fixed_id, "location.get", json!({})).await;
    assert_eq!(
        (
            fixed["lat"].as_f64(),
            fixed["lon"].as_f64(),
            fixed["source"].as_str()
        ),
        (Some(52.52), Some(13.405), Some("unknown"))
    );

    // Off by default: not advertised, and no permission.
    let (_n5, off_id) = start_paired(&gw, &op, "no-location-node", json!({})).await;
    let described = describe(&op, &off_id).await;
    assert!(!has(&described, "location.get"), "{described}");
    assert_eq!(described["permissions"]["location"], false);

    let out = gw.cli(&[
        "nodes",
        "location",
        "get",
        "--node",
        "gps-node",
        "--max-age",
        "1m",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert_eq!(text.trim(), "48.1173,11.516666667 ±17 m");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_reach_the_session_bus_service_or_fail_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let (_bus, address) = session_bus(dir.path());
    let gw = GatewayProc::start();
    let op = gw.operator().await;
    let env = [("DBUS_SESSION_BUS_ADDRESS", address.as_str())];

    // A bus with nobody serving notifications: a failure, not a silent success.
    let (_n1, quiet_id) = start_paired_in(&gw, &op, "quiet-bus-node", json!({}), &env).await;
    assert_eq!(
        describe(&op, &quiet_id).await["permissions"]["notifications"],
        false
    );
    let (code, msg) = refused(
        &op,
        &quiet_id,
        "system.notify",
        json!({"title": "t", "body": "b"}),
    )
    .await;
    assert_eq!(code, "UNAVAILABLE");
    assert!(
        msg.contains("no notification service on the session D-Bus"),
        "{msg}"
    );

    let (_service, received) = notification_service(&address).await;
    let (_n2, id) = start_paired_in(&gw, &op, "bus-node", json!({}), &env).await;
    let described = describe(&op, &id).await;
    assert_eq!(
        described["permissions"]["notifications"], true,
        "{described}"
    );
    let shown = call(
        &op,
        &id,
        "system.notify",
        json!({"title": "Build done", "body": "All green", "priority": "timeSensitive", "sound": "complete", "delivery": "auto"}),
    )
    .await;
    assert_eq!(
        (shown["ok"].as_bool(), shown["id"].as_u64()),
        (Some(true), Some(1)),
        "{shown}"
    );
    assert_eq!(
        received.lock().unwrap()[0],
        Received {
            app: "OpenClaw".into(),
            title: "Build done".into(),
            body: "All green".into(),
            urgency: Some(2),
            sound: Some("complete".into()),
        }
    );
    let (code, msg) = refused(
        &op,
        &id,
        "system.notify",
        json!({"title": "t", "delivery": "overlay"}),
    )
    .await;
    assert_eq!(code, "INVALID_REQUEST");
    assert!(msg.contains("delivery overlay"), "{msg}");
    let (_, msg) = refused(&op, &id, "system.notify", json!({})).await;
    assert!(msg.contains("title or body required"), "{msg}");

    let out = gw.cli(&[
        "nodes",
        "notify",
        "--node",
        "bus-node",
        "--title",
        "From the CLI",
        "--body",
        "hi",
        "--priority",
        "timeSensitive",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "notification shown (id 2)"
    );
    assert_eq!(received.lock().unwrap()[1].urgency, Some(2));

    // No session bus at all.
    let (_n3, lone_id) = start_paired(&gw, &op, "no-bus-node", json!({})).await;
    let (code, msg) = refused(&op, &lone_id, "system.notify", json!({"title": "t"})).await;
    assert_eq!(code, "UNAVAILABLE");
    assert!(msg.contains("no session D-Bus on this node"), "{msg}");
}

/// Duration (s), width and height of an mp4, by ffprobe.
fn probe(mp4: &[u8]) -> (f64, u64, u64) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clip.mp4");
    std::fs::write(&file, mp4).unwrap();
    let out = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    let video = &info["streams"][0];
    let duration: f64 = info["format"]["duration"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    (
        duration,
        video["width"].as_u64().unwrap(),
        video["height"].as_u64().unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_screen_records_as_mp4_only_where_allowed_and_cameras_need_a_device() {
    let (_x, display) = xvfb(640, 480);
    let mut config = default_config();
    config["gateway"]["nodes"]["commands"]["allow"] =
        json!(["screen.record", "system.run", "system.run.prepare"]);
    let gw = GatewayProc::start_with(config, &[], &[]);
    let op = gw.operator().await;
    let env = [("DISPLAY", display.as_str())];
    let (_node, id) = start_paired_in(&gw, &op, "screen-node", json!({}), &env).await;
    let described = describe(&op, &id).await;
    assert!(has(&described, "screen.record"), "{described}");
    assert_eq!(described["permissions"]["screenRecording"], true);
    // Where the screen can be recorded, a command that needs to is run.
    let out = gw.cli(&[
        "nodes",
        "run",
        "--node",
        "screen-node",
        "--needs-screen-recording",
        "--",
        "echo",
        "recorded",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "recorded\n",
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(described["permissions"]["camera"], false);
    assert!(
        !has(&described, "camera.list"),
        "no camera here: {described}"
    );

    let clip = call(
        &op,
        &id,
        "screen.record",
        json!({"durationMs": 1500, "fps": 10}),
    )
    .await;
    assert_eq!(
        (
            clip["format"].as_str(),
            clip["durationMs"].as_u64(),
            clip["fps"].as_u64()
        ),
        (Some("mp4"), Some(1500), Some(10))
    );
    assert_eq!(
        (clip["screenIndex"].as_u64(), clip["hasAudio"].as_bool()),
        (Some(0), Some(false))
    );
    let mp4 = base64::engine::general_purpose::STANDARD
        .decode(clip["base64"].as_str().unwrap())
        .unwrap();
    let (seconds, w, h) = probe(&mp4);
    assert_eq!((w, h), (640, 480));
    assert!((1.2..=1.8).contains(&seconds), "{seconds} s");

    let (code, msg) = refused(
        &op,
        &id,
        "screen.record",
        json!({"durationMs": 500, "screenIndex": 3}),
    )
    .await;
    assert_eq!(code, "UNAVAILABLE");
    assert!(msg.contains("ffmpeg failed"), "{msg}");
    // Asked with audio (the real CLI's default), the recording comes without and says so.
    let with_audio = call(
        &op,
        &id,
        "screen.record",
        json!({"durationMs": 500, "includeAudio": true}),
    )
    .await;
    assert_eq!(with_audio["hasAudio"], false);

    // The CLI as the real one: the JSON shape, a private file named as the real names it.
    let out = gw.cli(&[
        "nodes",
        "screen",
        "record",
        "--node",
        "screen-node",
        "--duration",
        "1s",
        "--fps",
        "5",
        "--json",
    ]);
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        out.status.success(),
        "{text} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shown: Value = serde_json::from_str(&text).unwrap();
    let file = &shown["file"];
    assert_eq!(
        (
            file["durationMs"].as_u64(),
            file["fps"].as_u64(),
            file["screenIndex"].as_u64(),
            file["hasAudio"].as_bool()
        ),
        (Some(1000), Some(5), Some(0), Some(false)),
        "{shown}"
    );
    let path = std::path::PathBuf::from(file["path"].as_str().unwrap());
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("openclaw-screen-record-") && name.ends_with(".mp4"),
        "{name}"
    );
    let dir = path.parent().unwrap();
    assert!(dir
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("openclaw"));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(dir), mode(&path)), (0o700, 0o600));
    let (seconds, _, _) = probe(&std::fs::read(&path).unwrap());
    assert!((0.7..=1.3).contains(&seconds), "{seconds} s");
    std::fs::remove_file(&path).unwrap();

    // `--out` writes exactly there, and the text output is the bare path.
    let target = tempfile::tempdir().unwrap();
    let wanted = target.path().join("rec.mp4");
    let out = gw.cli(&[
        "nodes",
        "screen",
        "record",
        "--node",
        "screen-node",
        "--duration",
        "500ms",
        "--no-audio",
        "--out",
        wanted.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        wanted.display().to_string()
    );
    assert!(std::fs::metadata(&wanted).unwrap().len() > 0);

    // Dangerous: a gateway that does not allow it refuses it; no display, not declared.
    let plain = GatewayProc::start();
    let op2 = plain.operator().await;
    let (_n2, id2) = start_paired_in(&plain, &op2, "screen-node-2", json!({}), &env).await;
    let Err(e) = invoke(&op2, &id2, "screen.record", json!({"durationMs": 500})).await else {
        panic!("a dangerous command went through");
    };
    assert!(
        message(&e).contains("requires explicit gateway.nodes.commands.allow"),
        "{}",
        message(&e)
    );
    let (_n3, id3) = start_paired(&gw, &op, "headless-node", json!({})).await;
    let described = describe(&op, &id3).await;
    assert!(!has(&described, "screen.record"), "{described}");
    assert_eq!(described["permissions"]["screenRecording"], false);
}
