"""Below every app: plumbing with no knowledge of the domain. It imports nothing of this
project (the import contract in pyproject.toml checks it)."""
