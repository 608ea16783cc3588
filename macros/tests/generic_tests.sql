{#-
    The project's own generic tests: they run in air-gapped mode, with no hub package.
-#}

{#- The combination of `columns` identifies a row (a model's grain). -#}
{% test unique_combination(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as rows_at_grain
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}


{#- SCD2: exactly one current version per key. -#}
{% test scd2_one_current_version(model, key, is_current='is_current') %}
    select
        {{ key }},
        sum(case when {{ is_current }} then 1 else 0 end) as current_versions
    from {{ model }}
    group by {{ key }}
    having sum(case when {{ is_current }} then 1 else 0 end) != 1
{% endtest %}


{#- SCD2: the versions of a key never overlap and leave no gap: each version ends where
    the next begins, and only the last one is open-ended. -#}
{% test scd2_contiguous_versions(model, key, valid_from='valid_from', valid_to='valid_to') %}
    with ordered as (
        select
            {{ key }},
            {{ valid_from }} as valid_from,
            {{ valid_to }} as valid_to,
            lead({{ valid_from }}) over (partition by {{ key }} order by {{ valid_from }}) as next_valid_from
        from {{ model }}
    )
    select *
    from ordered
    where
        valid_to is not null and valid_to <= valid_from
        or next_valid_from is null and valid_to is not null
        or next_valid_from is not null and (valid_to is null or valid_to != next_valid_from)
{% endtest %}


{#- Every row's `expression` holds (e.g. incurred = paid + reserve - recovered). -#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}
