-- A trained model, as the gate decided: CANDIDATE (promoted next) or REJECTED.
INSERT INTO model_registry (train_start, train_end, validation_month, training_rows,
                            validation_rows, features, metrics, status, decision, artifact,
                            artifact_sha256)
VALUES (%(train_start)s, %(train_end)s, %(validation_month)s, %(training_rows)s,
        %(validation_rows)s, %(features)s, %(metrics)s, %(status)s, %(decision)s, %(artifact)s,
        %(artifact_sha256)s)
RETURNING version
