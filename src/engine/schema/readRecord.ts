// Reading a record back: the schema's check, then its metrics recomputed from its own data (stored metrics are
// not trusted). Every record read — imported, stored, shipped or CLI-written — comes through here.
import * as v from 'valibot';
import { issueText } from './config';
import { parseJsonLimited } from '../core/jsonLimits';
import {
  MAX_RECORD_BYTES,
  RECORD_KIND,
  RECORD_LIMITS,
  RECORD_SCHEMA_VERSION,
  recordSchema,
  type RunRecord,
} from './record';
import { computeMetrics } from './summary';

/** Checks an untrusted record (already parsed); throws an Error that says what is wrong. */
export function validateRecord(raw: unknown): RunRecord {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw new Error('not a valid run record: not a JSON object');
  const o = raw as { kind?: unknown; schemaVersion?: unknown };
  if (o.kind !== RECORD_KIND)
    throw new Error(`not a valid run record: kind is ${JSON.stringify(o.kind)?.slice(0, 60)}, expected ${RECORD_KIND}`);
  if (typeof o.schemaVersion === 'number' && o.schemaVersion > RECORD_SCHEMA_VERSION)
    throw new Error(
      `not a valid run record: it was written by a newer build (schema ${o.schemaVersion}, this build reads ` +
        `${RECORD_SCHEMA_VERSION})`,
    );
  const r = v.safeParse(recordSchema, raw);
  if (!r.success) throw new Error(`not a valid run record: ${issueText(r.issues[0])}`);
  // Stored metrics are not trusted (and non-finite ones were written as null): recomputed from the data.
  const rec = r.output as RunRecord;
  rec.metrics = computeMetrics(rec);
  return rec;
}

/** Parses record text: size limit, depth and key limits, then the schema. */
export function parseRecordText(text: string, what = 'the record'): RunRecord {
  return validateRecord(parseJsonLimited(text, MAX_RECORD_BYTES, RECORD_LIMITS, what));
}
