"""``python -m diasporatrack`` runs the CLI."""

from .cli import run

run()
