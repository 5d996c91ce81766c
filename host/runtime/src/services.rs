//! What the host's capabilities act on, shared by every plugin and call: the exec approvals,
//! the node's browser, its position source and its upload staging area.

use std::path::PathBuf;
use std::sync::Arc;

use openclaw_browser::{AutomationBrowser, NodeBrowser};
use openclaw_exec::{ExecEvent, Executor};
use openclaw_hardware::location::Location;
use openclaw_mcp::McpManager;
use openclaw_staging::UploadStaging;
use tokio::sync::mpsc;

#[derive(Clone)]
pub struct Services {
    pub exec: Arc<ExecContext>,
    pub browser: Arc<NodeBrowser>,
    pub location: Arc<Location>,
    /// Directories no capability may reach or list, whatever a grant says: the node's state
    /// dir, which holds its keys.
    pub private_dirs: Arc<Vec<PathBuf>>,
    /// Files no capability may read, write, create or list, wherever they live: the config
    /// and its backup (the gateway token), the approvals, the grants, the service's env file.
    pub private_files: Arc<Vec<PathBuf>>,
    /// Where terminal uploads are staged.
    pub uploads: Arc<UploadStaging>,
    /// The browser that browser control drives, where the node has one.
    pub automation: Option<Arc<AutomationBrowser>>,
    /// The node's MCP servers, where it runs them (not under a `--commands` allowlist).
    pub mcp: Option<Arc<McpManager>>,
}

impl Services {
    pub fn new(exec: ExecContext, browser: NodeBrowser, location: Location) -> Services {
        Services {
            exec: Arc::new(exec),
            browser: Arc::new(browser),
            location: Arc::new(location),
            private_dirs: Arc::new(Vec::new()),
            private_files: Arc::new(Vec::new()),
            uploads: Arc::new(UploadStaging::in_temp_dir()),
            automation: None,
            mcp: None,
        }
    }

    pub fn with_automation(mut self, browser: AutomationBrowser) -> Services {
        self.automation = Some(Arc::new(browser));
        self
    }

    pub fn with_mcp(mut self, manager: Arc<McpManager>) -> Services {
        self.mcp = Some(manager);
        self
    }

    /// Also keeps every capability out of `dir`.
    pub fn with_private_dir(mut self, dir: PathBuf) -> Services {
        Arc::make_mut(&mut self.private_dirs).push(dir);
        self
    }

    /// Also keeps every capability off the file at `path`, whether it exists yet or not.
    pub fn with_private_file(mut self, path: PathBuf) -> Services {
        Arc::make_mut(&mut self.private_files).push(path);
        self
    }
}

/// What the exec capability needs from the node host: the executor, and where the events of
/// its runs go.
pub struct ExecContext {
    pub executor: Executor,
    pub events: Option<mpsc::UnboundedSender<ExecEvent>>,
}

impl ExecContext {
    pub fn new(
        approvals_path: PathBuf,
        events: Option<mpsc::UnboundedSender<ExecEvent>>,
    ) -> ExecContext {
        ExecContext {
            executor: Executor::new(approvals_path),
            events,
        }
    }

    /// The same, under the exec policy of the node's config.
    pub fn with_config(self, config: openclaw_exec::ExecConfig) -> ExecContext {
        ExecContext {
            executor: self.executor.with_config(config),
            ..self
        }
    }
}
