// Schema pieces shared by the config and record schemas, with messages meant for people.
import * as v from 'valibot';

export const int = (lo: number, hi: number) =>
  v.pipe(
    v.number('must be a number'),
    v.integer('must be an integer'),
    v.minValue(lo, `must be ≥ ${lo}`),
    v.maxValue(hi, `must be ≤ ${hi}`),
  );

export const text = (max: number) =>
  v.pipe(v.string('must be text'), v.maxLength(max, `must be at most ${max} characters`));

export const list = <T extends v.GenericSchema>(item: T, max: number) =>
  v.pipe(v.array(item), v.maxLength(max, `must have at most ${max} entries`));

export const real = (lo: number, hi: number) =>
  v.pipe(
    v.number('must be a number'),
    v.finite('must be finite'),
    v.minValue(lo, `must be ≥ ${lo}`),
    v.maxValue(hi, `must be ≤ ${hi}`),
  );
