import { isIP } from 'node:net';

/** Why an address is not one a tenant-named URL may reach. */
export type AddressKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared (CGNAT)'
  | 'link-local'
  | 'unique-local'
  | 'site-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

export type AddressClass = { public: true } | { public: false; kind: AddressKind; embedded?: string };

type Range = readonly [prefix: readonly number[], bits: number, kind: AddressKind];

/**
 * The IANA special-purpose registries (RFC 6890 and successors), as far as they matter for an outgoing
 * connection: everything here is refused, everything else is public. Order matters only where ranges
 * nest (the first match names the kind).
 */
const V4_RANGES: readonly Range[] = [
  [[0, 0, 0, 0], 32, 'unspecified'],
  [[0], 8, 'reserved'], // "this network"; Linux dials 0.x like loopback
  [[10], 8, 'private'],
  [[100, 64], 10, 'shared (CGNAT)'],
  [[127], 8, 'loopback'],
  [[169, 254], 16, 'link-local'],
  [[172, 16], 12, 'private'],
  [[192, 0, 0], 24, 'reserved'], // IETF protocol assignments
  [[192, 0, 2], 24, 'documentation'],
  [[192, 88, 99], 24, 'reserved'], // 6to4 relay anycast, deprecated
  [[192, 168], 16, 'private'],
  [[198, 18], 15, 'benchmarking'],
  [[198, 51, 100], 24, 'documentation'],
  [[203, 0, 113], 24, 'documentation'],
  [[224], 4, 'multicast'],
  [[255, 255, 255, 255], 32, 'broadcast'],
  [[240], 4, 'reserved'],
];

const V6_RANGES: readonly Range[] = [
  [[], 128, 'unspecified'], // ::
  [[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback'],
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'reserved'], // discard-only
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, 'private'], // NAT64 local use
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'documentation'],
  [[0x20, 0x01], 23, 'reserved'], // IETF protocol assignments: Teredo, ORCHID, benchmarking...
  [[0x3f, 0xff], 20, 'documentation'],
  [[0x5f, 0x00], 16, 'reserved'], // SRv6 SIDs
  [[0xfc], 7, 'unique-local'],
  [[0xfe, 0x80], 10, 'link-local'],
  [[0xfe, 0xc0], 10, 'site-local'],
  [[0xff], 8, 'multicast'],
];

/**
 * Classifies an IP address in the canonical spellings `new URL()` and the resolver produce (dotted IPv4,
 * IPv6 with `::`, an IPv4 tail or a zone). IPv6 forms that carry an IPv4 address (mapped, compatible,
 * NAT64, 6to4) are judged by the IPv4 address they lead to. Only global unicast (2000::/3) is public in
 * IPv6. Anything that is not an IP address at all is reported as reserved, never as public.
 */
export function classifyAddress(address: string): AddressClass {
  const version = isIP(address);
  if (version === 4) return classifyV4(v4Bytes(address));
  if (version !== 6) return { public: false, kind: 'reserved' };
  const bytes = v6Bytes(address);
  const tail = embeddedV4(bytes);
  if (tail) {
    const inner = classifyV4(tail);
    return inner.public ? inner : { ...inner, embedded: tail.join('.') };
  }
  const range = match(V6_RANGES, bytes);
  if (range) return { public: false, kind: range };
  // Outside 2000::/3 nothing is allocated for global unicast.
  return (bytes[0]! & 0xe0) === 0x20 ? { public: true } : { public: false, kind: 'reserved' };
}

/**
 * A refusal message: `127.0.0.1 is a loopback address`, or with the host name that resolved to it,
 * `uaa.example.com resolves to 127.0.0.1, a loopback address`.
 */
export function describeRefusal(
  address: string,
  found: Extract<AddressClass, { public: false }>,
  resolvedFrom?: string,
): string {
  const what = `${found.kind === 'unspecified' ? 'an' : 'a'} ${found.kind} address`;
  const target = found.embedded === undefined ? what : `${found.embedded}, ${what}`;
  if (resolvedFrom !== undefined) {
    return found.embedded === undefined
      ? `${resolvedFrom} resolves to ${address}, ${what}`
      : `${resolvedFrom} resolves to ${address}, which leads to ${target}`;
  }
  return found.embedded === undefined ? `${address} is ${what}` : `${address} leads to ${target}`;
}

function classifyV4(bytes: readonly number[]): AddressClass {
  const range = match(V4_RANGES, bytes);
  return range ? { public: false, kind: range } : { public: true };
}

function match(ranges: readonly Range[], bytes: readonly number[]): AddressKind | undefined {
  for (const [prefix, bits, kind] of ranges) if (inPrefix(bytes, prefix, bits)) return kind;
  return undefined;
}

/** Missing prefix bytes count as zero, so `[]` with 128 bits is `::`. */
function inPrefix(bytes: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The IPv4 address an IPv6 address delivers to, for the forms that embed one. */
function embeddedV4(b: readonly number[]): number[] | undefined {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated; `::` and `::1` are not of this form)
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.slice(12);
  if (zeros(0, 12) && !zeros(12, 15)) return b.slice(12);
  // 64:ff9b::/96, the well-known NAT64 prefix
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.slice(12);
  // 2002:a.b.c.d::/48, 6to4
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6);
  return undefined;
}

function v4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** 16 bytes of a valid IPv6 address (isIP checked it): `::` expanded, an IPv4 tail and a zone allowed. */
function v6Bytes(address: string): number[] {
  const zone = address.indexOf('%');
  const text = zone === -1 ? address : address.slice(0, zone);
  const groups = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const group of part.split(':')) {
      if (group.includes('.')) {
        const [a, b, c, d] = v4Bytes(group) as [number, number, number, number];
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(Number.parseInt(group, 16));
    }
    return out;
  };
  const gap = text.indexOf('::');
  const head = groups(gap === -1 ? text : text.slice(0, gap));
  const tail = gap === -1 ? [] : groups(text.slice(gap + 2));
  const words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}
