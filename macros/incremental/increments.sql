{#-
    Incremental building blocks (docs/incremental.md).

    The watermark of a base model is the set of files it has already parsed: a run parses
    only the lines of landed files whose name is not yet in {{ this }}. File names are
    engine-neutral (the DuckDB landing tables and Snowflake's external tables carry the same
    file_name), immutable files never change under a name, and a late file (an older
    ingest date landing after newer ones) is new by name, so it is parsed when it lands.

    Every base row records when the dbt run that parsed it wrote it (processed_at):
    models downstream take what is new since their own last run by comparing it with the
    latest processed_at they hold.
-#}

{% macro unparsed_lines(source_table) -%}
    {#- The landed lines of `source_table` in files the model has not parsed yet (every
        line on a first run or a full refresh). -#}
    {#- The new files are found from the file names alone, and the lines read only for
        them: an anti-join of every landed line with the parsed files read every line of
        the lake (the widest column) at each run; with no new file, the semi-join's empty
        side ends the scan of the lines at once (docs/incremental.md). -#}
    select landed.*
    from {{ source('landing', source_table) }} as landed
    {%- if is_incremental() %}
        where landed.file_name in (
            select distinct landed_files.file_name
            from {{ source('landing', source_table) }} as landed_files
            where not exists (
                select 1
                from (select distinct previous_run.file_name from {{ this }} as previous_run) as parsed
                where parsed.file_name = landed_files.file_name
            )
        )
    {%- endif %}
{%- endmacro %}

{% macro run_processed_at() -%}
    {#- When this run writes the row (the statement's clock, UTC, without time zone): the
        processed_at of every row a model writes. The clock, not run_started_at rendered as
        a literal, so that the compiled SQL stays the same from one run to the next (the
        CI plan compares it). Every row one model writes in one run gets the same value,
        and a model runs after the models it reads, so the order of processed_at follows
        the order of the runs. -#}
    {{ return(adapter.dispatch('run_processed_at', 'insurance_warehouse')()) }}
{%- endmacro %}

{% macro default__run_processed_at() -%}
    cast({{ dbt.current_timestamp() }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__run_processed_at() -%}
    cast(timezone('UTC', get_current_timestamp()) as timestamp)
{%- endmacro %}

{% macro processed_since_last_run(processed_at_column='processed_at') -%}
    {#- True for an upstream row processed after this model's last run (every row on a
        first run or a full refresh). -#}
    {%- if is_incremental() -%}
        {{ processed_at_column }} > (
            select coalesce(max(previous_run.processed_at), cast('1900-01-01' as {{ dbt.type_timestamp() }}))
            from {{ this }} as previous_run
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}

{% macro forget_keys_not_in(relation, key, source_relation) -%}
    {#- A post-hook of an incremental model: the keys no longer in `source_relation` (a
        key whose records were erased upstream) are deleted (a full build has no row for
        them). -#}
    delete from {{ relation }}
    where {{ key }} not in (select source_keys.{{ key }} from {{ source_relation }} as source_keys)
{%- endmacro %}

{% macro recut_written_to_date(relation) -%}
    {#- A post-hook of fct_policy_premiums: is_written_to_date (written_date on or before
        the valuation date) set again on the rows whose value the valuation date changed
        since they were computed (a new day's batch moves it), so that a moved valuation
        date costs one update, not a recomputation of every policy. -#}
    update {{ relation }}
    set is_written_to_date = coalesce(
        written_date <= (select valuation.valuation_date from {{ ref('dim_valuation_date') }} as valuation),
        false
    )
    where is_written_to_date <> coalesce(
        written_date <= (select valuation.valuation_date from {{ ref('dim_valuation_date') }} as valuation),
        false
    )
{%- endmacro %}


{% macro rows_of_touched_keys(relation, touched='touched_policies', key='policy_id') -%}
    {#- The rows of `relation` (a CTE) whose key is among the keys this run recomputes (the
        `touched` CTE); every row on a first run or a full refresh. -#}
    select {{ relation }}.*
    from {{ relation }}
    {%- if is_incremental() %}
        inner join {{ touched }} on {{ relation }}.{{ key }} = {{ touched }}.{{ key }}
    {%- endif %}
{%- endmacro %}

{% macro forget_policies_recomputed_upstream(relation, upstream) -%}
    {#- A pre-hook of an incremental model by policy_id whose run can leave a recomputed
        policy with no row: the rows of the policies with a row of `upstream` processed
        since this model's last run are deleted before the run recomputes them (the run
        then finds an earlier or no previous processed_at, so it recomputes at least
        these policies). -#}
    {%- if is_incremental() -%}
        delete from {{ relation }}
        where policy_id in (
            select upstream_rows.policy_id
            from {{ upstream }} as upstream_rows
            where upstream_rows.processed_at > (
                select max(previous_run.processed_at) from {{ relation }} as previous_run
            )
        )
    {%- endif -%}
{%- endmacro %}

{% macro valuation_moved_from(relation) -%}
    {#- A scalar subquery: the earlier of the valuation date the rows of `relation` were cut
        at (its valuation_date column) and dim_valuation_date's, when the valuation date has
        moved since (forwards or backwards); null when it has not, and for an empty
        `relation` (a first run recomputes every key anyway). -#}
    (
        select
            case
                when previous_cut.earliest_date = valuation.valuation_date
                    and previous_cut.latest_date = valuation.valuation_date
                    then null
                when previous_cut.earliest_date < valuation.valuation_date then previous_cut.earliest_date
                else valuation.valuation_date
            end
        from (
            select
                min(cut.valuation_date) as earliest_date,
                max(cut.valuation_date) as latest_date
            from {{ relation }} as cut
        ) as previous_cut
        cross join {{ ref('dim_valuation_date') }} as valuation
    )
{%- endmacro %}

{% macro valuation_dependent_policies(relation, basis='booked') -%}
    {#- The policies whose rows, cut as at the valuation date (cumulative_earned_ctes), may
        differ between the valuation date the rows of `relation` were cut at and the
        current one (none when it has not moved). Between two dates, with E the earlier:
        - a policy with a version known after E (int_finance__earned_premium_months'
          last_known_date) is known differently at the two dates, for both bases;
        - otherwise its 'schedule' rows (known at the valuation date, through each month's
          end) are the same at both, and its 'booked' rows (the months up to the valuation
          month, that month through the valuation date) differ only if it has a month at or
          after E's month (its months run from inception to the later of expiry and its
          last version's month: int_finance__earned_premium_months' months).
        A select of policy_id, for the touched keys of a model or a pre-hook. -#}
    select distinct earned_months.policy_id
    from {{ ref('int_finance__earned_premium_months') }} as earned_months
    cross join (select {{ valuation_moved_from(relation) }} as earlier_date) as moved
    where
        earned_months.basis = 'booked'
        and (
            earned_months.last_known_date > moved.earlier_date
            {%- if basis == 'booked' %}
                or earned_months.earned_month >= cast({{ dbt.date_trunc('month', 'moved.earlier_date') }} as date)
            {%- endif %}
        )
{%- endmacro %}

{% macro forget_valuation_dependent_policies(relation, basis='booked') -%}
    {#- A pre-hook of an incremental model cut as at the valuation date: the rows of the
        policies a moved valuation date changes (valuation_dependent_policies) are deleted
        before the run recomputes them (a policy left with no row at the new date, e.g.
        when the date moves back before its first version, leaves none behind). -#}
    {%- if is_incremental() -%}
        delete from {{ relation }}
        where policy_id in ({{ valuation_dependent_policies(relation, basis) }})
    {%- endif -%}
{%- endmacro %}

{% macro rows_with_touched_keys(relation, touched, key) -%}
    {#- The rows of `relation` (a CTE) whose key is among the keys this run recomputes (the
        `touched` CTE), as a semi-join (`in`): DuckDB then hashes the few touched keys, not
        the rows of the large dimension tables joined to them downstream; every row on a
        first run or a full refresh. -#}
    select {{ relation }}.*
    from {{ relation }}
    {%- if is_incremental() %}
        where {{ relation }}.{{ key }} in (select {{ touched }}.{{ key }} from {{ touched }})
    {%- endif %}
{%- endmacro %}

{% macro written_across_the_valuation_move(valid_from_column, relation) -%}
    {#- True for a version written (`valid_from_column`) on a day between the valuation date
        the rows of `relation` were cut at (its valuation_date column) and the valuation
        date now: the versions whose being known or not a moved valuation date changes
        (none when it has not moved, or when `relation` is empty). Incremental runs only. -#}
    {%- set previous_date -%}
        (select max(previous_run.valuation_date) from {{ relation }} as previous_run)
    {%- endset -%}
    {%- set current_date -%}
        (select valuation.valuation_date from {{ ref('dim_valuation_date') }} as valuation)
    {%- endset -%}
    cast({{ valid_from_column }} as date) > {{ least_of(previous_date, current_date) }}
    and cast({{ valid_from_column }} as date) <= {{ greatest_of(previous_date, current_date) }}
{%- endmacro %}

{% macro forget_stale_claims(relation, claim_versions) -%}
    {#- A post-hook of an incremental model by claim_id cut as at the valuation date (with
        valuation_date and processed_at columns): deletes the rows of the claims gone from
        `claim_versions` (erased), and the rows the run should have recomputed but left
        with no row (the claim's version as at the valuation date is now a soft delete, or
        it has none): the rows of a claim with a version processed after the row was, and
        the rows cut at another valuation date whose claim has a version written between
        that date and the valuation date now. -#}
    delete from {{ relation }}
    where claim_id in (
        select kept.claim_id
        from {{ relation }} as kept
        left join (
            select
                claim_id,
                max(processed_at) as last_processed_at
            from {{ claim_versions }}
            group by claim_id
        ) as latest on kept.claim_id = latest.claim_id
        where latest.claim_id is null or latest.last_processed_at > kept.processed_at
        union
        select kept.claim_id
        from {{ relation }} as kept
        cross join {{ ref('dim_valuation_date') }} as valuation
        inner join {{ claim_versions }} as versions on kept.claim_id = versions.claim_id
        where
            kept.valuation_date <> valuation.valuation_date
            and cast(versions.valid_from as date) > {{ least_of('kept.valuation_date', 'valuation.valuation_date') }}
            and cast(versions.valid_from as date) <= {{ greatest_of('kept.valuation_date', 'valuation.valuation_date') }}
    )
{%- endmacro %}

{% macro recut_valuation_date(relation) -%}
    {#- A post-hook of an incremental model cut as at the valuation date whose rows carry
        the valuation_date they were cut at: the rows kept from earlier runs (the policies a
        moved date does not change) are stamped with the current one, so that every row
        says the date it holds at, and the next run finds the date the table was cut at. -#}
    update {{ relation }}
    set valuation_date = (select valuation.valuation_date from {{ ref('dim_valuation_date') }} as valuation)
    where valuation_date <> (select valuation.valuation_date from {{ ref('dim_valuation_date') }} as valuation)
{%- endmacro %}

{% macro forget_cessions_recomputed_upstream(relation) -%}
    {#- A pre-hook of int_finance__claim_cessions (incremental by claim_id): deletes the rows
        of the claims the run recomputes (recomputed in int_finance__claims since the
        model's last run, or on a policy recomputed in int_finance__policy_treaties or with
        a new version since then) and of the claims gone from int_finance__claims (erased,
        a soft delete), so that a claim left with no cession (a policy no longer written, a
        treaty taken off it) leaves no row behind. -#}
    {%- if is_incremental() -%}
        delete from {{ relation }}
        where
            claim_id in (
                select claims.claim_id from {{ ref('int_finance__claims') }} as claims
                where claims.processed_at > (select max(previous_run.processed_at) from {{ relation }} as previous_run)
            )
            or policy_id in (
                select policy_treaties.policy_id from {{ ref('int_finance__policy_treaties') }} as policy_treaties
                where policy_treaties.processed_at > (select max(previous_run.processed_at) from {{ relation }} as previous_run)
                union
                select policy_versions.policy_id from {{ ref('int_policies__versions') }} as policy_versions
                where policy_versions.processed_at > (select max(previous_run.processed_at) from {{ relation }} as previous_run)
            )
            or not exists (
                select 1 from {{ ref('int_finance__claims') }} as claims
                where claims.claim_id = {{ relation }}.claim_id
            )
    {%- endif -%}
{%- endmacro %}

{% macro claims_of_policies_recomputed_upstream(claims_relation, with_policy_versions=true) -%}
    {#- The claims of `claims_relation` (a relation or CTE with claim_id and policy_id) on a
        policy recomputed in int_finance__policy_treaties or (`with_policy_versions`) with a
        version processed since this model's last run: their cessions may have changed, or
        gone (a policy no longer written leaves no row in int_finance__policy_treaties).
        Incremental runs only. -#}
    select scoped.claim_id
    from {{ claims_relation }} as scoped
    where scoped.policy_id in (
        select policy_treaties.policy_id from {{ ref('int_finance__policy_treaties') }} as policy_treaties
        where {{ processed_since_last_run('policy_treaties.processed_at') }}
        {%- if with_policy_versions %}
            union
            select policy_versions.policy_id from {{ ref('int_policies__versions') }} as policy_versions
            where {{ processed_since_last_run('policy_versions.processed_at') }}
        {%- endif %}
    )
{%- endmacro %}

{% macro forget_keys_gone_from(relation, key, source_relation) -%}
    {#- A post-hook of an incremental model: deletes the keys no longer in
        `source_relation` (erased, a soft delete, a claim no longer known at the valuation
        date), as forget_keys_not_in does, as an anti-join (cheaper than `not in` on
        DuckDB). -#}
    delete from {{ relation }}
    where not exists (
        select 1 from {{ source_relation }} as source_keys
        where source_keys.{{ key }} = {{ relation }}.{{ key }}
    )
{%- endmacro %}
