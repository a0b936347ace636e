/** Source tables shared by the type tests (same server version and cross-version). */

/** Every built-in type family the product promises, with edge values and a row of NULLs. */
export const SCALARS_DDL = `
  CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
  CREATE DOMAIN public.percent AS numeric(5,2) CHECK (VALUE BETWEEN 0 AND 100);
  CREATE TABLE public.scalars (
    id int PRIMARY KEY,
    b bool, i2 smallint, i4 int, i8 bigint, n numeric(20,6), nn numeric,
    r4 real, r8 double precision,
    d date, ts timestamp, tstz timestamptz, t time, ttz timetz, iv interval,
    m money, bt bit(8), vb varbit(20), u uuid, ba bytea,
    ip inet, cr cidr, mac macaddr, js json, jb jsonb, x xml, tv tsvector, tq tsquery,
    pt point, ln line, ls lseg, bx box, pa path, pg polygon, ci circle,
    ir int4range, nr numrange, tr tstzrange, dr daterange, mr int4multirange,
    ia int[], ta text[], grid int[][], c char(5), vc varchar(30), tx text,
    mo public.mood, pc public.percent, lsn pg_lsn
  );
  INSERT INTO public.scalars VALUES
    (1, true, -32768, -2147483648, -9223372036854775808, 12345678901234.123456, 'NaN',
     'NaN', 'Infinity', 'infinity', '-infinity', 'infinity', '00:00:00', '23:59:59.999999+14', '-178000000 years',
     '-92233720368547758.08', B'10101010', B'1', '00000000-0000-0000-0000-000000000000', '\\x00ff00',
     '::1/128', '10.0.0.0/8', '08:00:2b:01:02:03', '{"b": [1, 2], "a": "x"}', '{"b": [1, 2], "a": "x", "n": 1.50}',
     '<a b="1">t</a>', 'a:1 fat:2 cat', 'fat & !rat',
     '(1.5,-2.5)', '{1,-1,0}', '[(0,0),(1,1)]', '(2,2),(0,0)', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))', '<(0,0),1.5>',
     '[1,10)', '(-Infinity,0.5]', '[2024-01-01 00:00+00,infinity)', 'empty', '{[1,3), [5,8)}',
     '{1,NULL,3}', '{"a b","c,d","e\\"f",NULL,""}', '{{1,2},{3,4}}', 'ab', 'varchar ü', E'tab\\tnew\\nline\\\\back',
     'happy', 42.5, '16/B374D848'),
    (2, false, 32767, 2147483647, 9223372036854775807, -0.000001, 'Infinity',
     '-Infinity', '-0', '4713-01-01 BC', '294276-12-31 23:59:59.999999', '-infinity', '24:00:00', '00:00:00-15:59', '1 year 2 mons 3 days 04:05:06.789',
     '92233720368547758.07', B'00000000', B'', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '\\x',
     '192.168.1.1/24', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', '[]', '[]', '<!-- c -->', '', 'x',
     '(0,0)', '{0,1,0}', '[(1,1),(1,1)]', '(0,0),(0,0)', '((0,0))', '((0,0))', '<(1,1),0>',
     '(,)', '[1.1,1.1]', '(,)', '[2020-02-29,2020-03-01)', '{}',
     '{}', '{}', '{}', '     ', '', '',
     'sad', 0, '0/0'),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
  INSERT INTO public.scalars (id, n, r8, tstz, iv, jb, ia, tx, tv)
    SELECT g, g * 1.5, g / 3.0, '2024-01-01'::timestamptz + g * interval '1 minute', g * interval '1 second',
           jsonb_build_object('g', g), ARRAY[g, -g], 'row ' || g, to_tsvector('simple', 'row number ' || g)
      FROM generate_series(4, 2000) g;
`;

/** Incompressible values of a few MB (random hex and random bytes), so they live out of line in TOAST. */
export const TOAST_DDL = `
  CREATE TABLE public.toasted (id int PRIMARY KEY, big_text text, big_bytes bytea, big_json jsonb);
  INSERT INTO public.toasted
    SELECT k,
           (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 100000)),
           (SELECT decode(string_agg(md5(random()::text), ''), 'hex') FROM generate_series(1, 125000)),
           (SELECT jsonb_agg(md5(random()::text)) FROM generate_series(1, 30000))
      FROM generate_series(1, 3) k;
  INSERT INTO public.toasted VALUES (4, NULL, NULL, NULL);
`;

/** Arrays of enums, composites (with an enum array inside) and domains over them. */
export const USER_TYPES_DDL = `
  CREATE TYPE public.color AS ENUM ('red', 'green', 'blue');
  CREATE TYPE public.tagged AS (label text, colors public.color[], weight numeric(6,2));
  CREATE DOMAIN public.palette AS public.color[] CHECK (cardinality(VALUE) > 0);
  CREATE TABLE public.usertypes (
    id int PRIMARY KEY, colors public.color[], item public.tagged, items public.tagged[], pal public.palette, one public.color
  );
  INSERT INTO public.usertypes
    SELECT g, ARRAY['red', 'blue']::public.color[], ROW('item ' || g, ARRAY['green']::public.color[], g / 4.0)::public.tagged,
           ARRAY[ROW('a', '{}', 1)::public.tagged, NULL], ARRAY['blue']::public.color[], 'green'
      FROM generate_series(1, 500) g;
  INSERT INTO public.usertypes VALUES (0, NULL, NULL, NULL, NULL, NULL), (-1, '{red,NULL}', ROW(NULL, NULL, NULL), '{}', '{red}', 'red');
`;
