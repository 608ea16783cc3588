{#-
    Which rows a generic test reads: the new rows of an incremental run, or the whole table.

    dbt wraps the relation of every generic test in `get_where_subquery` when it compiles
    the test (at run time, after the model was built); this project's version of it adds
    one rule to dbt's `where` config:

    - A row-level test (its verdict on a row depends on that row alone: not_null,
      accepted_values, expression_is_true, the column-value tests of dbt-expectations) on
      an incremental model that has a `processed_at` column (the start of the run that
      wrote the row: run_started_at) reads only the rows of the model's latest
      run: `processed_at` = the newest `processed_at` in the table, i.e. the rows the last
      build that touched the model parsed or rewrote. Rows tested by an earlier build are
      not tested again.
    - Every other test reads the whole table: keys (unique, unique_combination),
      relationships, grain and history tests (SCD2 ranges), row counts, anomaly monitors,
      and every singular test (reconciliations), because a new row can break them
      together with old ones.
    - A model without `processed_at` (not incremental yet), a table or view (rebuilt
      whole: a row may carry an upstream's processed_at while a join changed it), a
      source, a seed, a snapshot, or an incremental model whose rows all come from one
      build (a full refresh): the whole table, as before.
    - `--vars '{full_tests: true}'` (the nightly run, `warehouse run --full-tests`): every
      test reads the whole table.
    - A test's `meta: {test_scope: whole_table}` keeps it on the whole table;
      `meta: {test_scope: new_rows}` scopes a row-level test of the project's own that the
      list in test_new_rows_condition does not know.

    A `where` config of the test's own is kept, and-ed with the new-rows condition.

    Why not the `where` config alone: dbt renders a data test's `where` (like every test
    config) once, when it parses the project, with `execute` false. A var in it is baked
    into the manifest at parse time (and a changed --vars re-parses the whole project); a
    macro in it cannot query the table. So the condition is added here, when the test is
    compiled during the run.
-#}

{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where', '') -%}
    {%- set new_rows = test_new_rows_condition(relation) if execute else '' -%}
    {%- if new_rows and where -%}
        {%- set where = '(' ~ new_rows ~ ') and (' ~ where ~ ')' -%}
    {%- elif new_rows -%}
        {%- set where = new_rows -%}
    {%- endif -%}
    {%- if where -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ where }}) dbt_subquery
        {%- endset -%}
        {%- do return(filtered) -%}
    {%- else -%}
        {%- do return(relation) -%}
    {%- endif -%}
{%- endmacro %}


{#- The condition that keeps the test on the model's newest rows, or '' for the whole
    table. -#}
{% macro test_new_rows_condition(relation) %}
    {%- set column = 'processed_at' -%}
    {%- if var('full_tests', false) in (true, 'true', 'True', 1, '1') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set scope = (config.get('meta') or {}).get('test_scope') -%}
    {%- if scope == 'whole_table' -%}
        {{ return('') }}
    {%- endif -%}
    {#- the generic tests whose verdict on a row depends on that row alone (inline: a test
        sees only the macros that get_where_subquery calls directly) -#}
    {%- set row_level = [
        'not_null',
        'accepted_values',
        'expression_is_true',
        'expect_column_values_to_be_between',
        'expect_column_values_to_match_regex',
        'expect_column_values_to_not_match_regex',
        'expect_column_values_to_be_in_set',
        'expect_column_values_to_not_be_null',
        'expect_column_pair_values_A_to_be_greater_than_B',
    ] -%}
    {%- set kind = (model.get('test_metadata') or {}).get('name') -%}
    {%- if scope != 'new_rows' and kind not in row_level -%}
        {{ return('') }}
    {%- endif -%}
    {#- only an incremental model's rows keep the processed_at of the build that wrote
        them; a table or view rebuilt whole may carry an upstream's processed_at on a row
        whose content changed (a late parent joined in) -#}
    {%- set tested = graph.nodes.get(model.get('attached_node') or '') or {} -%}
    {%- if (tested.get('config') or {}).get('materialized') != 'incremental' -%}
        {{ return('') }}
    {%- endif -%}
    {%- if relation is not string and relation.identifier -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
    {%- else -%}
        {%- set names = [] -%}
    {%- endif -%}
    {%- if column not in names -%}
        {{ return('') }}
    {%- endif -%}
    {{ return(column ~ ' >= (select max(' ~ column ~ ') from ' ~ relation ~ ')') }}
{% endmacro %}
