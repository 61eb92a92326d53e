import { describe, expect, it } from 'vitest';
import { textProblem } from './form-rules';

describe('textProblem', () => {
  it('asks for a required text and accepts a filled one', () => {
    expect(textProblem('理由', 10, true, '  ')).toBe('请填写理由');
    expect(textProblem('理由', 10, true, undefined)).toBe('请填写理由');
    expect(textProblem('理由', 10, true, '不属于本机关职权')).toBeNull();
    expect(textProblem('备注', 10, false, '')).toBeNull();
  });
  it('refuses what main would refuse: too long after trimming, control characters', () => {
    expect(textProblem('备注', 3, false, ' 四个字符 ')).toContain('最多 3 个字');
    expect(textProblem('备注', 3, false, ' 三个字 ')).toBeNull();
    expect(textProblem('备注', 10, false, 'a\u0007b')).toBe('备注不能包含控制字符');
    expect(textProblem('备注', 10, false, '第一行\n第二行')).toBeNull();
  });
});
