"""ALS patient assistant: data layer, text helpers and maintainer tools."""
