{#- The cumulative earned premium of policies, one row per policy, calendar month and basis,
    as at the date in the `valuation` CTE (docs/incremental.md). Written once, used twice:
    - int_finance__earned_premium_months, at a valuation date later than any data (every
      version known): what does not depend on the valuation date, stored incrementally;
    - int_finance__cumulative_earned_premiums (the as-at view), at dim_valuation_date, for
      the valuation month and the policies with a version known after the valuation date.
    The caller defines the CTEs premium_versions, premium_periods (the policies to compute),
    valuation (valuation_date, valuation_month), months (month_start, month_end) and
    fx_rates; `keep_evaluation` (SQL over evaluations.policy_id, .month_start, .basis and
    valuation.valuation_month) keeps only some of the months to compute. The macro adds the
    CTEs up to `cumulative_earned`, each followed by a comma.
    - basis 'booked': known at the month's end, through the month's end; the valuation
      month stops at the valuation date and later months are left out.
    - basis 'schedule': known at the valuation date, through each month's end, for every
      month of the term.
    Knowledge = the premium versions whose known_date is on or before the knowledge date;
    the last of them is the as-of version. Months run from the inception month to the later
    of the expiry month and the month of the last known version. -#}
{% macro cumulative_earned_ctes(keep_evaluation='1 = 1') -%}
known_versions as (

    select premium_versions.*
    from premium_versions
    cross join valuation
    where premium_versions.known_date <= valuation.valuation_date

),

latest_known as (

    select
        policy_id,
        line_code,
        currency,
        cast({{ dbt.date_trunc('month', 'inception_date') }} as date) as inception_month,
        row_number() over (partition by policy_id order by version_number desc) as recency
    from known_versions

),

policy_spans as (

    select
        policy_id,
        cast({{ dbt.date_trunc('month', 'min(inception_date)') }} as date) as first_month,
        case
            when max(expiry_date) > max(known_date)
                then cast({{ dbt.date_trunc('month', 'max(expiry_date)') }} as date)
            else cast({{ dbt.date_trunc('month', 'max(known_date)') }} as date)
        end as last_month
    from known_versions
    group by policy_id

),

policy_months as (

    select
        policy_spans.policy_id,
        months.month_start,
        months.month_end
    from policy_spans
    inner join months
        on months.month_start between policy_spans.first_month and policy_spans.last_month

),

all_evaluations as (

    select
        policy_months.policy_id,
        policy_months.month_start,
        'booked' as basis,
        case
            when policy_months.month_end < valuation.valuation_date then policy_months.month_end
            else valuation.valuation_date
        end as knowledge_date,
        case
            when policy_months.month_end < valuation.valuation_date then policy_months.month_end
            else valuation.valuation_date
        end as through_date
    from policy_months
    cross join valuation
    where policy_months.month_start <= valuation.valuation_month
    union all
    select
        policy_months.policy_id,
        policy_months.month_start,
        'schedule' as basis,
        valuation.valuation_date as knowledge_date,
        policy_months.month_end as through_date
    from policy_months
    cross join valuation

),

evaluations as (

    select evaluations.*
    from all_evaluations as evaluations
    cross join valuation
    where {{ keep_evaluation }}

),

{#- The as-of version at a knowledge date is the highest version number known by then: it
    changes only on the dates a version becomes known. knowledge_epochs holds, per policy
    and such date, the as-of version from that date until the next one, so that each
    evaluation finds its as-of version by a join that matches one epoch (or none, before
    the first version is known), with no aggregate over a fan-out. The last epoch ends on
    a far date rather than null: a condition with an "or" would keep DuckDB from joining
    on policy_id by hash (a nested loop over every pair of rows). -#}
known_dates as (

    select distinct
        policy_id,
        known_date,
        max(version_number) over (
            partition by policy_id
            order by known_date
            range between unbounded preceding and current row
        ) as as_of_version_number
    from known_versions

),

knowledge_epochs as (

    select
        policy_id,
        known_date as known_from,
        coalesce(
            lead(known_date) over (partition by policy_id order by known_date),
            cast('9999-12-31' as date)
        ) as known_until,
        as_of_version_number
    from known_dates

),

as_of as (

    select
        evaluations.policy_id,
        evaluations.month_start,
        evaluations.basis,
        evaluations.through_date,
        knowledge_epochs.as_of_version_number
    from evaluations
    left join knowledge_epochs
        on
            evaluations.policy_id = knowledge_epochs.policy_id
            and evaluations.knowledge_date >= knowledge_epochs.known_from
            and evaluations.knowledge_date < knowledge_epochs.known_until

),

accrued as (

    select
        as_of.policy_id,
        as_of.month_start,
        as_of.basis,
        as_of.through_date,
        as_of.as_of_version_number,
        coalesce(sum(
            case
                when premium_periods.is_earning
                    then premium_periods.full_term_premium * {{ overlap_days(
                        'premium_periods.period_start', 'premium_periods.period_end',
                        'premium_periods.period_start',
                        dbt.dateadd('day', 1, 'as_of.through_date')
                    ) }}
                else 0
            end
        ), 0) as premium_days,
        coalesce(sum(
            case
                when premium_periods.is_earning
                    then {{ overlap_days(
                        'premium_periods.period_start', 'premium_periods.period_end',
                        'as_of.month_start', dbt.dateadd('day', 1, 'as_of.through_date')
                    ) }}
                else 0
            end
        ), 0) as days_in_force
    from as_of
    left join premium_periods
        on
            as_of.policy_id = premium_periods.policy_id
            and as_of.as_of_version_number = premium_periods.as_of_version_number
    group by
        as_of.policy_id,
        as_of.month_start,
        as_of.basis,
        as_of.through_date,
        as_of.as_of_version_number

),

cumulated as (

    select
        accrued.policy_id,
        accrued.month_start,
        accrued.basis,
        accrued.through_date,
        accrued.as_of_version_number,
        accrued.days_in_force,
        case
            when accrued.as_of_version_number is null then cast(0 as decimal(18, 2))
            else {{ accrued_premium(
                'as_of_version.version_kind', 'as_of_version.period_start',
                'as_of_version.full_term_premium', 'accrued.premium_days',
                'as_of_version.term_days', 'accrued.through_date'
            ) }}
        end as cumulative_earned_premium
    from accrued
    left join premium_versions as as_of_version
        on
            accrued.policy_id = as_of_version.policy_id
            and accrued.as_of_version_number = as_of_version.version_number

),

cumulative_earned as (

    select
        cumulated.policy_id,
        cumulated.month_start as earned_month,
        cumulated.basis,
        cumulated.through_date,
        cumulated.as_of_version_number,
        latest_known.line_code,
        latest_known.currency,
        cast(cumulated.days_in_force as integer) as days_in_force,
        cast(fx_rates.usd_per_unit as decimal(38, 8)) as fx_usd_per_unit,
        cumulated.cumulative_earned_premium,
        {{ money_times('cumulated.cumulative_earned_premium', 'cast(fx_rates.usd_per_unit as decimal(38, 8))') }}
            as cumulative_earned_premium_usd
    from cumulated
    inner join latest_known
        on cumulated.policy_id = latest_known.policy_id and latest_known.recency = 1
    left join fx_rates
        on
            latest_known.currency = fx_rates.currency
            and cast(fx_rates.month as date) = latest_known.inception_month

),
{%- endmacro %}


{#- The columns of a stored earned month (int_finance__earned_premium_months and the
    as-at cut), in their order: one list for the model and both arms of the cut. -#}
{% macro earned_month_columns() -%}
    policy_id,
    earned_month,
    basis,
    through_date,
    as_of_version_number,
    line_code,
    currency,
    days_in_force,
    fx_usd_per_unit,
    cumulative_earned_premium,
    cumulative_earned_premium_usd
{%- endmacro %}


{#- The rows of `relation` (a model with a policy_id column), restricted to the policies
    of the CTE named `touched` when one is given (every row otherwise). -#}
{% macro rows_of_policies(relation, touched=none) -%}
    select policy_rows.*
    from {{ relation }} as policy_rows
    {%- if touched is not none %}
        inner join {{ touched }} on policy_rows.policy_id = {{ touched }}.policy_id
    {%- endif %}
{%- endmacro %}


{#- The cumulative earned premium as at dim_valuation_date, one row per policy, calendar
    month and basis: the CTEs of the view int_finance__cumulative_earned_premiums, up to
    `as_at` (each followed by a comma; its columns are the view's but valuation_date).
    The stored rows of int_finance__earned_premium_months where they do not depend on the
    valuation date, the rest computed by cumulative_earned_ctes at dim_valuation_date (the
    view's description says which). `touched` (the name of a CTE with a policy_id column
    the caller defines, or none for every policy) restricts the policies cut: the
    incremental marts fct_earned_premiums and fct_earned_premium_schedule cut only the
    policies they recompute, so a run computes no other policy's valuation month. -#}
{% macro cumulative_earned_as_at_ctes(touched=none) -%}
earned_premium_months as (

    {{ rows_of_policies(ref('int_finance__earned_premium_months'), touched) }}

),

all_premium_versions as (

    {{ rows_of_policies(ref('int_finance__premium_versions'), touched) }}

),

all_premium_periods as (

    {{ rows_of_policies(ref('int_finance__premium_periods'), touched) }}

),

valuation as (

    select * from {{ ref('dim_valuation_date') }}

),

fx_rates as (

    select * from {{ ref('fx_rates_monthly') }}

),

calendar as (

    select * from {{ ref('dim_dates') }}

),

months as (

    select distinct
        month_start,
        month_end
    from calendar

),

{#- the policies whose every version is known at the valuation date: their stored rows
    are their rows as at the valuation date -#}
known_policies as (

    select distinct earned_premium_months.policy_id
    from earned_premium_months
    cross join valuation
    where earned_premium_months.last_known_date <= valuation.valuation_date

),

stored as (

    select earned_premium_months.*
    from earned_premium_months
    cross join valuation
    where
        earned_premium_months.last_known_date <= valuation.valuation_date
        and (
            earned_premium_months.basis = 'schedule'
            or earned_premium_months.through_date < valuation.valuation_date
        )

),

{#- the known policies with a month at the valuation month: that month is computed -#}
open_month_policies as (

    select earned_premium_months.policy_id
    from earned_premium_months
    cross join valuation
    where
        earned_premium_months.basis = 'booked'
        and earned_premium_months.earned_month = valuation.valuation_month
        and earned_premium_months.last_known_date <= valuation.valuation_date

),

computed_policies as (

    select
        all_premium_versions.policy_id,
        max(case when known_policies.policy_id is null then 1 else 0 end) as is_computed_in_full
    from all_premium_versions
    left join known_policies on all_premium_versions.policy_id = known_policies.policy_id
    left join open_month_policies on all_premium_versions.policy_id = open_month_policies.policy_id
    where known_policies.policy_id is null or open_month_policies.policy_id is not null
    group by all_premium_versions.policy_id

),

premium_versions as (

    select all_premium_versions.*
    from all_premium_versions
    inner join computed_policies on all_premium_versions.policy_id = computed_policies.policy_id

),

premium_periods as (

    select all_premium_periods.*
    from all_premium_periods
    inner join computed_policies on all_premium_periods.policy_id = computed_policies.policy_id

),

{{ cumulative_earned_ctes(
    "evaluations.policy_id in (select in_full.policy_id from computed_policies as in_full where in_full.is_computed_in_full = 1)"
    ~ " or (evaluations.basis = 'booked' and evaluations.month_start = valuation.valuation_month)"
) }}

as_at as (

    select
        {{ earned_month_columns() }}
    from stored
    union all
    select
        {{ earned_month_columns() }}
    from cumulative_earned

),
{%- endmacro %}
