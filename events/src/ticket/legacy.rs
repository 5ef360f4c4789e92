//! Older shapes of ticket events, kept only to upcast what the log already holds.

use serde::Deserialize;

use super::{CommentAuthorKind, CommentVisibility, TicketCommented};
use crate::Timestamp;

/// `TicketCommented` as schema version 1 wrote it: visibility and author kind were booleans.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
pub(crate) struct TicketCommentedV1 {
    pub(crate) at: Timestamp,
    pub(crate) author: String,
    pub(crate) by_customer: bool,
    pub(crate) internal: bool,
    pub(crate) text: String,
}

impl TicketCommentedV1 {
    /// The version 2 shape: booleans become enums, no attachments.
    pub(crate) fn upcast(self) -> TicketCommented {
        TicketCommented {
            at: self.at,
            author: self.author,
            author_kind: if self.by_customer {
                CommentAuthorKind::Customer
            } else {
                CommentAuthorKind::Vendor
            },
            visibility: if self.internal {
                CommentVisibility::Internal
            } else {
                CommentVisibility::Public
            },
            text: self.text,
            attachments: Vec::new(),
        }
    }
}
