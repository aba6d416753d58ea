//! The Pipeline view (`0`, `:pipeline`): the tenant's APIs × the stages. It keeps what the
//! matrix is built from (catalog and each stage's gateway deployments) and rebuilds it from
//! the one promotion store whenever either changes, so a new promotion shows as an arrow as
//! soon as the promotions are fetched again. Drawing is `ui::pipeline`.

mod cell;

use crate::app::effect::Effect;
use crate::app::failure::Failure;
use crate::app::keymap::Command;
use crate::app::list::LoadState;
use crate::app::state::{State, ViewKind};
use crate::domain::Operation;
use crate::domain::matrix::{ArrowStatus, Cell, Inputs, Matrix, Slot};
use crate::wire::Promotion;

#[derive(Debug, Default)]
pub struct PipelineState {
    pub inputs: Option<Inputs>,
    pub matrix: Matrix,
    /// The rows shown (indices into `matrix.rows`), for the filter in use.
    pub rows: Vec<usize>,
    /// The filter `rows` was computed for.
    applied_filter: String,
    /// Position of the selection in `rows`, and the selected stage.
    pub selected_row: usize,
    pub selected_stage: usize,
    pub row_offset: usize,
    pub stage_offset: usize,
    pub load: LoadState,
    pub refreshing: bool,
    /// Stage columns that fit, for the (width, ascii) they were measured at: measuring
    /// reads every cell, so it is done once per matrix and size, not per key.
    columns: Option<(u16, bool, usize)>,
}

impl PipelineState {
    /// The API id of the selected row.
    pub fn selected_api(&self) -> Option<&str> {
        let row = self.matrix.rows.get(*self.rows.get(self.selected_row)?)?;
        Some(&row.api)
    }

    pub fn selected_slot(&self) -> Option<&Slot> {
        let at = *self.rows.get(self.selected_row)?;
        self.matrix.slot(at, self.selected_stage)
    }
}

/// Asks for the matrix's inputs (stages known; `/v1/me`'s roles say whether to try the
/// gateway lists).
pub fn fetch(state: &mut State) -> Vec<Effect> {
    if state.pipeline.is_empty() {
        return Vec::new();
    }
    let view = &mut state.board;
    view.refreshing = true;
    if matches!(view.load, LoadState::Idle | LoadState::Failed { .. }) {
        view.load = LoadState::Loading;
    }
    let roles = state
        .me
        .as_ref()
        .map(|m| m.roles.clone())
        .unwrap_or_default();
    vec![Effect::FetchPipeline {
        stages: state.pipeline.stages().to_vec(),
        roles,
    }]
}

/// The matrix's inputs arrived: the promotions go to the one store, and the matrix is built.
pub fn on_reply(
    state: &mut State,
    result: Result<(Inputs, Vec<Promotion>), Failure>,
) -> Vec<Effect> {
    state.board.refreshing = false;
    match result {
        Ok((inputs, promotions)) => {
            crate::app::replies::mark_online(state);
            state.board.load = LoadState::Loaded { at: state.now };
            state.board.inputs = Some(inputs);
            // Rebuilds the matrix too (`rebuild`).
            crate::app::promo::keys::set_all(state, promotions);
        }
        Err(e) => {
            state.board.load = state.board.load.after_failure(&e.to_string());
            crate::app::replies::note_failure(state, &e, "cannot load the pipeline");
        }
    }
    Vec::new()
}

/// The stages changed: inputs read for other stages are dropped (and read again when the
/// view is shown).
pub fn on_stages_changed(state: &mut State) -> Vec<Effect> {
    let Some(inputs) = &state.board.inputs else {
        return Vec::new();
    };
    if inputs.read_for(state.pipeline.stages()) {
        rebuild(state);
        return Vec::new();
    }
    state.board.inputs = None;
    state.board.load = LoadState::Idle;
    if state.view == ViewKind::Pipeline && !state.board.refreshing {
        return fetch(state);
    }
    Vec::new()
}

/// The inputs as last seen, until the server answers: drawn at once, marked stale.
pub fn on_cached(
    state: &mut State,
    inputs: Inputs,
    saved_at: crate::wire::Timestamp,
) -> Vec<Effect> {
    if state.board.inputs.is_some() {
        return Vec::new(); // the server answered first
    }
    state.board.inputs = Some(inputs);
    state.board.load = LoadState::Stale { saved_at };
    // Read for other stages: dropped, and read again (`on_stages_changed`).
    if state.pipeline.is_empty() {
        return Vec::new();
    }
    on_stages_changed(state)
}

/// Rebuilds the matrix from its inputs, the stages and the promotion store, keeping the
/// selection on the same API and stage.
pub fn rebuild(state: &mut State) {
    let Some(inputs) = &state.board.inputs else {
        return;
    };
    if !inputs.read_for(state.pipeline.stages()) {
        return;
    }
    let keep = state.board.selected_api().map(str::to_string);
    let matrix = inputs.build(state.pipeline.stages(), &state.promo.all);
    state.board.matrix = matrix;
    state.board.columns = None;
    state.board.applied_filter = String::from("\u{0}"); // forces the filter to run again
    refilter(state);
    if let Some(api) = keep
        && let Some(pos) = state
            .board
            .rows
            .iter()
            .position(|&i| state.board.matrix.rows[i].api == api)
    {
        state.board.selected_row = pos;
    }
    clamp(state);
}

/// Applies the `/` filter (kept in the view's list, as every view's is).
pub fn refilter(state: &mut State) {
    let query = &state.lists[ViewKind::Pipeline].filter;
    if *query == state.board.applied_filter {
        return;
    }
    state.board.rows = state.board.matrix.filter(query);
    state.board.applied_filter = query.clone();
    state.board.selected_row = 0;
    state.board.row_offset = 0;
}

/// API rows and stage columns the view shows at this terminal size (what paging and
/// scrolling move by): the drawing's own sums.
fn visible(state: &mut State) -> (usize, usize) {
    let area = crate::ui::layout::of(state).body;
    let theme = crate::ui::theme::Theme::new(state.no_color, state.ascii);
    let m = &state.board.matrix;
    let rows = crate::ui::pipeline::body_rows(m, area, &theme).0;
    let columns = match state.board.columns {
        Some((width, ascii, n)) if width == area.width && ascii == state.ascii => n,
        _ => {
            let n = crate::ui::pipeline::widths(m, area.width, &theme).stages;
            state.board.columns = Some((area.width, state.ascii, n));
            n
        }
    };
    (rows, columns)
}

/// Keeps the selection inside the rows and stages, and in view.
pub fn clamp(state: &mut State) {
    let b = &mut state.board;
    b.selected_row = b.selected_row.min(b.rows.len().saturating_sub(1));
    b.selected_stage = b
        .selected_stage
        .min(b.matrix.stages.len().saturating_sub(1));
    use crate::ui::pipeline::keep_in_view;
    let (height, columns) = visible(state);
    let b = &mut state.board;
    b.row_offset = keep_in_view(b.row_offset, b.selected_row, height);
    b.stage_offset = keep_in_view(b.stage_offset, b.selected_stage, columns);
}

/// A table key in the Pipeline view; `None` when it is not the view's to handle.
pub fn on_command(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    let page = match command {
        Command::PageUp | Command::PageDown => visible(state).0.max(1) as isize,
        _ => 1,
    };
    let b = &mut state.board;
    let step = |at: usize, by: isize| at.saturating_add_signed(by);
    match command {
        Command::Up => b.selected_row = step(b.selected_row, -1),
        Command::Down => b.selected_row = step(b.selected_row, 1),
        Command::PageUp => b.selected_row = step(b.selected_row, -page),
        Command::PageDown => b.selected_row = step(b.selected_row, page),
        Command::Top => b.selected_row = 0,
        Command::Bottom => b.selected_row = usize::MAX,
        Command::Left => b.selected_stage = step(b.selected_stage, -1),
        Command::Right => b.selected_stage = step(b.selected_stage, 1),
        Command::Detail => cell::open(state),
        Command::Promote => return Some(promote(state)),
        Command::Approve => return Some(review_arrow(state)),
        Command::SortColumn | Command::SortDirection => {
            state.set_status("the pipeline lists the most out-of-date APIs first", false);
        }
        _ => return None,
    }
    clamp(state);
    Some(Vec::new())
}

/// Whether `p` or `a` can act on the selected cell, and why not (the footer dims it).
pub fn availability(state: &State, command: Command) -> Option<Result<(), String>> {
    Some(match command {
        Command::Promote => promotion_from_cell(state).map(|_| ()),
        Command::Approve => waiting_arrow(state)
            .and_then(|p| crate::app::promo::decide_on(state, Operation::ApprovePromotion, &p)),
        _ => return None,
    })
}

/// The selected cell's API (id, name), its stage and the next one, when a promotion from
/// it may be asked for.
fn promotion_from_cell(
    state: &State,
) -> Result<(String, String, &crate::domain::Stage, &crate::domain::Stage), String> {
    let b = &state.board;
    let (Some(&row), Some(slot)) = (b.rows.get(b.selected_row), b.selected_slot()) else {
        return Err("select a cell first".into());
    };
    let row = &b.matrix.rows[row];
    let source = state
        .pipeline
        .get(
            &b.matrix
                .stages
                .get(b.selected_stage)
                .ok_or("no stage")?
                .name,
        )
        .ok_or("the stages changed (r refreshes)")?;
    let target = state
        .pipeline
        .next(&source.name)
        .ok_or_else(|| format!("{} is the last stage", source.label))?;
    if matches!(slot.cell, Cell::Absent) {
        return Err(format!("the API does not run in {}", source.label));
    }
    if let crate::domain::Decision::Denied(reason) =
        state.decide_for(Operation::CreatePromotion, target, None)
    {
        return Err(reason.to_string());
    }
    Ok((row.api.clone(), row.display_name.clone(), source, target))
}

/// The catalog name of `api` (as the CLI takes it: the status line prints the equivalent
/// command), else `fallback`. Looked up on `p` only, not for the footer on every frame.
fn catalog_name(state: &State, api: &str, fallback: String) -> String {
    state
        .board
        .inputs
        .as_ref()
        .and_then(|i| i.catalog.iter().find(|a| a.id == api))
        .map_or(fallback, |a| {
            crate::domain::text::sanitize(&a.name).into_owned()
        })
}

/// The pending promotion on the selected cell's arrow (into it from the stage before).
fn waiting_arrow(state: &State) -> Result<Promotion, String> {
    let arrow = state.board.selected_slot().and_then(|s| s.arrow.as_ref());
    let Some(arrow) = arrow else {
        return Err("nothing to approve here".into());
    };
    if arrow.status != ArrowStatus::Pending {
        return Err("the promotion into this cell is promoting".into());
    }
    state
        .promo
        .all
        .iter()
        .find(|p| p.id == arrow.id)
        .cloned()
        .ok_or_else(|| "that promotion is no longer listed (r refreshes)".into())
}

/// `p` on a cell: the create form for the row's API from the cell's stage into the next.
fn promote(state: &mut State) -> Vec<Effect> {
    match promotion_from_cell(state) {
        Ok((api_id, display_name, source, target)) => {
            let (source, target) = (source.name.clone(), target.name.clone());
            let api_name = catalog_name(state, &api_id, display_name);
            crate::app::promo::keys::prepare(state, api_id, api_name, source, target)
        }
        Err(reason) => {
            state.set_status(format!("promote: {reason}"), true);
            Vec::new()
        }
    }
}

/// `a` on a waiting arrow: its review (approving happens there, after the diff is shown).
fn review_arrow(state: &mut State) -> Vec<Effect> {
    match waiting_arrow(state) {
        Ok(p) => crate::app::promo::keys::open_review_of(state, p),
        Err(reason) => {
            state.set_status(format!("approve: {reason}"), true);
            Vec::new()
        }
    }
}
