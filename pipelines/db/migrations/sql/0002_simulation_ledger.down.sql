DROP TABLE IF EXISTS simulation_batches;
