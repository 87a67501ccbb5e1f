//! The report as an SVG chart: money earned over game time, one line per policy,
//! on a logarithmic axis (left: the early hours and the last ones differ by
//! orders of magnitude) and a linear one (right: where the money is made), with
//! the timeline's events marked.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::Error;

use super::Report;

/// Draws money earned over time per policy, in two panels.
///
/// # Errors
///
/// [`Error::Internal`] when plotters fails to draw.
pub fn svg(report: &Report, title: &str) -> Result<String, Error> {
    let mut out = String::new();
    draw(report, title, &mut out).map_err(|e| Error::Internal(format!("cannot draw the chart: {e}")))?;
    Ok(out)
}

type Drawn = Result<(), Box<dyn std::error::Error>>;

fn draw(report: &Report, title: &str, out: &mut String) -> Drawn {
    let root = SVGBackend::with_string(out, (1280, 540)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 22))?;
    let (left, right) = root.split_horizontally(640);
    panel(report, &left, true)?;
    panel(report, &right, false)?;
    root.present()?;
    Ok(())
}

/// One policy's colour; fixed for the main ones so charts compare at a glance.
fn colour(name: &str, i: usize) -> RGBAColor {
    match name {
        "planner" => RGBColor(31, 119, 180).to_rgba(),
        "greedy" => RGBColor(214, 39, 40).to_rgba(),
        "greedy-restart" => RGBColor(255, 127, 14).to_rgba(),
        "community" => RGBColor(44, 160, 44).to_rgba(),
        _ => Palette99::pick(i + 4).to_rgba(),
    }
}

fn panel(report: &Report, area: &DrawingArea<SVGBackend<'_>, Shift>, log: bool) -> Drawn {
    let money = report.policies.values().flat_map(|p| p.samples.iter().map(|s| s.1));
    let top = money.clone().fold(1.0_f64, f64::max) * if log { 1.5 } else { 1.05 };
    let bottom = money.filter(|&m| m > 0.0).fold(top, f64::min).max(top * 1e-12) / 1.5;
    let hours = (report.duration_s / 3600.0).max(1e-3);
    let mut builder = ChartBuilder::on(area);
    builder.margin(16).x_label_area_size(44).y_label_area_size(90);
    let caption = if log { "money earned (log scale)" } else { "money earned (linear scale)" };
    builder.caption(caption, ("sans-serif", 16));
    if log {
        let mut chart = builder.build_cartesian_2d(0.0..hours, (bottom..top).log_scale())?;
        chart.configure_mesh().x_desc("game time (hours)").y_label_formatter(&|v| dollars(*v)).draw()?;
        series(report, &mut chart, bottom, top)?;
    } else {
        let mut chart = builder.build_cartesian_2d(0.0..hours, 0.0..top)?;
        chart.configure_mesh().x_desc("game time (hours)").y_label_formatter(&|v| dollars(*v)).draw()?;
        series(report, &mut chart, 0.0, top)?;
    }
    Ok(())
}

/// The events as grey vertical lines, then one line per policy and the legend.
fn series<'a, 'b: 'a, Y>(
    report: &Report,
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, Y>>,
    bottom: f64,
    top: f64,
) -> Drawn
where
    Y: Ranged<ValueType = f64>,
{
    for (at, _) in &report.events {
        let x = at / 3600.0;
        chart
            .draw_series(LineSeries::new([(x, bottom), (x, top)], RGBColor(190, 190, 190).stroke_width(1)))?;
    }
    for (i, (name, p)) in report.policies.iter().enumerate() {
        let color = colour(name, i);
        let points: Vec<(f64, f64)> = p
            .samples
            .iter()
            .filter(|s| s.1 >= bottom.max(f64::MIN_POSITIVE))
            .map(|&(t, m)| (t / 3600.0, m))
            .collect();
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(format!("{name}: {} ({:.0} % of its ceiling)", dollars(p.earned), p.of_ceiling * 100.0))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()?;
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
