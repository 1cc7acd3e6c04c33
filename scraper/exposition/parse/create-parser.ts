/** Picks the pull parser for a body by format or by the target's Content-Type. */
import type { ExpositionFormat } from './entry.ts';
import { OpenMetricsParser } from './openmetrics-parser.ts';
import type { ParserBase } from './parser-base.ts';
import { TextParser } from './text-parser.ts';

export type ExpositionParser = ParserBase;

export function createParser(buf: Buffer, format: ExpositionFormat): ExpositionParser {
  return format === 'openmetrics' ? new OpenMetricsParser(buf) : new TextParser(buf);
}

/** `application/openmetrics-text…` means OpenMetrics; anything else (or nothing) is text 0.0.4. */
export function formatOfContentType(contentType: string | undefined): ExpositionFormat {
  if (contentType === undefined) return 'text';
  return contentType.trimStart().toLowerCase().startsWith('application/openmetrics-text')
    ? 'openmetrics'
    : 'text';
}
