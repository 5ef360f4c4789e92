//! Keys of tickets a caller may not see, taken out of what orders and deliveries show.
//!
//! A delivery of a customer may carry fixes whose tickets belong to other customers, and an
//! order names its placement and defect tickets, which may be confidential or not shared with
//! every contact. The portal list, the manifests and the reports already leave such tickets
//! out; the state and history of orders and deliveries do the same here.

use std::collections::BTreeSet;

use axum::Json;
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use ticketflow_access::Principal;
use ticketflow_events::{Actor, TicketKey};

use crate::state::AppState;

use super::with_etag;

/// Hides from `entries` (history entries, or one state body) every ticket `principal` may not
/// see: see [`hide_tickets`]. A `ticket` field or `tickets` list names a ticket whether the
/// overview knows it or not (unknown counts as hidden); a word in a text counts only when it
/// names a ticket the overview knows, so the order's or delivery's own key stays.
pub(super) fn hide_unseen_tickets(
    state: &AppState,
    principal: &Principal,
    entries: &mut [Value],
) -> bool {
    // One copy of the overview for the whole walk: `sees_ticket`'s rule (the principal's
    // view has the ticket), and "exists" is the engine's view.
    let overview = state.views.ticket_overview.current();
    let visible = |t: &TicketKey| overview.get(&principal.actor, t).is_some();
    let sees = |text: &str| text.parse::<TicketKey>().is_ok_and(|t| visible(&t));
    let names_hidden_ticket = |word: &str| {
        word.parse::<TicketKey>()
            .is_ok_and(|t| !visible(&t) && overview.get(&Actor::system("server"), &t).is_some())
    };
    hide_tickets(entries, &sees, &names_hidden_ticket)
}

/// The answer for a body that may depend on the caller: with something hidden there is no
/// `ETag`, so no cache mistakes one caller's view for another's.
pub(super) fn caller_specific(body: Value, hid: bool, version: u64) -> Response {
    if hid {
        Json(body).into_response()
    } else {
        with_etag(body, version)
    }
}

/// What stands for a ticket the caller may not see.
const HIDDEN_TICKET: &str = "[hidden ticket]";

/// A `ticket` field becomes `"[hidden ticket]"` and a `tickets` list loses the key (`sees`
/// decides); then every text of every entry — summaries, reasons, document titles — loses
/// those keys and any other word for which `names_hidden` is true. Returns whether anything
/// was hidden.
fn hide_tickets(
    entries: &mut [Value],
    sees: &impl Fn(&str) -> bool,
    names_hidden: &impl Fn(&str) -> bool,
) -> bool {
    fn ticket_fields(
        value: &mut Value,
        sees: &impl Fn(&str) -> bool,
        hidden: &mut BTreeSet<String>,
    ) {
        match value {
            Value::Object(fields) => {
                for (name, field) in fields.iter_mut() {
                    match (name.as_str(), field) {
                        ("ticket", Value::String(key)) if !sees(key) => {
                            hidden.insert(std::mem::replace(key, HIDDEN_TICKET.to_owned()));
                        }
                        ("tickets", Value::Array(keys)) => keys.retain(|k| match k.as_str() {
                            Some(key) if !sees(key) => {
                                hidden.insert(key.to_owned());
                                false
                            }
                            _ => true,
                        }),
                        (_, other) => ticket_fields(other, sees, hidden),
                    }
                }
            }
            Value::Array(items) => items
                .iter_mut()
                .for_each(|v| ticket_fields(v, sees, hidden)),
            _ => {}
        }
    }
    fn texts(value: &mut Value, hide: &impl Fn(&str) -> bool, hid: &mut bool) {
        match value {
            Value::String(text) => {
                if let Some(clean) = replace_words(text, hide) {
                    *text = clean;
                    *hid = true;
                }
            }
            Value::Object(fields) => fields.values_mut().for_each(|v| texts(v, hide, hid)),
            Value::Array(items) => items.iter_mut().for_each(|v| texts(v, hide, hid)),
            _ => {}
        }
    }
    let mut hidden = BTreeSet::new();
    for entry in entries.iter_mut() {
        ticket_fields(entry, sees, &mut hidden);
    }
    let mut hid = !hidden.is_empty();
    let hide = |word: &str| hidden.contains(word) || names_hidden(word);
    for entry in entries.iter_mut() {
        texts(entry, &hide, &mut hid);
    }
    hid
}

/// `text` with every word (a run of letters, digits and dashes) for which `hide` is true
/// replaced by [`HIDDEN_TICKET`]; `None` when nothing was replaced. Whole words only:
/// hiding `SD-10` does not touch `SD-104`.
fn replace_words(text: &str, hide: &impl Fn(&str) -> bool) -> Option<String> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-';
    let mut out = String::with_capacity(text.len());
    let mut replaced = false;
    let mut rest = text;
    while let Some(start) = rest.find(is_word) {
        out.push_str(&rest[..start]);
        let word_and_more = &rest[start..];
        let end = word_and_more
            .find(|c: char| !is_word(c))
            .unwrap_or(word_and_more.len());
        let word = &word_and_more[..end];
        if hide(word) {
            out.push_str(HIDDEN_TICKET);
            replaced = true;
        } else {
            out.push_str(word);
        }
        rest = &word_and_more[end..];
    }
    out.push_str(rest);
    replaced.then_some(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_whole_words_are_replaced() {
        let hide = |w: &str| w == "SD-10";
        assert_eq!(
            replace_words("SD-10 and SD-104 and XSD-10 and SD-10.", &hide).unwrap(),
            "[hidden ticket] and SD-104 and XSD-10 and [hidden ticket]."
        );
        assert_eq!(replace_words("nothing to hide: SD-104", &hide), None);
    }

    #[test]
    fn hidden_tickets_leave_no_key_anywhere_in_the_history() {
        let mut entries = vec![
            json!({
                "summary": "Tickets SD-1 and SD-2 planned; SD-2 first",
                "event": {"Delivery": {"DeliveryPlanned": {"key": "SD-9", "tickets": ["SD-1", "SD-2"],
                          "documents": [{"title": "Fix notes SD-2"}]},
                          "other": {"ticket": "SD-2"}}},
            }),
            json!({
                "summary": "Merge moved",
                "event": {"Delivery": {"DeliveryMergeMoved": {"reason": "waiting for SD-2 and SD-3"}}},
            }),
        ];
        let hid = hide_tickets(&mut entries, &|k: &str| k != "SD-2", &|w: &str| w == "SD-3");
        assert!(hid);
        let text = serde_json::to_string(&entries).unwrap();
        assert!(!text.contains("SD-2") && !text.contains("SD-3"), "{text}");
        assert_eq!(
            entries[0]["summary"],
            "Tickets SD-1 and [hidden ticket] planned; [hidden ticket] first"
        );
        assert_eq!(
            entries[0]["event"]["Delivery"]["DeliveryPlanned"]["tickets"],
            json!(["SD-1"])
        );
        assert_eq!(
            entries[0]["event"]["Delivery"]["DeliveryPlanned"]["key"],
            "SD-9"
        );
        assert_eq!(
            entries[1]["event"]["Delivery"]["DeliveryMergeMoved"]["reason"],
            "waiting for [hidden ticket] and [hidden ticket]"
        );
    }

    #[test]
    fn a_history_with_nothing_hidden_is_left_as_it_is() {
        let original =
            vec![json!({"summary": "Ticket SD-1 included", "event": {"ticket": "SD-1"}})];
        let mut entries = original.clone();
        assert!(!hide_tickets(&mut entries, &|_: &str| true, &|_: &str| {
            false
        }));
        assert_eq!(entries, original);
    }
}
