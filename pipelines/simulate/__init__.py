"""Synthetic app activity: users, swipes, applications, subscriptions and events.

Pure and seeded: ``world.build_world`` makes the population (with hidden preferences that never
reach the tables), ``activity.generate_month`` makes one month of rows as polars frames, and
``writer.write_simulation`` COPYs them month by month, idempotently.
"""
