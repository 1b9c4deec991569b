SELECT month FROM simulation_batches WHERE world_key = %(world_key)s
