import { describe, expect, it } from 'vitest';
import { parseDistinguishedName, sameName, sameRdns } from './certificate-names.js';

describe('parseDistinguishedName', () => {
  it('reads RDNs most specific first, types upper-cased', () => {
    expect(parseDistinguishedName('cn=alice, OU=eng,O=acme')).toEqual([
      [{ type: 'CN', value: 'alice' }],
      [{ type: 'OU', value: 'eng' }],
      [{ type: 'O', value: 'acme' }],
    ]);
  });

  it('reads multi-valued RDNs and escapes', () => {
    expect(parseDistinguishedName('CN=Smith\\, J+UID=7,O=a\\2Cb')).toEqual([
      [
        { type: 'CN', value: 'Smith, J' },
        { type: 'UID', value: '7' },
      ],
      [{ type: 'O', value: 'a,b' }],
    ]);
  });

  it('spells emailAddress as E', () => {
    expect(parseDistinguishedName('emailAddress=a@b.c')).toEqual([[{ type: 'E', value: 'a@b.c' }]]);
  });

  it('is undefined for a plain user name', () => {
    expect(parseDistinguishedName('alice')).toBeUndefined();
    expect(parseDistinguishedName('=x')).toBeUndefined();
  });
});

describe('sameName and sameRdns', () => {
  const subject = parseDistinguishedName('CN=carol,OU=ops,O=acme')!;

  it('sameName wants the same order', () => {
    expect(sameName(parseDistinguishedName('CN=carol,OU=ops,O=acme')!, subject)).toBe(true);
    expect(sameName(parseDistinguishedName('O=acme,OU=ops,CN=carol')!, subject)).toBe(false);
  });

  it('sameRdns accepts any order of the same RDNs, and nothing more or less', () => {
    expect(sameRdns(parseDistinguishedName('O=acme,OU=ops,CN=carol')!, subject)).toBe(true);
    expect(sameRdns(parseDistinguishedName('O=acme,CN=carol')!, subject)).toBe(false);
    expect(sameRdns(parseDistinguishedName('O=acme,OU=dev,CN=carol')!, subject)).toBe(false);
  });

  it('attributes inside an RDN match in any order', () => {
    expect(sameName(parseDistinguishedName('UID=7+CN=x')!, parseDistinguishedName('CN=x+UID=7')!)).toBe(true);
  });
});
