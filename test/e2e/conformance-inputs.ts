// The inputs of the differential conformance test (conformance.test.ts): our own bodies, at least one
// per category of the two public parser suites (the OpenMetrics project's tests/testdata/parsers, named
// after its folders without the trailing _N; Prometheus's model/textparse tests, named after the test
// function, and its promtestdata.txt), valid and invalid alike. Prometheus itself is the oracle: the test
// expects nothing of an input except that the merged endpoint stores what a direct scrape stores.

export type InputFormat = 'text' | 'openmetrics';

/** Explicit timestamps placed ten minutes before the run, inside what Prometheus's head accepts. */
export interface Stamps {
  /** Milliseconds, as the text format writes them. */
  ms: (offsetMs?: number) => string;
  /** Seconds with a fraction, as OpenMetrics writes them. */
  s: (offsetMs?: number) => string;
}

export interface ConformanceInput {
  suite: 'openmetrics' | 'prometheus';
  category: string;
  /** Unique within the table; becomes the `instance` label of the row's targets. */
  name: string;
  format: InputFormat;
  body: string | Buffer | ((t: Stamps) => string);
  /**
   * Timestamps that might reach Prometheus far in the future through a faulty conversion: such a sample
   * moves the head's max time and makes every later sample out of bounds, so each quarantine group gets a
   * Prometheus of its own and cannot spoil the others.
   */
  quarantine?: string;
}

/** Every category of the two suites, so the test can tell when one goes without an input. */
export const SUITE_CATEGORIES: Record<ConformanceInput['suite'], readonly string[]> = {
  openmetrics: [
    'bad_blank_line',
    'bad_clashing_names',
    'bad_counter_values',
    'bad_exemplar_complex_chars',
    'bad_exemplar_timestamp',
    'bad_exemplars',
    'bad_exemplars_on_unallowed_metric_types',
    'bad_exemplars_on_unallowed_samples',
    'bad_grouping_or_ordering',
    'bad_help',
    'bad_histograms',
    'bad_info_and_stateset_values',
    'bad_invalid_labels',
    'bad_metadata',
    'bad_metadata_in_wrong_place',
    'bad_metric_names',
    'bad_missing_equal_or_label_value',
    'bad_missing_or_extra_commas',
    'bad_missing_or_invalid_labels_for_a_type',
    'bad_missing_value',
    'bad_missing_or_wrong_quotes_on_label_value',
    'bad_no_eof',
    'bad_repeated_metadata',
    'bad_stateset_info_values',
    'bad_text_after_eof',
    'bad_timestamp',
    'bad_type',
    'bad_unit',
    'bad_value',
    'counter_exemplars',
    'counter_exemplars_empty_brackets',
    'counter_unit',
    'duplicate_timestamps',
    'empty_brackets',
    'empty_help',
    'empty_label',
    'empty_metadata',
    'escaping',
    'exemplars_wide_chars',
    'exemplars_with_hash_in_label_values',
    'float_gauge',
    'gaugehistogram_exemplars',
    'hash_in_label_value',
    'help_escaping',
    'histogram_exemplars',
    'histogram_noncanonical',
    'info_timestamps',
    'label_escaping',
    'labels_and_infinite',
    'labels_with_curly_braces',
    'leading_zeros_float_gauge',
    'leading_zeros_simple_gauge',
    'nan',
    'nan_gauge',
    'negative_bucket_gaugehistogram',
    'negative_bucket_histogram',
    'no_metadata',
    'no_newline_after_eof',
    'null_byte',
    'roundtrip',
    'simple_counter',
    'simple_gauge',
    'simple_gaugehistogram',
    'simple_histogram',
    'simple_stateset',
    'simple_summary',
    'summary_quantiles',
    'timestamps',
    'type_help_switched',
    'uint64_counter',
    'unit_gauge',
    'untyped',
  ],
  prometheus: [
    ...['TestPromParse', 'TestPromParseErrors', 'TestPromNullByteHandling', 'promtestdata'],
    ...['TestOpenMetricsParse', 'TestOpenMetricsParseErrors', 'TestOMNullByteHandling'],
  ],
};

const om = (
  category: string,
  name: string,
  body: ConformanceInput['body'],
  extra: Partial<ConformanceInput> = {},
) =>
  ({
    suite: 'openmetrics',
    category,
    name: `om/${category}/${name}`,
    format: 'openmetrics',
    body,
    ...extra,
  }) as const;
const pt = (
  category: string,
  name: string,
  format: InputFormat,
  body: ConformanceInput['body'],
  extra: Partial<ConformanceInput> = {},
) => ({ suite: 'prometheus', category, name: `prom/${category}/${name}`, format, body, ...extra }) as const;
const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

const LONG_EXEMPLAR = `${'\u0301x'.repeat(40)}z${'ab'.repeat(30)}`;

export const CONFORMANCE_INPUTS: readonly ConformanceInput[] = [
  // ---- OpenMetrics parser suite: invalid inputs ----
  om('bad_blank_line', 'between-samples', '# TYPE req counter\nreq_total 4\n\nreq_total{x="y"} 2\n# EOF\n'),
  om(
    'bad_clashing_names',
    'created-gauge-then-counter',
    '# TYPE hits_created gauge\nhits_created 5\n# TYPE hits counter\nhits_total 3\n# EOF\n',
  ),
  om('bad_counter_values', 'negative-total', '# TYPE uploads counter\nuploads_total -4\n# EOF\n'),
  om(
    'bad_counter_values',
    'histogram-nan-sum',
    '# TYPE rtt histogram\nrtt_bucket{le="+Inf"} 3\nrtt_count 3\nrtt_sum NaN\n# EOF\n',
  ),
  om(
    'bad_exemplar_complex_chars',
    'over-128-runes',
    `# TYPE lat histogram\nlat_bucket{le="+Inf"} 2 # {trace="${LONG_EXEMPLAR}"} 0.4\nlat_count 2\nlat_sum 0.4\n# EOF\n`,
  ),
  om('bad_exemplar_timestamp', 'nan', '# TYPE logins counter\nlogins_total 7 # {user="x"} 1 NaN\n# EOF\n'),
  om(
    'bad_exemplars',
    'trailing-space',
    '# TYPE lat2 histogram\nlat2_bucket{le="+Inf"} 2 # {} 0.5 1 \nlat2_count 2\n# EOF\n',
  ),
  om(
    'bad_exemplars',
    'no-space-before-brace',
    '# TYPE lat3 histogram\nlat3_bucket{le="+Inf"} 2 #{span="s"} 0.5\n# EOF\n',
  ),
  om(
    'bad_exemplars_on_unallowed_metric_types',
    'gauge',
    '# TYPE temp gauge\ntemp 21 # {sensor="a"} 20\n# EOF\n',
  ),
  om(
    'bad_exemplars_on_unallowed_samples',
    'histogram-sum',
    '# TYPE rt3 histogram\nrt3_bucket{le="+Inf"} 1\nrt3_count 1\nrt3_sum 0.2 # {id="x"} 0.2\n# EOF\n',
  ),
  om(
    'bad_grouping_or_ordering',
    'interleaved-histograms',
    '# TYPE dur histogram\ndur_bucket{p="a",le="+Inf"} 1\ndur_bucket{p="b",le="+Inf"} 2\ndur_count{p="a"} 1\ndur_count{p="b"} 2\n# EOF\n',
  ),
  om(
    'bad_grouping_or_ordering',
    'timestamps-going-back',
    (t) => `# TYPE depth gauge\ndepth 1 ${t.s(2000)}\ndepth 2 ${t.s()}\n# EOF\n`,
  ),
  om('bad_help', 'name-without-text', '# HELP queue_depth\nqueue_depth 3\n# EOF\n'),
  om(
    'bad_histograms',
    'not-cumulative',
    '# TYPE size histogram\nsize_bucket{le="1"} 5\nsize_bucket{le="+Inf"} 3\nsize_count 3\nsize_sum 1\n# EOF\n',
  ),
  om(
    'bad_histograms',
    'no-inf-bucket',
    '# TYPE size2 histogram\nsize2_bucket{le="1"} 1\nsize2_count 1\nsize2_sum 0.5\n# EOF\n',
  ),
  om(
    'bad_info_and_stateset_values',
    'info-value-2',
    '# TYPE build info\nbuild_info{version="1.2"} 2\n# EOF\n',
  ),
  om('bad_invalid_labels', 'repeated-name', 'conn{pool="a",pool="b"} 1\n# EOF\n'),
  om('bad_invalid_labels', 'digit-first', 'conn2{9lives="x"} 1\n# EOF\n'),
  om('bad_metadata', 'unknown-keyword', '# SIZE things 3\nthings 1\n# EOF\n'),
  om(
    'bad_metadata_in_wrong_place',
    'help-after-sample',
    '# TYPE disk gauge\ndisk 1\n# HELP disk Disk usage.\n# EOF\n',
  ),
  om('bad_metric_names', 'dot', 'http.requests 1\n# EOF\n'),
  om('bad_metric_names', 'digit-first', '2xx_responses 1\n# EOF\n'),
  om('bad_missing_equal_or_label_value', 'bare-name', 'resp{code} 1\n# EOF\n'),
  om('bad_missing_or_extra_commas', 'trailing-comma', 'resp2{code="200",} 1\n# EOF\n'),
  om('bad_missing_or_extra_commas', 'double-comma', 'resp3{code="200",,m="GET"} 1\n# EOF\n'),
  om(
    'bad_missing_or_invalid_labels_for_a_type',
    'quantile-word',
    '# TYPE wait summary\nwait{quantile="high"} 3\n# EOF\n',
  ),
  om(
    'bad_missing_or_invalid_labels_for_a_type',
    'bucket-without-le',
    '# TYPE wait2 histogram\nwait2_bucket 3\n# EOF\n',
  ),
  om('bad_missing_or_wrong_quotes_on_label_value', 'single-quotes', "mood{state='ok'} 1\n# EOF\n"),
  om('bad_missing_value', 'labels-only', 'mood2{state="ok"}\n# EOF\n'),
  om('bad_no_eof', 'missing', '# TYPE pings counter\npings_total 3\n'),
  om('bad_repeated_metadata', 'two-helps', '# HELP mem Memory.\n# HELP mem Memory again.\nmem 1\n# EOF\n'),
  om('bad_stateset_info_values', 'info-bare-2', '# TYPE feature info\nfeature 2\n# EOF\n'),
  om('bad_stateset_info_values', 'stateset-2', '# TYPE mode stateset\nmode{mode="x"} 2\n# EOF\n'),
  om('bad_text_after_eof', 'sample-after', 'late 1\n# EOF\nlate 2\n'),
  om('bad_timestamp', 'letters', 'clock 1 12z\n# EOF\n'),
  om('bad_timestamp', 'minus-inf', 'clock2 1 -Inf\n# EOF\n'),
  om('bad_type', 'unknown-type', '# TYPE weird histogrammm\nweird 1\n# EOF\n'),
  om('bad_type', 'untyped-keyword', '# TYPE old untyped\nold 1\n# EOF\n'),
  om('bad_type', 'trailing-space', '# TYPE spaced gauge \nspaced 1\n# EOF\n'),
  om('bad_unit', 'not-a-suffix', '# TYPE wait_ms gauge\n# UNIT wait_ms seconds\nwait_ms 4\n# EOF\n'),
  om('bad_unit', 'on-info', '# TYPE host_b info\n# UNIT host_b b\nhost_b_info{name="x"} 1\n# EOF\n'),
  om('bad_value', 'hex', 'flags 0x10\n# EOF\n'),
  om('bad_value', 'underscore', 'flags2 1_000\n# EOF\n'),
  om('bad_value', 'double-space', 'flags3  1\n# EOF\n'),

  // ---- OpenMetrics parser suite: valid inputs ----
  om(
    'counter_exemplars',
    'trace',
    '# TYPE orders counter\n# HELP orders Orders placed.\norders_total 12 # {trace_id="4bf92f"} 1\n# EOF\n',
  ),
  om(
    'counter_exemplars_empty_brackets',
    'trace',
    '# TYPE orders2 counter\norders2_total{} 3 # {span="x"} 1\n# EOF\n',
  ),
  om(
    'counter_unit',
    'seconds',
    '# TYPE busy_seconds counter\n# UNIT busy_seconds seconds\n# HELP busy_seconds Time busy.\nbusy_seconds_total 4.5\nbusy_seconds_created 1700000000.25\n# EOF\n',
  ),
  om(
    'duplicate_timestamps',
    'same-stamp-twice',
    (t) =>
      `# TYPE level gauge\nlevel{tank="1"} 1 ${t.s()}\nlevel{tank="1"} 2 ${t.s()}\nlevel{tank="2"} 4 ${t.s()}\n# EOF\n`,
  ),
  om('empty_brackets', 'counter', '# TYPE calls counter\ncalls_total{} 9\n# EOF\n'),
  om('empty_help', 'space-only', '# TYPE naps counter\n# HELP naps \nnaps_total 1\n# EOF\n'),
  om(
    'empty_label',
    'empty-value',
    '# TYPE reqs counter\nreqs_total{path="/x"} 1\nreqs_total{path=""} 2\n# EOF\n',
  ),
  om('empty_metadata', 'help-and-unit', '# HELP quiet \n# UNIT quiet \nquiet 1\n# EOF\n'),
  om(
    'escaping',
    'label-and-help',
    '# TYPE esc counter\n# HELP esc a\\nb \\\\ c \\t d\nesc_total{v="q\\"u\\no\\\\te"} 1\nesc_total{v="back\\\\slash\\z"} 2\nesc_total{v="x\\"y # "} 3\n# EOF\n',
  ),
  om(
    'exemplars_wide_chars',
    'snowmen',
    `# TYPE snow histogram\nsnow_bucket{le="+Inf"} 1 # {w="${'\u2603'.repeat(60)}"} 1 1\nsnow_count 1\n# EOF\n`,
  ),
  om(
    'exemplars_with_hash_in_label_values',
    'hashes',
    '# TYPE hh histogram\nhh_bucket{le="1.0",tag="x # "} 0 # {a="b",tag="y # z"} 0.5\nhh_bucket{le="+Inf",tag="x # "} 3 # {a="d",tag="y # z"} 4\nhh_count{tag="x # "} 3\n# EOF\n',
  ),
  om('float_gauge', 'small', '# TYPE ratio gauge\nratio 1.25e-3\n# EOF\n'),
  om(
    'gaugehistogram_exemplars',
    'with-stamps',
    (t) =>
      `# TYPE qlen gaugehistogram\nqlen_bucket{le="1.0"} 0 ${t.s()} # {a="b"} 0.5\nqlen_bucket{le="+Inf"} 3 ${t.s()} # {a="d"} 4 ${t.s()}\nqlen_gcount 3 ${t.s()}\nqlen_gsum 2 ${t.s()}\n# EOF\n`,
  ),
  om(
    'hash_in_label_value',
    'brace-and-hash',
    '# TYPE notes counter\nnotes_total{txt="} oops # not a comment # "} 1\n# EOF\n',
  ),
  om(
    'help_escaping',
    'backslashes',
    '# TYPE he counter\n# HELP he \\\\n is not \\n and \\x stays\nhe_total 1\n# EOF\n',
  ),
  om(
    'histogram_exemplars',
    'buckets',
    '# TYPE req_dur histogram\nreq_dur_bucket{le="0.5"} 1 # {trace="a"} 0.3\nreq_dur_bucket{le="+Inf"} 2 # {trace="b"} 7 1700000000\nreq_dur_count 2\nreq_dur_sum 7.3\n# EOF\n',
  ),
  om(
    'histogram_noncanonical',
    'le-spellings',
    '# TYPE nc histogram\nnc_bucket{le="0"} 0\nnc_bucket{le="0.00000000001"} 0\nnc_bucket{le="1e-04"} 0\nnc_bucket{le="1"} 1\nnc_bucket{le="1e+05"} 1\nnc_bucket{le="10000000000"} 1\nnc_bucket{le="+Inf"} 2\nnc_count 2\nnc_sum 3\n# EOF\n',
  ),
  om(
    'info_timestamps',
    'with-stamps',
    (t) =>
      `# TYPE target info\ntarget_info{env="prod"} 1 ${t.s()}\ntarget_info{env="dev"} 1 ${t.s(1)}\n# EOF\n`,
  ),
  om(
    'label_escaping',
    'backslash-positions',
    '# TYPE le2 counter\nle2_total{v="\\\\lead"} 1\nle2_total{v="trail\\\\"} 2\nle2_total{v="\\\\"} 3\nle2_total{v="\\n"} 4\n# EOF\n',
  ),
  om(
    'labels_and_infinite',
    'both-signs',
    '# TYPE limit gauge\nlimit{side="hi"} +Inf\nlimit{side="lo"} -Inf\n# EOF\n',
  ),
  om('labels_with_curly_braces', 'in-value', '# TYPE tpl counter\ntpl_total{path="/users/{id}"} 1\n# EOF\n'),
  om('leading_zeros_float_gauge', 'exponent', '# TYPE lz gauge\nlz 000012.5e-1\n# EOF\n'),
  om('leading_zeros_simple_gauge', 'integer', '# TYPE lz2 gauge\nlz2 0000042\n# EOF\n'),
  om('nan', 'bare', 'maybe NaN\n# EOF\n'),
  om('nan_gauge', 'typed', '# TYPE maybe2 gauge\nmaybe2 NaN\n# EOF\n'),
  om(
    'negative_bucket_gaugehistogram',
    'below-zero',
    '# TYPE delta gaugehistogram\ndelta_bucket{le="-1.0"} 1\ndelta_bucket{le="+Inf"} 3\ndelta_gcount 3\ndelta_gsum -5\n# EOF\n',
  ),
  om(
    'negative_bucket_histogram',
    'no-sum',
    '# TYPE offset histogram\noffset_bucket{le="-1.0"} 0\noffset_bucket{le="1.0"} 1\noffset_bucket{le="+Inf"} 3\n# EOF\n',
  ),
  om('no_metadata', 'bare', 'lonely 1\n# EOF\n'),
  om('no_newline_after_eof', 'last-line', '# TYPE tail gauge\ntail 1\n# EOF'),
  om(
    'null_byte',
    'help-and-label',
    bytes('# TYPE nb counter\n# HELP nb he', [0], 'lp\nnb_total{v="a', [0], 'b"} 1\n# EOF\n'),
  ),
  om(
    'roundtrip',
    'go-client',
    '# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.\n# TYPE go_gc_duration_seconds summary\ngo_gc_duration_seconds{quantile="0.0"} 2.1e-05\ngo_gc_duration_seconds{quantile="0.5"} 4.4e-05\ngo_gc_duration_seconds{quantile="1.0"} 0.000112\ngo_gc_duration_seconds_sum 0.0145\ngo_gc_duration_seconds_count 231\n# HELP go_goroutines Number of goroutines that currently exist.\n# TYPE go_goroutines gauge\ngo_goroutines 37\n# HELP process_cpu_seconds Total user and system CPU time spent in seconds.\n# TYPE process_cpu_seconds counter\n# UNIT process_cpu_seconds seconds\nprocess_cpu_seconds_total 12.47\n# HELP http_requests Requests.\n# TYPE http_requests counter\nhttp_requests_total{code="200",method="get"} 1027\nhttp_requests_created{code="200",method="get"} 1700000000.5\n# EOF\n',
  ),
  om('simple_counter', 'one', '# TYPE jobs counter\n# HELP jobs Jobs run.\njobs_total 1\n# EOF\n'),
  om('simple_gauge', 'one', '# TYPE temp2 gauge\n# HELP temp2 Temperature.\ntemp2 19.5\n# EOF\n'),
  om(
    'simple_gaugehistogram',
    'one',
    '# TYPE inflight gaugehistogram\ninflight_bucket{le="1.0"} 0\ninflight_bucket{le="+Inf"} 3\ninflight_gcount 3\ninflight_gsum 2\n# EOF\n',
  ),
  om(
    'simple_histogram',
    'one',
    '# TYPE req_size histogram\nreq_size_bucket{le="1.0"} 0\nreq_size_bucket{le="+Inf"} 3\nreq_size_count 3\nreq_size_sum 2\nreq_size_created 1700000000\n# EOF\n',
  ),
  om(
    'simple_stateset',
    'two-states',
    '# TYPE door stateset\ndoor{door="open"} 0\ndoor{door="closed"} 1.0\n# EOF\n',
  ),
  om('simple_summary', 'count-and-sum', '# TYPE rpc summary\nrpc_count 1\nrpc_sum 2\n# EOF\n'),
  om(
    'summary_quantiles',
    'two',
    '# TYPE rpc2 summary\nrpc2_count 1\nrpc2_sum 2\nrpc2{quantile="0.5"} 0.7\nrpc2{quantile="1"} 0.8\n# EOF\n',
  ),
  om(
    'timestamps',
    'recent-fractions',
    (t) =>
      `# TYPE ev counter\nev_total{n="1"} 1 ${t.s()}\nev_total{n="2"} 2 ${t.s(1)}\nev_total{n="3"} 3 ${Number(t.s(2)).toExponential()}\n# EOF\n`,
  ),
  om(
    'timestamps',
    'epoch-spellings',
    '# TYPE ev2 counter\nev2_total{n="1"} 1 000\nev2_total{n="2"} 1 0.0\nev2_total{n="3"} 1 1.5e3\n# EOF\n',
  ),
  om('timestamps', 'negative', '# TYPE ev3 counter\nev3_total 1 -1.5\n# EOF\n'),
  om(
    'timestamps',
    'sub-millisecond-digits',
    (t) =>
      `# TYPE ev5 counter\nev5_total{n="1"} 1 ${t.s()}9\nev5_total{n="2"} 2 ${t.s(3)}999\nev5_total{n="3"} 3 ${t.s(5)}0001\n# EOF\n`,
  ),
  om(
    'timestamps',
    'integer-seconds',
    (t) => `# TYPE ev6 counter\nev6_total 1 ${Math.floor(Number(t.s()))}\n# EOF\n`,
  ),
  om(
    'timestamps',
    'beyond-int64-ms',
    '# TYPE ev4 counter\nev4_total 1 12345678901234567890.1234567890\n# EOF\n',
    {
      quarantine: 'om-huge',
    },
  ),
  om('type_help_switched', 'help-first', '# HELP sw Switched.\n# TYPE sw counter\nsw_total 1\n# EOF\n'),
  om('uint64_counter', 'max', '# TYPE big counter\nbig_total 18446744073709551615\n# EOF\n'),
  om(
    'unit_gauge',
    'seconds',
    '# TYPE up_seconds gauge\n# UNIT up_seconds seconds\n# HELP up_seconds Uptime.\nup_seconds 12\n# EOF\n',
  ),
  om(
    'untyped',
    'unknown-type',
    '# HELP redis_clients Clients.\n# TYPE redis_clients unknown\nredis_clients{port="6380"} 10.0\nredis_clients{port="6381"} 12.0\n# EOF\n',
  ),

  // ---- Prometheus model/textparse: TestPromParse (text, valid) ----
  pt(
    'TestPromParse',
    'label-spacing',
    'text',
    '# TYPE gc summary\ngc{quantile="0"} 4.9e-05\ngc{ quantile="0.9", a="b"} 8.3e-05\ngc { quantile= "1.0", a= "b" } 8.4e-05\ngc_count 99\n',
  ),
  pt(
    'TestPromParse',
    'trailing-comma',
    'text',
    'gc2{quantile="0.25",} 7.4e-05\ngc2 { quantile = "1.0", a = "b", } 8.3e-05\n',
  ),
  pt('TestPromParse', 'no-comma-between-labels', 'text', 'gc3 { quantile = "2.0" a = "b" } 8.3e-05\n'),
  pt(
    'TestPromParse',
    'comments-and-bare-help',
    'text',
    '# Hsomething that is no HELP\n#\n# HELP bare1\n# HELP bare2 \n# comment with escaped \\n newline\nwind{A="2",c="3"} 12345\n',
  ),
  pt(
    'TestPromParse',
    'names',
    'text',
    'job:requests:rate5m{a_b="c"}\t1\n_leading_underscore 1\ntm{_lbl="foo"} 1\n',
  ),
  pt(
    'TestPromParse',
    'timestamp-and-tabs',
    'text',
    (t) => `# TYPE routines gauge\nroutines 33  \t${t.ms()}\nroutines2 34 ${t.ms(5)}\n`,
  ),
  pt(
    'TestPromParse',
    'escapes-and-null',
    'text',
    bytes('# HELP nul foo', [0], 'bar\nquoted{label="\\"bar\\""} 1\nnul{a="abc', [0], '"} 1\n'),
  ),
  pt(
    'TestPromParse',
    'value-spellings',
    'text',
    'sp{v="nan"} Nan\nsp{v="inf"} +inf\nsp{v="ninf"} -Inf\nsp{v="exp"} 1E3\nsp{v="neg0"} -0\nsp{v="dot"} .5\n',
  ),
  pt(
    'TestPromParse',
    'counter-without-total',
    'text',
    '# HELP served Requests served.\n# TYPE served counter\nserved 7\n# TYPE done_total counter\ndone_total 2\n',
  ),
  pt(
    'TestPromParse',
    'histogram-and-untyped',
    'text',
    '# TYPE lat4 histogram\nlat4_bucket{le="0.1"} 1\nlat4_bucket{le="+Inf"} 2\nlat4_sum 0.3\nlat4_count 2\n# TYPE loose untyped\nloose 3\n',
  ),
  pt(
    'TestPromParse',
    'help-escapes',
    'text',
    '# HELP hesc line\\nbreak and \\\\ and \\" quote\n# TYPE hesc gauge\nhesc 1\n',
  ),
  pt('TestPromParse', 'negative-timestamp', 'text', 'old 1 -1500\n'),
  pt('TestPromParse', 'epoch-timestamp', 'text', 'old2 1 0\n'),
  // int64's maximum itself is left out: Prometheus stores it, and its head then refuses all later samples.
  pt('TestPromParse', 'beyond-int64-timestamp', 'text', 'old3 1 9223372036854775808\n', {
    quarantine: 'text-huge',
  }),
  pt('TestPromParse', 'no-final-newline', 'text', 'last_line 1'),
  pt('TestPromParse', 'leading-whitespace', 'text', 'lw1 1\n  lw2 3\n'),
  pt('TestPromParse', 'whitespace-variants', 'text', 'ws1{a="b"}1\nws2 1 \nws3\t{a="b"}\t2\n'),
  pt(
    'TestPromParse',
    'float-edges',
    'text',
    'fe{v="max"} 1.7976931348623157e308\nfe{v="denormal"} 5e-324\nfe{v="2^53+1"} 9007199254740993\nfe{v="trailing-dot"} 5.\nfe{v="plus"} +5\nfe{v="inf-word"} Inf\nfe{v="upper-nan"} NAN\nfe{v="long"} 0.1000000000000000055511151231257827\n',
  ),
  pt(
    'TestPromParse',
    'job-and-instance-labels',
    'text',
    'own_target{job="mine",instance="i-1",exported_job="x"} 1\n',
  ),
  pt('TestPromParse', 'reserved-label-prefix', 'text', 'res{__private="1",le="0.5",quantile="x"} 1\n'),
  pt('TestPromParse', 'duplicate-series', 'text', 'twice{a="1"} 1\ntwice{a="1"} 2\n'),
  pt(
    'TestPromParse',
    'family-split',
    'text',
    '# TYPE split gauge\nsplit{a="1"} 1\nother 2\nsplit{a="2"} 3\n',
  ),
  pt('TestPromParse', 'repeated-type', 'text', '# TYPE again gauge\n# TYPE again gauge\nagain 1\n'),
  pt(
    'TestPromParse',
    'histogram-oddities',
    'text',
    '# TYPE odd histogram\nodd 1\nodd_bucket 2\nodd_bucket{le="x"} 3\nodd_bucket{le="+inf"} 4\nodd_count 4\n',
  ),
  pt(
    'TestPromParse',
    'utf8-and-escapes-in-values',
    'text',
    'u{v="grüße ✓ 日本"} 1\nu{v="tab\there"} 2\nu{v="unknown \\q escape"} 3\nu{v="trailing backslash \\\\"} 4\n',
  ),
  pt('TestPromParse', 'long-label-value', 'text', `long_value{v="${'x'.repeat(20_000)}"} 1\n`),
  pt('TestPromParse', 'empty-body', 'text', ''),
  pt('TestPromParse', 'eof-line-is-a-comment', 'text', 'before 1\n# EOF\nafter 2\n'),
  pt('TestPromParse', 'empty-label-values', 'text', 'ev{a="",b="x"} 1\nev{a=""} 2\n'),

  // ---- TestPromParseErrors (text, invalid) ----
  pt('TestPromParseErrors', 'name-only', 'text', 'lonely_name\n'),
  pt('TestPromParseErrors', 'single-quotes', 'text', "sq{b='c'} 1\n"),
  pt('TestPromParseErrors', 'invalid-utf8-label-name', 'text', bytes('u8{', [0xff], '="foo"} 1\n')),
  pt('TestPromParseErrors', 'invalid-utf8-label-value', 'text', bytes('u8v{b="', [0xff], '"} 1\n')),
  pt('TestPromParseErrors', 'boolean-value', 'text', 'flag true\n'),
  pt('TestPromParseErrors', 'unterminated-value', 'text', 'weird{problem="\n'),
  pt('TestPromParseErrors', 'empty-label-name', 'text', 'eln{=""} 0\n'),
  pt('TestPromParseErrors', 'underscore-value', 'text', 'us 1_2\n'),
  pt('TestPromParseErrors', 'hex-float-value', 'text', 'hx 0x1p-3\n'),
  pt('TestPromParseErrors', 'underscore-timestamp', 'text', 'ust 0 1_2\n'),
  pt('TestPromParseErrors', 'no-metric-name', 'text', '{a="ok"} 1\n'),
  pt('TestPromParseErrors', 'type-without-name', 'text', '# TYPE #\nfine 1\n'),
  pt('TestPromParseErrors', 'help-without-name', 'text', '# HELP #\nfine2 1\n'),
  pt('TestPromParseErrors', 'three-numbers', 'text', 'three_nums 1 2 3\n'),
  pt('TestPromParseErrors', 'unknown-type', 'text', '# TYPE kind summaryy\nkind 1\n'),
  pt('TestPromParseErrors', 'value-out-of-float-range', 'text', 'huge_value 1e309\n'),
  pt('TestPromParseErrors', 'crlf-line-ends', 'text', 'crlf 1\r\ncrlf2 2\r\n'),
  pt('TestPromParseErrors', 'byte-order-mark', 'text', '\ufeffbom 1\n'),
  pt('TestPromParseErrors', 'timestamp-with-plus', 'text', 'plus_ts 1 +1000\n'),
  pt('TestPromParseErrors', 'name-label-in-braces', 'text', 'dup_name{__name__="other"} 1\n'),

  // ---- TestPromNullByteHandling (text) ----
  pt('TestPromNullByteHandling', 'in-label-value', 'text', bytes('nbv{b="', [0], 'ss"} 1\n')),
  pt('TestPromNullByteHandling', 'before-quote', 'text', bytes('nbq{b=', [0], '"ssss"} 1\n')),
  pt('TestPromNullByteHandling', 'in-name', 'text', bytes('nbn', [0], '{b="d"} 1\n')),

  // ---- promtestdata.txt: a real client's text exposition ----
  pt(
    'promtestdata',
    'go-client',
    'text',
    '# HELP go_gc_duration_seconds A summary of the GC invocation durations.\n# TYPE go_gc_duration_seconds summary\ngo_gc_duration_seconds{quantile="0"} 1.3e-05\ngo_gc_duration_seconds{quantile="0.25"} 2.2e-05\ngo_gc_duration_seconds{quantile="1"} 0.000719\ngo_gc_duration_seconds_sum 0.3481\ngo_gc_duration_seconds_count 5120\n# HELP go_memstats_alloc_bytes Number of bytes allocated and still in use.\n# TYPE go_memstats_alloc_bytes gauge\ngo_memstats_alloc_bytes 1.2345678e+07\n# HELP http_request_duration_microseconds The HTTP request latencies in microseconds.\n# TYPE http_request_duration_microseconds summary\nhttp_request_duration_microseconds{handler="alerts",quantile="0.5"} NaN\nhttp_request_duration_microseconds{handler="alerts",quantile="0.9"} NaN\nhttp_request_duration_microseconds_sum{handler="alerts"} 0\nhttp_request_duration_microseconds_count{handler="alerts"} 0\n# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds 1.70000000012e+09\n# HELP prometheus_local_storage_chunk_ops_total The total number of chunk operations by their type.\n# TYPE prometheus_local_storage_chunk_ops_total counter\nprometheus_local_storage_chunk_ops_total{type="create"} 598\nprometheus_local_storage_chunk_ops_total{type="persist"} 2\n',
  ),

  // ---- TestOpenMetricsParse (OpenMetrics, valid) ----
  pt(
    'TestOpenMetricsParse',
    'mixed-families',
    'openmetrics',
    (t) =>
      `# HELP gcd_seconds A summary.\n# TYPE gcd_seconds summary\n# UNIT gcd_seconds seconds\ngcd_seconds{quantile="0"} 4.9e-05\ngcd_seconds{quantile="0.5",a="b"} 8.3e-05\n# HELP nohelp1 \n# HELP help2 escape \\\\ \\n \\\\ \\" \\x chars\ngcd_seconds_count 99\nagg:rate5m{a_b="c"} 1\n# TYPE goroutines gauge\ngoroutines 33 ${t.s()}\n# TYPE ii info\nii_info{foo="bar"} 1\n# TYPE ss stateset\nss{ss="foo"} 1\nss{ss="bar"} 0\n# TYPE un unknown\nun 1\n# TYPE ctr counter\nctr_total 17.0 ${t.s()} # {id="counter-test"} 5\nctr_created 1520872607.123\nctr_total{a="b"} 21.0\nctr_created{a="b"} 1520872621.123\n# TYPE ggh gaugehistogram\nggh_bucket{le="+Inf"} 1 # {id="gh",xx="yy"} 4 123.123\nggh_gcount 1\n# EOF\n`,
  ),
  pt(
    'TestOpenMetricsParse',
    'created-before-buckets',
    'openmetrics',
    '# TYPE thing histogram\nthing_created 1520872607.123\nthing_count 17\nthing_sum 324789.3\nthing_bucket{le="0.0"} 0\nthing_bucket{le="+Inf"} 17\n# TYPE fizz_created gauge\nfizz_created 17.0\n# EOF\n',
  ),

  // ---- TestOpenMetricsParseErrors (OpenMetrics, invalid) ----
  pt(
    'TestOpenMetricsParseErrors',
    'invalid-utf8-label-value',
    'openmetrics',
    bytes('ou8{b="', [0xff], '"} 1\n# EOF\n'),
  ),
  pt('TestOpenMetricsParseErrors', 'no-space-before-value', 'openmetrics', 'ns{b="c"}1\n# EOF\n'),
  pt('TestOpenMetricsParseErrors', 'type-without-type', 'openmetrics', '# TYPE m1\nm1 1\n# EOF\n'),
  pt(
    'TestOpenMetricsParseErrors',
    'unit-not-suffix',
    'openmetrics',
    '# UNIT metric2 suffix\nmetric2 1\n# EOF\n',
  ),
  pt('TestOpenMetricsParseErrors', 'unit-without-unit', 'openmetrics', '# UNIT m3\nm3 1\n# EOF\n'),
  pt('TestOpenMetricsParseErrors', 'tab-separator', 'openmetrics', 'tabbed\t1\n# EOF\n'),
  pt('TestOpenMetricsParseErrors', 'space-after-timestamp', 'openmetrics', 'ts_sp 1 2 \n# EOF\n'),
  pt('TestOpenMetricsParseErrors', 'three-numbers', 'openmetrics', 'three 1 1 1\n# EOF\n'),
  pt('TestOpenMetricsParseErrors', 'tab-after-hash', 'openmetrics', '#\tTYPE c counter\nc_total 1\n# EOF\n'),
  pt(
    'TestOpenMetricsParseErrors',
    'two-spaces-before-type',
    'openmetrics',
    '# TYPE c2  counter\nc2_total 1\n# EOF\n',
  ),
  pt('TestOpenMetricsParseErrors', 'leading-comma', 'openmetrics', 'lc{,b="c"} 1\n# EOF\n'),
  pt('TestOpenMetricsParseErrors', 'exemplar-unquoted', 'openmetrics', 'cm_total 1 # {aa=bb} 1\n# EOF\n'),
  pt(
    'TestOpenMetricsParseErrors',
    'exemplar-without-value',
    'openmetrics',
    'cm2_total 1 # {aa="bb"}\n# EOF\n',
  ),
  pt('TestOpenMetricsParseErrors', 'blank-after-eof', 'openmetrics', 'ae 1\n# EOF\n\n'),
  pt('TestOpenMetricsParseErrors', 'space-before-eof', 'openmetrics', 'se 1\n # EOF\n'),
  pt('TestOpenMetricsParseErrors', 'timestamp-nan', 'openmetrics', 'tn 1 NaN\n# EOF\n'),

  // ---- TestOMNullByteHandling (OpenMetrics) ----
  pt('TestOMNullByteHandling', 'in-label-value', 'openmetrics', bytes('onb{b="', [0], 'ss"} 1\n# EOF\n')),
  pt(
    'TestOMNullByteHandling',
    'in-exemplar',
    'openmetrics',
    bytes('onb2_total 1 # {b="', [0], 'ss"} 1\n# EOF\n'),
  ),
  pt('TestOMNullByteHandling', 'in-name', 'openmetrics', bytes('onb3', [0], '{b="ddd"} 1\n# EOF\n')),
  pt(
    'TestOpenMetricsParse',
    'counter-bare-name',
    'openmetrics',
    '# TYPE cb counter\ncb 1\ncb_total 2\n# EOF\n',
  ),
  pt('TestOpenMetricsParse', 'info-bare-name', 'openmetrics', '# TYPE feat info\nfeat{v="1"} 1\n# EOF\n'),
  pt(
    'TestOpenMetricsParse',
    'le-with-spaces',
    'openmetrics',
    '# TYPE lsp histogram\nlsp_bucket{le=" 1"} 1\nlsp_bucket{le="+Inf"} 1\nlsp_count 1\n# EOF\n',
  ),
  pt('TestOpenMetricsParse', 'eof-only', 'openmetrics', '# EOF\n'),
  pt(
    'TestOpenMetricsParse',
    'float-edges',
    'openmetrics',
    'ofe{v="max"} 1.7976931348623157e308\nofe{v="denormal"} 5e-324\nofe{v="2^53+1"} 9007199254740993\nofe{v="neg0"} -0.0\nofe{v="inf"} +Inf\n# EOF\n',
  ),
  pt(
    'TestOpenMetricsParse',
    'job-and-instance-labels',
    'openmetrics',
    '# TYPE own2 gauge\nown2{job="mine",instance="i-1"} 1\n# EOF\n',
  ),
  pt(
    'TestOpenMetricsParse',
    'le-spellings-kept',
    'openmetrics',
    '# TYPE les histogram\nles_bucket{le="1"} 1\nles_bucket{le="2.50"} 1\nles_bucket{le="+Inf"} 1\nles_count 1\nles_sum 1\n# EOF\n',
  ),
  pt(
    'TestOpenMetricsParse',
    'counter-created-and-exemplar-ts',
    'openmetrics',
    (t) =>
      `# TYPE cx counter\ncx_total{a="1"} 5 ${t.s()} # {trace="t"} 1 ${t.s(-1000)}\ncx_created{a="1"} 1700000000.001\n# EOF\n`,
  ),
];
