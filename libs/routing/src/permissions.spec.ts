import { describe, expect, it } from 'vitest';
import { PermissionChecker, type SubjectPermission } from './permissions.js';

describe('PermissionChecker without permissions', () => {
  it('allows everything', () => {
    for (const checker of [new PermissionChecker(undefined), new PermissionChecker({})]) {
      expect(checker.canPublish('foo')).toBe(true);
      expect(checker.canSubscribe('>')).toBe(true);
      expect(checker.canSubscribe('foo', 'q')).toBe(true);
      expect(checker.isDeliveryDenied('foo')).toBe(false);
    }
  });
});

describe('PermissionChecker.canPublish', () => {
  it('applies allow then deny', () => {
    const checker = new PermissionChecker({ publish: { allow: ['foo.*', 'bar.>'], deny: ['foo.secret', 'bar.x.>'] } });
    expect(checker.canPublish('foo.a')).toBe(true);
    expect(checker.canPublish('foo.secret')).toBe(false);
    expect(checker.canPublish('foo.a.b')).toBe(false);
    expect(checker.canPublish('bar.a.b')).toBe(true);
    expect(checker.canPublish('bar.x.y')).toBe(false);
    expect(checker.canPublish('bar.x')).toBe(true);
    expect(checker.canPublish('baz')).toBe(false);
  });

  it('with only a deny list allows the rest', () => {
    const checker = new PermissionChecker({ publish: { deny: ['$SYS.>'] } });
    expect(checker.canPublish('$SYS.REQ')).toBe(false);
    expect(checker.canPublish('foo')).toBe(true);
  });

  it('treats an explicitly empty allow list as allowing nothing, an empty deny list as denying nothing', () => {
    expect(new PermissionChecker({ publish: { allow: [] } }).canPublish('foo')).toBe(false);
    expect(new PermissionChecker({ publish: { deny: [] } }).canPublish('foo')).toBe(true);
  });

  it('keeps giving the same verdicts once the verdict cache prunes', () => {
    const checker = new PermissionChecker({ publish: { allow: ['ok.>'] } });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 500; i++) {
        expect(checker.canPublish(`ok.${i}`)).toBe(true);
        expect(checker.canPublish(`no.${i}`)).toBe(false);
      }
    }
  });
});

describe('PermissionChecker.canSubscribe', () => {
  const check = (perms: SubjectPermission, subject: string, queue?: string): boolean =>
    new PermissionChecker({ subscribe: perms }).canSubscribe(subject, queue);

  it('applies allow then deny to plain subscriptions', () => {
    expect(check({ allow: ['foo'] }, 'foo')).toBe(true);
    expect(check({ allow: ['foo'] }, 'bar')).toBe(false);
    expect(check({ allow: ['>'], deny: ['foo'] }, 'bar')).toBe(true);
    expect(check({ allow: ['>'], deny: ['foo'] }, 'foo')).toBe(false);
    expect(check({ allow: ['foo.>'] }, 'foo.*')).toBe(true);
    expect(check({ allow: ['foo.bar'] }, 'foo.*')).toBe(false);
    expect(check({ allow: [] }, 'anything')).toBe(true);
  });

  // Cases of nats-server's TestQueueSubscribePermissions.
  it.each([
    [{ allow: ['foo'] }, 'foo', undefined, true],
    [{ allow: ['foo'] }, 'foo', 'any', true],
    [{ allow: ['foo bar'] }, 'foo', 'bar', true],
    [{ allow: ['foo bar'] }, 'foo', 'baz', false],
    [{ allow: ['foo bar'] }, 'foo', undefined, false],
    [{ allow: ['foo', 'foo v1'] }, 'foo', undefined, true],
    [{ allow: ['foo', 'foo v1'] }, 'foo', 'v2', false],
    [{ allow: ['foo bar.*'] }, 'foo', 'bar.fizz', true],
    [{ allow: ['> bar.>'] }, 'whizz', 'bar.bang', true],
    [{ allow: ['> bar.>'] }, 'whizz', undefined, false],
    [{ allow: ['>'], deny: ['foo'] }, 'foo', 'bar', false],
    [{ allow: ['>'], deny: ['>'] }, 'foo', 'bar', false],
    [{ allow: ['> v1.>'] }, 'foo', 'v1.prod', true],
    [{ allow: ['>'], deny: ['> >'] }, 'foo', undefined, true],
    [{ deny: ['> >'] }, 'foo', 'bar', false],
    [{ deny: ['foo  bar'] }, 'foo', 'bar', false],
    [{ deny: ['foo bar'] }, 'foo', 'baz', true],
    // Queue names may contain wildcard characters; an exact name matches first.
    [{ allow: ['foo v1.*'] }, 'foo', 'v1.*', true],
    // nats-server 2.9 lets a matching queue deny entry overrule a plain deny entry.
    [{ deny: ['foo', 'foo bar'] }, 'foo', 'baz', true],
    [{ deny: ['foo', 'foo bar'] }, 'foo', 'bar', false],
    [{ deny: ['foo', 'foo bar'] }, 'foo', undefined, false],
  ] as [SubjectPermission, string, string | undefined, boolean][])(
    '%j: sub %s queue %s -> %s',
    (perms, subject, queue, expected) => {
      expect(check(perms, subject, queue)).toBe(expected);
    },
  );

  it('rejects malformed subscribe entries', () => {
    expect(() => new PermissionChecker({ subscribe: { allow: ['foo bar baz'] } })).toThrow();
    expect(() => new PermissionChecker({ subscribe: { deny: ['foo..bar'] } })).toThrow();
    expect(() => new PermissionChecker({ subscribe: { deny: [''] } })).toThrow();
  });
});

describe('PermissionChecker delivery filter for wildcard subscriptions', () => {
  it('accepts a wildcard subscription wider than a deny entry but withholds denied deliveries', () => {
    const checker = new PermissionChecker({ subscribe: { deny: ['foo.bar', 'baz.>'] } });
    expect(checker.isDeliveryDenied('foo.bar')).toBe(false);
    expect(checker.canSubscribe('foo.bar')).toBe(false);
    expect(checker.canSubscribe('foo.baz')).toBe(true);
    // Literal subscriptions do not switch the filter on.
    expect(checker.isDeliveryDenied('foo.bar')).toBe(false);
    expect(checker.canSubscribe('foo.*')).toBe(true);
    expect(checker.isDeliveryDenied('foo.bar')).toBe(true);
    expect(checker.isDeliveryDenied('foo.bar')).toBe(true);
    expect(checker.isDeliveryDenied('foo.other')).toBe(false);
    expect(checker.isDeliveryDenied('baz.x.y')).toBe(true);
    expect(checker.isDeliveryDenied('baz')).toBe(false);
  });

  it('does not filter when the wildcard subscription does not cover a deny entry', () => {
    const checker = new PermissionChecker({ subscribe: { deny: ['foo.bar'] } });
    expect(checker.canSubscribe('other.*')).toBe(true);
    expect(checker.isDeliveryDenied('foo.bar')).toBe(false);
    expect(checker.canSubscribe('*.bar')).toBe(true);
    expect(checker.isDeliveryDenied('foo.bar')).toBe(true);
  });

  it('like nats-server 2.9, only switches the filter on when a deny entry is a subset of the subscription', () => {
    // "foo.>" overlaps "*.bar" (both match foo.bar) but is not a subset of it.
    const checker = new PermissionChecker({ subscribe: { deny: ['foo.>'] } });
    expect(checker.canSubscribe('*.bar')).toBe(true);
    expect(checker.isDeliveryDenied('foo.bar')).toBe(false);
  });

  it('keeps deny verdicts right beyond the verdict cache size', () => {
    const checker = new PermissionChecker({ subscribe: { deny: ['x.*.secret'] } });
    expect(checker.canSubscribe('x.>')).toBe(true);
    for (let i = 0; i < 600; i++) {
      expect(checker.isDeliveryDenied(`x.${i}.secret`)).toBe(true);
      expect(checker.isDeliveryDenied(`x.${i}.public`)).toBe(false);
    }
  });

  it('ignores queue-qualified deny entries when filtering deliveries', () => {
    const checker = new PermissionChecker({ subscribe: { deny: ['foo.* q', 'foo.bar'] } });
    expect(checker.canSubscribe('>')).toBe(true);
    expect(checker.isDeliveryDenied('foo.bar')).toBe(true);
    expect(checker.isDeliveryDenied('foo.baz')).toBe(false);
  });
});

describe('PermissionChecker.canSubscribeAcrossLeaf', () => {
  const perms = new PermissionChecker({ subscribe: { allow: ['foo.bar', 'baz.*'], deny: ['foo.>'] } });

  it('allows a wildcard wider than an allowed subject, as nats-server does for leaf connections', () => {
    expect(new PermissionChecker({ subscribe: { allow: ['foo.bar'] } }).canSubscribeAcrossLeaf('foo.*')).toBe(true);
    expect(new PermissionChecker({ subscribe: { allow: ['foo.bar'] } }).canSubscribe('foo.*')).toBe(false);
    expect(perms.canSubscribeAcrossLeaf('baz.>')).toBe(true);
  });

  it('still refuses subjects no allow entry falls under, and denied ones', () => {
    expect(perms.canSubscribeAcrossLeaf('qux.*')).toBe(false);
    expect(perms.canSubscribeAcrossLeaf('other')).toBe(false);
    expect(perms.canSubscribeAcrossLeaf('foo.*')).toBe(false);
  });
});
