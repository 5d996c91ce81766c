//! What the host's capabilities act on, shared by every plugin and call: the exec approvals
//! and the node's browser.

use std::sync::Arc;

use openclaw_browser::NodeBrowser;

use crate::exec::ExecContext;

#[derive(Clone)]
pub struct Services {
    pub exec: Arc<ExecContext>,
    pub browser: Arc<NodeBrowser>,
}

impl Services {
    pub fn new(exec: ExecContext, browser: NodeBrowser) -> Services {
        Services {
            exec: Arc::new(exec),
            browser: Arc::new(browser),
        }
    }
}
