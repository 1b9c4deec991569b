-- One row per day, the time spine MetricFlow joins time-based metrics to (cumulative WAU, offsets).
select day::date as date_day
from generate_series('2020-01-01'::date, '2035-12-31'::date, interval '1 day') as day
