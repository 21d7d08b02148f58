"""Accuracy against gold sets: reading them (`goldsets`) and scoring coded events and actors (`metrics`).
`eventwire eval` and scripts/train_scorer.py are built on these."""
