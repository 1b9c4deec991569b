"""The match-score model against the database: load training data, register, write scores back."""
