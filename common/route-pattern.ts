import RE2 from 're2';

/**
 * The one compiler of a binding's `route` parameter, used by the broker (refusal at bind) and the scraper
 * (matching at discovery), so both agree on what a pattern means.
 *
 * Forms (see scraper/discovery/route-choice.ts for what they select):
 * - only hostname characters, optionally followed by a path: an exact, case-insensitive comparison;
 * - `/source/flags`: a JavaScript regular expression, unanchored;
 * - anything else: a JavaScript regular expression anchored on the whole candidate, case-insensitive.
 *
 * The developer choosing the pattern also chooses the hosts it runs against, so a backtracking engine
 * would let them stall the shared scraper: `(a|a)*` against 26 characters takes most of a second. Patterns
 * therefore run on RE2 (linear in the candidate's length). The syntax stays JavaScript's: a pattern must be
 * valid JavaScript, and the JavaScript constructs RE2 cannot honour, or would read differently, are
 * refused with a message naming the construct.
 */

/** Longest pattern accepted; the published schema carries the same bound. */
export const ROUTE_PATTERN_MAX_LENGTH = 1024;

export type RouteMatch = (candidate: string) => boolean;

export type CompiledRoutePattern = { matches: RouteMatch } | { problem: string };

export function compileRoutePattern(parameter: string): CompiledRoutePattern {
  if (parameter.length > ROUTE_PATTERN_MAX_LENGTH) {
    return { problem: `longer than ${ROUTE_PATTERN_MAX_LENGTH} characters` };
  }
  if (isExactRoute(parameter)) {
    const wanted = parameter.toLowerCase();
    return { matches: (candidate) => candidate.toLowerCase() === wanted };
  }
  const slashed = splitSlashed(parameter);
  const source = slashed ? slashed.source : parameter;
  // g and y only matter to repeated exec(); d only adds match indices.
  const flags = slashed ? [...slashed.flags].filter((f) => f !== 'g' && f !== 'y').join('') : 'i';
  const problem = javaScriptProblem(source, flags) ?? unsupportedConstruct(source, flags.includes('u'));
  if (problem) return { problem };
  const re2Flags = `${[...'ims'].filter((f) => flags.includes(f)).join('')}u`;
  try {
    const regex = slashed ? new RE2(source, re2Flags) : new RE2(`^(?:${source})$`, re2Flags);
    return { matches: (candidate) => regex.test(candidate) };
  } catch (error) {
    return { problem: `not supported by the linear-time engine (${(error as Error).message})` };
  }
}

/** Why the broker must refuse the parameter, or undefined when it is usable. */
export function routePatternProblem(parameter: string): string | undefined {
  const compiled = compileRoutePattern(parameter);
  return 'problem' in compiled ? compiled.problem : undefined;
}

const HOST_CHARS = charSet('A-Za-z0-9.-');
const PATH_CHARS = charSet("A-Za-z0-9._~%!&'=:@/-");

function isExactRoute(parameter: string): boolean {
  let i = 0;
  while (i < parameter.length && HOST_CHARS.has(parameter.charCodeAt(i))) i++;
  if (i === 0) return false;
  if (i === parameter.length) return true;
  if (parameter[i] !== '/') return false;
  for (i++; i < parameter.length; i++) if (!PATH_CHARS.has(parameter.charCodeAt(i))) return false;
  return true;
}

/** `/source/flags`: split at the last slash, which must be followed by lowercase letters only. */
function splitSlashed(parameter: string): { source: string; flags: string } | undefined {
  if (parameter[0] !== '/') return undefined;
  const end = parameter.lastIndexOf('/');
  if (end < 2) return undefined;
  for (let i = end + 1; i < parameter.length; i++) {
    const c = parameter.charCodeAt(i);
    if (c < 0x61 || c > 0x7a) return undefined;
  }
  return { source: parameter.slice(1, end), flags: parameter.slice(end + 1) };
}

/**
 * The pattern must be valid JavaScript on its own (so `a)|(b` cannot escape the anchoring). Constructing a
 * RegExp only parses it, in time linear in its length; it is never executed.
 */
function javaScriptProblem(source: string, flags: string): string | undefined {
  if (flags.includes('v')) return 'the v flag is not supported';
  try {
    new RegExp(source, flags);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    // V8 says "Invalid regular expression: /<source>/<flags>: <reason>"; the reason is what helps.
    const reason = message.lastIndexOf(': ');
    return `not a valid regular expression (${reason < 0 ? message : message.slice(reason + 2)})`;
  }
}

/** Letter escapes that mean the same in JavaScript and RE2; other letters are identity escapes in JavaScript. */
const SHARED_LETTER_ESCAPES = new Set('bBdDfnrsStvwW');

/**
 * Walks a valid JavaScript pattern the way JavaScript reads it and names the first construct RE2 cannot
 * honour or would read differently. RE2 itself refuses whatever else it does not support.
 */
function unsupportedConstruct(source: string, unicode: boolean): string | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const problem = escapeProblem(source, i + 1, inClass, unicode);
      if (problem) return problem;
      i++;
    } else if (inClass) {
      if (c === ']') inClass = false;
      else if (c === '[' && source[i + 1] === ':') {
        const end = source.indexOf(':]', i + 2);
        if (end > 0) return `a POSIX class (${source.slice(i, end + 2)}) is not supported`;
      }
    } else if (c === '[') {
      // In JavaScript `[]` and `[^]` are complete classes; RE2 would read the `]` as a member.
      const close = source[i + 1] === '^' ? i + 2 : i + 1;
      if (source[close] === ']') return `an empty class (${source.slice(i, close + 1)}) is not supported`;
      inClass = true;
      i = close - 1;
    } else if (c === '(' && source[i + 1] === '?') {
      const lookaround = LOOKAROUNDS.find(([opening]) => source.startsWith(opening, i));
      if (lookaround) return `a ${lookaround[1]} ${lookaround[0]}…) is not supported`;
    }
  }
  return undefined;
}

const LOOKAROUNDS: ReadonlyArray<readonly [string, string]> = [
  ['(?=', 'lookahead'],
  ['(?!', 'negative lookahead'],
  ['(?<=', 'lookbehind'],
  ['(?<!', 'negative lookbehind'],
];

function escapeProblem(source: string, at: number, inClass: boolean, unicode: boolean): string | undefined {
  const c = source[at] ?? '';
  if (c >= '1' && c <= '9' && !inClass) {
    let end = at;
    while (end < source.length && source[end]! >= '0' && source[end]! <= '9') end++;
    return `a backreference (\\${source.slice(at, end)}) is not supported`;
  }
  if (c === 'k' && source[at + 1] === '<') {
    const end = source.indexOf('>', at);
    return `a backreference (${end > 0 ? source.slice(at - 1, end + 1) : '\\k<name>'}) is not supported`;
  }
  if (c === 'x') return isHex(source, at + 1, 2) ? undefined : 'the escape \\x is supported only as \\xHH';
  if (c === 'u') {
    if (isHex(source, at + 1, 4) || (unicode && source[at + 1] === '{')) return undefined;
    return 'the escape \\u is supported only as \\uHHHH (or \\u{…} with the u flag)';
  }
  if (c === 'p' || c === 'P') return unicode ? undefined : `the escape \\${c} needs the u flag (/…/u)`;
  if (c === 'c') return undefined; // \cX: a control character in both; RE2 refuses a bare \c itself.
  if (isAsciiLetter(c) && !SHARED_LETTER_ESCAPES.has(c)) return `the escape \\${c} is not supported`;
  return undefined;
}

function isAsciiLetter(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

function isHex(source: string, from: number, count: number): boolean {
  for (let i = from; i < from + count; i++) {
    const c = source.charCodeAt(i);
    const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
    if (!hex) return false;
  }
  return true;
}

function charSet(ranges: string): ReadonlySet<number> {
  const set = new Set<number>();
  for (let i = 0; i < ranges.length; i++) {
    const from = ranges.charCodeAt(i);
    if (ranges[i + 1] === '-' && i + 2 < ranges.length) {
      for (let c = from; c <= ranges.charCodeAt(i + 2); c++) set.add(c);
      i += 2;
    } else set.add(from);
  }
  return set;
}
