-- The model serving the app, with its skops artifact and checksum.
SELECT version, artifact, artifact_sha256 FROM model_registry WHERE status = 'CHAMPION'
