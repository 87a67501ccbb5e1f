//! The `reallot` command: JSON in, JSON out.

use std::io::{Read, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use reallot::Error;

/// Re-plans how a Bitburner batch-hacking system spends its RAM.
///
/// Reads a state as JSON from FILE, or from standard input when FILE is `-` or
/// absent, and writes JSON to standard output. Exit codes: 0 success, 2 invalid
/// input (the message names the JSON path), 1 internal error.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Indent the JSON output.
    #[arg(long, global = true)]
    pretty: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Plan one cycle: the new table, the actions, the income, the explanation.
    Plan {
        /// The state file, or `-` for standard input.
        file: Option<String>,
        /// Include the solve's wall time (`solver.elapsed_ms`); the output then
        /// differs from run to run.
        #[arg(long)]
        timing: bool,
    },
    /// Per target: chance, times, phase, till/sow work and the harvest menu.
    Analyze {
        /// The state file, or `-` for standard input.
        file: Option<String>,
    },
    /// Validate a state; prints `{"valid": true}` or exits 2 with every problem.
    Check {
        /// The state file, or `-` for standard input.
        file: Option<String>,
    },
    /// What to buy or upgrade next: every purchase valued by planning the
    /// changed state, best payback first.
    Advise {
        /// The state file, or `-` for standard input.
        file: Option<String>,
        /// The market: money, spend share, payback limit, server limit and
        /// prices (`reallot schema market`); the defaults with no money when absent.
        #[arg(long, value_name = "FILE")]
        market: Option<String>,
    },
    /// Play a timeline (`models/timelines/*.json`) forward on the game's formulas
    /// under several policies and report money over time, actions and RAM for each.
    Simulate {
        /// The timeline file, or `-` for standard input.
        file: Option<String>,
        /// The policies to run (repeat or comma-separate); all of them by default.
        #[arg(
            long = "policy",
            value_enum,
            value_delimiter = ',',
            default_values = ["planner", "greedy", "greedy-restart", "community", "planner-advise"]
        )]
        policies: Vec<SimPolicy>,
        /// Also draw money over time per policy as an SVG line chart into FILE.
        #[arg(long, value_name = "FILE")]
        svg: Option<std::path::PathBuf>,
        /// Play only this many game seconds instead of the timeline's `duration_s`.
        #[arg(long, value_name = "SECONDS")]
        duration_s: Option<f64>,
        /// Include wall-clock times (`timing`); the output then differs from run to run.
        #[arg(long)]
        timing: bool,
    },
    /// Print the JSON Schema of the input or of an output.
    Schema {
        /// Which document.
        #[arg(value_enum)]
        which: reallot::Document,
    },
}

/// A policy `simulate` can run.
#[derive(Clone, Copy, ValueEnum)]
enum SimPolicy {
    /// `reallot plan` every `replan_s` and on every event.
    Planner,
    /// Today's greedy TaskSelector.
    Greedy,
    /// Today's greedy, stopped and started over after every jump in RAM.
    GreedyRestart,
    /// A greedy manager modelled on alainbryden's daemon.js.
    Community,
    /// The planner, buying home and servers by `reallot advise`.
    PlannerAdvise,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(value) => {
            let text = match reallot::to_json(&value, cli.pretty) {
                Ok(text) => text,
                Err(e) => return fail(&e),
            };
            // A closed or full standard output loses the answer: that is a failure.
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{text}").and_then(|()| out.flush()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("reallot: cannot write the output: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => fail(&e),
    }
}

fn fail(e: &Error) -> ExitCode {
    eprintln!("reallot: {e}");
    ExitCode::from(e.exit_code() as u8)
}

fn run(cli: &Cli) -> Result<serde_json::Value, Error> {
    let json =
        |v: Result<serde_json::Value, serde_json::Error>| v.map_err(|e| Error::Internal(e.to_string()));
    match &cli.command {
        Command::Plan { file, timing } => {
            let mut plan = reallot::plan_json(&read_text(file.as_deref())?)?;
            if !timing {
                plan.solver.elapsed_ms = None;
            }
            json(serde_json::to_value(plan))
        }
        Command::Analyze { file } => json(serde_json::to_value(reallot::analyze(&read(file.as_deref())?)?)),
        Command::Check { file } => {
            reallot::check(&read(file.as_deref())?)?;
            Ok(serde_json::json!({ "valid": true }))
        }
        Command::Advise { file, market } => {
            if market.as_deref() == Some("-") && file.as_deref().unwrap_or("-") == "-" {
                let message = "standard input holds the state; give the market as a file".to_string();
                return Err(Error::Invalid(vec![reallot::Invalid { path: "market".into(), message }]));
            }
            let state = read(file.as_deref())?;
            let market = match market {
                Some(path) => reallot::parse_market(&read_text(Some(path))?)?,
                None => reallot::Market::default(),
            };
            json(serde_json::to_value(reallot::advise(&state, &market)?))
        }
        Command::Simulate { file, policies, svg, duration_s, timing } => {
            json(simulate(file.as_deref(), policies, svg.as_deref(), *duration_s, *timing)?)
        }
        Command::Schema { which } => Ok(reallot::schema(*which)),
    }
}

/// Reads and parses the state from a file, or standard input for `-` or none.
fn read(file: Option<&str>) -> Result<reallot::State, Error> {
    reallot::parse(&read_text(file)?)
}

/// The text of a file, or of standard input for `-` or none.
fn read_text(file: Option<&str>) -> Result<String, Error> {
    let mut text = String::new();
    let source = file.unwrap_or("-");
    let read = if source == "-" {
        std::io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(source).and_then(|mut f| f.read_to_string(&mut text))
    };
    let invalid = |message: String| Error::Invalid(vec![reallot::Invalid { path: "$".into(), message }]);
    read.map_err(|e| invalid(format!("cannot read {source}: {e}")))?;
    if source == "-" && text.trim_start_matches('\u{feff}').trim().is_empty() {
        return Err(invalid("no input on standard input; give the JSON there, or a file name".into()));
    }
    Ok(text)
}

/// Runs `simulate`: the report as JSON, the chart into `svg` when asked, and a
/// progress bar on standard error when the run takes over a second and standard
/// error is a terminal.
fn simulate(
    file: Option<&str>,
    policies: &[SimPolicy],
    svg: Option<&std::path::Path>,
    duration_s: Option<f64>,
    timing: bool,
) -> Result<Result<serde_json::Value, serde_json::Error>, Error> {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    use reallot::sim;
    use std::io::IsTerminal;

    let mut timeline = sim::parse(&read_text(file)?)?;
    // The chart's file is opened before the run, so a path that cannot be
    // written is refused at once, not after minutes of simulation.
    let chart = svg.map(Chart::open).transpose()?;
    if let Some(d) = duration_s {
        timeline.duration_s = d;
    }
    let policies: Vec<sim::Policy> = policies
        .iter()
        .map(|p| match p {
            SimPolicy::Planner => sim::Policy::Planner,
            SimPolicy::PlannerAdvise => sim::Policy::PlannerAdvise,
            SimPolicy::Greedy => sim::Policy::Greedy,
            SimPolicy::GreedyRestart => sim::Policy::GreedyRestart,
            SimPolicy::Community => sim::Policy::Community,
        })
        .collect();
    let bar = ProgressBar::with_draw_target(
        Some((timeline.duration_s * policies.len() as f64) as u64),
        ProgressDrawTarget::hidden(),
    );
    bar.set_style(
        ProgressStyle::with_template("simulating {bar:30} {percent:>3}% of game time, {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let shown = std::sync::atomic::AtomicBool::new(false);
    let progress = |played: f64| {
        bar.inc(played as u64);
        let late = started.elapsed() > std::time::Duration::from_secs(1);
        if late && !shown.swap(true, std::sync::atomic::Ordering::Relaxed) && std::io::stderr().is_terminal()
        {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    };
    let result = sim::run(&timeline, &policies, &progress);
    bar.finish_and_clear();
    let mut report = match result {
        Ok(report) => report,
        Err(e) => {
            if let Some(chart) = chart {
                chart.abandon();
            }
            return Err(e);
        }
    };
    if let Some(chart) = chart {
        let title = match file {
            Some(f) if f != "-" => std::path::Path::new(f)
                .file_stem()
                .map_or_else(|| f.to_string(), |s| s.to_string_lossy().into_owned()),
            _ => "timeline".to_string(),
        };
        chart.write(&sim::svg(&report, &format!("{title}: money earned"))?)?;
    }
    if !timing {
        for p in report.policies.values_mut() {
            p.timing = None;
        }
    }
    Ok(serde_json::to_value(report))
}

/// The `--svg` file, open for writing from before the run.
struct Chart {
    path: std::path::PathBuf,
    file: std::fs::File,
    /// Whether the file was there before (else a failed run removes it).
    existed: bool,
}

impl Chart {
    fn open(path: &std::path::Path) -> Result<Chart, Error> {
        let existed = path.exists();
        // Not truncated yet: a run that fails leaves an old chart as it was.
        let file = std::fs::OpenOptions::new().write(true).create(true).truncate(false).open(path);
        let file = file.map_err(|e| {
            Error::Invalid(vec![reallot::Invalid {
                path: "--svg".into(),
                message: format!("cannot write {}: {e}", path.display()),
            }])
        })?;
        Ok(Chart { path: path.to_path_buf(), file, existed })
    }

    fn write(mut self, svg: &str) -> Result<(), Error> {
        self.file
            .set_len(0)
            .and_then(|()| self.file.write_all(svg.as_bytes()))
            .map_err(|e| Error::Internal(format!("cannot write {}: {e}", self.path.display())))
    }

    /// The run failed: a file made for it goes again.
    fn abandon(self) {
        if !self.existed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}
