//! Approved runs end to end in the executor, with real processes and a real approvals file:
//! prepare binds a plan, the forwarded approval runs exactly it, "allow always" writes what
//! the real node host writes, and every way an approval can go stale is refused.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::allowlist::cwd_bound_arg_pattern;
use crate::{Executor, InvokeFields, RunRequest};

struct Node {
    _dir: tempfile::TempDir,
    approvals: PathBuf,
    /// A canonical directory to run in.
    work: PathBuf,
    executor: Executor,
}

fn node(doc: Value) -> Node {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    let approvals = root.join("exec-approvals.json");
    write(&approvals, &doc);
    let work = root.join("work");
    std::fs::create_dir(&work).unwrap();
    Node {
        executor: Executor::new(approvals.clone()),
        _dir: dir,
        approvals,
        work,
    }
}

fn write(path: &Path, doc: &Value) {
    openclaw_files::write_atomically(path, doc.to_string().as_bytes()).unwrap();
}

fn asking(extra: Value) -> Value {
    let mut doc = json!({"version": 1, "defaults": {"security": "allowlist", "ask": "on-miss", "askFallback": "deny"}});
    if let Some(agents) = extra.get("agents") {
        doc["agents"] = agents.clone();
    }
    if let Some(fallback) = extra.get("askFallback") {
        doc["defaults"]["askFallback"] = fallback.clone();
    }
    doc
}

fn strings(argv: &[&str]) -> Vec<String> {
    argv.iter().map(|a| a.to_string()).collect()
}

impl Node {
    fn request(&self, argv: &[String], cwd: &Path, fields: Value) -> RunRequest {
        RunRequest {
            argv: argv.to_vec(),
            cwd: Some(cwd.display().to_string()),
            agent_id: Some("main".into()),
            invoke: serde_json::from_value::<InvokeFields>(fields).unwrap(),
            ..RunRequest::default()
        }
    }

    fn prepare(&self, argv: &[&str], cwd: &Path) -> Result<Value, String> {
        let req = self.request(&strings(argv), cwd, json!({}));
        self.executor.prepare(&req).map_err(|e| e.message)
    }

    /// Runs the prepared plan as the gateway forwards it, with `approval`'s fields.
    async fn run_plan(&self, plan: &Value, approval: Value) -> Result<String, String> {
        let argv: Vec<String> = serde_json::from_value(plan["argv"].clone()).unwrap();
        let cwd = PathBuf::from(plan["cwd"].as_str().unwrap());
        let mut fields = approval;
        fields["systemRunPlan"] = plan.clone();
        let req = self.request(&argv, &cwd, fields);
        let (out, _) = self.executor.run(&req).await;
        out.map(|o| o.stdout).map_err(|e| e.message)
    }

    async fn run(&self, argv: &[&str], cwd: &Path) -> Result<String, String> {
        let req = self.request(&strings(argv), cwd, json!({}));
        let (out, _) = self.executor.run(&req).await;
        out.map(|o| o.stdout).map_err(|e| e.message)
    }

    fn doc(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(&self.approvals).unwrap()).unwrap()
    }
}

fn real(program: &str) -> String {
    std::fs::canonicalize(crate::allowlist::which(program, "/usr/bin:/bin").unwrap())
        .unwrap()
        .display()
        .to_string()
}

const ONCE: &str = r#"{"approved": true, "approvalDecision": "allow-once"}"#;
const ALWAYS: &str = r#"{"approved": true, "approvalDecision": "allow-always"}"#;

fn fields(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

#[tokio::test]
async fn prepare_binds_the_plan_to_the_real_program_and_directory() {
    let n = node(asking(json!({})));
    let prepared = n.prepare(&["uname", "-s"], &n.work).unwrap();
    let uname = real("uname");
    let plan = &prepared["plan"];
    assert_eq!(plan["argv"], json!([uname, "-s"]));
    assert_eq!(plan["cwd"], json!(n.work));
    assert_eq!(plan["commandText"], json!(format!("{uname} -s")));
    let keys: Vec<&String> = plan.as_object().unwrap().keys().collect();
    assert_eq!(keys.last().unwrap().as_str(), "policySnapshot");
    assert_eq!(
        plan["policySnapshot"],
        json!({"security": "allowlist", "ask": "on-miss", "askFallback": "deny",
               "autoAllowSkills": false, "allowlistRules": []})
    );
    assert_eq!(
        prepared["allowAlwaysCoverage"],
        json!({"complete": true, "patterns": [{"pattern": uname,
               "argPattern": cwd_bound_arg_pattern(&n.work, &strings(&["-s"]))}]})
    );
    // One entry per program of a script, in order.
    let script = n
        .prepare(&["sh", "-lc", "uname -s && id -u"], &n.work)
        .unwrap();
    let patterns: Vec<&str> = script["allowAlwaysCoverage"]["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pattern"].as_str().unwrap())
        .collect();
    assert_eq!(patterns, [real("uname"), real("id")]);
    assert_eq!(
        script["plan"]["argv"],
        json!(["sh", "-lc", "uname -s && id -u"])
    );
    // A script that expands cannot be covered.
    let expands = n.prepare(&["sh", "-lc", "echo $HOME"], &n.work).unwrap();
    assert_eq!(
        expands["allowAlwaysCoverage"],
        json!({"complete": false, "patterns": []})
    );

    // What cannot be bound is refused before anyone is asked.
    let link = n.work.parent().unwrap().join("link");
    std::os::unix::fs::symlink(&n.work, &link).unwrap();
    assert_eq!(
        n.prepare(&["uname"], &link).unwrap_err(),
        "SYSTEM_RUN_DENIED: approval requires canonical cwd (no symlink path components)"
    );
    assert!(n
        .prepare(&["bash", "script.sh"], &n.work)
        .unwrap_err()
        .starts_with(
            "SYSTEM_RUN_DENIED: approval cannot safely bind this interpreter/runtime command\n"
        ));
    assert_eq!(
        n.prepare(&["./no-such-program"], &n.work).unwrap_err(),
        "SYSTEM_RUN_DENIED: approval requires a stable executable path"
    );
}

#[tokio::test]
async fn an_approval_runs_the_plan_once_and_allow_always_remembers_it_for_that_directory() {
    let n = node(asking(json!({})));
    assert_eq!(
        n.run(&["uname", "-s"], &n.work).await.unwrap_err(),
        "SYSTEM_RUN_DENIED: approval required"
    );
    let plan = n.prepare(&["uname", "-s"], &n.work).unwrap()["plan"].clone();
    assert_eq!(n.run_plan(&plan, fields(ONCE)).await.unwrap(), "Linux\n");
    assert_eq!(n.doc(), asking(json!({})), "allow-once writes nothing");

    assert_eq!(n.run_plan(&plan, fields(ALWAYS)).await.unwrap(), "Linux\n");
    let list = n.doc()["agents"]["main"]["allowlist"].clone();
    let uname = real("uname");
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert_eq!(list[0]["pattern"], json!(uname));
    assert_eq!(list[0]["source"], "allow-always");
    assert_eq!(
        list[0]["argPattern"],
        json!(cwd_bound_arg_pattern(&n.work, &strings(&["-s"])))
    );
    assert_eq!(
        list[1]["pattern"],
        json!(crate::allow_always::command_marker(&format!("{uname} -s")))
    );
    // Now it needs nobody, in that directory, with those arguments.
    assert_eq!(n.run(&[&uname, "-s"], &n.work).await.unwrap(), "Linux\n");
    assert_eq!(
        n.run(&[&uname, "-s"], n.work.parent().unwrap())
            .await
            .unwrap_err(),
        "SYSTEM_RUN_DENIED: approval required"
    );
    assert_eq!(
        n.run(&[&uname, "-n"], &n.work).await.unwrap_err(),
        "SYSTEM_RUN_DENIED: approval required"
    );
    // The same grant again adds nothing.
    n.run_plan(&plan, fields(ALWAYS)).await.unwrap();
    assert_eq!(n.doc()["agents"]["main"]["allowlist"], list);
}

#[tokio::test]
async fn a_stale_or_tampered_approval_is_refused() {
    let n = node(asking(json!({})));
    let plan = n.prepare(&["uname", "-s"], &n.work).unwrap()["plan"].clone();

    // Another command under the plan of this one.
    let mut other = plan.clone();
    other["argv"] = json!([real("id")]);
    let argv: Vec<String> = strings(&[&real("uname"), "-s"]);
    let mut tampered = fields(ONCE);
    tampered["systemRunPlan"] = other;
    let (out, event) = n.executor.run(&n.request(&argv, &n.work, tampered)).await;
    assert_eq!(
        out.unwrap_err().message,
        "INVALID_REQUEST: explicit approval requires matching systemRunPlan"
    );
    assert_eq!(event, None);

    // No snapshot: the person's view of the policy is unknown.
    let mut bare = plan.clone();
    bare.as_object_mut().unwrap().remove("policySnapshot");
    assert_eq!(
        n.run_plan(&bare, fields(ONCE)).await.unwrap_err(),
        "INVALID_REQUEST: delayed approval requires a prepared policy snapshot"
    );

    // The policy changed after the person looked.
    write(&n.approvals, &{
        let mut doc = asking(json!({}));
        doc["defaults"]["ask"] = json!("always");
        doc
    });
    assert_eq!(
        n.run_plan(&plan, fields(ONCE)).await.unwrap_err(),
        "SYSTEM_RUN_DENIED: exec approval policy changed; request approval again"
    );

    // Security deny wins over any approval.
    write(
        &n.approvals,
        &json!({"version": 1, "defaults": {"security": "deny"}}),
    );
    let denied = n.prepare(&["uname", "-s"], &n.work).unwrap()["plan"].clone();
    assert_eq!(
        n.run_plan(&denied, fields(ONCE)).await.unwrap_err(),
        "SYSTEM_RUN_DISABLED: security=deny"
    );
}

#[tokio::test]
async fn a_grant_that_cannot_be_written_denies_the_run() {
    let n = node(asking(json!({})));
    let plan = n.prepare(&["touch", "made"], &n.work).unwrap()["plan"].clone();
    // A document this node cannot write back (a field it does not know).
    let mut doc = asking(json!({}));
    doc["unknown"] = json!(true);
    write(&n.approvals, &doc);
    assert_eq!(
        n.run_plan(&plan, fields(ALWAYS)).await.unwrap_err(),
        "SYSTEM_RUN_DENIED: approval state could not be persisted"
    );
    assert!(!n.work.join("made").exists());
    assert_eq!(n.doc(), doc, "the document is as it was");

    // Nor one for no agent: the real writes a grant under a named agent only.
    write(&n.approvals, &asking(json!({})));
    let unnamed = |argv: &[String], fields: Value| RunRequest {
        agent_id: None,
        ..n.request(argv, &n.work, fields)
    };
    let touch = unnamed(&strings(&["touch", "made"]), json!({}));
    let plan = n.executor.prepare(&touch).unwrap()["plan"].clone();
    let argv: Vec<String> = serde_json::from_value(plan["argv"].clone()).unwrap();
    let mut approval = fields(ALWAYS);
    approval["systemRunPlan"] = plan;
    let (out, _) = n.executor.run(&unnamed(&argv, approval)).await;
    assert_eq!(
        out.unwrap_err().message,
        "SYSTEM_RUN_DENIED: approval state could not be persisted"
    );
    assert!(!n.work.join("made").exists());
    assert_eq!(n.doc(), asking(json!({})));
}

#[tokio::test]
async fn ask_fallback_runs_only_as_far_as_the_nodes_own_fallback() {
    let plan_of = |n: &Node| n.prepare(&["uname", "-s"], &n.work).unwrap()["plan"].clone();
    let fallback = json!({"approvalSource": "ask-fallback"});

    let n = node(asking(json!({})));
    assert_eq!(
        n.run_plan(&plan_of(&n), fallback.clone())
            .await
            .unwrap_err(),
        "SYSTEM_RUN_DISABLED: security=deny"
    );
    let n = node(asking(json!({"askFallback": "allowlist"})));
    assert_eq!(
        n.run_plan(&plan_of(&n), fallback.clone())
            .await
            .unwrap_err(),
        "SYSTEM_RUN_DENIED: allowlist miss"
    );
    let allowed = json!({"agents": {"main": {"allowlist": [{"pattern": real("uname")}]}},
                         "askFallback": "allowlist"});
    let n = node(asking(allowed));
    assert_eq!(
        n.run_plan(&plan_of(&n), fallback.clone()).await.unwrap(),
        "Linux\n"
    );
    // Never beyond the node's own security: `full` under an allowlist is the allowlist.
    let n = node(asking(json!({"askFallback": "full"})));
    assert_eq!(
        n.run_plan(&plan_of(&n), fallback.clone())
            .await
            .unwrap_err(),
        "SYSTEM_RUN_DENIED: allowlist miss"
    );
    let open = json!({"version": 1, "defaults": {"security": "full", "ask": "always", "askFallback": "full"}});
    let n = node(open.clone());
    assert_eq!(
        n.run(&["uname", "-s"], &n.work).await.unwrap_err(),
        "SYSTEM_RUN_DENIED: approval required"
    );
    assert_eq!(
        n.run_plan(&plan_of(&n), fallback.clone()).await.unwrap(),
        "Linux\n"
    );
    // The fallback never writes.
    assert_eq!(n.doc(), open);
}

#[tokio::test]
async fn an_approved_script_runs_only_with_the_content_approved() {
    let n = node(asking(json!({})));
    let script = n.work.join("job.sh");
    std::fs::write(&script, "#!/bin/sh\necho approved\n").unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let prepared = n.prepare(&["./job.sh"], &n.work).unwrap();
    let plan = prepared["plan"].clone();
    assert_eq!(plan["mutableFileOperand"]["argvIndex"], 0);
    assert_eq!(plan["mutableFileOperand"]["path"], json!(script));
    let keys: Vec<&String> = plan.as_object().unwrap().keys().collect();
    assert_eq!(
        keys[keys.len() - 2..],
        ["mutableFileOperand", "policySnapshot"]
    );
    assert_eq!(n.run_plan(&plan, fields(ONCE)).await.unwrap(), "approved\n");

    // Changed after the approval: refused, and nothing of it ran.
    let marker = n.work.join("ran");
    std::fs::write(&script, format!("#!/bin/sh\ntouch {}\n", marker.display())).unwrap();
    assert_eq!(
        n.run_plan(&plan, fields(ONCE)).await.unwrap_err(),
        "SYSTEM_RUN_DENIED: approval script operand changed before execution"
    );
    assert!(!marker.exists());
    // A plan that does not bind the script does not run it either.
    let mut unbound = n.prepare(&["./job.sh"], &n.work).unwrap()["plan"].clone();
    unbound
        .as_object_mut()
        .unwrap()
        .remove("mutableFileOperand");
    assert_eq!(
        n.run_plan(&unbound, fields(ONCE)).await.unwrap_err(),
        "SYSTEM_RUN_DENIED: approval missing script operand binding"
    );
    assert!(!marker.exists());
}
