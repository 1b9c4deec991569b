{# Funnel-shaped rows: each listed column is no larger than the one before it. #}
{% test columns_never_increase(model, columns) %}
select *
from {{ model }}
where {% for i in range(columns | length - 1) -%}
    {{ columns[i + 1] }} > {{ columns[i] }}{% if not loop.last %} or {% endif %}
{%- endfor %}
{% endtest %}

{# No two rows share the same values in these columns (the model's grain). #}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as rows_with_these_values
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}

{# Values lie within [min_value, max_value] (nulls pass). #}
{% test value_between(model, column_name, min_value, max_value) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} or {{ column_name }} > {{ max_value }}
{% endtest %}
