//! Reading a raw RFC 5322 message into what intake needs: sender, subject, Message-ID, date,
//! a text body and attachment metadata. Attachment content is hashed and measured, never kept.

use chrono::{DateTime, Utc};
use mail_parser::{MessageParser, MimeHeaders};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::IntakeError;

/// The largest message [`parse`] accepts, in bytes (10 MiB). Bigger files belong in the
/// portal; mail servers commonly cap messages near this size too.
pub const MAX_MESSAGE_BYTES: usize = 10 * 1024 * 1024;

/// Where the body text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BodySource {
    /// A text/plain part.
    Plain,
    /// An HTML part with the markup stripped (the message had no text/plain part).
    Html,
    /// The message had no text at all.
    None,
}

/// Metadata of one attachment: the content itself is not kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentMeta {
    /// The file name as sent (`attachment-N` when the sender gave none).
    pub name: String,
    /// The media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Size of the decoded content in bytes.
    pub size_bytes: u64,
    /// SHA-256 of the decoded content, 64 lower-case hex digits.
    pub sha256: String,
}

/// An email as intake understands it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboundMail {
    /// The sender's address, lower-cased.
    pub from: String,
    /// The sender's display name, if given.
    pub from_name: Option<String>,
    /// The subject (empty when missing).
    pub subject: String,
    /// The Message-ID without angle brackets; when the message has none, `sha256:<hex of the
    /// raw message>`, so a redelivery of the same bytes is still recognised.
    pub message_id: String,
    /// The `Date:` header, if present and valid.
    pub date: Option<DateTime<Utc>>,
    /// The body as text.
    pub body: String,
    /// Where the body came from.
    pub body_source: BodySource,
    /// Attachments, metadata only.
    pub attachments: Vec<AttachmentMeta>,
}

/// Parses a raw message of at most [`MAX_MESSAGE_BYTES`].
pub fn parse(raw: &[u8]) -> Result<InboundMail, IntakeError> {
    parse_with_limit(raw, MAX_MESSAGE_BYTES)
}

/// Parses a raw message of at most `limit` bytes.
pub fn parse_with_limit(raw: &[u8], limit: usize) -> Result<InboundMail, IntakeError> {
    if raw.len() > limit {
        return Err(IntakeError::TooLarge {
            size: raw.len(),
            limit,
        });
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(IntakeError::Malformed {
            reason: "it is empty".into(),
        });
    }
    let message = MessageParser::default()
        .parse(raw)
        .ok_or_else(|| IntakeError::Malformed {
            reason: "no header fields could be read".into(),
        })?;
    // The parser is lenient: text without a single `Name: value` header line still parses.
    // A message needs at least a From, Date or Subject header to count as one.
    let has_headers = message.from().is_some()
        || message.subject().is_some()
        || message.date().is_some()
        || message.message_id().is_some();
    if !has_headers {
        return Err(IntakeError::Malformed {
            reason: "it has none of the header fields From, Subject, Date or Message-ID".into(),
        });
    }
    let sender = message.from().and_then(|a| a.first());
    let from = sender
        .and_then(|a| a.address())
        .map(|a| a.trim().to_lowercase())
        .filter(|a| is_plausible_address(a))
        .ok_or(IntakeError::NoSender)?;
    let from_name = sender
        .and_then(|a| a.name())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    let message_id = match message
        .message_id()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(id) => id
            .trim_start_matches('<')
            .trim_end_matches('>')
            .chars()
            .take(998)
            .collect(),
        None => format!("sha256:{}", hex::encode(Sha256::digest(raw))),
    };
    let date = message
        .date()
        .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0));
    let (body, body_source) = body_of(&message);
    let attachments = message
        .attachments()
        .enumerate()
        .map(|(i, part)| {
            let content = part.contents();
            let media_type = part
                .content_type()
                .map(|ct| match ct.subtype() {
                    Some(sub) => format!("{}/{}", ct.ctype(), sub),
                    None => ct.ctype().to_owned(),
                })
                .unwrap_or_else(|| "application/octet-stream".into())
                .to_lowercase();
            AttachmentMeta {
                name: plain_file_name(part.attachment_name(), i + 1),
                media_type,
                size_bytes: content.len() as u64,
                sha256: hex::encode(Sha256::digest(content)),
            }
        })
        .collect();
    Ok(InboundMail {
        from,
        from_name,
        subject: message.subject().unwrap_or_default().trim().to_owned(),
        message_id,
        date,
        body,
        body_source,
        attachments,
    })
}

/// The first text/plain part, else the first HTML part stripped of markup.
fn body_of(message: &mail_parser::Message<'_>) -> (String, BodySource) {
    let plain = message
        .text_bodies()
        .find(|p| p.is_content_type("text", "plain") || p.content_type().is_none())
        .and_then(|p| p.text_contents());
    if let Some(text) = plain {
        return (normalise(text), BodySource::Plain);
    }
    if message.html_body_count() > 0
        && let Some(text) = message.body_text(0)
    {
        return (normalise(&text), BodySource::Html);
    }
    (String::new(), BodySource::None)
}

/// Unix line ends, no trailing blanks per line, no blank lines at either end.
fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .to_owned()
}

/// A file name the domain accepts: no path, no control characters, at most 255 characters.
fn plain_file_name(name: Option<&str>, index: usize) -> String {
    let base = name
        .map(|n| n.rsplit(['/', '\\']).next().unwrap_or(n))
        .unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(255).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        format!("attachment-{index}")
    } else {
        cleaned.to_owned()
    }
}

fn is_plausible_address(address: &str) -> bool {
    match address.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !address.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    }
}

/// The part of a reply the sender wrote: drops the quoted tail (a trailing block of lines
/// starting with `>`, and the "On … wrote:" line introducing it).
pub fn strip_quoted_reply(body: &str) -> String {
    let lines: Vec<&str> = body.lines().collect();
    let mut cut = lines.len();
    while cut > 0 {
        let line = lines[cut - 1].trim();
        if line.is_empty() || line.starts_with('>') {
            cut -= 1;
        } else {
            break;
        }
    }
    if cut == lines.len() {
        return body.to_owned();
    }
    if cut > 0 && lines[cut - 1].trim_end().ends_with("wrote:") {
        cut -= 1;
    }
    let kept = lines[..cut].join("\n");
    let kept = kept.trim_end();
    if kept.is_empty() {
        body.to_owned()
    } else {
        kept.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(plain_file_name(Some("../../etc/passwd"), 1), "passwd");
        assert_eq!(plain_file_name(Some("C:\\x\\report.pdf"), 1), "report.pdf");
        assert_eq!(plain_file_name(Some("a\u{7}b.txt"), 1), "ab.txt");
        assert_eq!(plain_file_name(None, 3), "attachment-3");
        assert_eq!(plain_file_name(Some(".."), 2), "attachment-2");
    }

    #[test]
    fn a_quoted_tail_is_dropped_from_a_reply() {
        let body =
            "Thanks, it works now.\n\nOn Mon, 2 Mar 2026, Desk wrote:\n> Please try again.\n>\n";
        assert_eq!(strip_quoted_reply(body), "Thanks, it works now.");
        assert_eq!(strip_quoted_reply("> only quoted"), "> only quoted");
        assert_eq!(strip_quoted_reply("no quote"), "no quote");
    }
}
