import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../../common/outbound/address-ranges.ts';

// Addresses as a resolver may hand them out, not only in the canonical form `new URL()` writes.
describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::FFFF:127.0.0.1', 'loopback'],
    ['0000:0000:0000:0000:0000:ffff:7f00:0001', 'loopback'],
    ['fe80::1%eth0', 'link-local'],
    ['FE80::ABCD', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fdff:ffff::1', 'unique-local'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:0a00:0001::1', 'private'],
    ['::', 'unspecified'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['not-an-address', 'reserved'],
    ['', 'reserved'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toMatchObject({ public: false, kind });
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('%s is public', (address) => {
    expect(classifyAddress(address)).toEqual({ public: true });
  });
});
