-- Date-only claim dates as uncertainty bounds (docs/measures.md): the first and the last millisecond of the day.
create or replace macro day_start(d) as d::timestamp;
create or replace macro day_end(d) as d::timestamp + interval 86399999 millisecond;
create or replace macro claim_coding(element, code_system, code) as
    {'element': element, 'code_system': code_system, 'code': code};
