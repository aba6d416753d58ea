//! The pipeline matrix at scale: building it for 2,000 APIs × 5 stages from one gateway list
//! per stage plus the promotions, its health figures, a filter keystroke, and drawing one frame
//! (health strip + matrix) at 200×50 and 80×24. Prints medians; asserts nothing.
//!
//! `cargo bench --bench pipeline_matrix` (optionally `-- RUNS`, default 31).

#[path = "../tests/it/ui/pipeline_fixtures.rs"]
#[allow(dead_code)]
mod pipeline_fixtures;

use std::time::{Duration, Instant};

use envdeck::domain::matrix::{build, health::health};
use envdeck::ui::pipeline::{self, PipelineView};
use envdeck::ui::theme::Theme;
use pipeline_fixtures::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples.get(samples.len() / 2).copied().unwrap_or_default()
}

fn measure(runs: usize, mut f: impl FnMut()) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                f();
                start.elapsed()
            })
            .collect(),
    )
}

fn main() {
    let runs = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(31);
    let stages = five();
    let (catalog, sources, promotions) = big(&stages, 2_000);
    let deployments: usize = sources
        .iter()
        .map(|s| match s {
            envdeck::domain::matrix::StageSource::Deployments(d) => d.len(),
            _ => 0,
        })
        .sum();
    println!(
        "2,000 APIs x 5 stages: {deployments} gateway deployments, {} promotions",
        promotions.len()
    );
    let t = measure(runs, || {
        std::hint::black_box(build(&stages, &catalog, &sources, &promotions));
    });
    println!("build the matrix: {t:?}");
    let matrix = build(&stages, &catalog, &sources, &promotions);
    let t = measure(runs, || {
        std::hint::black_box(health(&stages, &promotions, now()));
    });
    println!("health figures: {t:?}");
    let t = measure(runs, || {
        std::hint::black_box(matrix.filter("svc 01"));
    });
    println!("filter keystroke over 2,000 rows: {t:?}");
    let h = health(&stages, &promotions, now());
    let rows = matrix.filter("");
    let theme = Theme::new(false, false);
    let t = measure(runs, || {
        std::hint::black_box(pipeline::widths(&matrix, 200, &theme));
    });
    println!("column widths over 2,000 rows: {t:?}");
    // Our drawing alone, into a buffer (no terminal diff or backend).
    let mut buf = ratatui::buffer::Buffer::empty(Rect::new(0, 0, 200, 50));
    let mut i = 0;
    let t = measure(runs, || {
        i = (i + 37) % rows.len();
        let view = PipelineView {
            matrix: &matrix,
            rows: &rows,
            filter: "",
            selected_row: i,
            selected_stage: 4,
            row_offset: i.saturating_sub(20),
            stage_offset: 0,
        };
        buf.reset();
        pipeline::draw_health(&mut buf, Rect::new(0, 0, 200, 5), &h, &theme);
        pipeline::draw_buffer(&mut buf, Rect::new(0, 6, 200, 44), &view, &theme);
    });
    println!("drawing alone into a 200x50 buffer: {t:?}");
    for (width, height) in [(200, 50), (80, 24)] {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        let mut frame_at = |selected: usize| {
            terminal
                .draw(|frame| {
                    let area = frame.area();
                    let top = pipeline::health_height(&h, area.width, &theme);
                    pipeline::draw_health(
                        frame.buffer_mut(),
                        Rect::new(0, 0, area.width, top),
                        &h,
                        &theme,
                    );
                    let view = PipelineView {
                        matrix: &matrix,
                        rows: &rows,
                        filter: "",
                        selected_row: selected,
                        selected_stage: 4,
                        row_offset: selected.saturating_sub(20),
                        stage_offset: 0,
                    };
                    let body = Rect::new(0, top + 1, area.width, area.height - top - 1);
                    pipeline::draw(frame, body, &view, &theme);
                })
                .expect("draw");
        };
        let mut i = 0;
        let t = measure(runs, || {
            // A different selection each frame, so that every frame redraws.
            i = (i + 37) % rows.len();
            frame_at(i);
        });
        println!("one frame, health + matrix ({width}x{height}): {t:?}");
    }
    console_frames(runs, &stages, catalog, sources, promotions);
}

/// The whole console in its Pipeline view: a key (`j`, the next row) through `update` and one
/// full frame (header, tabs, matrix, legend, footer), as the event loop does it.
fn console_frames(
    runs: usize,
    stages: &[envdeck::domain::Stage],
    catalog: Vec<envdeck::wire::Api>,
    sources: Vec<envdeck::domain::matrix::StageSource>,
    promotions: Vec<envdeck::wire::Promotion>,
) {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use envdeck::app::action::{Action, SavedState};
    use envdeck::app::update;
    use envdeck::wire::{Environment, EnvironmentList};
    let environments = stages
        .iter()
        .map(|s| Environment {
            name: s.name.to_string(),
            label: s.label.clone(),
            mode: s.mode.as_str().to_string(),
            color: None,
            endpoints: None,
            is_current: false,
        })
        .collect();
    let mut state = envdeck::app::State::new("bench", "acme", "http://127.0.0.1:1", now());
    update(&mut state, Action::SavedStateLoaded(SavedState::Missing));
    let list = EnvironmentList {
        environments,
        current: None,
    };
    let result = Ok(list);
    update(
        &mut state,
        Action::Environments {
            result,
            cached: false,
        },
    );
    let inputs = envdeck::domain::matrix::Inputs {
        stages: stages.iter().map(|s| s.name.clone()).collect(),
        catalog,
        sources,
    };
    let key = |c: char| Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    update(&mut state, key('0'));
    let t = Instant::now();
    update(&mut state, Action::Pipeline(Ok((inputs, promotions))));
    println!(
        "console: the inputs arrive and the matrix is built: {:?}",
        t.elapsed()
    );
    for (width, height) in [(200, 50), (80, 24)] {
        update(&mut state, Action::Resize(width, height));
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        let t = measure(runs, || {
            update(&mut state, key('j'));
            terminal
                .draw(|frame| envdeck::ui::view(frame, &state))
                .expect("draw");
        });
        println!("console: key j to a full Pipeline frame ({width}x{height}): {t:?}");
        let t = measure(runs, || {
            update(&mut state, key('j'));
        });
        println!("  of which the key through update: {t:?}");
    }
}
