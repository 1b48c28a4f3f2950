{#- The qualifier catalogue as a table, for validation joins and for people
    who want to know which qualifiers exist. -#}
with

catalogue as (

    {{ qualifier_catalogue_rows() }}

)

select * from catalogue
