{#- The right to be forgotten (docs/access.md): the seed erasure_requests lists the insureds
    to forget; base_landing__erased_records finds their records in the lake. -#}

{% macro not_erased(source_name, relation_alias) -%}
    {#- True for a landed record no erasure request covers (a base model's final filter). -#}
    not exists (
        select 1 from {{ ref('base_landing__erased_records') }} as erased
        where
            erased.source_name = '{{ source_name }}'
            and erased.file_name = {{ relation_alias }}.file_name
            and erased.record_number = {{ relation_alias }}.record_number
    )
{%- endmacro %}

{% macro forget_erased_insureds(relation) -%}
    {#- Every snapshot's post-hook: snapshots keep what earlier runs saw, so the rows of an
        erased insured are deleted from those that hold an insured_id after each run. -#}
    {%- if execute -%}
        {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {#- the seed by its node (a hook's ref would not be a dependency of the snapshot) -#}
        {%- set seed = graph.nodes.values() | selectattr('resource_type', 'equalto', 'seed')
            | selectattr('name', 'equalto', 'erasure_requests') | first -%}
        {%- set requests = api.Relation.create(
            database=seed.database, schema=seed.schema, identifier=seed.alias) -%}
        {%- if 'insured_id' in columns -%}
    delete from {{ relation }}
    where insured_id in (select erasure.insured_id from {{ requests }} as erasure)
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

{% macro forget_erased_claims(relation) -%}
    {#- An incremental claims model's post-hook: rows kept from earlier runs for a claim that
        is now erased are deleted. -#}
    delete from {{ relation }}
    where claim_id in (
        select erased.claim_id from {{ ref('base_landing__erased_records') }} as erased
        where erased.claim_id is not null
    )
{%- endmacro %}

{% macro forget_erased_records(relation, source_name) -%}
    {#- An incremental base model's post-hook: lines it parsed at an earlier run whose
        insured has since been erased are deleted (a full build leaves them out). -#}
    delete from {{ relation }}
    using {{ ref('base_landing__erased_records') }} as erased
    where
        erased.source_name = '{{ source_name }}'
        and erased.file_name = {{ relation }}.file_name
        and erased.record_number = {{ relation }}.record_number
{%- endmacro %}

{% macro forget_erased_policies(relation, versions) -%}
    {#- An incremental model's post-hook (one row per policy_id): the policies with an
        erased record and no version left in `versions` (every record of theirs erased)
        are deleted (a full build has no row for them). Reads the erased records (none,
        most days), not the whole model. -#}
    delete from {{ relation }}
    where policy_id in (
        select erased.policy_id
        from {{ ref('base_landing__erased_records') }} as erased
        where
            erased.source_name = 'policies'
            and erased.policy_id is not null
            and not exists (
                select 1 from {{ versions }} as remaining
                where remaining.policy_id = erased.policy_id
            )
    )
{%- endmacro %}
