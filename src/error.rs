//! The one public error type.

use std::fmt;

use serde::ser::{Serialize, SerializeStruct, Serializer};

/// Why reallot could not answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is not a valid state. Every problem found is listed, each naming
    /// its JSON path, the value and what is allowed.
    #[error("invalid input:{}", list(.0))]
    Invalid(Vec<Invalid>),
    /// A bug in reallot: an internal check failed. Please report it with the input.
    #[error("internal error: {0}")]
    Internal(String),
}

/// One problem with the input.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Invalid {
    /// Where in the JSON, for example `tasks[3].placement.pserv-9`.
    pub path: String,
    /// What is wrong: the value and what is allowed.
    pub message: String,
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

fn list(problems: &[Invalid]) -> String {
    let lines: Vec<String> = problems.iter().map(|p| format!("\n  {p}")).collect();
    lines.concat()
}

impl Error {
    /// One problem at one path.
    pub(crate) fn at(path: impl Into<String>, message: impl Into<String>) -> Error {
        Error::Invalid(vec![Invalid { path: path.into(), message: message.into() }])
    }

    /// The process exit code the CLI uses for this error: 2 for bad input, 1 for a bug.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) => 2,
            Error::Internal(_) => 1,
        }
    }
}

/// An error as JSON, for callers that report it to a program (the WebAssembly
/// module throws this): `{"kind": "invalid" | "internal", "message": <the text
/// the CLI prints>, "problems": [{"path", "message"}, ...]}`, with no problems
/// for an internal error.
impl Serialize for Error {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (kind, problems) = match self {
            Error::Invalid(problems) => ("invalid", problems.as_slice()),
            Error::Internal(_) => ("internal", &[][..]),
        };
        let mut s = serializer.serialize_struct("Error", 3)?;
        s.serialize_field("kind", kind)?;
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("problems", problems)?;
        s.end()
    }
}
