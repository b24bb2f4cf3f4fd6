//! Email and page templates (`subgraphs/auth/templates/`), filled in with
//! `{{name}}` placeholders. Values are HTML-escaped in HTML templates.

use std::time::Duration;

const VERIFY_TEXT: &str = include_str!("../../templates/verify_email.txt");
const VERIFY_HTML: &str = include_str!("../../templates/verify_email.html");
const ATTEMPT_TEXT: &str = include_str!("../../templates/registration_attempt.txt");
const ATTEMPT_HTML: &str = include_str!("../../templates/registration_attempt.html");
const RESET_TEXT: &str = include_str!("../../templates/reset_password.txt");
const RESET_HTML: &str = include_str!("../../templates/reset_password.html");
const CHANGE_TEXT: &str = include_str!("../../templates/email_change_confirm.txt");
const CHANGE_HTML: &str = include_str!("../../templates/email_change_confirm.html");
const NOTICE_TEXT: &str = include_str!("../../templates/email_change_notice.txt");
const NOTICE_HTML: &str = include_str!("../../templates/email_change_notice.html");
const PAGE_HTML: &str = include_str!("../../templates/verify_page.html");
const RESET_PAGE_HTML: &str = include_str!("../../templates/reset_page.html");
const OAUTH_PAGE_HTML: &str = include_str!("../../templates/oauth_page.html");

/// One email, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The link in the email, if it has one (logged when there is no mail server).
    pub link: Option<String>,
}

/// A small HTML page: its title and one paragraph.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    pub title: &'a str,
    pub message: &'a str,
}

#[derive(Debug, Clone)]
pub struct Templates {
    product: String,
}

impl Templates {
    pub fn new(product: impl Into<String>) -> Self {
        Self {
            product: product.into(),
        }
    }

    /// "Confirm your email address": the link and how long it works.
    pub fn verify(&self, to: &str, link: &str, valid_for: Duration) -> Email {
        let valid_for = human_duration(valid_for);
        let values = [
            ("product", self.product.as_str()),
            ("email", to),
            ("link", link),
            ("valid_for", valid_for.as_str()),
        ];
        email(to, VERIFY_TEXT, VERIFY_HTML, &values, Some(link))
    }

    /// "Someone tried to sign up with your address".
    pub fn registration_attempt(&self, to: &str) -> Email {
        let values = [("product", self.product.as_str()), ("email", to)];
        email(to, ATTEMPT_TEXT, ATTEMPT_HTML, &values, None)
    }

    /// "Reset your password": the link and how long it works.
    pub fn password_reset(&self, to: &str, link: &str, valid_for: Duration) -> Email {
        let valid_for = human_duration(valid_for);
        let values = [
            ("product", self.product.as_str()),
            ("email", to),
            ("link", link),
            ("valid_for", valid_for.as_str()),
        ];
        email(to, RESET_TEXT, RESET_HTML, &values, Some(link))
    }

    /// "Confirm your new email address", to the new address: the link that
    /// makes the change.
    pub fn email_change(&self, old: &str, new: &str, link: &str, valid_for: Duration) -> Email {
        let valid_for = human_duration(valid_for);
        let values = [
            ("product", self.product.as_str()),
            ("email", new),
            ("old_email", old),
            ("link", link),
            ("valid_for", valid_for.as_str()),
        ];
        email(new, CHANGE_TEXT, CHANGE_HTML, &values, Some(link))
    }

    /// "Your email address is being changed", to the old address.
    pub fn email_change_notice(&self, old: &str, new: &str) -> Email {
        let values = [
            ("product", self.product.as_str()),
            ("email", old),
            ("new_email", new),
        ];
        email(old, NOTICE_TEXT, NOTICE_HTML, &values, None)
    }

    /// The form of `/reset-password`: posts `token`, `password` and
    /// `confirm` back to it. `problem`: what was wrong with the last try.
    pub fn reset_form(&self, token: &str, problem: Option<&str>) -> String {
        let min = crate::validate::MIN_PASSWORD_CHARS.to_string();
        let max = crate::validate::MAX_PASSWORD_CHARS.to_string();
        let (class, message) = match problem {
            Some(problem) => ("problem", problem),
            None => ("", "Type the new password for your account twice."),
        };
        render(
            RESET_PAGE_HTML,
            &[
                ("product", self.product.as_str()),
                ("token", token),
                ("min", min.as_str()),
                ("max", max.as_str()),
                ("class", class),
                ("message", message),
            ],
            Escape::Html,
        )
    }

    /// The page `GET /verify-email` answers with (and the other pages of
    /// links in emails).
    pub fn page(&self, page: Page<'_>) -> String {
        render(
            PAGE_HTML,
            &[
                ("product", self.product.as_str()),
                ("title", page.title),
                ("message", page.message),
            ],
            Escape::Html,
        )
    }

    /// A page of the provider sign-in flow (`/oauth/…`): like [`page`](Self::page),
    /// with a link back to the app when there is one to go back to.
    pub fn oauth_page(&self, page: Page<'_>, back_to_app: Option<&str>) -> String {
        let Some(link) = back_to_app else {
            return self.page(page);
        };
        render(
            OAUTH_PAGE_HTML,
            &[
                ("product", self.product.as_str()),
                ("title", page.title),
                ("message", page.message),
                ("link", link),
            ],
            Escape::Html,
        )
    }
}

fn email(to: &str, text: &str, html: &str, values: &[(&str, &str)], link: Option<&str>) -> Email {
    let (subject, text) = split_subject(&render(text, values, Escape::None));
    Email {
        to: to.to_owned(),
        subject,
        text,
        html: render(html, values, Escape::Html),
        link: link.map(str::to_owned),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Escape {
    None,
    Html,
}

/// Replaces each `{{name}}` with its value in one pass, so a value that
/// itself contains `{{…}}` is not expanded again. Unknown names stay as they are.
fn render(template: &str, values: &[(&str, &str)], escape: Escape) -> String {
    let mut out = String::with_capacity(template.len() + 256);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match values.iter().find(|(key, _)| *key == name) {
            Some((_, value)) if escape == Escape::Html => escape_html(value, &mut out),
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&rest[start..start + 2 + end + 2]),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

fn escape_html(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// A text template starts with `Subject: …` and a blank line.
fn split_subject(rendered: &str) -> (String, String) {
    let (first, body) = rendered.split_once('\n').unwrap_or((rendered, ""));
    match first.strip_prefix("Subject:") {
        // A header value must be one line whatever a setting contains.
        Some(subject) => (
            subject.trim().replace(char::is_control, " "),
            body.trim_start_matches(['\r', '\n']).to_owned(),
        ),
        None => (String::new(), rendered.to_owned()),
    }
}

/// "24 hours", "1 hour", "90 minutes", "2 days": how long a link works.
pub fn human_duration(duration: Duration) -> String {
    let secs = duration.as_secs();
    let (n, unit) = if secs >= 2 * 86_400 && secs.is_multiple_of(86_400) {
        (secs / 86_400, "day")
    } else if secs >= 3600 && secs.is_multiple_of(3600) {
        (secs / 3600, "hour")
    } else if secs >= 60 {
        (secs.div_ceil(60), "minute")
    } else {
        (secs, "second")
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verification_email_has_the_product_and_the_link() {
        let t = Templates::new("Chatty");
        let link = "https://auth.example.com/verify-email?token=abc_DEF-123";
        let email = t.verify("ann@example.com", link, Duration::from_secs(24 * 3600));
        assert_eq!(email.subject, "Confirm your email address for Chatty");
        assert_eq!(email.link.as_deref(), Some(link));
        for body in [&email.text, &email.html] {
            assert!(body.contains(link), "{body}");
            assert!(body.contains("Chatty"), "{body}");
            assert!(body.contains("24 hours"), "{body}");
            assert!(!body.contains("{{"), "unfilled placeholder in {body}");
        }
        assert!(!email.text.starts_with("Subject"));
        assert!(email.text.is_ascii(), "7bit-safe text");
    }

    #[test]
    fn the_attempt_notice_names_the_product() {
        let email = Templates::new("Chatty").registration_attempt("ann@example.com");
        assert_eq!(
            email.subject,
            "Someone tried to sign up for Chatty with your address"
        );
        assert!(email.text.contains("ann@example.com"));
        assert!(!email.html.contains("{{"));
        assert_eq!(email.link, None);
    }

    #[test]
    fn the_reset_email_has_the_link_and_its_lifetime() {
        let t = Templates::new("Chatty");
        let link = "https://auth.example.com/reset-password?token=abc_DEF-123";
        let email = t.password_reset("ann@example.com", link, Duration::from_secs(3600));
        assert_eq!(email.subject, "Reset your Chatty password");
        assert_eq!(email.link.as_deref(), Some(link));
        for body in [&email.text, &email.html] {
            assert!(body.contains(link), "{body}");
            assert!(body.contains("1 hour"), "{body}");
            assert!(body.contains("ann@example.com"), "{body}");
            assert!(!body.contains("{{"), "unfilled placeholder in {body}");
        }
        assert!(email.text.is_ascii(), "7bit-safe text");
    }

    #[test]
    fn the_email_change_emails_name_both_addresses() {
        let t = Templates::new("Chatty");
        let link = "https://auth.example.com/confirm-email-change?token=abc";
        let email = t.email_change(
            "old@example.com",
            "new@example.com",
            link,
            Duration::from_secs(86_400),
        );
        assert_eq!(email.to, "new@example.com");
        assert_eq!(email.link.as_deref(), Some(link));
        let notice = t.email_change_notice("old@example.com", "new@example.com");
        assert_eq!(notice.to, "old@example.com");
        assert_eq!(notice.link, None);
        for body in [&email.text, &email.html, &notice.text, &notice.html] {
            assert!(
                body.contains("old@example.com") && body.contains("new@example.com"),
                "{body}"
            );
            assert!(!body.contains("{{"), "unfilled placeholder in {body}");
        }
        assert!(email.text.contains(link) && email.text.contains("24 hours"));
        assert!(
            email.text.is_ascii() && notice.text.is_ascii(),
            "7bit-safe text"
        );
    }

    #[test]
    fn the_reset_form_carries_the_token_escaped() {
        let page = Templates::new("Chatty").reset_form("a\"b<c", Some("too <short>"));
        assert!(
            page.contains(r#"name="token" value="a&quot;b&lt;c""#),
            "{page}"
        );
        assert!(page.contains("too &lt;short&gt;"));
        assert!(page.contains(r#"method="post""#));
        assert!(!page.contains("{{"), "unfilled placeholder in {page}");
    }

    #[test]
    fn values_are_escaped_in_html_and_never_expanded_twice() {
        let t = Templates::new("<b>{{link}}</b>\nInjected: yes");
        let email = t.verify(
            "a@example.com",
            "https://x.test/?a=1&b=2",
            Duration::from_secs(60),
        );
        assert!(
            email.html.contains("&lt;b&gt;{{link}}&lt;/b&gt;"),
            "{}",
            email.html
        );
        assert!(email.html.contains("https://x.test/?a=1&amp;b=2"));
        assert!(!email.subject.contains('\n'), "{:?}", email.subject);
        let page = t.page(Page {
            title: "t",
            message: "<script>",
        });
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>"));
    }

    #[test]
    fn durations_read_naturally() {
        let d = |s| human_duration(Duration::from_secs(s));
        assert_eq!(d(24 * 3600), "24 hours");
        assert_eq!(d(3600), "1 hour");
        assert_eq!(d(2 * 86_400), "2 days");
        assert_eq!(d(90 * 60), "90 minutes");
        assert_eq!(d(61), "2 minutes");
        assert_eq!(d(30), "30 seconds");
    }
}
