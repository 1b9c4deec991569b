DROP TABLE IF EXISTS recommendations;
DROP TABLE IF EXISTS model_registry;
DROP TYPE IF EXISTS model_status;
