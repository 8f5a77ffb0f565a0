import { describe, expect, it } from 'vitest';
import { SubjectMapper } from './subject-mapping.js';

describe('SubjectMapper', () => {
  const spec = {
    source: 'svc',
    destinations: [
      { subject: 'svc.east', weight: 100, cluster: 'EAST' },
      { subject: 'svc.any', weight: 100 },
    ],
    at: 'f:1:1',
  };

  it("takes a cluster's own destinations there, the others elsewhere", () => {
    expect(SubjectMapper.from([spec], 'EAST').map('svc')).toBe('svc.east');
    expect(SubjectMapper.from([spec], 'WEST').map('svc')).toBe('svc.any');
    expect(SubjectMapper.from([spec], undefined).map('svc')).toBe('svc.any');
  });

  it('leaves other subjects alone, and drops the rest of 100 when the source is a destination', () => {
    const mapper = SubjectMapper.from([{ source: 'lossy', destinations: [{ subject: 'lossy', weight: 0 }], at: 'f:2:1' }], undefined);
    expect(mapper.map('other')).toBe('other');
    expect(mapper.map('other')).toBe('other');
    expect(mapper.map('lossy')).toBeUndefined();
  });

  it('maps with the first mapping a subject matches, wildcards and $N placeholders included', () => {
    const mapper = SubjectMapper.from(
      [
        { source: 'a.*.*', destinations: [{ subject: 'b.$2.$1', weight: 100 }], at: 'f:3:1' },
        { source: 'a.>', destinations: [{ subject: 'c.>', weight: 100 }], at: 'f:4:1' },
      ],
      undefined,
    );
    expect(mapper.map('a.x.y')).toBe('b.y.x');
    expect(mapper.map('a.x.y.z')).toBe('c.x.y.z');
  });
});
