{#- Rows of users who consented to data processing (users.data_consent), and rows with no user.
    Every staging model with a user_id filters through it, so a withdrawn consent (or an
    erasure, which withdraws it) takes the user out of every mart at the next build, and every
    aggregate is over the same consenting users. -#}
{% macro has_data_consent(user_column='user_id') -%}
({{ user_column }} is null or {{ user_column }} in (
    select id from {{ source('jobswipe', 'users') }} where data_consent
))
{%- endmacro %}

{#- Incremental facts keep past months; a user who withdraws consent later is removed from all
    of them at the next build, not only from the months that build rewrites. -#}
{% macro forget_withdrawn_users(user_column='user_id') -%}
{% if is_incremental() -%}
delete from {{ this }} where not {{ has_data_consent(user_column) }}
{%- else -%}
select 1
{%- endif %}
{%- endmacro %}
