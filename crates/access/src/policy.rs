//! What a principal may see and do — pure functions over its role and a few facts about the
//! thing asked for, so every rule is testable as one row of a table.
//!
//! The rules (domain.md §1, issue 5 §4, and the decisions recorded in `docs/integrators.md`):
//!
//! | role | tickets | orders, deliveries | reports | streams | admin, metrics |
//! |---|---|---|---|---|---|
//! | customer | own, and the organisation's shared non-confidential ones; write what it sees | its organisation's, read and write | no | no | no |
//! | support agent | all but confidential tickets of another region | all | yes | no | no |
//! | other vendor staff | all non-confidential | all | yes | no | no |
//! | auditor | everything, read only | everything, read only | yes | yes, unredacted | no |
//! | operator | nothing | nothing | no | no | yes |
//! | integrator | nothing over the query API | nothing | no | yes, confidential free text removed unless its scope allows it | no |
//!
//! The domain adds its own role checks on top (e.g. only support agents accept tickets): the
//! policy decides whether the principal may *address* the aggregate at all.

use ticketflow_events::{OrganisationId, Region, Role};

/// The facts about a ticket the policy needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketFacts {
    /// The customer organisation.
    pub organisation: OrganisationId,
    /// The region whose agents handle it.
    pub region: Region,
    /// The actor id of its creator.
    pub creator: String,
    /// Whether it is shared with the creator's organisation.
    pub shared_with_organisation: bool,
    /// Whether personal data is confidential.
    pub confidential: bool,
}

/// Something a principal wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action<'a> {
    /// Read a ticket (state, history, SLA).
    ReadTicket(&'a TicketFacts),
    /// Send a command to an existing ticket.
    WriteTicket(&'a TicketFacts),
    /// Open a new ticket (the domain checks the organisation).
    OpenTicket,
    /// List tickets through the portal list (filtered per ticket by [`may_see_ticket`]).
    ListTickets,
    /// Read an order or a delivery of this organisation (`None`: not known yet).
    ReadOrderOrDelivery(Option<&'a OrganisationId>),
    /// Send a command to an order or a delivery of this organisation (`None`: a new one).
    WriteOrderOrDelivery(Option<&'a OrganisationId>),
    /// Read aggregated reports: SLA report and what-if, billing, order board, escalations,
    /// delivery manifests.
    Reports,
    /// Subscribe to the event log over SSE.
    Subscribe,
    /// Operator endpoints: projections, backups, metrics, the simulated clock.
    Operate,
}

/// How much of a ticket a principal sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Not at all: the ticket does not exist for this principal (answer 404, never 403, so
    /// existence does not leak).
    Hidden,
    /// Everything but the free text (summary, description, comments).
    Redacted,
    /// Everything.
    Full,
}

fn is_vendor_worker(role: &Role) -> bool {
    matches!(
        role,
        Role::SupportAgent { .. }
            | Role::BusinessConsultant
            | Role::TechnicalServices
            | Role::ProductManagement
            | Role::ManagedServices
            | Role::Sales
    )
}

/// How much of a ticket with `facts` the actor `actor_id` with `role` sees.
pub fn may_see_ticket(role: &Role, actor_id: &str, facts: &TicketFacts) -> Visibility {
    let seen = match role {
        Role::Customer { organisation } => {
            *organisation == facts.organisation
                && (facts.creator == actor_id
                    || (facts.shared_with_organisation && !facts.confidential))
        }
        Role::SupportAgent { region } => !facts.confidential || *region == facts.region,
        Role::Auditor | Role::System => true,
        Role::BusinessConsultant
        | Role::TechnicalServices
        | Role::ProductManagement
        | Role::ManagedServices
        | Role::Sales => !facts.confidential,
        Role::Integrator { confidential_text } => {
            return if facts.confidential && !confidential_text {
                Visibility::Redacted
            } else {
                Visibility::Full
            };
        }
        Role::Operator => false,
    };
    if seen {
        Visibility::Full
    } else {
        Visibility::Hidden
    }
}

/// Whether an event stream shown to `role` must leave out the free text of a ticket whose
/// confidentiality is `confidential`.
pub fn redacts_free_text(role: &Role, confidential: bool) -> bool {
    match role {
        Role::Integrator { confidential_text } => confidential && !confidential_text,
        Role::Auditor | Role::System => false,
        _ => confidential,
    }
}

/// Whether the actor `actor_id` with `role` may do `action`.
pub fn may(role: &Role, actor_id: &str, action: Action<'_>) -> bool {
    match action {
        Action::ReadTicket(facts) => {
            !matches!(role, Role::Integrator { .. })
                && may_see_ticket(role, actor_id, facts) == Visibility::Full
        }
        Action::WriteTicket(facts) => {
            (is_vendor_worker(role) || matches!(role, Role::Customer { .. }))
                && may_see_ticket(role, actor_id, facts) == Visibility::Full
        }
        Action::OpenTicket => is_vendor_worker(role) || matches!(role, Role::Customer { .. }),
        Action::ListTickets => {
            is_vendor_worker(role) || matches!(role, Role::Customer { .. } | Role::Auditor)
        }
        Action::ReadOrderOrDelivery(organisation) => match role {
            Role::Customer { organisation: own } => organisation == Some(own),
            Role::Auditor => true,
            other => is_vendor_worker(other),
        },
        Action::WriteOrderOrDelivery(organisation) => match role {
            Role::Customer { organisation: own } => organisation == Some(own),
            other => is_vendor_worker(other),
        },
        Action::Reports => is_vendor_worker(role) || matches!(role, Role::Auditor),
        Action::Subscribe => matches!(role, Role::Integrator { .. } | Role::Auditor),
        Action::Operate => matches!(role, Role::Operator),
    }
}

/// Field names whose values are free text a person wrote; [`redact_free_text`] blanks them.
pub const FREE_TEXT_FIELDS: &[&str] = &[
    "summary",
    "description",
    "text",
    "note",
    "question",
    "reason",
    "url",
    "customer_reference",
    "given",
    "name",
    "subject",
    "body",
    "sender",
];

/// The marker that replaces removed free text.
pub const REDACTED: &str = "[redacted]";

/// Replaces every free-text string (see [`FREE_TEXT_FIELDS`]) anywhere in `value` by
/// [`REDACTED`]; structure, keys, enums and times stay, so consumers still parse it.
pub fn redact_free_text(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if FREE_TEXT_FIELDS.contains(&k.as_str()) && v.is_string() {
                    *v = serde_json::Value::String(REDACTED.to_owned());
                } else {
                    redact_free_text(v);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_free_text),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(s: &str) -> OrganisationId {
        OrganisationId(s.to_owned())
    }

    fn facts(creator: &str, shared: bool, confidential: bool) -> TicketFacts {
        TicketFacts {
            organisation: org("acme"),
            region: Region::Dach,
            creator: creator.to_owned(),
            shared_with_organisation: shared,
            confidential,
        }
    }

    fn roles() -> Vec<(&'static str, Role)> {
        vec![
            (
                "customer",
                Role::Customer {
                    organisation: org("acme"),
                },
            ),
            (
                "other-customer",
                Role::Customer {
                    organisation: org("globex"),
                },
            ),
            (
                "agent-dach",
                Role::SupportAgent {
                    region: Region::Dach,
                },
            ),
            (
                "agent-intl",
                Role::SupportAgent {
                    region: Region::International,
                },
            ),
            ("consultant", Role::BusinessConsultant),
            ("auditor", Role::Auditor),
            ("operator", Role::Operator),
            (
                "integrator",
                Role::Integrator {
                    confidential_text: false,
                },
            ),
            (
                "integrator-full",
                Role::Integrator {
                    confidential_text: true,
                },
            ),
        ]
    }

    use Visibility::{Full, Hidden, Redacted};

    #[test]
    fn ticket_visibility_follows_the_table() {
        // (creator of the ticket, shared, confidential) × role → visibility for actor "kim".
        type Row = ((&'static str, bool, bool), [Visibility; 9]);
        let table: &[Row] = &[
            // kim's own ticket, not shared, not confidential
            (
                ("kim", false, false),
                [Full, Hidden, Full, Full, Full, Full, Hidden, Full, Full],
            ),
            // someone else's ticket shared with acme
            (
                ("lea", true, false),
                [Full, Hidden, Full, Full, Full, Full, Hidden, Full, Full],
            ),
            // someone else's ticket not shared
            (
                ("lea", false, false),
                [Hidden, Hidden, Full, Full, Full, Full, Hidden, Full, Full],
            ),
            // someone else's shared but confidential ticket
            (
                ("lea", true, true),
                [
                    Hidden, Hidden, Full, Hidden, Hidden, Full, Hidden, Redacted, Full,
                ],
            ),
            // kim's own confidential ticket
            (
                ("kim", false, true),
                [
                    Full, Hidden, Full, Hidden, Hidden, Full, Hidden, Redacted, Full,
                ],
            ),
        ];
        for ((creator, shared, confidential), expected) in table {
            let f = facts(creator, *shared, *confidential);
            for ((name, role), want) in roles().iter().zip(expected) {
                assert_eq!(
                    may_see_ticket(role, "kim", &f),
                    *want,
                    "{name} on ticket by {creator}, shared {shared}, confidential {confidential}"
                );
            }
        }
    }

    #[test]
    fn actions_follow_the_table() {
        let f = facts("kim", true, false);
        let acme = org("acme");
        // role order as in roles(): customer, other-customer, agent-dach, agent-intl,
        // consultant, auditor, operator, integrator, integrator-full
        let table: Vec<(Action<'_>, [bool; 9])> = vec![
            (
                Action::ReadTicket(&f),
                [true, false, true, true, true, true, false, false, false],
            ),
            (
                Action::WriteTicket(&f),
                [true, false, true, true, true, false, false, false, false],
            ),
            (
                Action::OpenTicket,
                [true, true, true, true, true, false, false, false, false],
            ),
            (
                Action::ListTickets,
                [true, true, true, true, true, true, false, false, false],
            ),
            (
                Action::ReadOrderOrDelivery(Some(&acme)),
                [true, false, true, true, true, true, false, false, false],
            ),
            (
                Action::WriteOrderOrDelivery(Some(&acme)),
                [true, false, true, true, true, false, false, false, false],
            ),
            (
                Action::WriteOrderOrDelivery(None),
                [false, false, true, true, true, false, false, false, false],
            ),
            (
                Action::Reports,
                [false, false, true, true, true, true, false, false, false],
            ),
            (
                Action::Subscribe,
                [false, false, false, false, false, true, false, true, true],
            ),
            (
                Action::Operate,
                [false, false, false, false, false, false, true, false, false],
            ),
        ];
        for (action, expected) in table {
            for ((name, role), want) in roles().iter().zip(expected) {
                assert_eq!(may(role, "kim", action), want, "{name} × {action:?}");
            }
        }
    }

    #[test]
    fn auditors_and_scoped_integrators_get_free_text_others_do_not() {
        assert!(!redacts_free_text(&Role::Auditor, true));
        assert!(redacts_free_text(
            &Role::Integrator {
                confidential_text: false
            },
            true
        ));
        assert!(!redacts_free_text(
            &Role::Integrator {
                confidential_text: true
            },
            true
        ));
        assert!(!redacts_free_text(
            &Role::Integrator {
                confidential_text: false
            },
            false
        ));
    }

    #[test]
    fn redaction_blanks_free_text_and_keeps_structure() {
        let mut v = serde_json::json!({
            "at": "2026-01-01T00:00:00Z", "summary": "Ms X's grades",
            "form": {"description": "secret", "ticket_type": "incident"},
            "attachments": [{"name": "x.pdf", "size": 3}]
        });
        redact_free_text(&mut v);
        assert_eq!(v["summary"], REDACTED);
        assert_eq!(v["form"]["description"], REDACTED);
        assert_eq!(v["form"]["ticket_type"], "incident");
        assert_eq!(v["attachments"][0]["name"], REDACTED);
        assert_eq!(v["at"], "2026-01-01T00:00:00Z");
    }
}
