-- CPT II result codes and the values they stand for (plan-program.md "Settled details").
create or replace temp table claims_cpt2_result(hcpcs_code, kind, value) as
values ('3044F', 'hba1c', 6.9), ('3051F', 'hba1c', 7.5), ('3052F', 'hba1c', 8.5), ('3046F', 'hba1c', 9.5),
       ('3074F', 'systolic', 129), ('3075F', 'systolic', 135), ('3077F', 'systolic', 140),
       ('3078F', 'diastolic', 79), ('3079F', 'diastolic', 85), ('3080F', 'diastolic', 90)
