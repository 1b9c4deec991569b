"""Dagster assets, one module per domain. Thin: the work happens in pipelines/ and models_ml/."""
