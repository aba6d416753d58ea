//! The sign-in popup: the session expired and could not be refreshed; a person approves the
//! code at the URL (in a browser, anywhere) and the console carries on where it was.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::super::theme::Theme;
use super::frame_box;
use crate::app::session::SignIn;
use crate::domain::text::sanitize;

pub fn draw(frame: &mut Frame, sign_in: &SignIn, theme: &Theme) {
    let lines = match sign_in {
        SignIn::SignedIn => return,
        SignIn::Prompt { account, uri, code } => vec![
            Line::styled(
                format!(" Sign-in needed for {}.", sanitize(account)),
                theme.warning(),
            ),
            Line::default(),
            Line::from(" To sign in, open"),
            Line::styled(format!("   {}", sanitize(uri)), theme.title()),
            Line::from(vec![
                Span::raw(" and enter the code  "),
                Span::styled(sanitize(code).into_owned(), theme.key()),
            ]),
            Line::default(),
            Line::styled(" Waiting for approval…", theme.dim()),
        ],
        SignIn::Failed(reason) => vec![
            Line::styled(" Signing in again failed:", theme.error()),
            Line::from(format!(" {}", sanitize(reason))),
            Line::default(),
            Line::styled(
                " The next refused request asks again; q quits.",
                theme.dim(),
            ),
        ],
    };
    let height = u16::try_from(lines.len()).unwrap_or(8).saturating_add(2);
    let inner = frame_box(frame, 72, height, "Sign in", theme);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
