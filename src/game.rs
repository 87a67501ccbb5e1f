//! Game formulas (placeholder).
