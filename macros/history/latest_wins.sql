{#-
    The latest accepted version of each entity: the body of each stg_landing__<source>
    model up to its final select, which lists the entity's fields from `ranked` where
    recency = 1 and ends with latest_wins_columns(). Latest updated_at wins, ties broken by
    the later file (ingest date, then file name, then record number); a soft delete is the
    latest version with is_deleted = true.

    Incremental (delete+insert by the natural key, docs/incremental.md): a run recomputes,
    from all their base rows, the keys that received a base row processed after the
    model's last run, and the keys whose current row's record has left the base model (an
    erasure); a first run or a full refresh ranks every key. The post-hook
    forget_vanished_latest deletes the keys left with no version at all.
-#}
{% macro latest_wins(base_model, key) %}
{{ insurance_warehouse.history_inputs(base_model, key, ['source_file_name', 'source_record_number']) }}

ranked as (

    select
        accepted.*,
        row_number() over (
            partition by accepted.{{ key }}
            order by accepted.updated_at desc, {{ insurance_warehouse.later_file_first() }}
        ) as recency
    from accepted
    {% if is_incremental() %}
        inner join touched on accepted.{{ key }} = touched.{{ key }}
    {% endif %}

)
{% endmacro %}

{% macro latest_wins_columns() -%}
    {#- The columns every latest-wins model ends with: the soft delete, where the winning
        version came from, and the run that computed the row. -#}
    record_status = 'deleted' as is_deleted,
    ingest_date as source_ingest_date,
    file_name as source_file_name,
    record_number as source_record_number,
    {{ insurance_warehouse.run_processed_at() }} as processed_at
{%- endmacro %}

{% macro forget_vanished_latest(relation, base_model, key) -%}
    {#- A latest-wins model's post-hook: a key whose winning record has left the base model
        (erased) and that has no other version is deleted (a full build has no row for it). -#}
    {{ insurance_warehouse.forget_vanished_keys(relation, base_model, key, ['source_file_name', 'source_record_number']) }}
{%- endmacro %}
