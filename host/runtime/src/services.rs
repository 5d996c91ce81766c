//! What the host's capabilities act on, shared by every plugin and call: the exec approvals,
//! the node's browser and its position source.

use std::sync::Arc;

use openclaw_browser::NodeBrowser;
use openclaw_devices::location::Location;

use crate::exec::ExecContext;

#[derive(Clone)]
pub struct Services {
    pub exec: Arc<ExecContext>,
    pub browser: Arc<NodeBrowser>,
    pub location: Arc<Location>,
}

impl Services {
    pub fn new(exec: ExecContext, browser: NodeBrowser, location: Location) -> Services {
        Services {
            exec: Arc::new(exec),
            browser: Arc::new(browser),
            location: Arc::new(location),
        }
    }
}
