/**
 * What a typed line must be before it goes to main (the contract's Text(max): trimmed length, no
 * control characters), as a sentence for the field. Used as antd Form rules, and synchronously
 * where a field saves while the clerk types.
 */
import type { Rule } from 'antd/es/form';

const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;

export function textProblem(label: string, max: number, required: boolean, value: unknown): string | null {
  const text = typeof value === 'string' ? value : '';
  if (required && text.trim() === '') return `请填写${label}`;
  if (text.trim().length > max) return `${label}最多 ${max} 个字（现 ${text.trim().length} 字）`;
  if (CONTROL.test(text)) return `${label}不能包含控制字符`;
  return null;
}

export function textRules(label: string, max: number, required: boolean): Rule[] {
  return [
    {
      required,
      validator: (_rule, value: unknown) => {
        const problem = textProblem(label, max, required, value);
        return problem ? Promise.reject(new Error(problem)) : Promise.resolve();
      },
    },
  ];
}
