/**
 * SCRAPER_ENV='{"NAME":"value"}': settings a benchmark adds on top of the scraper's manifest environment,
 * to measure one setting's effect without editing manifest.yml.
 */
export function scraperEnvOverrides(): Record<string, string> {
  return JSON.parse(process.env.SCRAPER_ENV ?? '{}') as Record<string, string>;
}
