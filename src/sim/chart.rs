//! The report as an SVG line chart: money earned over game time, one line per policy.

use plotters::prelude::*;

use crate::error::Error;

use super::Report;

/// Draws money over time per policy, on a logarithmic money axis (the early
/// hours and the last ones differ by orders of magnitude). A policy's line starts
/// at its first dollar.
///
/// # Errors
///
/// [`Error::Internal`] when plotters fails to draw.
pub fn svg(report: &Report, title: &str) -> Result<String, Error> {
    let mut out = String::new();
    draw(report, title, &mut out).map_err(|e| Error::Internal(format!("cannot draw the chart: {e}")))?;
    Ok(out)
}

fn draw(report: &Report, title: &str, out: &mut String) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::with_string(out, (960, 540)).into_drawing_area();
    root.fill(&WHITE)?;
    let money = report.policies.values().flat_map(|p| p.samples.iter().map(|s| s.1));
    let top = money.clone().fold(1.0_f64, f64::max) * 1.5;
    let bottom = money.filter(|&m| m > 0.0).fold(top, f64::min).max(top * 1e-12) / 1.5;
    let hours = (report.duration_s / 3600.0).max(1e-3);
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..hours, (bottom..top).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("game time (hours)")
        .y_desc("money earned")
        .y_label_formatter(&|v| dollars(*v))
        .draw()?;
    for (i, (name, p)) in report.policies.iter().enumerate() {
        // Fixed colours for the two main policies, so charts compare at a glance.
        let color = match name.as_str() {
            "planner" => RGBColor(31, 119, 180).to_rgba(),
            "greedy" => RGBColor(214, 39, 40).to_rgba(),
            _ => Palette99::pick(i + 2).to_rgba(),
        };
        let points: Vec<(f64, f64)> =
            p.samples.iter().filter(|s| s.1 > 0.0).map(|&(t, m)| (t / 3600.0, m)).collect();
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(format!("{name}: {}", dollars(p.final_money)))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Dollars, short: `$1.23b`.
fn dollars(x: f64) -> String {
    let (v, unit) = [(1e15, "q"), (1e12, "t"), (1e9, "b"), (1e6, "m"), (1e3, "k")]
        .into_iter()
        .find(|&(s, _)| x.abs() >= s)
        .map_or((x, ""), |(s, u)| (x / s, u));
    // Three significant digits.
    let decimals = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else {
        2
    };
    format!("${v:.decimals$}{unit}")
}
