import type { DiscoveredTarget } from '../discovery/types.ts';
import { type LabelPair, validateLabelName } from '../exposition/index.ts';

const INSTANCE_LABELS = new Set([
  'org_name',
  'space_name',
  'app_name',
  'cf_instance_id',
  'cf_instance_number',
]);

/**
 * Per discovered target (an object that lives until discovery replaces it), the labels of each index
 * asked for so far: the same array every scrape, so the merge can reuse what it derived from it.
 */
const cache = new WeakMap<DiscoveredTarget, Array<readonly LabelPair[] | undefined>>();

/** `labelsOf`, the same array for the same target and index for as long as the target lives. */
export function instanceLabels(dt: DiscoveredTarget, index: number): readonly LabelPair[] {
  let byIndex = cache.get(dt);
  if (byIndex === undefined) {
    byIndex = [];
    cache.set(dt, byIndex);
  }
  let labels = byIndex[index];
  if (labels === undefined) {
    labels = Object.freeze(labelsOf(dt, index));
    byIndex[index] = labels;
  }
  return labels;
}

/**
 * The target labels of one instance, in output order: the five CF labels, then the binding's static
 * labels. The broker validates static label names; invalid or reserved ones are skipped here again,
 * because one bad name would otherwise make the synthetic series of the whole space unparsable.
 */
function labelsOf(dt: DiscoveredTarget, index: number): LabelPair[] {
  const appGuid = dt.app?.guid ?? dt.target.appGuid;
  const labels: LabelPair[] = [
    ['org_name', dt.org?.name ?? ''],
    ['space_name', dt.space?.name ?? ''],
    ['app_name', dt.app?.name ?? ''],
    ['cf_instance_id', `${appGuid}:${index}`],
    ['cf_instance_number', String(index)],
  ];
  for (const [name, value] of Object.entries(dt.target.labels)) {
    if (INSTANCE_LABELS.has(name) || name.startsWith('__') || !validateLabelName(name)) continue;
    labels.push([name, value]);
  }
  return labels;
}
