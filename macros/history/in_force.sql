{#- Ranks the versions of a dimension for a fact at a point in time: 1 goes to the version
    in force then (the latest one recorded before `as_of`), or, when the point precedes
    every version, to the first version. One rule for every point-in-time lookup. -#}
{% macro in_force_rank(partition_by, valid_from, as_of) -%}
    row_number() over (
        partition by {{ partition_by }}
        order by
            case when {{ valid_from }} < {{ as_of }} then 0 else 1 end,
            case when {{ valid_from }} < {{ as_of }} then {{ valid_from }} end desc,
            {{ valid_from }}
    )
{%- endmacro %}
