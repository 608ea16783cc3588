{#-
    Helpers of the finance marts. Nothing here differs by engine: the arithmetic uses
    dbt's cross-database macros and ANSI functions (least, greatest, round, nullif).
-#}

{#- The policy statuses whose version writes premium (a quote writes nothing). -#}
{% macro written_policy_statuses() -%}
    {{ return(['bound', 'endorsed', 'cancelled', 'expired']) }}
{%- endmacro %}


{#- A SQL list of string literals, for `in (...)`. -#}
{% macro sql_string_list(values) -%}
    {%- for value in values -%}
        '{{ value }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}


{#- An amount converted between currencies through USD with two usd_per_unit rates of
    the same month; the amount itself when the currencies are the same (no rate noise).
    The quotient is cast back to a decimal: DuckDB divides decimals as doubles, and a
    double would make the whole expression (and every branch of a case around it) a
    double, whose binary rounding decides the cent (1564.885 rounds to .88 or .89 by
    DuckDB release), where Snowflake divides NUMBERs exactly. -#}
{% macro convert_currency(amount, from_currency, to_currency, from_usd_per_unit, to_usd_per_unit) -%}
    case
        when {{ from_currency }} = {{ to_currency }} then {{ amount }}
        else cast({{ amount }} * {{ from_usd_per_unit }} / {{ to_usd_per_unit }} as decimal(38, 10))
    end
{%- endmacro %}


{#- A money amount rounded to the cent, as decimal(18, 2). -#}
{% macro to_money(expression) -%}
    cast(round({{ expression }}, 2) as decimal(18, 2))
{%- endmacro %}


{#- A money amount times a rate or share, rounded to the cent, as decimal(18, 2). The
    amount is widened to decimal(38, 2) first: decimal(18, 2) x decimal(18, 8) keeps 18
    digits on DuckDB, 10 of them after the point, and overflows from about 100 million. -#}
{% macro money_times(amount, factor) -%}
    {{ to_money('cast(' ~ amount ~ ' as decimal(38, 2)) * ' ~ factor) }}
{%- endmacro %}


{#- A ratio, null when the denominator is zero or null. -#}
{% macro safe_ratio(numerator, denominator, scale=6) -%}
    cast(round({{ numerator }} / nullif({{ denominator }}, 0), {{ scale }}) as decimal(18, {{ scale }}))
{%- endmacro %}


{#- A policy's premium accrued through a date, as of one of its premium versions
    (int_finance__premium_versions): nothing after a reversal; the retained premium from a
    cancellation's effective date on; else premium_days (the sum over the versions in force
    of full-term premium x days in force up to the date) / term days (0 for a term of no
    day: Snowflake refuses a division by zero); rounded to the cent.
    Earned through expiry and written to expiry are the same expression, so they are equal
    to the cent. -#}
{% macro accrued_premium(version_kind, period_start, full_term_premium, premium_days, term_days, through_date) -%}
    {{ to_money(
        'case when ' ~ version_kind ~ " = 'reversal' then 0"
        ~ ' when ' ~ version_kind ~ " = 'cancellation' and " ~ through_date ~ ' >= ' ~ period_start
        ~ ' then ' ~ full_term_premium
        ~ ' else coalesce(' ~ premium_days ~ ' / nullif(' ~ term_days ~ ', 0), 0) end'
    ) }}
{%- endmacro %}


{#- Days of [start, end) inside [from_date, to_date) (exclusive ends), never negative. -#}
{% macro overlap_days(start, end, from_date, to_date) -%}
    greatest(
        {{ dbt.datediff(
            'case when ' ~ start ~ ' > ' ~ from_date ~ ' then ' ~ start ~ ' else ' ~ from_date ~ ' end',
            'case when ' ~ end ~ ' < ' ~ to_date ~ ' then ' ~ end ~ ' else ' ~ to_date ~ ' end',
            'day'
        ) }},
        0
    )
{%- endmacro %}


{#- The body of a monthly earned premium mart: one row per policy and month of the given
    basis of int_finance__cumulative_earned_premiums ('booked' or 'schedule'), earned in
    the month = cumulative earned at its end - at the previous month's end (both rounded to
    the cent, so the months add up to the cumulative exactly, in the policy currency and in
    USD), and its part ceded to the policy's treaties (earned x the sum of their premium
    rates, int_finance__policy_treaties, rounded per month) and net. Months with no day in
    force and nothing earned are left out. valuation_date is the date the rows are cut at.
    Incremental (delete+insert by policy, docs/incremental.md): a policy's rows depend on
    its own premium versions, its treaties and the valuation date only, so a run cuts
    (cumulative_earned_as_at_ctes: the view's SQL restricted to them; a full build reads
    the view) the policies:
    - whose earned months int_finance__earned_premium_months recomputed since its last run,
      and those with a version processed since then (int_policies__versions);
    - with a row of int_finance__policy_treaties processed since then (a treaty's change);
    - whose rows a moved valuation date changes (valuation_dependent_policies: for 'booked'
      those with a month at or after the earlier date's month or a version known after it,
      for 'schedule' those with a version known after it).
    The pre-hooks delete the rows of the first and last kind first (a policy left with no
    month leaves none behind); the post-hooks delete the policies gone from
    int_finance__premium_versions (erased) and set valuation_date on the rows kept. -#}
{% macro monthly_earned_premiums(basis) -%}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='policy_id',
    on_schema_change='fail',
    pre_hook=[
        "{{ forget_valuation_dependent_policies(this, '" ~ basis ~ "') }}",
        "{{ forget_policies_recomputed_upstream(this, ref('int_finance__earned_premium_months')) }}",
    ],
    post_hook=[
        "{{ forget_keys_not_in(this, 'policy_id', ref('int_finance__premium_versions')) }}",
        "{{ recut_valuation_date(this) }}",
    ],
) }}
{#- read on the incremental path only (the view's SQL, restricted to the touched policies) -#}
-- depends_on: {{ ref('int_policies__versions') }}
-- depends_on: {{ ref('int_finance__earned_premium_months') }}
-- depends_on: {{ ref('int_finance__premium_versions') }}
-- depends_on: {{ ref('int_finance__premium_periods') }}
-- depends_on: {{ ref('dim_valuation_date') }}
-- depends_on: {{ ref('fx_rates_monthly') }}
-- depends_on: {{ ref('dim_dates') }}
with

{% if is_incremental() %}
    touched_policies as (

        select upstream_months.policy_id
        from {{ ref('int_finance__earned_premium_months') }} as upstream_months
        where {{ processed_since_last_run('upstream_months.processed_at') }}
        union
        select policy_versions.policy_id
        from {{ ref('int_policies__versions') }} as policy_versions
        where {{ processed_since_last_run('policy_versions.processed_at') }}
        union
        select recomputed_treaties.policy_id
        from {{ ref('int_finance__policy_treaties') }} as recomputed_treaties
        where {{ processed_since_last_run('recomputed_treaties.processed_at') }}
        union
        {{ valuation_dependent_policies(this, basis) }}

    ),

    {{ cumulative_earned_as_at_ctes('touched_policies') }}

    cumulative_earned_as_at as (

        select
            as_at.*,
            valuation.valuation_date
        from as_at
        cross join valuation
        where as_at.basis = '{{ basis }}'

    ),
{% else %}
    cumulative_earned_as_at as (

        select * from {{ ref('int_finance__cumulative_earned_premiums') }}
        where basis = '{{ basis }}'

    ),
{% endif %}

policy_treaties as (

    select * from {{ ref('int_finance__policy_treaties') }}

),

policy_ceded_rates as (

    select
        policy_id,
        sum(ceded_premium_rate) as ceded_premium_rate
    from policy_treaties
    group by policy_id

),

differenced as (

    select
        cumulative_earned_as_at.*,
        cumulative_earned_premium - coalesce(
            lag(cumulative_earned_premium) over (partition by policy_id order by earned_month), 0
        ) as earned_premium,
        cumulative_earned_premium_usd - coalesce(
            lag(cumulative_earned_premium_usd) over (partition by policy_id order by earned_month), 0
        ) as earned_premium_usd
    from cumulative_earned_as_at

),

ceded as (

    select
        differenced.*,
        coalesce(policy_ceded_rates.ceded_premium_rate, 0) as ceded_premium_rate,
        {{ money_times('differenced.earned_premium', 'coalesce(policy_ceded_rates.ceded_premium_rate, 0)') }}
            as ceded_earned_premium,
        {{ money_times('differenced.earned_premium_usd', 'coalesce(policy_ceded_rates.ceded_premium_rate, 0)') }}
            as ceded_earned_premium_usd
    from differenced
    left join policy_ceded_rates on differenced.policy_id = policy_ceded_rates.policy_id

)

select
    cast(ceded.policy_id as varchar) as policy_id,
    cast(ceded.earned_month as date) as earned_month,
    cast(ceded.line_code as varchar) as line_code,
    cast(ceded.currency as varchar) as currency,
    cast(ceded.days_in_force as integer) as days_earned,
    cast(ceded.earned_premium as decimal(18, 2)) as earned_premium,
    cast(ceded.fx_usd_per_unit as decimal(18, 8)) as fx_usd_per_unit,
    cast(ceded.earned_premium_usd as decimal(18, 2)) as earned_premium_usd,
    cast(ceded.cumulative_earned_premium as decimal(18, 2)) as cumulative_earned_premium,
    cast(ceded.cumulative_earned_premium_usd as decimal(18, 2)) as cumulative_earned_premium_usd,
    cast(ceded.as_of_version_number as bigint) as as_of_version_number,
    cast(ceded.ceded_premium_rate as decimal(38, 10)) as ceded_premium_rate,
    cast(ceded.ceded_earned_premium as decimal(18, 2)) as ceded_earned_premium,
    cast(ceded.earned_premium - ceded.ceded_earned_premium as decimal(18, 2)) as net_earned_premium,
    cast(ceded.ceded_earned_premium_usd as decimal(18, 2)) as ceded_earned_premium_usd,
    cast(ceded.earned_premium_usd - ceded.ceded_earned_premium_usd as decimal(18, 2)) as net_earned_premium_usd,
    cast(ceded.valuation_date as date) as valuation_date,
    {{ run_processed_at() }} as processed_at
from ceded
where ceded.days_in_force > 0 or ceded.earned_premium != 0 or ceded.earned_premium_usd != 0
{%- endmacro %}


{#- minuend - subtrahend, never below zero (an unearned premium reserve). Written as a case
    rather than greatest(): on Snowflake greatest() of a null is null. -#}
{% macro floored_difference(minuend, subtrahend) -%}
    case when {{ minuend }} > {{ subtrahend }} then {{ minuend }} - {{ subtrahend }} else 0 end
{%- endmacro %}
