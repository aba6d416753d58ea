//! Snapshots of the pipeline matrix and its health strip, drawn by `ui::pipeline` alone (the
//! console's view wires them in). Each snapshot was opened and read as an operator would.

use envdeck::domain::matrix::Matrix;
use envdeck::domain::matrix::health::health;
use envdeck::ui::pipeline::{self, PipelineView};
use envdeck::ui::theme::Theme;
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::style::Color;

use super::pipeline_fixtures::*;

struct Draw<'a> {
    matrix: &'a Matrix,
    rows: Vec<usize>,
    filter: &'a str,
    selected: (usize, usize),
    health: Option<&'a envdeck::domain::matrix::health::Health>,
    theme: Theme,
}

impl<'a> Draw<'a> {
    fn new(matrix: &'a Matrix) -> Draw<'a> {
        Draw {
            matrix,
            rows: matrix.filter(""),
            filter: "",
            selected: (0, 0),
            health: None,
            theme: Theme::new(false, false),
        }
    }

    fn render(&self, width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
        terminal
            .draw(|frame| {
                let mut area = frame.area();
                if let Some(h) = self.health {
                    let rows = pipeline::health_height(h, area.width, &self.theme);
                    pipeline::draw_health(
                        frame.buffer_mut(),
                        Rect::new(area.x, area.y, area.width, rows),
                        h,
                        &self.theme,
                    );
                    area.y += rows + 1;
                    area.height -= rows + 1;
                }
                let view = PipelineView {
                    matrix: self.matrix,
                    rows: &self.rows,
                    filter: self.filter,
                    selected_row: self.selected.0,
                    selected_stage: self.selected.1,
                    row_offset: 0,
                    stage_offset: 0,
                };
                pipeline::draw(frame, area, &view, &self.theme);
            })
            .expect("draw");
        terminal
    }
}

#[test]
fn pipeline_three_stages_200_columns_with_health() {
    let stages = three();
    let (m, promotions) = small_matrix(&stages);
    let h = health(&stages, &promotions, now());
    let draw = Draw {
        health: Some(&h),
        selected: (1, 2),
        ..Draw::new(&m)
    };
    assert_snapshot!(draw.render(200, 22).backend());
}

#[test]
fn pipeline_three_stages_80_columns() {
    let stages = three();
    let (m, _) = small_matrix(&stages);
    let draw = Draw {
        selected: (0, 1),
        ..Draw::new(&m)
    };
    assert_snapshot!(draw.render(80, 14).backend());
}

#[test]
fn pipeline_five_stages_200_columns() {
    let stages = five();
    let (m, promotions) = small_matrix(&stages);
    let h = health(&stages, &promotions, now());
    let draw = Draw {
        health: Some(&h),
        ..Draw::new(&m)
    };
    assert_snapshot!(draw.render(200, 24).backend());
}

#[test]
fn pipeline_five_stages_80_columns_scrolled_to_production() {
    let stages = five();
    let (m, _) = small_matrix(&stages);
    let draw = Draw {
        selected: (2, 4),
        ..Draw::new(&m)
    };
    let terminal = draw.render(80, 14);
    assert_snapshot!(terminal.backend());
}

#[test]
fn pipeline_unknown_cells_as_devops_sees_them() {
    let stages = three();
    let m = devops_matrix(&stages);
    let draw = Draw {
        selected: (0, 2),
        ..Draw::new(&m)
    };
    assert_snapshot!(draw.render(100, 16).backend());
}

#[test]
fn pipeline_no_color_ascii_80_columns_with_health() {
    let stages = three();
    let (m, promotions) = small_matrix(&stages);
    let h = health(&stages, &promotions, now());
    let draw = Draw {
        health: Some(&h),
        theme: Theme::new(true, true),
        ..Draw::new(&m)
    };
    let terminal = draw.render(80, 22);
    for cell in terminal.backend().buffer().content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
        assert!(cell.symbol().is_ascii(), "{cell:?}");
    }
    assert_snapshot!(terminal.backend());
}

#[test]
fn pipeline_filtered_and_filtered_to_nothing() {
    let stages = three();
    let (m, _) = small_matrix(&stages);
    let draw = Draw {
        rows: m.filter("pa"),
        filter: "pa",
        ..Draw::new(&m)
    };
    assert_snapshot!("pipeline_filtered", draw.render(80, 9).backend());
    let none = Draw {
        rows: m.filter("zzz"),
        filter: "zzz",
        ..Draw::new(&m)
    };
    assert_snapshot!("pipeline_filtered_to_nothing", none.render(80, 8).backend());
}

#[test]
fn pipeline_tiny_areas_do_not_panic() {
    let stages = five();
    let (m, promotions) = small_matrix(&stages);
    let h = health(&stages, &promotions, now());
    for (w, hgt) in [(1, 1), (5, 3), (20, 4), (40, 2), (300, 1)] {
        let draw = Draw {
            health: Some(&h),
            selected: (7, 4),
            ..Draw::new(&m)
        };
        let _ = draw.render(
            w,
            hgt.max(pipeline::health_height(&h, w, &Theme::new(false, false)) + 2),
        );
    }
}
