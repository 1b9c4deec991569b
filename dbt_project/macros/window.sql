{# The run's time window on a timestamp column: [min_date, max_date), end exclusive. #}
{% macro in_window(column) -%}
    ({{ column }} >= '{{ var("min_date") }}'::timestamp and {{ column }} < '{{ var("max_date") }}'::timestamp)
{%- endmacro %}

{# The calendar month a timestamp falls in, as a date. #}
{% macro month_of(column) -%}
    date_trunc('month', {{ column }})::date
{%- endmacro %}
