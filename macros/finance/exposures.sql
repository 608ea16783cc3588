{#- The policies fct_policy_exposures recomputes at a run (docs/incremental.md): its rows
    follow from the policy's premium versions and periods and from the valuation date.
    - the policies with a version (int_policies__versions) processed since its last run;
    - when the valuation date has moved, the policies whose rows may depend on it: in force
      on or after the first day of the earlier valuation month (a premium version expiring
      then or later), or with a version known after the earlier valuation date.
    - the policies with a version known after the valuation date, at every run (none when
      the valuation date is the latest ingest date): a valuation date moved back keeps
      them right.
    The earlier valuation date is the latest month_end_date the model holds (the valuation
    date of its last run when any policy was in force in that month, else an earlier
    date: more policies recomputed, never fewer). -#}
{% macro exposure_policies_to_recompute(relation, policy_versions, premium_versions, valuation) -%}
    select processed_policies.policy_id
    from {{ policy_versions }} as processed_policies
    where processed_policies.processed_at > (
        select coalesce(max(previous_run.processed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
        from {{ relation }} as previous_run
    )
    union
    select moved_policies.policy_id
    from {{ premium_versions }} as moved_policies
    cross join (
        select
            case
                when stored.stored_date < valuation.valuation_date then stored.stored_date
                else valuation.valuation_date
            end as earlier_date,
            stored.stored_date <> valuation.valuation_date as has_moved
        from (
            select coalesce(max(previous_rows.month_end_date), cast('1900-01-01' as date)) as stored_date
            from {{ relation }} as previous_rows
        ) as stored
        cross join {{ valuation }} as valuation
    ) as moves
    where
        moved_policies.known_date > moves.earlier_date
        or (
            moves.has_moved
            and moved_policies.expiry_date >= cast({{ dbt.date_trunc('month', 'moves.earlier_date') }} as date)
        )
{%- endmacro %}

{% macro forget_exposures_to_recompute(relation, policy_versions, premium_versions, valuation) -%}
    {#- The pre-hook of fct_policy_exposures: the rows of the policies the run recomputes
        are deleted first (a recomputed policy may have no month in force left). The
        upstream relations come as arguments, so that dbt sees them when it parses the
        model (int_policies__versions, int_finance__premium_versions, dim_valuation_date). -#}
    {%- if is_incremental() -%}
        delete from {{ relation }}
        where policy_id in ({{ exposure_policies_to_recompute(relation, policy_versions, premium_versions, valuation) }})
    {%- endif -%}
{%- endmacro %}
