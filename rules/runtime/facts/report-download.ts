/**
 * GetCredentialReport without the SDK's worst case for memory.
 *
 * The SDK's XML parser (`@aws-sdk/xml-builder`) builds every text node one character at a time,
 * and the report arrives as a single base64 text node: about 1.3 MB for 5,000 users. Parsing that
 * one node took about 80 MB of short-lived memory, more than everything else the rule does
 * together. Wrapped in CDATA, which the parser takes with a single slice, the same text costs one
 * string. Base64 never contains `]]>`, so the bytes the SDK decodes are the same; a response of any
 * other shape (an error, no `<Content>`, not base64) passes through untouched.
 */
import {
  GetCredentialReportCommand,
  type GetCredentialReportCommandInput,
  type GetCredentialReportCommandOutput,
} from '@aws-sdk/client-iam';
import type { DeserializeMiddleware } from '@smithy/types';

const OPEN = '<Content>';
const CLOSE = '</Content>';
const BASE64 = /^[A-Za-z0-9+/=\s]*$/;

/** A GetCredentialReport command whose response `Content` is handed to the SDK as CDATA. */
export function getCredentialReportCommand(): GetCredentialReportCommand {
  const command = new GetCredentialReportCommand({});
  const asCdata: DeserializeMiddleware<
    GetCredentialReportCommandInput,
    GetCredentialReportCommandOutput
  > = (next) => async (args) => {
    const result = await next(args);
    const response = result.response as { statusCode?: number; body?: unknown };
    if (response.statusCode === 200 && response.body !== undefined) {
      const xml = await readText(response.body);
      response.body = new TextEncoder().encode(contentAsCdata(xml));
    }
    return result;
  };
  command.middlewareStack.addRelativeTo(asCdata, {
    name: 'credentialReportContentAsCdata',
    // Between the HTTP handler and the deserializer: sees each raw response, retries included.
    relation: 'after',
    toMiddleware: 'deserializerMiddleware',
  });
  return command;
}

/** `<Content>BASE64</Content>` → `<Content><![CDATA[BASE64]]></Content>`; anything else as is. */
export function contentAsCdata(xml: string): string {
  const open = xml.indexOf(OPEN);
  if (open < 0) return xml;
  const start = open + OPEN.length;
  const end = xml.indexOf(CLOSE, start);
  if (end < 0) return xml;
  const text = xml.slice(start, end);
  if (!BASE64.test(text)) return xml;
  return `${xml.slice(0, start)}<![CDATA[${text}]]>${xml.slice(end)}`;
}

async function readText(body: unknown): Promise<string> {
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  if (typeof body === 'string') return body;
  if (body !== null && typeof body === 'object' && Symbol.asyncIterator in body) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
      chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
    }
    return new TextDecoder().decode(Buffer.concat(chunks));
  }
  throw new Error('GetCredentialReport: unexpected response body type');
}
