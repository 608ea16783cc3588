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

{% macro recut_valuation_date(relation) -%}
    {#- A post-hook of an incremental model cut as at the valuation date whose rows carry
        the valuation_date they were cut at: the rows kept from earlier runs (the policies a
        moved date does not change) are stamped with the current one, so that every row
        says the date it holds at, and the next run finds the date the table was cut at. -#}
    update {{ relation }}
    set valuation_date = (select valuation.valuation_date from {{ ref('dim_valuation_date') }} as valuation)
    where valuation_date <> (select valuation.valuation_date from {{ ref('dim_valuation_date') }} as valuation)
{%- endmacro %}
