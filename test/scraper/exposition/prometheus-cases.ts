// Inputs and what Prometheus 2.42 does with each when it scrapes them directly: `refused` (the scrape
// fails, up 0), or the samples it parses, as `name{labels} value timestamp` (collect.ts's keys). Each
// expectation was checked against a real Prometheus 2.42 scrape; the comments say why where it
// surprises. Parser and merge tests both run over this table.
import type { ExpositionFormat } from '../../../scraper/exposition/index.ts';

export interface PrometheusCase {
  title: string;
  format: ExpositionFormat;
  /** latin1: one char per byte, so NUL and invalid UTF-8 can be spelled. */
  body: string;
  /** `refused`, or the sample keys of what Prometheus parses (timestamps in ms, `-` for none). */
  want: 'refused' | string[];
}

const text = (title: string, body: string, want: PrometheusCase['want']): PrometheusCase => ({
  title,
  format: 'text',
  body,
  want,
});
const om = (title: string, body: string, want: PrometheusCase['want']): PrometheusCase => ({
  title,
  format: 'openmetrics',
  body: `${body}# EOF\n`,
  want,
});

export const PROMETHEUS_CASES: readonly PrometheusCase[] = [
  // Text: label sets.
  text('no commas, blanks everywhere', 'go_gc { quantile = "2.0" a = "b" } 8.3835e-05\n', [
    'go_gc{a="b",quantile="2.0"} 0.000083835 -',
  ]),
  text('no comma, no blank', 'a{b="c"d="e"} 1\n', ['a{b="c",d="e"} 1 -']),
  text('trailing comma', 'a{b="c",} 1\n', ['a{b="c"} 1 -']),
  text('comma alone', 'a{,} 1\n', 'refused'),
  text('two commas', 'a{b="c",,d="e"} 1\n', 'refused'),
  text('raw LF in a label value', 'a{b="x\ny"} 1\n', ['a{b="x\\ny"} 1 -']),
  text('backslash before LF', 'a{b="x\\\ny"} 1\n', 'refused'),
  text('NUL in a label value', 'a{b="x\0y"} 1\n', ['a{b="x\\u0000y"} 1 -']),
  text('label value not UTF-8', 'a{b="\xff"} 1\n', 'refused'),
  text('escaped byte not UTF-8', 'a{b="\\\x80"} 1\n', 'refused'),
  text('duplicate label', 'a{b="1",b="2"} 1\n', 'refused'),
  text('__name__ label', 'a{__name__="b"} 1\n', 'refused'),
  // Text: values and timestamps (Go's ParseFloat without p, P, _; ParseInt for timestamps).
  text('value right after the name', 'a-1\n', ['a{} -1 -']),
  text('value right after the braces', 'a{b="c"}1\n', ['a{b="c"} 1 -']),
  text('Inf spellings, .5, 5.', 'a Infinity\nb -inf\nc .5\nd 5.\ne +.5e-1\n', [
    'a{} Infinity -',
    'b{} -Infinity -',
    'c{} 0.5 -',
    'd{} 5 -',
    'e{} 0.05 -',
  ]),
  text('underflow is 0', 'a 1e-400\n', ['a{} 0 -']),
  text('overflow', 'a 1e400\n', 'refused'),
  text('-NaN', 'a -NaN\n', 'refused'),
  text('+NaN', 'a +NaN\n', 'refused'),
  text('hex', 'a 0x10\n', 'refused'),
  text('underscore', 'a 1_0\n', 'refused'),
  text('CR before LF', 'a 1\r\n', 'refused'),
  text('largest int64 timestamp, leading zeros', 'a 1 009223372036854775807\n', [
    // As a JS number (collect.ts): the writers carry the digits, not this number.
    `a{} 1 ${Number('9223372036854775807')}`,
  ]),
  text('timestamp past int64', 'a 1 9223372036854775808\n', 'refused'),
  text('negative timestamp', 'a 1 -1\n', 'refused'),
  text('two timestamps', 'a 1 2 3\n', 'refused'),
  text('no value', 'a\n', 'refused'),
  // Text: HELP, TYPE, comments, end of input.
  text('HELP without text', '# HELP a\na 1\n', ['a{} 1 -']),
  text('HELP of only blanks', '# HELP a  \t\na 1\n', ['a{} 1 -']),
  text('a byte after the name is dropped', '# TYPE a.counter\n# HELP a{x y\na 1\n', ['a{} 1 -']),
  text('HELP not UTF-8', '# HELP a \xff\na 1\n', 'refused'),
  // The dropped byte is the lead byte of é: the text starts inside a character.
  text('HELP byte dropped from a character', '# HELP a\xc3\xa9 x\na 1\n', 'refused'),
  text('HELP in UTF-8', '# HELP a \xc3\xa9 x\na{b="\xc3\xa9"} 1\n', ['a{b="é"} 1 -']),
  text('HELP keyword without name', '# HELP \na 1\n', 'refused'),
  text('TYPE with a trailing blank', '# TYPE a counter \na 1\n', 'refused'),
  text('TYPE after two blanks', '# TYPE a  counter\na 1\n', 'refused'),
  text('free comments', '#HELP a b\n# HELPER\n#\n# TYPE\na 1\n', ['a{} 1 -']),
  text('NUL at a line start ends the body', 'a 1\n\0junk{\n', ['a{} 1 -']),
  // The lexer skips NUL bytes after a keyword's first letter: this is a TYPE line, and refused.
  text('NUL inside TYPE', '# T\0YPE a bogus\na 1\n', 'refused'),
  text('NUL inside HELP', '# H\0ELP\0 a x\na 1\n', ['a{} 1 -']),
  // Text: families. Prometheus checks no family rule; none of these may lose a sample in a merge.
  text('two TYPE lines of a name', '# TYPE a gauge\na{x="1"} 1\n# TYPE a counter\na{x="2"} 2\n', [
    'a{x="1"} 1 -',
    'a{x="2"} 2 -',
  ]),
  text('interleaved family', '# TYPE a counter\na{x="1"} 1\nb 2\na{x="2"} 3\n', [
    'a{x="1"} 1 -',
    'a{x="2"} 3 -',
    'b{} 2 -',
  ]),
  text('histogram bucket bound no float', '# TYPE h histogram\nh_bucket{le="x"} 1\nh_count 1\n', [
    'h_bucket{le="x"} 1 -',
    'h_count{} 1 -',
  ]),
  text('summary quantile no float', '# TYPE s summary\ns{quantile="q"} 1\ns_sum 1\n', [
    's_sum{} 1 -',
    's{quantile="q"} 1 -',
  ]),
  text('a gauge named like a summary part', '# TYPE s summary\ns_sum 1\n# TYPE s_count gauge\ns_count 2\n', [
    's_count{} 2 -',
    's_sum{} 1 -',
  ]),
  // OpenMetrics.
  om('sample outside its family type', '# TYPE a info\na 2\n', ['a{} 2 -']),
  om('counter sample without _total', '# TYPE a counter\na 2\n', ['a{} 2 -']),
  om('two types for a name', '# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n# TYPE a counter\na_total 2\n', [
    'a_total{} 2 -',
    'a{} 1 -',
    'b{} 1 -',
  ]),
  om('histogram with a bare sample and a bad bound', '# TYPE h histogram\nh 1\nh_bucket{le="x"} 2\n', [
    'h_bucket{le="x"} 2 -',
    'h{} 1 -',
  ]),
  om(
    'gaugehistogram beside a family of its part name',
    '# TYPE g gaugehistogram\ng_gcount 1\n# TYPE g_gcount gauge\ng_gcount{x="1"} 2\n',
    ['g_gcount{x="1"} 2 -', 'g_gcount{} 1 -'],
  ),
  om('empty HELP', '# HELP a \na 1\n', ['a{} 1 -']),
  om('HELP without text', '# HELP a\na 1\n', 'refused'),
  om('UNIT as the name suffix', '# UNIT a_s s\na_s 1\n', ['a_s{} 1 -']),
  om('empty UNIT', '# UNIT a \na 1\n', ['a{} 1 -']),
  om('UNIT without text', '# UNIT a\na 1\n', 'refused'),
  om('UNIT not a suffix', '# UNIT a s\na 1\n', 'refused'),
  om('exemplar on a _total of a gauge', '# TYPE a gauge\na_total 1 # {a="b"} 1\n', ['a_total{} 1 -']),
  om('exemplar on a plain gauge', '# TYPE a gauge\na 1 # {a="b"} 1\n', 'refused'),
  om('exemplar with empty labels', 'a_bucket{le="1"} 1 # {} 1\n', ['a_bucket{le="1"} 1 -']),
  om('exemplar with a NaN timestamp', 'a_bucket{le="1"} 1 # {} 1 NaN\n', 'refused'),
  om('NUL in an exemplar label', 'a_total 1 # {x="a\0b"} 1\n', 'refused'),
  om('NUL in a label value', 'a{x="a\0b"} 1\n', ['a{x="a\\u0000b"} 1 -']),
  om('trailing comma', 'a{b="c",} 1\n', 'refused'),
  om('escaped byte not UTF-8', 'a{b="\\\x80"} 1\n', 'refused'),
  om('NUL inside HELP and after its space', '# H\0ELP\0 \0a x\na 1\n', ['a{} 1 -']),
  om('NUL inside TYPE', '# TY\0PE a bogus\na 1\n', 'refused'),
  { title: 'NUL after # EOF', format: 'openmetrics', body: 'a 1\n# E\0OF\n\0\0', want: ['a{} 1 -'] },
  om('blank in labels', 'a{b="c", d="e"} 1\n', 'refused'),
  om('-NaN', 'a -NaN\n', 'refused'),
  om('timestamp overflow', 'a 1 1e400\n', 'refused'),
  // Both parse; the TSDB then drops the sample as out of bounds (its int64 ms are negative).
  om('negative timestamp', 'a 0 -1\n', ['a{} 0 -1000']),
  om('timestamp past int64 ms', 'a 1 12345678901234567890.1234567890\n', [`a{} 1 ${-(2 ** 63)}`]),
];
