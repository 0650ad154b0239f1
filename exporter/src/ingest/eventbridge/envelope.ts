import { isRecord } from '../../util/paths.js';

export type DecodedMessage =
  | { kind: 'record'; record: Record<string, unknown> }
  /** A well-formed event that is not a CloudTrail API call (console sign-in, service events). */
  | { kind: 'ignored'; reason: string }
  /** Not an event at all: left to the queue's dead-letter policy. */
  | { kind: 'poison'; reason: string; message: string };

const API_CALL = 'AWS API Call via CloudTrail';

/**
 * The CloudTrail record in one SQS message body: the EventBridge event an `aws.events` rule
 * target writes (`detail-type`, record under `detail`), also when an SNS topic sits between
 * (`Type: Notification`, event in `Message`).
 */
export function decodeEventBridgeMessage(body: string | undefined): DecodedMessage {
  if (body === undefined || body.trim() === '') return { kind: 'poison', reason: 'empty_body', message: 'empty message body' };
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (err) {
    return { kind: 'poison', reason: 'invalid_json', message: `body is not JSON (${(err as Error).message})` };
  }
  if (isRecord(doc) && doc.Type === 'Notification' && typeof doc.Message === 'string') return decodeEventBridgeMessage(doc.Message);
  if (!isRecord(doc) || typeof doc['detail-type'] !== 'string')
    return { kind: 'poison', reason: 'not_an_eventbridge_event', message: 'body is not an EventBridge event (no "detail-type")' };
  if (doc['detail-type'] !== API_CALL) return { kind: 'ignored', reason: 'not_an_api_call' };
  const detail = doc.detail;
  if (!isRecord(detail) || typeof detail.eventName !== 'string' || typeof detail.eventSource !== 'string')
    return { kind: 'poison', reason: 'not_a_cloudtrail_record', message: '"detail" is not a CloudTrail record (no eventName/eventSource)' };
  return { kind: 'record', record: detail };
}
