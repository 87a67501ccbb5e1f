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
    /// Print the JSON Schema of the input or the output.
    Schema {
        /// Which document.
        #[arg(value_enum)]
        which: Which,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Which {
    /// The input: a state.
    State,
    /// The output of `plan`.
    Plan,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(value) => {
            let text =
                if cli.pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) };
            let mut out = std::io::stdout().lock();
            match text.map(|t| writeln!(out, "{t}")) {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => fail(&Error::Internal(format!("cannot write the output: {e}"))),
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
            let mut plan = reallot::plan(&read(file.as_deref())?)?;
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
        Command::Schema { which } => json(serde_json::to_value(match which {
            Which::State => schemars::schema_for!(reallot::State),
            Which::Plan => schemars::schema_for!(reallot::Plan),
        })),
    }
}

/// Reads and parses the state from a file, or standard input for `-` or none.
fn read(file: Option<&str>) -> Result<reallot::State, Error> {
    let mut text = String::new();
    let source = file.unwrap_or("-");
    let read = if source == "-" {
        std::io::stdin().read_to_string(&mut text)
    } else {
        std::fs::File::open(source).and_then(|mut f| f.read_to_string(&mut text))
    };
    read.map_err(|e| {
        Error::Invalid(vec![reallot::Invalid {
            path: "$".into(),
            message: format!("cannot read {source}: {e}"),
        }])
    })?;
    reallot::parse(&text)
}
