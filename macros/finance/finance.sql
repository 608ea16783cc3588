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
    the same month; the amount itself when the currencies are the same (no rate noise). -#}
{% macro convert_currency(amount, from_currency, to_currency, from_usd_per_unit, to_usd_per_unit) -%}
    case
        when {{ from_currency }} = {{ to_currency }} then {{ amount }}
        else {{ amount }} * {{ from_usd_per_unit }} / {{ to_usd_per_unit }}
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
