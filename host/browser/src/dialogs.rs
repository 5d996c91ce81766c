//! The JavaScript dialogs of a tab (`alert`, `confirm`, `prompt`, `beforeunload`): which are
//! open, the last ones closed, and a one-time answer armed for the next. A dialog blocks its
//! page until answered, so the node records it as it opens and answers an armed one at once.

use std::collections::VecDeque;
use std::time::Instant;

/// How many closed dialogs are remembered.
const MAX_RECENT: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Dialog {
    /// `d1`, `d2`, ... per tab.
    pub id: String,
    pub kind: String,
    pub message: String,
    pub default_value: Option<String>,
    pub opened_at_ms: f64,
    pub closed_at_ms: Option<f64>,
    /// `agent` (answered on request), `armed`, or `remote` (closed some other way).
    pub closed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub accept: bool,
    pub prompt_text: Option<String>,
}

#[derive(Debug, Clone)]
struct Armed {
    answer: Answer,
    until: Instant,
}

#[derive(Debug, Default, Clone)]
pub struct Dialogs {
    pub pending: Vec<Dialog>,
    pub recent: VecDeque<Dialog>,
    opened: u32,
    armed: Option<Armed>,
}

impl Dialogs {
    /// A dialog opened; answers the armed response if one is due.
    pub fn opened(
        &mut self,
        kind: String,
        message: String,
        default_value: Option<String>,
        now_ms: f64,
    ) -> Option<Answer> {
        self.opened += 1;
        let dialog = Dialog {
            id: format!("d{}", self.opened),
            kind,
            message,
            default_value,
            opened_at_ms: now_ms,
            closed_at_ms: None,
            closed_by: None,
        };
        let armed = self.armed.take().filter(|a| a.until > Instant::now());
        self.pending.push(dialog);
        armed.map(|a| a.answer)
    }

    /// The open dialog a caller names, or the only one.
    pub fn target(&self, id: Option<&str>) -> Result<&Dialog, String> {
        match id {
            Some(id) => self
                .pending
                .iter()
                .find(|d| d.id == id)
                .ok_or_else(|| format!("Dialog \"{id}\" is not pending.")),
            None => match self.pending.as_slice() {
                [one] => Ok(one),
                [] => Err("No dialog is pending.".into()),
                _ => Err("Multiple dialogs are pending; pass dialogId.".into()),
            },
        }
    }

    /// The oldest open dialog closed, by `who`.
    pub fn closed(&mut self, who: &str, now_ms: f64) {
        if self.pending.is_empty() {
            return;
        }
        let mut dialog = self.pending.remove(0);
        dialog.closed_at_ms = Some(now_ms);
        dialog.closed_by = Some(who.to_string());
        if self.recent.len() == MAX_RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(dialog);
    }

    pub fn arm(&mut self, answer: Answer, until: Instant) {
        self.armed = Some(Armed { answer, until });
    }

    /// Whether the tab has shown a dialog at all.
    pub fn seen(&self) -> bool {
        self.opened > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn an_armed_answer_is_used_once_and_expires() {
        let mut dialogs = Dialogs::default();
        let soon = Instant::now() + Duration::from_secs(60);
        dialogs.arm(
            Answer {
                accept: true,
                prompt_text: None,
            },
            soon,
        );
        let first = dialogs.opened("confirm".into(), "Sure?".into(), None, 1.0);
        assert_eq!(
            first,
            Some(Answer {
                accept: true,
                prompt_text: None
            })
        );
        dialogs.closed("armed", 2.0);
        assert_eq!(dialogs.recent[0].closed_by.as_deref(), Some("armed"));
        assert_eq!(dialogs.opened("alert".into(), "hi".into(), None, 3.0), None);
        assert_eq!(dialogs.pending[0].id, "d2");
        dialogs.arm(
            Answer {
                accept: false,
                prompt_text: None,
            },
            Instant::now(),
        );
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(
            dialogs.opened("alert".into(), "late".into(), None, 4.0),
            None
        );
        assert_eq!(
            dialogs.target(None).unwrap_err(),
            "Multiple dialogs are pending; pass dialogId."
        );
        assert_eq!(
            dialogs.target(Some("d9")).unwrap_err(),
            "Dialog \"d9\" is not pending."
        );
    }
}
