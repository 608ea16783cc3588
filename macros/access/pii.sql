{#- Personal data: one source of truth, the columns' `meta: {contains_pii: true}`
    (docs/access.md). On Snowflake every table, view and snapshot that dbt builds gets the
    tag INSURANCE.GOVERNANCE.PII on its personal columns right after it is built (a post-hook:
    `create or replace` drops a column's tags and with them its masking); the tag carries the
    masking policies made once by terraform/admin/account_setup.sql, so only a role holding
    PII_READER reads those columns in clear. On DuckDB, and when the var
    snowflake_masking_policies is false (an emulator without tags), nothing is emitted. -#}

{% macro pii_columns(node) %}
    {#- The names of the node's columns tagged meta.contains_pii (column meta or config.meta). -#}
    {%- set names = [] -%}
    {%- for name, column in (node.columns or {}).items() -%}
        {%- set meta = column.get('meta') or {} -%}
        {%- set config_meta = (column.get('config') or {}).get('meta') or {} -%}
        {%- if meta.get('contains_pii') or config_meta.get('contains_pii') -%}
            {%- do names.append(column.get('name') or name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(names | sort) }}
{% endmacro %}

{% macro apply_pii_tags(relation=this, node=model) %}
    {{- return(adapter.dispatch('apply_pii_tags', 'insurance_warehouse')(relation, node)) -}}
{% endmacro %}

{% macro default__apply_pii_tags(relation, node) %}
    {{- return('') -}}
{% endmacro %}

{% macro snowflake__apply_pii_tags(relation, node) %}
    {%- if not var('snowflake_masking_policies', true) or not execute -%}
        {{- return('') -}}
    {%- endif -%}
    {{- return(pii_tag_statement(relation, node)) -}}
{% endmacro %}

{% macro pii_tag_statement(relation, node) %}
    {#- One `alter ... modify column ... set tag` for the node's personal columns, or ''. -#}
    {%- set columns = pii_columns(node) -%}
    {%- if not columns -%}
        {{- return('') -}}
    {%- endif -%}
    {%- set tag = var('snowflake_pii_tag', 'INSURANCE.GOVERNANCE.PII') -%}
    {%- set materialized = (node.get('config') or {}).get('materialized') -%}
    {%- set kind = 'view' if materialized == 'view' else 'table' -%}
    {%- set clauses = [] -%}
    {%- for column in columns -%}
        {%- do clauses.append('column ' ~ adapter.quote(column | upper) ~ ' set tag ' ~ tag ~ " = 'personal'") -%}
    {%- endfor -%}
    {{- return('alter ' ~ kind ~ ' ' ~ relation ~ ' modify ' ~ clauses | join(', ')) -}}
{% endmacro %}

{% macro pii_tag_statements() %}
    {#- Every statement the post-hooks would run on Snowflake, one per line (for the offline
        check: `dbt compile --inline "{{ pii_tag_statements() }}"` on the prod target). -#}
    {%- set lines = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id') -%}
        {%- if node.resource_type in ('model', 'snapshot') -%}
            {%- set relation = api.Relation.create(
                database=node.database, schema=node.schema, identifier=node.alias) -%}
            {%- set sql = apply_pii_tags(relation, node) -%}
            {%- if sql -%}
                {%- do lines.append(sql ~ ';') -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(lines | join('\n')) -}}
{% endmacro %}
