-- "Laboratory test performed" with a result (measures.md 1.7, 1.8): status final/amended/corrected,
-- category laboratory, a non-empty value; latest(effective) bounds for each measure's window test.
-- A table macro over the value sets a measure names (CCS: Pap, HPV; COL: FOBT, sDNA-FIT). Defined
-- here, after code_match and observation_category exist, because DuckDB binds a macro's tables when
-- it is created.
create or replace temp macro lab_test_with_result(valueset_oids) as table
    select o.patient_key, o.row_id, m.valueset_oid,
           latest_of(o.start_lo, o.end_lo, o.end_lo) as latest_lo,
           latest_of(o.start_hi, o.end_hi, o.end_lo) as latest_hi
    from code_match as m
    join clinical.observation as o using (row_id)
    where list_contains(valueset_oids, m.valueset_oid)
      and o.status in ('final', 'amended', 'corrected')
      and o.row_id in (select row_id from observation_category where category = 'laboratory')
      and o.value_type is not null
      and not (o.value_type = 'Quantity' and o.value_quantity is null);
