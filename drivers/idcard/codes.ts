/**
 * Code tables stored on the cards: gender (GB/T 2261.1) and nation (GB 3304-1991, 中国各民族名称的罗马字母
 * 拼写法和代码). The card holds the code; the name is what the clerk reads.
 */

export const GENDERS = {
  '0': { gender: 'unknown', zh: '未知' },
  '1': { gender: 'male', zh: '男' },
  '2': { gender: 'female', zh: '女' },
  '9': { gender: 'unspecified', zh: '未说明' },
} as const;

export type GenderCode = keyof typeof GENDERS;
export type Gender = (typeof GENDERS)[GenderCode]['gender'];

export function genderFromCode(code: string): Gender | null {
  return (GENDERS as Record<string, { gender: Gender } | undefined>)[code]?.gender ?? null;
}

export function genderCode(gender: Gender): GenderCode {
  const hit = (Object.keys(GENDERS) as GenderCode[]).find((k) => GENDERS[k].gender === gender);
  return hit as GenderCode;
}

export function genderLabel(gender: Gender): string {
  return GENDERS[genderCode(gender)].zh;
}

/** GB 3304-1991 order, codes 01–56 (index + 1). */
const NATION_NAMES = [
  '汉', '蒙古', '回', '藏', '维吾尔', '苗', '彝', '壮', '布依', '朝鲜',
  '满', '侗', '瑶', '白', '土家', '哈尼', '哈萨克', '傣', '黎', '傈僳',
  '佤', '畲', '高山', '拉祜', '水', '东乡', '纳西', '景颇', '柯尔克孜', '土',
  '达斡尔', '仫佬', '羌', '布朗', '撒拉', '毛南', '仡佬', '锡伯', '阿昌', '普米',
  '塔吉克', '怒', '乌孜别克', '俄罗斯', '鄂温克', '德昂', '保安', '裕固', '京', '塔塔尔',
  '独龙', '鄂伦春', '赫哲', '门巴', '珞巴', '基诺',
] as const;

/** Code → name. Besides 01–56, GB 3304 defines 97 (其他) and 98 (外国血统中国籍人士). */
export const NATIONS: ReadonlyMap<string, string> = new Map<string, string>([
  ...NATION_NAMES.map((name, i) => [String(i + 1).padStart(2, '0'), name] as [string, string]),
  ['97', '其他'],
  ['98', '外国血统中国籍人士'],
]);

export interface Nation {
  code: string;
  name: string;
}

export function nationFromCode(code: string): Nation | null {
  const name = NATIONS.get(code);
  return name === undefined ? null : { code, name };
}
