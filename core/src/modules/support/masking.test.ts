import {
  maskIdNumber,
  maskPhone,
  maskRealName,
  renderTemplate,
  templateVariables,
  unknownTemplateVariables,
} from '@jiangxin/shared/ops/support';
import { describe, expect, it } from 'vitest';

describe('personal data masking', () => {
  it('keeps the first 3 and last 4 digits of a phone number', () => {
    expect(maskPhone('13800138000')).toBe('138****8000');
    expect(maskPhone(' 19912345678 ')).toBe('199****5678');
    expect(maskPhone('12345')).toBe('*****');
  });

  it('keeps only the surname of a real name, compound surnames whole', () => {
    expect(maskRealName('张三')).toBe('张*');
    expect(maskRealName('张三丰')).toBe('张**');
    expect(maskRealName('欧阳娜娜')).toBe('欧阳**');
    expect(maskRealName('欧阳锋')).toBe('欧阳*');
    expect(maskRealName('司马懿')).toBe('司马*');
    // Two characters are a surname and a given name, even when they would spell a compound surname.
    expect(maskRealName('欧阳')).toBe('欧*');
    expect(maskRealName('王')).toBe('*');
    // Characters outside the BMP count as one.
    expect(maskRealName('𠀋三')).toBe('𠀋*');
  });

  it('keeps the region prefix and the last 4 characters of an ID number', () => {
    expect(maskIdNumber('110101199003071234')).toBe('1101**********1234');
    expect(maskIdNumber('11010519491231002X')).toBe('1101**********002X');
    expect(maskIdNumber('1234567')).toBe('*******');
  });
});

describe('canned reply templates', () => {
  it('finds variables, flags unknown ones and fills known ones, leaving the rest as written', () => {
    const body = '{{user.nickname}}您好，订单{{ order.number }}，{{user.phone}}，{{user.nickname}}';
    expect(templateVariables(body)).toEqual(['user.nickname', 'order.number', 'user.phone']);
    expect(unknownTemplateVariables(body)).toEqual(['user.phone']);
    expect(renderTemplate(body, { 'user.nickname': '小明', 'order.number': 'JX1' })).toBe(
      '小明您好，订单JX1，{{user.phone}}，小明',
    );
  });
});
