"""Database of studies and contacts: models, sessions, queries and seeding."""
