// Run: npm run bench:credentials
//
// Cost of checking a service key's Basic credentials (BENCHMARKS.md, "Security costs"), no verdict cache:
//   A  now:      HMAC-SHA-256 digest under a key derived from CREDENTIALS_KEY, on the calling thread
//   B  previous: salted scrypt (N=16384, r=8, p=1) on libuv's threadpool, as the scraper did before
// Each round checks a batch of WRONG passwords (a guessing flood: no cache can help), alternating A B,
// and reports checks per second; medians of the rounds and the ratio A/B. B's batches run as many checks
// concurrently as the threadpool has threads, its best case.
import { legacyScryptHash, verifyLegacyScrypt } from '../common/legacy-scrypt.ts';
import { randomSecret, SecretKeys } from '../common/secrets.ts';

const ROUNDS = 10;
const HMAC_BATCH = 200_000;
const SCRYPT_BATCH = 16;
const THREADPOOL = Number(process.env.UV_THREADPOOL_SIZE ?? 4);

const keys = new SecretKeys('bench-credentials-key-0123456789');
const password = keys.serviceKeyPassword('binding-id', randomSecret(16));
const verifier = keys.keyPasswordVerifier(password);
const scryptHash = await legacyScryptHash(password);
const guesses = Array.from({ length: 64 }, () => randomSecret(32));

function hmacRound(): number {
  const started = performance.now();
  let accepted = 0;
  for (let i = 0; i < HMAC_BATCH; i++) {
    if (keys.checkKeyPassword(guesses[i & 63]!, verifier, keys.currentId)) accepted++;
  }
  if (accepted !== 0 || !keys.checkKeyPassword(password, verifier, keys.currentId))
    throw new Error('wrong verdict');
  return HMAC_BATCH / ((performance.now() - started) / 1000);
}

async function scryptRound(): Promise<number> {
  const started = performance.now();
  for (let done = 0; done < SCRYPT_BATCH; done += THREADPOOL) {
    const verdicts = await Promise.all(
      Array.from({ length: THREADPOOL }, (_, j) => verifyLegacyScrypt(guesses[(done + j) & 63]!, scryptHash)),
    );
    if (verdicts.some(Boolean)) throw new Error('wrong verdict');
  }
  return SCRYPT_BATCH / ((performance.now() - started) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
hmacRound();
await scryptRound();
const a: number[] = [];
const b: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  a.push(hmacRound());
  b.push(await scryptRound());
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `credential checks per second, medians of ${ROUNDS} alternating rounds (wrong passwords, no cache)`,
);
console.log(
  `  A  HMAC-SHA-256 digest (now):   ${fmt(median(a)).padStart(12)} /s  (${(1e6 / median(a)).toFixed(2)} µs each, main thread)`,
);
console.log(
  `  B  scrypt N=16384 (previous):   ${fmt(median(b)).padStart(12)} /s  (${(1e3 / median(b)).toFixed(1)} ms each, ${THREADPOOL} threadpool threads)`,
);
console.log(`  ratio A/B: ${(median(a) / median(b)).toFixed(0)}×`);
