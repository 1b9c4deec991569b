"""The match-score model, pure scikit-learn: features, training, evaluation, registry, scoring.

Nothing here talks to a database or imports Dagster; pipelines/scoring loads the frames and
writes the scores back, and assets/match_model.py wires it into Dagster.
"""
