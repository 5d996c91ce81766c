//! The node's plan against the real shells, on scripts drawn at random (a fixed seed, so a
//! failure replays): lists, `&&`, `||`, `|`, nested shells, `exec`, `cd`, and `set` turning
//! `errexit` and `pipefail` on and off, over tools that log each start and exit 0 or 1. For
//! every script the allowlist admits, the plan must start the same programs with the same
//! arguments as `sh -c` / `bash -c`, and end with the same status.

use crate::allowlist::AllowEntry;
use crate::corpus::{allowlist_only, bench, logged, sorted};
use crate::policy::{decide, Request};

const SCRIPTS: usize = 300;

/// xorshift64*: enough to draw scripts, and the same every run.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A simple command; `nested` allows a shell of its own (whose script is single-quoted).
fn command(d: &mut Draw, bash: bool, nested: bool) -> String {
    let mut kinds = vec!["ok1 a", "ok2", "no1", "ok1 'b c'", "no1 x"];
    kinds.extend([
        "set -e",
        "set +e",
        "cd /",
        "cd /nonexistent",
        "exec ok2",
        ":",
    ]);
    if bash {
        kinds.extend(["set -o pipefail", "set +o pipefail"]);
    }
    if nested && d.below(5) == 0 {
        let shell = d.pick(&["sh -c", "sh -ec", "bash -c", "bash -o pipefail -c"]);
        return format!("{shell} '{}'", list(d, shell.starts_with("bash"), false));
    }
    d.pick(&kinds).to_string()
}

fn pipeline(d: &mut Draw, bash: bool, nested: bool) -> String {
    let n = 1 + usize::from(d.below(3) == 0) + usize::from(d.below(6) == 0);
    let commands: Vec<String> = (0..n).map(|_| command(d, bash, nested)).collect();
    commands.join(" | ")
}

fn list(d: &mut Draw, bash: bool, nested: bool) -> String {
    let mut text = pipeline(d, bash, nested);
    for _ in 0..d.below(3) {
        text.push_str(d.pick(&[" && ", " || "]));
        text.push_str(&pipeline(d, bash, nested));
    }
    text
}

fn script(d: &mut Draw, bash: bool) -> String {
    let lists: Vec<String> = (0..1 + d.below(3)).map(|_| list(d, bash, true)).collect();
    lists.join(if d.below(2) == 0 { "; " } else { "\n" })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plan_starts_and_ends_as_the_shell_does_on_random_scripts() {
    let b = bench();
    let entry = |name: &str| AllowEntry {
        pattern: b.bin.join(name).display().to_string(),
        ..AllowEntry::default()
    };
    let policy = allowlist_only(vec![entry("ok1"), entry("ok2"), entry("no1")]);
    let path = format!("{}:/usr/bin:/bin", b.bin.display());
    let env = [("PATH".to_string(), path.clone())];
    let mut d = Draw(0x9e37_79b9_7f4a_7c15);
    let (mut admitted, mut wrong) = (0, Vec::new());
    for _ in 0..SCRIPTS {
        let bash = d.below(2) == 0;
        let shell = if bash { "bash" } else { "sh" };
        let argv: Vec<String> = [shell, "-c", &script(&mut d, bash)]
            .map(String::from)
            .to_vec();
        let request = Request {
            argv: &argv,
            cwd: Some(&b.work),
            path_env: &path,
            home: "/nonexistent-home",
            approved: false,
        };
        let Ok(verdict) = decide(&policy, &request) else {
            continue;
        };
        admitted += 1;
        let (plan_status, ran) = logged(&b, Some(&verdict), &argv, &env).await;
        let (shell_status, given) = logged(&b, None, &argv, &env).await;
        if sorted(ran.clone()) != sorted(given.clone()) || plan_status != shell_status {
            wrong.push(format!(
                "{argv:?}: the plan ran {ran:?} -> {plan_status:?}, the shell {given:?} -> {shell_status:?}"
            ));
        }
    }
    println!("plan parity: {admitted} of {SCRIPTS} random scripts admitted and compared");
    assert!(
        admitted >= SCRIPTS / 2,
        "too few scripts admitted: {admitted}"
    );
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
