#!/bin/bash
# hq.sh db "SQL" : runs SQL once (warm) then again, prints Handler_read_* deltas and rows returned
db=$1; q=$2
mariadb -S /tmp/study/sock -uroot -N -B $db -e "
$q;
SELECT SUM(IF(variable_name LIKE 'HANDLER_READ%', variable_value, 0)), GROUP_CONCAT(IF(variable_value>0 AND variable_name LIKE 'HANDLER_READ%', CONCAT(SUBSTR(variable_name,14),'=',variable_value), NULL)) FROM information_schema.session_status INTO @h0, @d0;
$q;
SELECT FOUND_ROWS() INTO @r;
SELECT SUM(IF(variable_name LIKE 'HANDLER_READ%', variable_value, 0)) - @h0 FROM information_schema.session_status INTO @h1;
SELECT CONCAT('rows=', @r, ' handler_reads=', @h1);
" 2>&1 | tail -1
