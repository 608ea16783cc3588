{#- One row per policy and calendar month with earning. Each written version earns its
    full-term written premium daily pro rata (written premium / term days per day) over
    its effective period: from its effective date to the next written version's effective
    date, or through the expiry date when it is the last; a cancellation's own period is
    empty, so a cancelled policy earns exactly what was written before the cancellation
    (its retained premium). Periods are clipped to the term. Months come from the FX
    seed's calendar (2020-01 .. 2030-12). USD at the rate of the inception month. -#}
with

policy_versions as (

    select * from {{ ref('int_policies__versions') }}

),

fx_rates as (

    select * from {{ ref('fx_rates_monthly') }}

),

months as (

    select distinct
        cast(month as date) as month_start,
        cast({{ dbt.dateadd('month', 1, 'cast(month as date)') }} as date) as next_month_start
    from fx_rates

),

current_policies as (

    select
        policy_id,
        line_code,
        currency,
        cast({{ dbt.date_trunc('month', 'inception_date') }} as date) as inception_month
    from policy_versions
    where is_current and not is_deleted

),

written_versions as (

    select
        policy_id,
        version_number,
        policy_status,
        effective_date,
        inception_date,
        expiry_date,
        gross_written_premium,
        lead(effective_date) over (partition by policy_id order by version_number)
            as next_effective_date
    from policy_versions
    where policy_status in ({{ sql_string_list(written_policy_statuses()) }}) and not is_deleted

),

periods as (

    select
        policy_id,
        version_number,
        gross_written_premium,
        {{ dbt.datediff('inception_date', 'expiry_date', 'day') }} + 1 as term_days,
        greatest(effective_date, inception_date) as period_start,
        {#- exclusive end: the next written version's effective date, else the day after
            expiry; a cancellation stops earning on its own effective date -#}
        
        case
            when policy_status = 'cancelled' then greatest(effective_date, inception_date)
            else least(
                coalesce(next_effective_date, cast({{ dbt.dateadd('day', 1, 'expiry_date') }} as date)),
                cast({{ dbt.dateadd('day', 1, 'expiry_date') }} as date)
            )
        end as period_end
    from written_versions

),

version_months as (

    select
        periods.policy_id,
        months.month_start as earned_month,
        periods.gross_written_premium,
        periods.term_days,
        {{ dbt.datediff(
            'greatest(periods.period_start, months.month_start)',
            'least(periods.period_end, months.next_month_start)',
            'day'
        ) }} as days_earned
    from periods
    inner join months
        on
            periods.period_end > months.month_start
            and periods.period_start < months.next_month_start
    where periods.period_end > periods.period_start and periods.term_days > 0

),

policy_months as (

    select
        policy_id,
        earned_month,
        sum(days_earned) as days_earned,
        sum(gross_written_premium * days_earned / term_days) as earned_premium
    from version_months
    group by policy_id, earned_month

),

converted as (

    select
        policy_months.policy_id,
        policy_months.earned_month,
        current_policies.line_code,
        current_policies.currency,
        policy_months.days_earned,
        policy_months.earned_premium,
        cast(fx_rates.usd_per_unit as decimal(38, 8)) as fx_usd_per_unit
    from policy_months
    inner join current_policies on policy_months.policy_id = current_policies.policy_id
    left join fx_rates
        on
            current_policies.currency = fx_rates.currency
            and cast(fx_rates.month as date) = current_policies.inception_month

)

select
    cast(policy_id as varchar) as policy_id,
    cast(earned_month as date) as earned_month,
    cast(line_code as varchar) as line_code,
    cast(currency as varchar) as currency,
    cast(days_earned as integer) as days_earned,
    {{ to_money('earned_premium') }} as earned_premium,
    cast(fx_usd_per_unit as decimal(18, 8)) as fx_usd_per_unit,
    {{ to_money('earned_premium * fx_usd_per_unit') }} as earned_premium_usd
from converted
