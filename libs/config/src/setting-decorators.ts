import { Transform } from 'class-transformer';

type RawSettings = Record<string, unknown>;

/** For comma-separated list settings: `a, b` → ['a', 'b']. Reads the raw value, before type conversion. */
export const CommaSeparated = () =>
  Transform(({ key, obj, value }) => {
    const raw = (obj as RawSettings)[key];
    return typeof raw === 'string'
      ? raw
          .split(',')
          .map((item) => item.trim())
          .filter(Boolean)
      : value;
  });

/** For on/off settings: `true`, `1`, `yes` are on; `false`, `0`, `no` are off; anything else is refused. */
export const BooleanFlag = () =>
  Transform(({ key, obj, value }) => {
    const raw = (obj as RawSettings)[key];
    if (typeof raw !== 'string') return value;
    const normalized = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(normalized)) return true;
    if (['false', '0', 'no', 'off'].includes(normalized)) return false;
    return raw;
  });
