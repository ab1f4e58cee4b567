import { describe, expect, it } from 'vitest';
import { photoMessages, photoRefOf, type NoticePhotos } from './photos.js';

const photos: NoticePhotos = {
  refs: [
    { channel: 'telegram', ref: 'AgAC-file-1' },
    { channel: 'zalo', ref: 'https://photo-stal.zadn.vn/a.jpg' },
    { channel: 'telegram', ref: 'AgAC-file-2' },
  ],
  captions: ['Ảnh 1/3', 'Ảnh 2/3', 'Ảnh 3/3'],
  unavailable: (count) => `${count} ảnh không xem được ở đây`,
};

describe('concern photos', () => {
  it('shows every photo on the channel they came from, in order, captioned', () => {
    expect(photoMessages(photos, 'telegram', 'vi')).toEqual([
      { text: 'Ảnh 1/3', photoUrl: 'AgAC-file-1', locale: 'vi' },
      { text: 'Ảnh 2/3', photoUrl: 'https://photo-stal.zadn.vn/a.jpg', locale: 'vi' },
      { text: 'Ảnh 3/3', photoUrl: 'AgAC-file-2', locale: 'vi' },
    ]);
  });

  it('sends URLs anywhere and counts the file_ids another channel cannot show', () => {
    expect(photoMessages(photos, 'zalo')).toEqual([{ text: 'Ảnh 2/3', photoUrl: 'https://photo-stal.zadn.vn/a.jpg' }, { text: '2 ảnh không xem được ở đây' }]);
  });

  it('keeps only references it can relay', () => {
    expect(photoRefOf('telegram', 'AgACAgUAAxkBAAIB')).toEqual({ channel: 'telegram', ref: 'AgACAgUAAxkBAAIB' });
    for (const bad of [undefined, '', 'has space', 'line\nbreak', 'x'.repeat(2049), '{"$gt":""} ', 'ảnh']) expect(photoRefOf('zalo', bad)).toBeUndefined();
  });
});
