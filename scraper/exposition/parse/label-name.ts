/** Name rules of the exposition formats (legacy Prometheus character set). */
import { isLabelChar, isLabelStart, isMetricChar, isMetricStart } from './bytes.ts';

/** [a-zA-Z_][a-zA-Z0-9_]* */
export function validateLabelName(name: string): boolean {
  if (name.length === 0 || !isLabelStart(name.charCodeAt(0))) return false;
  for (let i = 1; i < name.length; i++) {
    if (!isLabelChar(name.charCodeAt(i))) return false;
  }
  return true;
}

/** [a-zA-Z_:][a-zA-Z0-9_:]* */
export function validateMetricName(name: string): boolean {
  if (name.length === 0 || !isMetricStart(name.charCodeAt(0))) return false;
  for (let i = 1; i < name.length; i++) {
    if (!isMetricChar(name.charCodeAt(i))) return false;
  }
  return true;
}
