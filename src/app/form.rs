//! The API create/edit form: fields, key handling and validation.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::{Input, InputRequest};

use crate::domain::StageName;
use crate::wire::{Api, ApiCreate, ApiUpdate};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Name,
    DisplayName,
    Version,
    BackendUrl,
    Description,
}

impl Field {
    pub const ALL: [Field; 5] = [
        Field::Name,
        Field::DisplayName,
        Field::Version,
        Field::BackendUrl,
        Field::Description,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Field::Name => "Name",
            Field::DisplayName => "Display name",
            Field::Version => "Version",
            Field::BackendUrl => "Backend URL",
            Field::Description => "Description",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormMode {
    Create,
    /// Editing keeps the API's name (it is its identity on the server).
    Edit {
        id: String,
    },
}

#[derive(Clone, Debug)]
pub struct ApiForm {
    pub mode: FormMode,
    pub stage: StageName,
    pub inputs: [Input; 5],
    pub focus: usize,
    /// The first validation problem, shown under the form.
    pub error: Option<String>,
}

/// What the form asks the server for, once valid.
#[derive(Clone, Debug, PartialEq)]
pub enum FormOutcome {
    Create(ApiCreate),
    Update { id: String, body: ApiUpdate },
}

/// Keys the form consumes; the caller handles Esc (cancel) and Enter (submit).
pub enum FormKey {
    Handled,
    Submit,
    Cancel,
}

impl ApiForm {
    pub fn create(stage: StageName) -> ApiForm {
        ApiForm {
            mode: FormMode::Create,
            stage,
            inputs: [
                Input::default(),
                Input::default(),
                Input::new("1.0.0".into()),
                Input::default(),
                Input::default(),
            ],
            focus: 0,
            error: None,
        }
    }

    pub fn edit(stage: StageName, api: &Api) -> ApiForm {
        ApiForm {
            mode: FormMode::Edit { id: api.id.clone() },
            stage,
            inputs: [
                Input::new(api.name.clone()),
                Input::new(api.display_name.clone()),
                Input::new(api.version.clone()),
                Input::new(api.backend_url.clone().unwrap_or_default()),
                Input::new(api.description.clone().unwrap_or_default()),
            ],
            focus: 1,
            error: None,
        }
    }

    pub fn value(&self, field: Field) -> &str {
        self.inputs[field as usize].value()
    }

    pub fn is_editable(&self, field: Field) -> bool {
        !(field == Field::Name && matches!(self.mode, FormMode::Edit { .. }))
    }

    fn move_focus(&mut self, forward: bool) {
        let n = Field::ALL.len();
        loop {
            self.focus = if forward {
                (self.focus + 1) % n
            } else {
                (self.focus + n - 1) % n
            };
            if self.is_editable(Field::ALL[self.focus]) {
                return;
            }
        }
    }

    pub fn handle_key(&mut self, key: &KeyEvent) -> FormKey {
        let request = match key.code {
            KeyCode::Esc => return FormKey::Cancel,
            KeyCode::Enter => return FormKey::Submit,
            KeyCode::Tab | KeyCode::Down => {
                self.move_focus(true);
                return FormKey::Handled;
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.move_focus(false);
                return FormKey::Handled;
            }
            _ => match text_request(key) {
                Some(r) => r,
                None => return FormKey::Handled,
            },
        };
        if self.is_editable(Field::ALL[self.focus]) {
            self.inputs[self.focus].handle(request);
            self.error = None;
        }
        FormKey::Handled
    }

    /// Checks every field; on failure focuses the faulty one and records the reason.
    pub fn validate(&mut self) -> Result<FormOutcome, String> {
        match self.check() {
            Ok(outcome) => Ok(outcome),
            Err((field, reason)) => {
                self.focus = field as usize;
                self.error = Some(reason.clone());
                Err(reason)
            }
        }
    }

    fn check(&self) -> Result<FormOutcome, (Field, String)> {
        let name = self.value(Field::Name).trim();
        let display = self.value(Field::DisplayName).trim();
        let version = self.value(Field::Version).trim();
        let backend = self.value(Field::BackendUrl).trim();
        let description = self.value(Field::Description).trim();
        validate_name(name).map_err(|r| (Field::Name, r))?;
        if display.is_empty() {
            return Err((Field::DisplayName, "a display name is required".into()));
        }
        if display.chars().count() > 100 {
            return Err((
                Field::DisplayName,
                "display name: 100 characters at most".into(),
            ));
        }
        validate_version(version).map_err(|r| (Field::Version, r))?;
        validate_url(backend).map_err(|r| (Field::BackendUrl, r))?;
        if description.chars().count() > 1000 {
            return Err((
                Field::Description,
                "description: 1000 characters at most".into(),
            ));
        }
        Ok(match &self.mode {
            FormMode::Create => FormOutcome::Create(ApiCreate {
                name: name.into(),
                display_name: display.into(),
                version: version.into(),
                description: description.into(),
                backend_url: backend.into(),
                tags: Vec::new(),
            }),
            FormMode::Edit { id } => FormOutcome::Update {
                id: id.clone(),
                body: ApiUpdate {
                    display_name: Some(display.into()),
                    version: Some(version.into()),
                    description: Some(description.into()),
                    backend_url: Some(backend.into()),
                    tags: None,
                },
            },
        })
    }
}

/// Printable keys and editing keys as tui-input requests (shared by every text field).
pub fn text_request(key: &KeyEvent) -> Option<InputRequest> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    Some(match key.code {
        KeyCode::Char('u') if ctrl => InputRequest::DeleteLine,
        KeyCode::Char('w') if ctrl => InputRequest::DeletePrevWord,
        KeyCode::Char(_) if ctrl => return None,
        KeyCode::Char(c) => InputRequest::InsertChar(c),
        KeyCode::Backspace => InputRequest::DeletePrevChar,
        KeyCode::Delete => InputRequest::DeleteNextChar,
        KeyCode::Left => InputRequest::GoToPrevChar,
        KeyCode::Right => InputRequest::GoToNextChar,
        KeyCode::Home => InputRequest::GoToStart,
        KeyCode::End => InputRequest::GoToEnd,
        _ => return None,
    })
}

fn validate_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("a name is required".into());
    }
    if name.len() > 63 {
        return Err("name: 63 characters at most".into());
    }
    let ok_start = name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit());
    let ok_rest = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok_start && ok_rest {
        Ok(())
    } else {
        Err("name: lower-case letters, digits, '-' and '_' only".into())
    }
}

fn validate_version(version: &str) -> Result<(), String> {
    let parts: Vec<&str> = version.split('.').collect();
    let numeric = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    if (1..=3).contains(&parts.len()) && parts.iter().all(numeric) {
        Ok(())
    } else {
        Err("version: numbers separated by dots, such as 1.0.0".into())
    }
}

fn validate_url(url: &str) -> Result<(), String> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => Ok(()),
        _ => Err("backend URL: an http:// or https:// address is required".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_text(form: &mut ApiForm, text: &str) {
        for c in text.chars() {
            form.handle_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    fn tab(form: &mut ApiForm) {
        form.handle_key(&KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE));
    }

    #[test]
    fn create_form_validates_each_field() {
        let stage = StageName::parse("dev").unwrap();
        let mut form = ApiForm::create(stage);
        assert_eq!(form.validate(), Err("a name is required".into()));
        type_text(&mut form, "Bad Name");
        assert!(form.validate().unwrap_err().starts_with("name:"));
        form.inputs[0] = Input::new("billing".into());
        assert_eq!(form.validate(), Err("a display name is required".into()));
        assert_eq!(form.focus, 1);
        type_text(&mut form, "Billing");
        tab(&mut form);
        tab(&mut form);
        type_text(&mut form, "ftp://nope");
        assert!(form.validate().unwrap_err().starts_with("backend URL"));
        form.inputs[3] = Input::new("https://billing.internal".into());
        match form.validate() {
            Ok(FormOutcome::Create(body)) => {
                assert_eq!(body.name, "billing");
                assert_eq!(body.version, "1.0.0");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn edit_form_keeps_the_name() {
        let api = Api {
            id: "a1".into(),
            name: "orders".into(),
            display_name: "Orders".into(),
            version: "2.0".into(),
            backend_url: Some("http://orders".into()),
            ..Api::default()
        };
        let mut form = ApiForm::edit(StageName::parse("dev").unwrap(), &api);
        assert_eq!(form.focus, 1);
        for _ in 0..5 {
            tab(&mut form);
            assert_ne!(form.focus, 0, "the name is never focused when editing");
        }
        match form.validate() {
            Ok(FormOutcome::Update { id, body }) => {
                assert_eq!(id, "a1");
                assert_eq!(body.display_name.as_deref(), Some("Orders"));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
}
