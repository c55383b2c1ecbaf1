/** GetCredentialReport's Content handed to the SDK's XML parser as CDATA: same bytes, one string. */
import { Readable } from 'node:stream';
import { IAMClient } from '@aws-sdk/client-iam';
import {
  contentAsCdata,
  getCredentialReportCommand,
} from '../../rules/runtime/facts/report-download';

const CSV = 'user,arn,user_creation_time\n<root_account>,arn:aws:iam::123456789012:root,x\n';
const BASE64 = Buffer.from(CSV).toString('base64');

function responseXml(content: string): string {
  return [
    '<GetCredentialReportResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">',
    '  <GetCredentialReportResult>',
    `    <Content>${content}</Content>`,
    '    <ReportFormat>text/csv</ReportFormat>',
    '    <GeneratedTime>2026-03-01T09:00:00Z</GeneratedTime>',
    '  </GetCredentialReportResult>',
    '  <ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>',
    '</GetCredentialReportResponse>',
  ].join('\n');
}

/** An IAM client whose HTTP layer answers every request with `xml`, streamed in small chunks. */
function clientAnswering(statusCode: number, xml: string): IAMClient {
  return new IAMClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
    maxAttempts: 1,
    requestHandler: {
      handle: () =>
        Promise.resolve({
          response: {
            statusCode,
            headers: { 'content-type': 'text/xml' },
            body: Readable.from(xml.match(/[\s\S]{1,7}/g) ?? []),
          },
        }),
    },
  });
}

describe('contentAsCdata', () => {
  it('wraps base64 Content in CDATA and leaves everything else as it was', () => {
    // Prepare
    const xml = responseXml(BASE64);

    // Act
    const out = contentAsCdata(xml);

    // Assess
    expect(out).toBe(xml.replace(BASE64, `<![CDATA[${BASE64}]]>`));
  });

  it.each([
    ['no Content element', '<R><GeneratedTime>x</GeneratedTime></R>'],
    ['an unclosed Content element', '<R><Content>QUJD'],
    ['Content that is not base64', responseXml('a&amp;b')],
  ])('passes a response with %s through unchanged', (_, xml) => {
    expect(contentAsCdata(xml)).toBe(xml);
  });
});

describe('getCredentialReportCommand', () => {
  it('gives the SDK the same Content and GeneratedTime as the plain response', async () => {
    // Prepare
    const iam = clientAnswering(200, responseXml(BASE64));

    // Act
    const out = await iam.send(getCredentialReportCommand());

    // Assess
    expect(new TextDecoder().decode(out.Content)).toBe(CSV);
    expect(out.GeneratedTime).toEqual(new Date('2026-03-01T09:00:00Z'));
    expect(out.ReportFormat).toBe('text/csv');
  });

  it('leaves error responses to the SDK', async () => {
    // Prepare
    const iam = clientAnswering(
      404,
      '<ErrorResponse><Error><Type>Sender</Type><Code>ReportNotPresent</Code>' +
        '<Message>no report</Message></Error><RequestId>r-2</RequestId></ErrorResponse>',
    );

    // Act
    const result = iam.send(getCredentialReportCommand());

    // Assess
    await expect(result).rejects.toMatchObject({
      name: 'CredentialReportNotPresentException',
      message: 'no report',
    });
  });
});
