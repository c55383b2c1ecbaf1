/** The shared Lambda runtime's clampAnnotation (annotation.ts). */
import { clampAnnotation } from '../../rules/runtime/annotation';

describe('clampAnnotation', () => {
  it('keeps a short annotation, folding white space', () => {
    expect(clampAnnotation('  a\n\tb  ')).toBe('a b');
  });

  it('refuses an empty annotation', () => {
    expect(() => clampAnnotation(' \n ')).toThrow(/empty/);
  });

  it('keeps exactly 256 characters as is', () => {
    const text = 'x'.repeat(256);
    expect(clampAnnotation(text)).toBe(text);
  });

  it('cuts a long annotation to at most 256 characters with an ellipsis', () => {
    // Prepare
    const text = 'word '.repeat(100);

    // Act
    const clamped = clampAnnotation(text);

    // Assess
    expect(Array.from(clamped).length).toBeLessThanOrEqual(256);
    expect(clamped.endsWith('…')).toBe(true);
    expect(clamped).not.toMatch(/\s…$/);
  });

  it('never splits a surrogate pair', () => {
    // Act
    const clamped = clampAnnotation('😀'.repeat(300));

    // Assess
    const chars = Array.from(clamped);
    expect(chars.length).toBeLessThanOrEqual(256);
    expect(chars.slice(0, -1).every((c) => c === '😀')).toBe(true);
    expect(clamped.endsWith('…')).toBe(true);
  });
});
