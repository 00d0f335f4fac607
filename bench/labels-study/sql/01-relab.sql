USE stage;
TRUNCATE lab16; TRUNCATE lab3;
INSERT INTO lab16 SELECT n, l FROM (SELECT c.seq n, l.seq l, ROW_NUMBER() OVER (PARTITION BY c.seq ORDER BY MD5(CONCAT(c.seq, '/', l.seq))) rk FROM seq_1_to_200000 c JOIN seq_0_to_63 l) x WHERE rk <= 16;
INSERT INTO lab3 SELECT n, l FROM (SELECT c.seq n, l.seq l, ROW_NUMBER() OVER (PARTITION BY c.seq ORDER BY MD5(CONCAT(c.seq, '#', l.seq))) rk FROM seq_1_to_200000 c JOIN seq_0_to_49 l) x WHERE rk <= 3;
select min(c),max(c),avg(c) from (select l,count(*) c from lab16 group by l) x; select min(c),max(c) from (select l,count(*) c from lab3 group by l) x; select a.l,b.l,count(*) from lab16 a join lab16 b on a.n=b.n and a.l<b.l where a.l<3 and b.l<6 group by 1,2;
select count(*) from lab16 a join lab16 b on a.n=b.n and b.l=17 where a.l=3;
